"""Normalization layers: BatchNormalizationLayer (batch statistics in training, moving
averages otherwise) and LRNLayer (akid's local response normalization, for AlexNet)."""
import tensorflow as tf

from akid.blocks import recorder
from akid.blocks.block import Block
from akid.blocks.initializers import check_wd
from akid.checks import check_count, check_flag, check_number, describe


class BatchNormalizationLayer(Block):
    """Batch normalization (Ioffe & Szegedy, 2015) over every axis but the last.

    In "train" mode it normalizes by the batch's mean and variance and moves
    the moving averages towards them; in "val"/"test" mode it uses the moving
    averages.

    Args:
      momentum: moving average decay, in [0, 1]:
        moving = momentum * moving + (1 - momentum) * batch.
      warm_up: when trained by a Kid, use min(momentum, (1 + step) / (10 + step)),
        `step` the Kid's global step (akid's batch norm, on TensorFlow 1's
        `ExponentialMovingAverage(0.9, num_updates=step)`): the early averages follow
        the batches instead of lingering at their initial 0 and 1, so an early
        validation sees statistics of the weights it validates. It stops mattering
        once (1 + step) / (10 + step) >= momentum (step 81 for 0.9). False, or outside a
        Kid's training step: `momentum` throughout.
      epsilon: added to the variance, > 0.
      use_scale, use_shift: learn gamma / beta (True or False).
      wd: weight decay dict for gamma, e.g. {"type": "l2", "scale": 5e-4}; None for none.
      beta_init, gamma_init: akid's initial values of beta and gamma; `gamma_init=0`
        means no gamma (as `use_scale=False`).
      fix_gamma: akid's: gamma stays `gamma_init` (it is not trained).
      share_gamma: akid's: one gamma for all channels (a scalar).
      use_reference_bn: akid's switch to TensorFlow's reference batch norm, which is what
        this layer computes anyway; it fixes beta_init to 0 and gamma_init to 1.

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
    has_variables = True

    def __init__(self, momentum=0.9, epsilon=1e-3, use_scale=True, use_shift=True, wd=None,
                 beta_init=0.0, gamma_init=1.0, fix_gamma=False, share_gamma=False,
                 use_reference_bn=False, warm_up=True, **kwargs):
        super().__init__(**kwargs)
        self.momentum = check_number(self, "momentum", momentum, low=0.0, high=1.0)
        self.warm_up = check_flag(self, "warm_up", warm_up)
        self.epsilon = check_number(self, "epsilon", epsilon, low=0.0, low_open=True)
        self.wd = check_wd(describe(self), wd)
        if check_flag(self, "use_reference_bn", use_reference_bn):
            beta_init, gamma_init = 0.0, 1.0
        self.beta_init = check_number(self, "beta_init", beta_init)
        self.gamma_init = check_number(self, "gamma_init", gamma_init)
        self.use_scale = check_flag(self, "use_scale", use_scale) and self.gamma_init != 0.0
        self.use_shift = check_flag(self, "use_shift", use_shift)
        self.fix_gamma = check_flag(self, "fix_gamma", fix_gamma)
        self.share_gamma = check_flag(self, "share_gamma", share_gamma)
        self.gamma = self.beta = None

    def _setup(self, input_shape):
        channels = [input_shape[-1]]
        if self.use_scale:
            self.gamma = self.make_variable("gamma", [] if self.share_gamma else channels,
                                            {"name": "constant", "value": self.gamma_init},
                                            None if self.fix_gamma else self.wd,
                                            trainable=not self.fix_gamma)
        if self.use_shift:
            self.beta = self.make_variable("beta", channels,
                                           {"name": "constant", "value": self.beta_init})
        self.moving_mean = self.make_variable("moving_mean", channels,
                                              {"name": "constant", "value": 0.0}, trainable=False)
        self.moving_variance = self.make_variable("moving_variance", channels,
                                                  {"name": "constant", "value": 1.0},
                                                  trainable=False)

    def _forward(self, x):
        if self.mode == "train":
            mean, variance = tf.nn.moments(x, axes=list(range(len(x.shape) - 1)))
            momentum = self._momentum()
            self.moving_mean.assign(momentum * self.moving_mean + (1 - momentum) * mean)
            self.moving_variance.assign(momentum * self.moving_variance
                                        + (1 - momentum) * variance)
        else:
            mean, variance = self.moving_mean, self.moving_variance
        return tf.nn.batch_normalization(x, mean, variance, self.beta, self.gamma, self.epsilon)


    def _momentum(self):
        step = recorder.training_step() if self.warm_up else None
        if step is None:
            return self.momentum
        step = tf.cast(step, tf.float32)
        return tf.minimum(self.momentum, (1.0 + step) / (10.0 + step))

class LRNLayer(Block):
    """Local response normalization across channels (Krizhevsky et al., 2012), as akid's
    LRNLayer: x / (bias + alpha * sum(x_j ** 2 over the 2 * depth_radius + 1 channels
    around)) ** beta, i.e. `tf.nn.local_response_normalization`.

    Args:
      depth_radius: half-width of the channel window, an int >= 0.
      bias, alpha, beta: the constants of the formula (akid's defaults: TF's CIFAR-10 model).

    Input shape: (N, H, W, C), floating point. Output shape: the same.
    """

    float_input = True
    input_ranks = (4,)
    input_layout = "(N, H, W, C)"

    def __init__(self, depth_radius=4, bias=1.0, alpha=0.001 / 9.0, beta=0.75, **kwargs):
        super().__init__(**kwargs)
        self.depth_radius = check_count(self, "depth_radius", depth_radius)
        self.bias = check_number(self, "bias", bias)
        self.alpha = check_number(self, "alpha", alpha)
        self.beta = check_number(self, "beta", beta)

    def _forward(self, x):
        return tf.nn.local_response_normalization(x, self.depth_radius, self.bias, self.alpha,
                                                  self.beta)
