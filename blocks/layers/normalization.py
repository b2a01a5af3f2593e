"""BatchNormalizationLayer: batch statistics in training, moving averages otherwise."""
import tensorflow as tf

from akid.blocks.block import Block
from akid.blocks.initializers import check_wd
from akid.checks import check_flag, check_number, describe


class BatchNormalizationLayer(Block):
    """Batch normalization (Ioffe & Szegedy, 2015) over every axis but the last.

    In "train" mode it normalizes by the batch's mean and variance and moves
    the moving averages towards them; in "val"/"test" mode it uses the moving
    averages.

    Args:
      momentum: moving average decay, in [0, 1]:
        moving = momentum * moving + (1 - momentum) * batch.
      epsilon: added to the variance, > 0.
      use_scale, use_shift: learn gamma / beta (True or False).
      wd: weight decay dict for gamma, e.g. {"type": "l2", "scale": 5e-4}; None for none.

    Input shape: (N, ..., C), rank >= 2, floating point; once built, C is
    fixed and the other axes may change. Output shape: the same.

    Example:
      bn = BatchNormalizationLayer(momentum=0.9, name="bn1")
      y = bn(tf.zeros([8, 28, 28, 32]))  # (8, 28, 28, 32)
    """

    float_input = True
    min_rank = 2
    input_layout = "(N, ..., C)"
    rank_hint = "it normalizes each channel over the batch: add a batch or channel axis"
    locked_axes = (-1,)  # the statistics are per channel

    def __init__(self, momentum=0.9, epsilon=1e-3, use_scale=True, use_shift=True, wd=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.momentum = check_number(self, "momentum", momentum, low=0.0, high=1.0)
        self.epsilon = check_number(self, "epsilon", epsilon, low=0.0, low_open=True)
        self.use_scale = check_flag(self, "use_scale", use_scale)
        self.use_shift = check_flag(self, "use_shift", use_shift)
        self.wd = check_wd(describe(self), wd)
        self.gamma = self.beta = None

    def _setup(self, input_shape):
        channels = [input_shape[-1]]
        if self.use_scale:
            self.gamma = self.make_variable("gamma", channels, {"name": "constant", "value": 1.0},
                                            self.wd)
        if self.use_shift:
            self.beta = self.make_variable("beta", channels, {"name": "constant", "value": 0.0})
        self.moving_mean = self.make_variable("moving_mean", channels,
                                              {"name": "constant", "value": 0.0}, trainable=False)
        self.moving_variance = self.make_variable("moving_variance", channels,
                                                  {"name": "constant", "value": 1.0},
                                                  trainable=False)

    def _forward(self, x):
        if self.mode == "train":
            mean, variance = tf.nn.moments(x, axes=list(range(len(x.shape) - 1)))
            self.moving_mean.assign(self.momentum * self.moving_mean + (1 - self.momentum) * mean)
            self.moving_variance.assign(self.momentum * self.moving_variance
                                        + (1 - self.momentum) * variance)
        else:
            mean, variance = self.moving_mean, self.moving_variance
        return tf.nn.batch_normalization(x, mean, variance, self.beta, self.gamma, self.epsilon)
