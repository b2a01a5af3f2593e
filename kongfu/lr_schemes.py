"""Learning-rate schemes: trackable maps from a training step to a learning rate.

A scheme is built from a dict by `make_lr_scheme` and called as `scheme(step)`
with an integer step (python int, tensor or variable); it returns a float32
scalar tensor, eagerly and inside `tf.function`. Schemes are `tf.Module`s, so
the placeholder's variable is saved with the KongFu that owns it.

    scheme = make_lr_scheme({"name": "exp_decay", "base_lr": 0.1, "decay_rate": 0.5,
                             "num_batches_per_epoch": 100, "decay_epoch_num": 2})
    lr = scheme(450)  # 0.1 * 0.5 ** floor(450 / 200) = 0.025, a float32 scalar tensor
"""
import math
import numbers

import numpy as np
import tensorflow as tf

from akid.checks import check_count, check_number, check_positive_int


class LearningRateScheme:
    """Names of the schemes `make_lr_scheme` knows, e.g. `LearningRateScheme.cosine == "cosine"`."""

    fixed = "fixed"
    exp_decay = "exp_decay"
    step = "step"
    cosine = "cosine"
    placeholder = "placeholder"


class Scheme(tf.Module):
    """Base scheme: `scheme(step)` -> float32 learning rate; subclasses write `_value(step)`.

    `keys` are the spec keys a subclass requires (its constructor arguments),
    `optional_keys` those it may take; both are read by `make_lr_scheme`.
    """

    keys = ()
    optional_keys = ()

    def __call__(self, step):
        return self._value(tf.cast(step, tf.int64))

    def _value(self, step):
        raise NotImplementedError(f"{type(self).__name__} must implement _value(step)")

    def build(self):
        """Makes the scheme's variables, if it has any (a Kid calls it under its engine)."""

    def set_epoch_length(self, num_batches):
        """How many batches an epoch has, for a scheme counting in epochs (a Kid calls it)."""

    @property
    def spec(self):
        """The dict that rebuilds this scheme with `make_lr_scheme` (unset optional keys left
        out)."""
        spec = {"name": self.name}
        for key in self.keys + self.optional_keys:
            value = getattr(self, key)
            if value is not None or key in self.keys:
                spec[key] = list(value) if isinstance(value, tuple) else value
        return spec

    @property
    def owner(self):
        """How errors name the scheme: "lr_scheme 'cosine'"."""
        return f"lr_scheme '{self.name}'"


class FixedScheme(Scheme):
    """The same learning rate at every step.

    Args:
      base_lr: the learning rate, > 0.
    """

    keys = ("base_lr",)

    def __init__(self, base_lr):
        super().__init__(name=LearningRateScheme.fixed)
        self.base_lr = check_number(self.owner, "base_lr", base_lr, low=0, low_open=True)

    def _value(self, step):
        del step  # The same at every step.
        return tf.constant(self.base_lr, tf.float32)


class ExpDecayScheme(Scheme):
    """Staircase decay: base_lr * decay_rate ** floor(step / decay_steps) (akid's).

    decay_steps is given, or num_batches_per_epoch * decay_epoch_num; without
    num_batches_per_epoch, a Kid gives its sensor's. The floor is exact, so
    the rate drops exactly at steps k * decay_steps (Keras `ExponentialDecay`
    with staircase=True divides in float32 instead).

    Args:
      base_lr: the learning rate at step 0, > 0.
      decay_rate: the factor applied at each drop, > 0.
      num_batches_per_epoch: steps in one epoch, a positive int (optional: the Kid's).
      decay_epoch_num: epochs between drops, a number > 0.
      decay_steps: steps between drops, a positive int, instead of decay_epoch_num.
    """

    keys = ("base_lr", "decay_rate")
    optional_keys = ("num_batches_per_epoch", "decay_epoch_num", "decay_steps")

    def __init__(self, base_lr, decay_rate, num_batches_per_epoch=None, decay_epoch_num=None,
                 decay_steps=None):
        super().__init__(name=LearningRateScheme.exp_decay)
        self.base_lr = check_number(self.owner, "base_lr", base_lr, low=0, low_open=True)
        self.decay_rate = check_number(self.owner, "decay_rate", decay_rate, low=0, low_open=True)
        if (decay_epoch_num is None) == (decay_steps is None):
            raise ValueError(f"{self.owner} needs decay_epoch_num or decay_steps (one of them), "
                             f"got decay_epoch_num={decay_epoch_num!r}, "
                             f"decay_steps={decay_steps!r}")
        self.num_batches_per_epoch = check_positive_int(
            self.owner, "num_batches_per_epoch", num_batches_per_epoch, allow_none=True)
        self.decay_epoch_num = check_number(self.owner, "decay_epoch_num", decay_epoch_num,
                                            low=0, low_open=True, allow_none=True)
        self.decay_steps = check_positive_int(self.owner, "decay_steps", decay_steps,
                                              allow_none=True)

    def set_epoch_length(self, num_batches):
        if self.num_batches_per_epoch is None:
            self.num_batches_per_epoch = check_positive_int(self.owner, "num_batches_per_epoch",
                                                            num_batches)

    def _value(self, step):
        every = self.decay_steps
        if every is None:
            if self.num_batches_per_epoch is None:
                raise ValueError(f"{self.owner} decays every {self.decay_epoch_num} epoch(s) but "
                                 f"does not know how many batches an epoch has: give "
                                 f"num_batches_per_epoch or decay_steps, or train with a Kid")
            every = self.num_batches_per_epoch * self.decay_epoch_num
        drops = tf.floor(tf.cast(step, tf.float64) / every)
        return self.base_lr * tf.pow(tf.constant(self.decay_rate, tf.float32),
                                     tf.cast(drops, tf.float32))


class StepScheme(Scheme):
    """Piecewise constant (Keras `PiecewiseConstantDecay` semantics).

    values[0] while step <= boundaries[0]; values[i] while
    boundaries[i-1] < step <= boundaries[i]; values[-1] after the last
    boundary. A boundary step still belongs to the piece before it.

    Args:
      boundaries: strictly increasing non-negative int steps, at least one.
      values: len(boundaries) + 1 learning rates, each >= 0.
    """

    keys = ("boundaries", "values")

    def __init__(self, boundaries, values):
        super().__init__(name=LearningRateScheme.step)
        for param, value in (("boundaries", boundaries), ("values", values)):
            if not isinstance(value, (list, tuple)):
                raise TypeError(f"lr_scheme 'step': {param} must be a list, got {value!r}")
        if not boundaries:
            raise ValueError("lr_scheme 'step': boundaries must hold at least one step, got []; "
                             "use {'name': 'fixed', 'base_lr': ...} for a constant rate")
        self.boundaries = tuple(check_count(self.owner, f"boundaries[{i}]", b)
                                for i, b in enumerate(boundaries))
        if any(a >= b for a, b in zip(self.boundaries, self.boundaries[1:])):
            raise ValueError(f"lr_scheme 'step': boundaries must be strictly increasing, "
                             f"got {list(boundaries)}")
        if len(values) != len(boundaries) + 1:
            raise ValueError(f"lr_scheme 'step': values must have len(boundaries) + 1 = "
                             f"{len(boundaries) + 1} entries, got {len(values)}: {list(values)}")
        self.values = tuple(check_number(self.owner, f"values[{i}]", v, low=0)
                            for i, v in enumerate(values))

    def _value(self, step):
        # Number of boundaries strictly below `step` is the index of its piece.
        piece = tf.searchsorted(tf.constant(self.boundaries, tf.int64),
                                tf.reshape(step, [1]), side="left")[0]
        return tf.gather(tf.constant(self.values, tf.float32), piece)


class CosineScheme(Scheme):
    """Cosine annealing: base_lr * 0.5 * (1 + cos(pi * min(step, total_steps) / total_steps)).

    Args:
      base_lr: the learning rate at step 0, > 0; it reaches 0 at total_steps and stays there.
      total_steps: length of the annealing, a positive int.
    """

    keys = ("base_lr", "total_steps")

    def __init__(self, base_lr, total_steps):
        super().__init__(name=LearningRateScheme.cosine)
        self.base_lr = check_number(self.owner, "base_lr", base_lr, low=0, low_open=True)
        self.total_steps = check_positive_int(self.owner, "total_steps", total_steps)

    def _value(self, step):
        done = tf.cast(tf.minimum(step, self.total_steps), tf.float32) / self.total_steps
        return self.base_lr * 0.5 * (1.0 + tf.cos(math.pi * done))


class PlaceholderScheme(Scheme):
    """A learning rate set at run time (`KongFu.set_lr`), held in a checkpointed variable.

    Until it is set the variable holds NaN, so that a KongFu can refuse to
    train with it (`KongFu.check_lr`) instead of training at a silent 0.

    Args:
      base_lr: optional initial value, >= 0 (then it counts as set).
    """

    optional_keys = ("base_lr",)

    def __init__(self, base_lr=None):
        super().__init__(name=LearningRateScheme.placeholder)
        self.base_lr = check_number(self.owner, "base_lr", base_lr, low=0, allow_none=True)
        self.lr = None  # the rate's variable: see `build`
        self._set_to = self.base_lr  # the number last set, as given (None: a tensor, or unset)

    def build(self):
        """Makes the variable holding the rate, if it does not exist yet; returns it.

        It is made late so that making the scheme does not start TensorFlow's
        runtime before a distributed engine has set its devices; a Kid builds
        it under its engine.
        """
        if self.lr is None:
            with tf.init_scope():
                self.lr = tf.Variable(math.nan if self.base_lr is None else self.base_lr,
                                      dtype=tf.float32, trainable=False, name="lr")
        return self.lr

    def assign(self, value):
        """Sets the learning rate; `value` is a number >= 0 or a scalar tensor."""
        if isinstance(value, numbers.Number):
            value = check_number(self.owner, "lr", value, low=0)
        self._set_to = value if isinstance(value, float) else None
        self.build().assign(tf.cast(value, tf.float32))

    def value(self):
        """The rate as set (a python float; eager only), or None when it was never set."""
        current = float(self.build().numpy())
        if math.isnan(current):
            return None
        as_set = self._set_to is not None and float(np.float32(self._set_to)) == current
        return self._set_to if as_set else current  # not as set: restored from a checkpoint

    def _value(self, step):
        del step  # Whatever was set last.
        return tf.convert_to_tensor(self.build())


SCHEMES = {
    LearningRateScheme.fixed: FixedScheme,
    LearningRateScheme.exp_decay: ExpDecayScheme,
    LearningRateScheme.step: StepScheme,
    LearningRateScheme.cosine: CosineScheme,
    LearningRateScheme.placeholder: PlaceholderScheme,
}


def make_lr_scheme(spec):
    """Builds a scheme from its dict, e.g. {"name": "cosine", "base_lr": 0.1, "total_steps": 1000}.

    Args:
      spec: a dict with "name" (one of `LearningRateScheme`) and the keys that
        scheme requires, plus any of its optional ones; a `Scheme` is
        returned as it is.

    Returns:
      A `Scheme`: `scheme(step)` is a float32 scalar tensor.
    """
    if isinstance(spec, Scheme):
        return spec
    if not isinstance(spec, dict):
        raise TypeError(f"lr_scheme must be a dict such as {{'name': 'fixed', 'base_lr': 0.01}}, "
                        f"got {spec!r} ({type(spec).__name__})")
    known = ", ".join(repr(name) for name in SCHEMES)
    if "name" not in spec:
        raise ValueError(f"lr_scheme {spec!r} has no 'name'; known names: {known}")
    name = spec["name"]
    if not isinstance(name, str) or name not in SCHEMES:
        raise ValueError(f"unknown lr_scheme name {name!r} in {spec!r}; known names: {known}")
    cls = SCHEMES[name]
    params = {k: v for k, v in spec.items() if k != "name"}
    takes = ", ".join(repr(k) for k in cls.keys + cls.optional_keys) or "no other keys"
    missing = [k for k in cls.keys if k not in params]
    if missing:
        raise ValueError(f"lr_scheme {name!r} is missing key(s) {', '.join(map(repr, missing))}; "
                         f"it requires {takes}; got {spec!r}")
    unknown = [k for k in params if k not in cls.keys + cls.optional_keys]
    if unknown:
        raise ValueError(f"lr_scheme {name!r} got unknown key(s) {', '.join(map(repr, unknown))}; "
                         f"it takes {takes}")
    return cls(**params)
