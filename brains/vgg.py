"""VGG: stacks of 3x3 convolutions between max pools, then a fully connected classifier;
`VGG` is the paper's, `VGGNet` akid's CIFAR-10 variant."""
from akid.checks import check_choice, check_int, check_positive_int
from akid.blocks.layers import (AccuracyLayer, BatchNormalizationLayer, ConvolutionLayer,
                                DropoutLayer, FlattenLayer, InnerProductLayer, PoolingLayer,
                                ReLULayer, SoftmaxWithLossLayer)
from akid.brains.akid_nets import AKID_WD
from akid.brains.brain import Brain
from akid.brains.templates import check_widths, classifier_head, cnn_block

SYSTEM_LABELS = {"name": "system_in", "idxs": [1]}
TINY_INIT = {"name": "truncated_normal", "stddev": 1e-4}  # akid's VGGNet weights
# Convolutions per stage of the paper's configurations A (11), B (13), D (16) and E (19).
STAGES = {11: (1, 1, 2, 2, 2), 13: (2, 2, 2, 2, 2), 16: (2, 2, 3, 3, 3), 19: (2, 2, 4, 4, 4)}


class VGG(Brain):
    """VGG (Simonyan & Zisserman, ICLR 2015, Very Deep Convolutional Networks), CIFAR-sized.

    Five stages of 3x3 convolutions (SAME, stride 1, ReLU), each closed by a
    2x2 max pool, with width, 2, 4, 8 and 8 times `width` filters; then the
    fully connected layers `fc_units` (ReLU, dropout) and the classifier.
    The default is the CIFAR-sized variant: 32x32 inputs (1x1x512 after the
    last pool), batch norm after every convolution (the paper had none) and
    one hidden layer of 512 units instead of two of 4096. `VGG(bn=False,
    fc_units=(4096, 4096), class_num=1000)` on 224x224 inputs is the paper's.

    Args:
      depth: 11, 13, 16 or 19 (configurations A, B, D, E), counting the
        convolutions and the fully connected layers of the paper.
      class_num: number of classes.
      width: filters of the first stage (64 in the paper).
      fc_units: widths of the hidden fully connected layers.
      keep_prob: dropout keep probability after each hidden fully connected
        layer; None or 1.0: no dropout.
      bn: batch norm after each convolution.
      wd: weight decay dict of every weight.

    Input: (N, H, W, C) with H and W multiples of 32; labels (N,).
    """

    def __init__(self, depth=16, class_num=10, width=64, fc_units=(512,), keep_prob=0.5,
                 bn=True, wd=None, name="vgg", **kwargs):
        super().__init__(name=name, **kwargs)
        check_choice(self, "depth", check_int(self, "depth", depth), tuple(STAGES))
        check_positive_int(self, "width", width)
        fc_units = check_widths(self, "fc_units", fc_units)
        for stage, convs in enumerate(STAGES[depth]):
            channels = width * min(2 ** stage, 8)
            for i in range(convs):
                last = i == convs - 1
                self.attach(cnn_block(ksize=[3, 3], out_channel_num=channels, wd=wd, bn=bn,
                                      pool_size=[2, 2] if last else None,
                                      activation_before_pooling=True,
                                      name=f"conv{stage + 1}_{i + 1}"))
        self.attach(FlattenLayer(name="flatten"))
        classifier_head(self, fc_units, class_num, wd=wd, keep_prob=keep_prob)


class VGGNet(Brain):
    """akid's `VGGNet` (akid/models/brains.py): the VGG of torch's cifar.torch, as akid's
    `examples/vgg.py` trained it on CIFAR-10.

    Ten 3x3 conv-bn-relu layers (64, 64, 128, 128, 256 x 3, 512 x 3) with
    dropout (keep 0.7 after the first, 0.6 after the others inside a stage)
    and a 2x2 max pool closing each of the four stages; then dropout 0.5, ip1
    512 - bn - relu, dropout 0.5, ip2 `class_num` - bn, and the loss. Every
    weight is truncated normal 1e-4 with l2 5e-4 and every layer has a bias
    of 0, as in akid. Layers are numbered by convolution as akid did (conv3,
    bn3, relu3, dropout3, ...).
    Today's `VGG` is the paper's network, with five stages.

    Args:
      class_num: number of classes.
      padding: the convolutions' and pools' padding, "SAME" or "VALID".
      loss_layer: None (softmax loss), or akid's `(LossClass, extra args)`: the
        loss block is `LossClass(class_num=class_num, name="loss", **extra args)`.

    Input: (N, 32, 32, C) images; labels (N,).
    """

    def __init__(self, class_num=10, padding="SAME", loss_layer=None, **kwargs):
        super().__init__(**kwargs)
        check_positive_int(self, "class_num", class_num)
        self.padding = check_choice(self, "padding", padding, ("SAME", "VALID"))
        self.top_layer_No = 0
        keeps = {64: 0.7, 128: 0.6, 256: 0.6, 512: 0.6}
        for channels, convs in ((64, 2), (128, 2), (256, 3), (512, 3)):
            for i in range(convs):
                self.attach_conv_bn_relu(channels)
                if i < convs - 1:
                    self.attach(DropoutLayer(keep_prob=keeps[channels],
                                             name=f"dropout{self.top_layer_No}"))
            self.attach(PoolingLayer(ksize=[2, 2], strides=[2, 2], padding=self.padding,
                                     name=f"pool{self.top_layer_No}"))
        for ip, units in (("ip1", 512), ("ip2", class_num)):
            self.top_layer_No += 1
            self.attach(DropoutLayer(keep_prob=0.5, name=f"dropout{self.top_layer_No}"))
            self.attach(InnerProductLayer(out_channel_num=units, init_para=TINY_INIT, wd=AKID_WD,
                                          initial_bias_value=0.0, name=ip))
            self.attach(BatchNormalizationLayer(name=f"bn{self.top_layer_No}"))
            if ip == "ip1":
                self.attach(ReLULayer(name=f"relu{self.top_layer_No}"))
        logits = f"bn{self.top_layer_No}"
        if loss_layer:
            loss_class, extra = loss_layer
            self.attach(loss_class(class_num=class_num, name="loss", **extra))
        else:
            self.attach(SoftmaxWithLossLayer(class_num=class_num, inputs=[logits, SYSTEM_LABELS],
                                             name="loss"))
        self.attach(AccuracyLayer(inputs=[logits, SYSTEM_LABELS], name="accuracy"))

    def attach_conv_bn_relu(self, out_channel_num):
        """Attaches conv<n> (3x3), bn<n> and relu<n>, n counting the convolutions (akid's)."""
        self.top_layer_No += 1
        self.attach(ConvolutionLayer(ksize=[3, 3], strides=[1, 1], padding=self.padding,
                                     init_para=TINY_INIT, wd=AKID_WD,
                                     out_channel_num=out_channel_num, initial_bias_value=0.0,
                                     name=f"conv{self.top_layer_No}"))
        self.attach(BatchNormalizationLayer(name=f"bn{self.top_layer_No}"))
        self.attach(ReLULayer(name=f"relu{self.top_layer_No}"))
