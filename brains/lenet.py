"""LeNet and OneLayerBrain: the small convolutional nets of akid's examples."""
from akid.blocks.layers import (AccuracyLayer, ConvolutionLayer, InnerProductLayer, PoolingLayer,
                                ReLULayer, SoftmaxWithLossLayer)
from akid.brains.brain import Brain
from akid.brains.templates import cnn_block


class OneLayerBrain(Brain):
    """One convolution, ReLU, pooling and a classifier: akid's smallest example brain.

    Args:
      class_num: number of classes.
    """

    def __init__(self, class_num=10, name="one_layer_brain", **kwargs):
        super().__init__(name=name, **kwargs)
        self.attach(ConvolutionLayer(ksize=[5, 5], strides=[1, 1], padding="SAME",
                                     out_channel_num=32, name="conv1"))
        self.attach(ReLULayer(name="relu1"))
        self.attach(PoolingLayer(ksize=[5, 5], strides=[5, 5], padding="SAME", name="pool1"))
        self.attach(InnerProductLayer(out_channel_num=class_num, name="ip1"))
        self.attach(SoftmaxWithLossLayer(class_num=class_num, name="loss"))
        self.attach(AccuracyLayer(name="accuracy"))


class LeNet(Brain):
    """LeNet (LeCun et al., 1998) as in TensorFlow's MNIST tutorial: conv5x5x32-pool,
    conv5x5x64-pool, fc512 (ReLU, dropout), fc<class_num>.

    Args:
      class_num: number of classes.
      keep_prob: dropout keep probability after fc512 (1.0 turns it off).
      wd: weight decay dict for every weight, e.g. {"type": "l2", "scale": 5e-4}.
    """

    def __init__(self, class_num=10, keep_prob=0.5, wd=None, name="lenet", **kwargs):
        super().__init__(name=name, **kwargs)
        self.attach(cnn_block(ksize=[5, 5], out_channel_num=32, pool_size=[2, 2], wd=wd,
                              activation_before_pooling=True, name="conv1"))
        self.attach(cnn_block(ksize=[5, 5], out_channel_num=64, pool_size=[2, 2], wd=wd,
                              activation_before_pooling=True, name="conv2"))
        self.attach(cnn_block(out_channel_num=512, wd=wd,
                              keep_prob=None if keep_prob == 1.0 else keep_prob, name="ip1"))
        self.attach(InnerProductLayer(out_channel_num=class_num, wd=wd, name="ip2"))
        self.attach(SoftmaxWithLossLayer(class_num=class_num, name="loss"))
        self.attach(AccuracyLayer(name="accuracy"))
