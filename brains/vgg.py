"""VGG: stacks of 3x3 convolutions between max pools, then a fully connected classifier."""
from akid.checks import check_choice, check_int, check_positive_int
from akid.blocks.layers import FlattenLayer
from akid.brains.brain import Brain
from akid.brains.templates import check_widths, classifier_head, cnn_block

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
                                      name=f"conv{stage + 1}_{i + 1}"))
        self.attach(FlattenLayer(name="flatten"))
        classifier_head(self, fc_units, class_num, wd=wd, keep_prob=keep_prob)
