"""MaxoutNet: convolutional maxout layers with max pooling and dropout (CIFAR-10)."""
from akid.checks import check_positive_int, describe
from akid.blocks.layers import AccuracyLayer, DropoutLayer, InnerProductLayer, SoftmaxWithLossLayer
from akid.brains.brain import Brain
from akid.brains.templates import check_widths, cnn_block


class MaxoutNet(Brain):
    """Maxout network for CIFAR-10 (Goodfellow et al., ICML 2013, Maxout Networks).

    The paper's CIFAR-10 model: three convolutional maxout layers, each
    followed by max pooling, then a fully connected maxout layer and a
    softmax classifier, with dropout on the input of every layer. Maxout
    takes the max over `pieces` linear feature maps, so a layer of c units
    has c * pieces filters (MaxoutLayer(group_size=pieces)). SAME padding
    here, where the paper's pylearn2 model padded by hand.

    Args:
      class_num: number of classes.
      channels: maxout units of the three convolutional layers (96, 192, 192).
      pieces: linear pieces per convolutional unit (2).
      ksizes: their kernel sizes (8, 8, 5).
      pools: their (max pool window, stride) pairs ((4, 2), (4, 2), (2, 2)).
      fc_units: maxout units of the fully connected layer (500).
      fc_pieces: its pieces (5).
      keep_prob: dropout keep probability on each layer's input (0.5; the
        image itself keeps input_keep_prob, 0.8); None or 1.0: no dropout.
      input_keep_prob: dropout keep probability of the images.
      wd: weight decay dict of every weight (the paper used max-norm instead).

    Input: (N, H, W, C) images, e.g. (N, 32, 32, 3); labels (N,).
    """

    def __init__(self, class_num=10, channels=(96, 192, 192), pieces=2, ksizes=(8, 8, 5),
                 pools=((4, 2), (4, 2), (2, 2)), fc_units=500, fc_pieces=5, keep_prob=0.5,
                 input_keep_prob=0.8, wd=None, name="maxout_net", **kwargs):
        super().__init__(name=name, **kwargs)
        channels = check_widths(self, "channels", channels)
        for param, value in (("ksizes", ksizes), ("pools", pools)):
            if not isinstance(value, (list, tuple)):
                raise TypeError(f"{describe(self)}: {param} must be a list, got {value!r} "
                                f"({type(value).__name__})")
        if not len(channels) == len(ksizes) == len(pools) > 0:
            raise ValueError(f"{describe(self)}: channels, ksizes and pools must be lists of "
                             f"one length, got {channels!r}, {ksizes!r}, {pools!r}")
        for param, value in (("pieces", pieces), ("fc_units", fc_units),
                             ("fc_pieces", fc_pieces)):
            check_positive_int(self, param, value)
        keep_prob = None if keep_prob == 1.0 else keep_prob
        if input_keep_prob not in (None, 1.0):
            self.attach(DropoutLayer(keep_prob=input_keep_prob, name="input_dropout"))
        for i, (units, ksize, (window, stride)) in enumerate(zip(channels, ksizes, pools)):
            self.attach(cnn_block(ksize=[ksize, ksize], out_channel_num=units * pieces, wd=wd,
                                  activation={"type": "maxout", "group_size": pieces},
                                  pool_size=[window, window], pool_stride=[stride, stride],
                                  activation_before_pooling=True, keep_prob=keep_prob,
                                  name=f"conv{i + 1}"))
        self.attach(cnn_block(out_channel_num=fc_units * fc_pieces, wd=wd,
                              activation={"type": "maxout", "group_size": fc_pieces},
                              keep_prob=keep_prob, name="fc"))
        self.attach(InnerProductLayer(out_channel_num=class_num, wd=wd, name="ip"))
        self.attach(SoftmaxWithLossLayer(class_num=class_num, name="loss"))
        self.attach(AccuracyLayer(name="accuracy"))
