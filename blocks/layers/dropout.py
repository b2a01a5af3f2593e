"""DropoutLayer: drops units in training, passes everything through otherwise."""
import tensorflow as tf

from akid.blocks.block import Block
from akid.blocks.checks import check_number, describe


class DropoutLayer(Block):
    """Keeps each unit with probability `keep_prob` (scaled by 1 / keep_prob) in "train" mode.

    Args:
      keep_prob: probability of keeping a unit, in (0, 1].
    """

    def __init__(self, keep_prob=0.5, **kwargs):
        super().__init__(**kwargs)
        self.keep_prob = check_number(self, "keep_prob", keep_prob, low=0.0, high=1.0)
        if self.keep_prob == 0.0:
            raise ValueError(f"{describe(self)}: keep_prob must be in (0, 1], got 0")

    def _forward(self, x):
        if self.mode != "train" or self.keep_prob == 1.0:
            return x
        return tf.nn.dropout(x, rate=1.0 - self.keep_prob)
