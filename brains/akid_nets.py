"""akid's small example nets as akid's own zoo defined them (akid/models/brains.py at cf82277).

Today's `AlexNet` and `LeNet` are other networks than akid's classes of those
names, so akid's are here as `AkidAlexNet` and `AkidLeNet` (akid's import path
`akid.models.brains.AlexNet` / `.LeNet` resolves to them). Every layer passes
akid's initializer, weight decay and bias explicitly, the values akid's layers
used when a net left them out, so these nets compute what akid's did whatever
today's layer defaults are.
"""
import math

from akid.blocks.layers import (AccuracyLayer, ConvolutionLayer, DropoutLayer, InnerProductLayer,
                                LRNLayer, PoolingLayer, ReLULayer, SoftmaxWithLossLayer)
from akid.brains.brain import Brain

# What akid's ConvolutionLayer and InnerProductLayer used when not told otherwise.
AKID_INIT = {"name": "truncated_normal", "stddev": 0.1}
AKID_WD = {"type": "l2", "scale": 5e-4}
AKID_BIAS = 0.0
LABELS = {"name": "system_in", "idxs": [1]}


def akid_msra(ksize, out_channel_num):
    """akid's `msra_init`: a truncated normal of stddev sqrt(2 / (k * k * out_channels))
    (fan-out, as Facebook's torch ResNet; not today's fan-in "msra")."""
    return {"name": "truncated_normal",
            "stddev": math.sqrt(2.0 / (ksize[0] * ksize[1] * out_channel_num))}


def akid_default_init(fan_in):
    """akid's `{"name": "default"}`: uniform in +-1/sqrt(fan_in) (torch's default; akid's
    uniform_unit_scaling with factor 1/sqrt(3))."""
    return {"name": "uniform", "range": 1.0 / math.sqrt(fan_in)}


def decay(scale):
    """akid's `wd={"type": "l2", "scale": scale}`, None for a scale of 0 (the same result)."""
    return {"type": "l2", "scale": scale} if scale else None


def attach_conv(brain, name, out_channel_num, ksize=(5, 5), init_para=AKID_INIT, wd=AKID_WD,
                initial_bias_value=AKID_BIAS):
    """Attaches akid's `ConvolutionLayer(ksize, [1, 1, 1, 1], "SAME", ...)`."""
    brain.attach(ConvolutionLayer(ksize=list(ksize), strides=[1, 1], padding="SAME",
                                  out_channel_num=out_channel_num, init_para=init_para, wd=wd,
                                  initial_bias_value=initial_bias_value, name=name))


def attach_ip(brain, name, out_channel_num, init_para=AKID_INIT, wd=AKID_WD,
              initial_bias_value=AKID_BIAS):
    """Attaches akid's `InnerProductLayer(...)`."""
    brain.attach(InnerProductLayer(out_channel_num=out_channel_num, init_para=init_para, wd=wd,
                                   initial_bias_value=initial_bias_value, name=name))


def attach_pool(brain, name, ksize, stride=2):
    """Attaches akid's max `PoolingLayer([1, k, k, 1], [1, s, s, 1], "SAME")`."""
    brain.attach(PoolingLayer(ksize=[ksize, ksize], strides=[stride, stride], padding="SAME",
                              name=name))


def attach_classifier(brain, logits, class_num=10, loss_name="loss"):
    """akid's `SoftmaxWithLossLayer` on `logits` and the labels, and the accuracy it reported."""
    brain.attach(SoftmaxWithLossLayer(class_num=class_num, inputs=[logits, LABELS],
                                      name=loss_name))
    brain.attach(AccuracyLayer(inputs=[logits, LABELS], name="accuracy"))


def lrn_layer(name):
    """akid's `LRNLayer(name=name)`, its defaults given explicitly (radius 4, bias 1,
    alpha 0.001 / 9, beta 0.75)."""
    return LRNLayer(depth_radius=4, bias=1.0, alpha=0.001 / 9.0, beta=0.75, name=name)


class AkidAlexNet(Brain):
    """akid's `AlexNet` (akid/models/brains.py), the network of TensorFlow's CIFAR-10 tutorial.

    conv1 5x5x64 - relu - pool 3x3/2 - LRN, conv2 5x5x64 - relu - LRN - pool
    3x3/2, ip1 384 - relu, ip2 192, softmax_linear 10, softmax loss. As in
    akid, ip2 has no ReLU after it (the tutorial's local4 had one) and only
    ip1 and ip2 are decayed (l2 0.004). Today's `AlexNet` is the five-conv
    network of the paper; this is the one akid's examples (`alex_net.py`) and
    tests trained.

    Input: (N, H, W, C) images, e.g. (N, 24, 24, 3) crops; labels (N,) in [0, 10).
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        tiny = {"name": "truncated_normal", "stddev": 1e-4}
        attach_conv(self, "conv1", 64, init_para=tiny, wd=None)
        self.attach(ReLULayer(name="relu1"))
        attach_pool(self, "pool1", 3)
        self.attach(lrn_layer("norm1"))
        attach_conv(self, "conv2", 64, init_para=tiny, wd=None, initial_bias_value=0.1)
        self.attach(ReLULayer(name="relu2"))
        self.attach(lrn_layer("norm2"))
        attach_pool(self, "pool2", 3)
        fc = {"name": "truncated_normal", "stddev": 0.04}
        attach_ip(self, "ip1", 384, init_para=fc, wd=decay(0.004), initial_bias_value=0.1)
        self.attach(ReLULayer(name="relu3"))
        attach_ip(self, "ip2", 192, init_para=fc, wd=decay(0.004), initial_bias_value=0.1)
        attach_ip(self, "softmax_linear", 10, wd=None,
                  init_para={"name": "truncated_normal", "stddev": 1 / 192.0})
        attach_classifier(self, "softmax_linear")


class AkidLeNet(Brain):
    """akid's `LeNet` (akid/models/brains.py): "a rough LeNet" after Caffe's example.

    conv1 5x5x32 - relu - pool 2x2/2, conv2 5x5x64 - relu - pool 5x5/2,
    ip1 512 - relu, ip2 10, softmax loss; akid's layer defaults throughout
    (truncated normal 0.1, l2 5e-4, bias 0). Today's `LeNet` differs: a 2x2
    second pool and dropout after ip1.

    Input: (N, 28, 28, 1) images; labels (N,) in [0, 10).
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        attach_rough_lenet(self, later_bias=AKID_BIAS, keep_prob=None)


class MnistTfTutorialNet(Brain):
    """akid's `MnistTfTutorialNet` (akid/models/brains.py): the net of TensorFlow's
    convolutional MNIST tutorial, with that tutorial's parameters.

    conv1 5x5x32 (bias 0) - relu - pool 2x2/2, conv2 5x5x64 (bias 0.1) - relu -
    pool 5x5/2, ip1 512 (bias 0.1) - relu - dropout (keep 0.5), ip2 10 (bias
    0.1), softmax loss; every weight truncated normal 0.1 with l2 5e-4.

    Input: (N, 28, 28, 1) images; labels (N,) in [0, 10).
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        attach_rough_lenet(self, later_bias=0.1, keep_prob=0.5)


def attach_rough_lenet(brain, later_bias, keep_prob):
    """The body akid's LeNet and MnistTfTutorialNet share: conv1 5x5x32 - relu - pool
    2x2/2, conv2 5x5x64 - relu - pool 5x5/2, ip1 512 - relu [- dropout], ip2 10, loss.
    `later_bias` starts every bias but conv1's; `keep_prob` None: no dropout."""
    attach_conv(brain, "conv1", 32)
    brain.attach(ReLULayer(name="relu1"))
    attach_pool(brain, "pool1", 2)
    attach_conv(brain, "conv2", 64, initial_bias_value=later_bias)
    brain.attach(ReLULayer(name="relu2"))
    attach_pool(brain, "pool2", 5)
    attach_ip(brain, "ip1", 512, initial_bias_value=later_bias)
    brain.attach(ReLULayer(name="relu3"))
    if keep_prob is not None:
        brain.attach(DropoutLayer(keep_prob=keep_prob, name="dropout1"))
    attach_ip(brain, "ip2", 10, initial_bias_value=later_bias)
    attach_classifier(brain, "ip2")
