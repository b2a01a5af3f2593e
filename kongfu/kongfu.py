"""KongFu: a keras optimizer driven by akid's learning-rate scheme, with optional clipping."""
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
      name: module name; defaults to the snake_case class name.

    Example:
        kf = MomentumKongFu(lr_scheme={"name": "step", "boundaries": [100], "values": [0.1, 0.01]})
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(w ** 2)
        grad_norm = kf.apply_gradients(tape.gradient(loss, [w]), [w])
    """

    def __init__(self, lr_scheme=None, clip_norm=None, name=None):
        super().__init__(name=name)
        self.lr_scheme = make_lr_scheme(DEFAULT_LR_SCHEME if lr_scheme is None else lr_scheme)
        self.clip_norm = check_number(type(self).__name__, "clip_norm", clip_norm, low=0,
                                      low_open=True, allow_none=True)
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
        """The scheme's value at step 0 as a python float, for building the optimizer."""
        with tf.init_scope():
            return float(self.lr_scheme(0))

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
        return float(self.lr_tensor())

    def set_lr(self, value):
        """Sets the learning rate of a {"name": "placeholder"} scheme (eagerly or in tf.function).

        Args:
          value: a number >= 0, or a float scalar tensor.
        """
        if self.lr_scheme.name != LearningRateScheme.placeholder:
            raise ValueError(f"{type(self).__name__} '{self.name}' uses lr_scheme "
                             f"{self.lr_scheme.spec!r}; set_lr needs lr_scheme "
                             f"{{'name': 'placeholder'}}")
        self.lr_scheme.assign(value)

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
        towers = tf.distribute.get_replica_context()
        replicas = towers.num_replicas_in_sync if towers is not None else 1
        if self.clip_norm is not None and replicas > 1:
            grads = _sum_over_towers(towers, grads)
        norm = tf.linalg.global_norm([g for g in grads if g is not None])
        if self.clip_norm is not None:
            grads, _ = tf.clip_by_global_norm(grads, self.clip_norm, use_norm=norm)
            if replicas > 1:  # keras sums the towers' gradients again
                grads = [None if g is None else g / replicas for g in grads]
        self.optimizer.learning_rate.assign(self.lr_tensor())
        self.optimizer.apply(grads, variables)
        return norm


def _sum_over_towers(towers, grads):
    present = [g for g in grads if g is not None]
    summed = iter(towers.all_reduce(tf.distribute.ReduceOp.SUM, present))
    return [None if g is None else next(summed) for g in grads]
