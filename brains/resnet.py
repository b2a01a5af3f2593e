"""ResNet for CIFAR: residual units as nested brains, merged by a MergeLayer sum."""
from akid.checks import check_choice, check_int, check_positive_int, describe
from akid.blocks.layers import (AccuracyLayer, BatchNormalizationLayer, ConvolutionLayer,
                                GlobalAveragePoolingLayer, InnerProductLayer, MergeLayer,
                                ReLULayer, ShortcutPaddingLayer, SoftmaxWithLossLayer)
from akid.brains.brain import Brain
from akid.brains.templates import cnn_block

SHORTCUTS = ("padding", "projection")
HE_INIT = {"name": "msra"}
SYSTEM_IN_DATA = {"name": "system_in", "idxs": [0]}


class ResNet(Brain):
    """ResNet for CIFAR (He et al., 2016, Deep Residual Learning for Image Recognition, sec. 4.2).

    depth = 6n + 2 layers: a 3x3 convolution of `width` filters, three stages
    of n residual units with width, 2 * width and 4 * width filters (the
    first unit of stages 2 and 3 halves height and width with stride 2),
    global average pooling, and a fully connected classifier. Every
    convolution is followed by batch norm; a unit is
    conv3x3-bn-relu-conv3x3-bn, plus its shortcut, then relu.

    Where the shape changes, the shortcut is "padding" (the paper's option A
    for CIFAR: subsample by 2 and zero-pad the new channels, no parameters)
    or "projection" (option B: 1x1 convolution with stride 2, then batch norm).

    Args:
      depth: 6n + 2 with n >= 1: 20, 32, 44, 56, 110, ...
      class_num: number of classes.
      width: filters of the first stage (16 in the paper).
      shortcut: "padding" or "projection".
      wd: weight decay of every convolution and of the classifier
        (default l2 with scale 1e-4, the paper's).

    Input: (N, H, W, C) images (32x32 for CIFAR); labels (N,).

    Example:
      brain = ResNet(depth=20)   # 0.27M parameters, as in the paper's table 6
    """

    def __init__(self, depth=20, class_num=10, width=16, shortcut="padding",
                 wd={"type": "l2", "scale": 1e-4}, name="resnet", **kwargs):  # noqa: B006
        super().__init__(name=name, **kwargs)
        depths = "6n + 2 with n >= 1 (8, 14, 20, 32, 44, 56, 110, ...)"
        if (check_int(self, "depth", depth, low=8, kind=depths) - 2) % 6:
            raise ValueError(f"{describe(self)}: depth must be {depths}, got {depth}")
        check_positive_int(self, "width", width)
        check_choice(self, "shortcut", shortcut, SHORTCUTS)
        self.depth, self.width, self.shortcut = depth, width, shortcut
        units = (depth - 2) // 6
        self.attach(cnn_block(ksize=[3, 3], out_channel_num=width, init_para=HE_INIT, wd=wd,
                              bn=True, pool_size=None, name="conv1"))
        channels = width
        for stage in range(3):
            for unit in range(units):
                stride = 2 if stage > 0 and unit == 0 else 1
                out = width * 2 ** stage
                self.attach(residual_unit(out, stride=stride, in_channel_num=channels,
                                          shortcut=shortcut, wd=wd,
                                          name=f"stage{stage + 1}_unit{unit + 1}"))
                channels = out
        self.attach(GlobalAveragePoolingLayer(name="pool"))
        self.attach(InnerProductLayer(out_channel_num=class_num, init_para=HE_INIT, wd=wd,
                                      name="ip"))
        self.attach(SoftmaxWithLossLayer(class_num=class_num, name="loss"))
        self.attach(AccuracyLayer(name="accuracy"))


def residual_unit(out_channel_num, stride=1, in_channel_num=None, shortcut="padding", wd=None,
                  name=None):
    """A Brain: relu(bn(conv(relu(bn(conv(x))))) + shortcut(x)), the basic residual unit.

    Args:
      out_channel_num: filters of both 3x3 convolutions.
      stride: the first convolution's stride (2 halves height and width).
      in_channel_num: channels of the input; the shortcut is the identity
        when it equals out_channel_num and stride is 1. None: same as out.
      shortcut: "padding" or "projection", used when the shape changes.
      wd: weight decay dict of the convolutions.
      name: the brain's name.
    """
    unit = Brain(name=name)
    check_choice(unit, "shortcut", shortcut, SHORTCUTS)
    in_channel_num = (check_positive_int(unit, "in_channel_num", in_channel_num, allow_none=True)
                      or out_channel_num)
    unit.attach(cnn_block(ksize=[3, 3], out_channel_num=out_channel_num, init_para=HE_INIT,
                          wd=wd, bn=True, conv_stride=[stride, stride], pool_size=None,
                          name="conv1"))
    unit.attach(cnn_block(ksize=[3, 3], out_channel_num=out_channel_num, init_para=HE_INIT,
                          wd=wd, bn=True, activation=None, pool_size=None, name="conv2"))
    branch = "conv2"
    if stride != 1 or in_channel_num != out_channel_num:
        if shortcut == "projection":
            unit.attach(ConvolutionLayer(ksize=[1, 1], strides=[stride, stride], padding="SAME",
                                         out_channel_num=out_channel_num, init_para=HE_INIT,
                                         wd=wd, initial_bias_value=None,
                                         inputs=[SYSTEM_IN_DATA], name="shortcut_conv"))
            unit.attach(BatchNormalizationLayer(name="shortcut"))
        else:
            unit.attach(ShortcutPaddingLayer(out_channel_num, stride, inputs=[SYSTEM_IN_DATA],
                                             name="shortcut"))
        unit.attach(MergeLayer(mode="sum", inputs=[branch, "shortcut"], name="merge"))
    else:
        unit.attach(MergeLayer(mode="sum", inputs=[branch, SYSTEM_IN_DATA], name="merge"))
    unit.attach(ReLULayer(name="relu"))
    return unit
