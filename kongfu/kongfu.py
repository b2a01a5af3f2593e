"""KongFu: a keras optimizer driven by akid's learning-rate scheme, with optional clipping."""
import math

import keras
import tensorflow as tf

from akid.checks import check_number
from akid.kongfu.lr_schemes import LearningRateScheme, make_lr_scheme

DEFAULT_LR_SCHEME = {"name": LearningRateScheme.fixed, "base_lr": 0.01}


class _Untracked:
    """Holds a reference that checkpoints and `tf.Module.variables` must not follow."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


class KongFu(tf.Module):
    """Updates variables from gradients: clip, set the scheduled learning rate, apply.

    Subclasses write `_make_optimizer()`, returning a keras optimizer built
    with a float learning rate (`self.initial_lr()`); the KongFu assigns the
    scheme's value to `optimizer.learning_rate` before every update. The
    schedule reads the Kid's clock once `set_step_counter` is called, else the
    optimizer's own `iterations`. `tf.train.Checkpoint(kongfu=kf)` saves the
    optimizer's slots and iterations and a placeholder scheme's value.

    Args:
      lr_scheme: a scheme dict (see `make_lr_scheme`); None means
        {"name": "fixed", "base_lr": 0.01}.
      clip_norm: None, or a number > 0: gradients are scaled so their global
        norm is at most `clip_norm`.
      clip_value: None, or a number > 0: each gradient element is clipped to
        [-clip_value, clip_value] (instead of clip_norm, not with it).
      name: module name; defaults to the snake_case class name.
      base_lr, decay_rate, decay_epoch_num: akid's first KongFu arguments, instead
        of lr_scheme: exponential decay from base_lr by decay_rate every
        decay_epoch_num epochs of the Kid's sensor; a missing one takes akid's
        default (0.01, 0.95, 1).

    Example:
        kf = MomentumKongFu(lr_scheme={"name": "step", "boundaries": [100], "values": [0.1, 0.01]})
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(w ** 2)
        grad_norm = kf.apply_gradients(tape.gradient(loss, [w]), [w])
    """

    def __init__(self, lr_scheme=None, clip_norm=None, name=None, clip_value=None,
                 **akid_lr):
        super().__init__(name=name)
        kind = type(self).__name__
        self.lr_scheme = make_lr_scheme(_akid_scheme(kind, lr_scheme, akid_lr)
                                        or lr_scheme or DEFAULT_LR_SCHEME)
        self.clip_norm, self.clip_value = (
            check_number(kind, param, value, low=0, low_open=True, allow_none=True)
            for param, value in (("clip_norm", clip_norm), ("clip_value", clip_value)))
        if clip_norm is not None and clip_value is not None:
            raise ValueError(f"{kind}: give clip_norm or clip_value, not both (got "
                             f"clip_norm={clip_norm}, clip_value={clip_value})")
        self._lr_checked = False
        if type(self)._make_optimizer is KongFu._make_optimizer:
            self._make_optimizer()  # raises: says how to get a KongFu that has one
        self._step_counter = _Untracked(None)
        self._optimizer = None
        self._made_under = _Untracked(None)

    @property
    def optimizer(self):
        """The keras optimizer, made on first use.

        A keras optimizer binds to the distribution strategy in scope when it
        is made, so it is made late: under the Kid's engine when a Kid sets up.
        """
        if self._optimizer is None:
            with tf.init_scope():
                optimizer = self._make_optimizer()
            if not isinstance(optimizer, keras.optimizers.Optimizer):
                raise TypeError(f"{type(self).__name__}._make_optimizer must return a "
                                f"keras.optimizers.Optimizer, got {optimizer!r}")
            if not isinstance(optimizer.learning_rate, keras.Variable):
                raise TypeError(f"{type(self).__name__}._make_optimizer must build the "
                                f"optimizer with a float learning_rate (the KongFu sets it from "
                                f"lr_scheme), got {optimizer.learning_rate!r}")
            self._optimizer = optimizer
            self._made_under = _Untracked(tf.distribute.get_strategy())
        return self._optimizer

    def _make_optimizer(self):
        raise NotImplementedError(
            f"{type(self).__name__} has no optimizer: KongFu is a base class; use "
            f"MomentumKongFu, AdamKongFu, ... or write _make_optimizer() in a subclass")

    def initial_lr(self):
        """The scheme's value at step 0 as a python float, for building the optimizer
        (0.0 for a placeholder not set yet)."""
        with tf.init_scope():
            value = float(self.lr_scheme(0))
        return 0.0 if math.isnan(value) else value

    # The clock.

    def set_step_counter(self, variable):
        """Makes the schedule read `variable` (the Kid's clock, an integer tf.Variable).

        The KongFu only reads it; whoever owns it increments it. None goes back
        to counting the optimizer's own updates. The counter is not saved in
        the KongFu's checkpoint: its owner saves it.
        """
        if variable is not None and not (
                isinstance(variable, (tf.Variable, keras.Variable))
                and tf.as_dtype(variable.dtype).is_integer and variable.shape.rank == 0):
            raise TypeError(f"{type(self).__name__}.set_step_counter: expected a scalar integer "
                            f"tf.Variable (e.g. tf.Variable(0, dtype=tf.int64)) or None, "
                            f"got {variable!r}")
        self._step_counter = _Untracked(variable)

    @property
    def step(self):
        """The counter the schedule reads: the external one if set, else `optimizer.iterations`."""
        counter = self._step_counter.value
        return self.optimizer.iterations if counter is None else counter

    # The learning rate.

    def lr_tensor(self):
        """The learning rate at the current step: a float32 scalar tensor, usable in tf.function."""
        return self.lr_scheme(self.step)

    def get_lr(self):
        """The learning rate at the current step as a python float (eager only)."""
        if not tf.executing_eagerly():
            raise RuntimeError(f"{type(self).__name__}.get_lr returns a python float and runs "
                               f"eagerly only; inside tf.function use lr_tensor()")
        self.check_lr()
        return float(self.lr_tensor())

    def set_lr(self, value):
        """Sets the learning rate of a {"name": "placeholder"} scheme (eagerly or in tf.function).

        It takes effect at the next update: set in an `on_batch_begin` hook, at
        that very step. `kongfu.lr_value = value` (akid's way) is the same.

        Args:
          value: a number >= 0, or a float scalar tensor.
        """
        if self.lr_scheme.name != LearningRateScheme.placeholder:
            raise ValueError(f"{type(self).__name__} '{self.name}' uses lr_scheme "
                             f"{self.lr_scheme.spec!r}; set_lr needs lr_scheme "
                             f"{{'name': 'placeholder'}} (so does setting lr_value)")
        self.lr_scheme.assign(value)

    @property
    def lr_value(self):
        """akid's placeholder learning rate: the value last set, None before; setting it is
        `set_lr(value)`."""
        if self.lr_scheme.name != LearningRateScheme.placeholder:
            return None
        return self.lr_scheme.value()

    @lr_value.setter
    def lr_value(self, value):
        self.set_lr(value)

    def check_lr(self):
        """Raises, saying how to set it, when the learning rate is a placeholder never set
        (akid's Kid did too); a Kid calls it before every step, cheaply once it passed."""
        if self._lr_checked:
            return
        if self.lr_scheme.name == LearningRateScheme.placeholder \
                and self.lr_scheme.value() is None:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': lr_scheme {{'name': 'placeholder'}} has "
                f"no learning rate yet; set one before the first step, e.g. in a hook: "
                f"kid.hooks.on_batch_begin.append(lambda kid: kid.kongfu.set_lr(0.1)) "
                f"(akid's `kid.kongfu.lr_value = 0.1` works too)")
        self._lr_checked = True

    def set_epoch_length(self, num_batches):
        """Tells a scheme that counts in epochs how many batches an epoch has (a Kid does)."""
        self.lr_scheme.set_epoch_length(num_batches)

    # Updates.

    def build(self, variables):
        """Creates the optimizer's slots for `variables` (and the lr scheme's variable) now,
        so a checkpoint can restore them.

        Call it under the strategy the variables were made under (a Kid does).
        """
        optimizer = self.optimizer
        if self._made_under.value is not tf.distribute.get_strategy():
            raise ValueError(f"{type(self).__name__} '{self.name}' made its optimizer under "
                             f"another distribution strategy than the one building it now (was "
                             f"it used before, or by another Kid?); give the Kid a fresh "
                             f"{type(self).__name__}")
        if not optimizer.built:
            optimizer.build(list(variables))
        self.lr_scheme.build()

    def apply_gradients(self, grads, variables):
        """Applies one update; returns the gradients' global norm before clipping.

        In a tower of a distributed engine (a replica context), `grads` are
        this tower's; the update uses their sum over all towers, as keras
        does. Clipping then needs the sum's norm, so with `clip_norm` the
        towers sum their gradients first.

        Args:
          grads: a list of gradients (None entries are skipped), one per variable.
          variables: the variables to update.

        Returns:
          A float32 scalar tensor: the global norm of `grads` before clipping
          (with `clip_norm` in a tower: of their sum over the towers).
        """
        grads, variables = list(grads), list(variables)
        if len(grads) != len(variables):
            raise ValueError(f"{type(self).__name__}.apply_gradients: got {len(grads)} gradients "
                             f"for {len(variables)} variables; pass one gradient per variable")
        if tf.executing_eagerly():
            self.check_lr()
        towers = tf.distribute.get_replica_context()
        replicas = towers.num_replicas_in_sync if towers is not None else 1
        clips = self.clip_norm is not None or self.clip_value is not None
        if clips and replicas > 1:
            grads = _sum_over_towers(towers, grads)
        norm = tf.linalg.global_norm([g for g in grads if g is not None])
        if self.clip_norm is not None:
            grads, _ = tf.clip_by_global_norm(grads, self.clip_norm, use_norm=norm)
        if self.clip_value is not None:
            grads = [None if g is None else tf.clip_by_value(g, -self.clip_value, self.clip_value)
                     for g in grads]
        if clips and replicas > 1:  # keras sums the towers' gradients again
            grads = [None if g is None else g / replicas for g in grads]
        self.optimizer.learning_rate.assign(self.lr_tensor())
        self.optimizer.apply(grads, variables)
        return norm


AKID_LR_DEFAULTS = {"base_lr": 0.01, "decay_rate": 0.95, "decay_epoch_num": 1}


def _akid_scheme(kind, lr_scheme, akid_lr):
    """The exp_decay scheme akid's first `KongFu(base_lr, decay_rate, decay_epoch_num)`
    meant, or None when none of those was given."""
    unknown = sorted(set(akid_lr) - set(AKID_LR_DEFAULTS))
    if unknown:
        raise TypeError(f"{kind}.__init__() got an unexpected keyword argument {unknown[0]!r}")
    if not akid_lr:
        return None
    if lr_scheme is not None:
        raise ValueError(f"{kind}: give lr_scheme or akid's {sorted(akid_lr)}, not both")
    return {"name": LearningRateScheme.exp_decay, **AKID_LR_DEFAULTS, **akid_lr}


def _sum_over_towers(towers, grads):
    present = [g for g in grads if g is not None]
    summed = iter(towers.all_reduce(tf.distribute.ReduceOp.SUM, present))
    return [None if g is None else next(summed) for g in grads]
