"""The KongFus: one keras optimizer each, under akid's argument names.

Every class takes, besides its own arguments, `lr_scheme`, `clip_norm` and
`name` (see `KongFu`):

    kf = AdamKongFu(beta1=0.9, lr_scheme={"name": "cosine", "base_lr": 1e-3, "total_steps": 10000})
"""
import keras

from akid.checks import check_flag, check_number
from akid.kongfu.kongfu import KongFu


class _KerasKongFu(KongFu):
    """A KongFu over `optimizer_class`, built with `optimizer_args` (keras argument names)."""

    optimizer_class = None

    def __init__(self, optimizer_args, **kwargs):
        self._optimizer_args = optimizer_args
        super().__init__(**kwargs)

    def _make_optimizer(self):
        return self.optimizer_class(learning_rate=self.initial_lr(), **self._optimizer_args)

    @classmethod
    def _fraction(cls, param, value):
        """A decay or momentum factor: a number in [0, 1)."""
        value = check_number(cls.__name__, param, value)  # its type; finite
        if not 0 <= value < 1:  # open above, which akid.checks bounds are not
            raise ValueError(f"{cls.__name__}: {param} must be a finite number in [0, 1), "
                             f"got {value}")
        return value

    @classmethod
    def _positive(cls, param, value):
        return check_number(cls.__name__, param, value, low=0, low_open=True)


class GradientDescentKongFu(_KerasKongFu):
    """Plain stochastic gradient descent: w -= lr * g."""

    optimizer_class = keras.optimizers.SGD

    def __init__(self, **kwargs):
        super().__init__({}, **kwargs)


class MomentumKongFu(_KerasKongFu):
    """SGD with momentum (keras SGD): a velocity smooths successive gradients.

    Args:
      momentum: velocity decay, in [0, 1).
      use_nesterov: take the Nesterov look-ahead step.
    """

    optimizer_class = keras.optimizers.SGD

    def __init__(self, momentum=0.9, use_nesterov=False, **kwargs):
        super().__init__({"momentum": self._fraction("momentum", momentum),
                          "nesterov": check_flag(type(self).__name__, "use_nesterov",
                                                 use_nesterov)}, **kwargs)


class AdamKongFu(_KerasKongFu):
    """Adam: steps scaled by running estimates of the gradient's first and second moments.

    Args:
      beta1: decay of the first-moment estimate, in [0, 1).
      beta2: decay of the second-moment estimate, in [0, 1).
      epsilon: added to the denominator for stability, > 0.
    """

    optimizer_class = keras.optimizers.Adam

    def __init__(self, beta1=0.9, beta2=0.999, epsilon=1e-8, **kwargs):
        super().__init__({"beta_1": self._fraction("beta1", beta1),
                          "beta_2": self._fraction("beta2", beta2),
                          "epsilon": self._positive("epsilon", epsilon)}, **kwargs)


class RMSPropKongFu(_KerasKongFu):
    """RMSProp: steps divided by a running root mean square of the gradient.

    Args:
      decay: decay of the mean square (keras `rho`), in [0, 1).
      momentum: momentum on the scaled step, in [0, 1).
      epsilon: added to the denominator for stability, > 0.
      centered: divide by the gradient's running variance instead of its mean
        square (TensorFlow 1's `RMSPropOptimizer(centered=True)`); steadier,
        a little slower.
    """

    optimizer_class = keras.optimizers.RMSprop

    def __init__(self, decay=0.9, momentum=0.0, epsilon=1e-10, centered=False, **kwargs):
        super().__init__({"rho": self._fraction("decay", decay),
                          "momentum": self._fraction("momentum", momentum),
                          "epsilon": self._positive("epsilon", epsilon),
                          "centered": check_flag(type(self).__name__, "centered", centered)},
                         **kwargs)


class AdagradKongFu(_KerasKongFu):
    """Adagrad: steps divided by the root of the summed squared gradients.

    Args:
      initial_accumulator_value: starting value of the sums, > 0.
    """

    optimizer_class = keras.optimizers.Adagrad

    def __init__(self, initial_accumulator_value=0.1, **kwargs):
        super().__init__({"initial_accumulator_value": self._positive(
            "initial_accumulator_value", initial_accumulator_value)}, **kwargs)


class AdadeltaKongFu(_KerasKongFu):
    """Adadelta: steps scaled by running averages of past steps and squared gradients.

    Typically used with a learning rate near 1.0.

    Args:
      rho: decay of the running averages, in [0, 1).
      epsilon: added inside the square roots for stability, > 0.
    """

    optimizer_class = keras.optimizers.Adadelta

    def __init__(self, rho=0.95, epsilon=1e-8, **kwargs):
        super().__init__({"rho": self._fraction("rho", rho),
                          "epsilon": self._positive("epsilon", epsilon)}, **kwargs)
