"""AlexNet, in the CIFAR-sized variant: five convolutions, three fully connected layers."""
from akid.brains.brain import Brain
from akid.brains.templates import check_widths, classifier_head, cnn_block


class AlexNet(Brain):
    """AlexNet (Krizhevsky, Sutskever & Hinton, NIPS 2012), in a CIFAR-sized variant.

    AlexNet's layout, conv1-pool, conv2-pool, conv3, conv4, conv5-pool, fc,
    fc, classifier, with 3x3 stride-2 (overlapping) max pools and ReLU,
    scaled to 32x32 images: conv1 is 5x5 with stride 1 (not 11x11 with
    stride 4), the hidden fully connected layers have 1024 units (not 4096),
    there is no local response normalization, and it runs on one tower (the
    paper split it over two GPUs). Filters 64, 192, 384, 256, 256 by default
    (the one-tower widths of the later "One weird trick" AlexNet).

    Args:
      class_num: number of classes.
      channels: filters of the five convolutions.
      fc_units: widths of the two hidden fully connected layers.
      keep_prob: dropout keep probability after them (0.5 in the paper);
        None or 1.0: no dropout.
      wd: weight decay dict of every weight (the paper: l2 5e-4).
      bn: batch norm after each convolution (not in the paper).

    Input: (N, H, W, C) images, e.g. (N, 32, 32, 3); labels (N,).
    """

    def __init__(self, class_num=10, channels=(64, 192, 384, 256, 256), fc_units=(1024, 1024),
                 keep_prob=0.5, wd=None, bn=False, name="alexnet", **kwargs):
        super().__init__(name=name, **kwargs)
        channels = check_widths(self, "channels", channels, 5)
        fc_units = check_widths(self, "fc_units", fc_units, 2)
        for i, (out, ksize) in enumerate(zip(channels, (5, 5, 3, 3, 3))):
            pooled = i in (0, 1, 4)
            self.attach(cnn_block(ksize=[ksize, ksize], out_channel_num=out, wd=wd, bn=bn,
                                  pool_size=[3, 3] if pooled else None,
                                  pool_stride=[2, 2] if pooled else None,
                                  activation_before_pooling=True, name=f"conv{i + 1}"))
        classifier_head(self, fc_units, class_num, wd=wd, keep_prob=keep_prob,
                        names=["fc6", "fc7", "fc8"])
