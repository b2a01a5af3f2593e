"""BatchNormalizationLayer: batch statistics in training, moving averages otherwise."""
import tensorflow as tf

from akid.blocks.block import Block
from akid.checks import check_number


class BatchNormalizationLayer(Block):
    """Batch normalization (Ioffe & Szegedy, 2015) over every axis but the last.

    In "train" mode it normalizes by the batch's mean and variance and moves
    the moving averages towards them; in "val"/"test" mode it uses the moving
    averages.

    Args:
      momentum: moving average decay: moving = momentum * moving + (1 - momentum) * batch.
      epsilon: added to the variance.
      use_scale, use_shift: learn gamma / beta.
      wd: weight decay dict for gamma.

    Input shape: (N, ..., C). Output shape: the same.
    """

    def __init__(self, momentum=0.9, epsilon=1e-3, use_scale=True, use_shift=True, wd=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.momentum = check_number(self, "momentum", momentum, low=0.0, high=1.0)
        self.epsilon = check_number(self, "epsilon", epsilon, low=0.0)
        self.use_scale, self.use_shift, self.wd = use_scale, use_shift, wd
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
