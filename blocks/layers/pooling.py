"""PoolingLayer: max or average pooling over NHWC images."""
import tensorflow as tf

from akid.blocks.block import Block
from akid.checks import check_choice
from akid.blocks.checks import spatial_pair
from akid.blocks.layers.convolution import PADDINGS

POOLS = {"max": tf.nn.max_pool2d, "avg": tf.nn.avg_pool2d}


class PoolingLayer(Block):
    """Max or average pooling, as akid's PoolingLayer.

    Args:
      ksize: window, [h, w] or [1, h, w, 1].
      strides: [h, w] or [1, h, w, 1].
      padding: "SAME" or "VALID" (default, as akid's).
      type: "max" or "avg".

    Input shape: (N, H, W, C). Output shape: (N, H', W', C).
    """

    input_ranks = (4,)
    input_layout = "(N, H, W, C)"

    def __init__(self, ksize, strides, padding="VALID", type="max", **kwargs):  # noqa: A002
        super().__init__(**kwargs)
        self.ksize = spatial_pair(self, "ksize", ksize)
        self.strides = spatial_pair(self, "strides", strides)
        self.padding = check_choice(self, "padding", str(padding).upper(), PADDINGS)
        self.type = check_choice(self, "type", type, tuple(POOLS))

    def _forward(self, x):
        return POOLS[self.type](x, self.ksize, self.strides, self.padding)


class GlobalAveragePoolingLayer(Block):
    """(N, H, W, C) -> (N, C): the mean over height and width."""

    input_ranks = (4,)
    input_layout = "(N, H, W, C)"

    def _forward(self, x):
        return tf.reduce_mean(x, axis=[1, 2])
