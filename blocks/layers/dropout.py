"""DropoutLayer: drops units in training, passes everything through otherwise."""
import tensorflow as tf

from akid.blocks.block import Block
from akid.checks import check_number


class DropoutLayer(Block):
    """Keeps each unit with probability `keep_prob` (scaled by 1 / keep_prob) in "train" mode.

    The masks come from the layer's own random generator, whose state is a
    variable saved in checkpoints, so a resumed run draws the masks an
    uninterrupted one would. Its seed is drawn from TensorFlow's global seed
    (set by `Kid(seed=...)`).

    Args:
      keep_prob: probability of keeping a unit, in (0, 1].
    """

    def __init__(self, keep_prob=0.5, **kwargs):
        super().__init__(**kwargs)
        self.keep_prob = check_number(self, "keep_prob", keep_prob, low=0.0, high=1.0,
                                      low_open=True)

    def _setup(self, input_shape):
        with tf.init_scope():
            seed = tf.random.uniform([], maxval=2 ** 62, dtype=tf.int64)
            self.generator = tf.random.Generator.from_seed(seed)

    def _forward(self, x):
        if self.mode != "train" or self.keep_prob == 1.0:
            return x
        seed = self.generator.make_seeds(1)[:, 0]
        return tf.nn.experimental.stateless_dropout(x, rate=1.0 - self.keep_prob, seed=seed)
