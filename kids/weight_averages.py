"""Moving averages of a brain's weights, which validation, prediction and export use.

akid's `moving_average_decay=` (on a Brain, or on a block): the brain trains
its weights as usual, and keeps for each an exponential moving average
(TensorFlow 1's `tf.train.ExponentialMovingAverage(decay, num_updates=step)`:
the decay is `min(decay, (1 + step) / (10 + step))`, so early averages follow
the weights closely). Whatever uses the brain rather than trains it, runs on
the averages: `validate`, `evaluate`, `predict` and `export`.
"""
import contextlib

import tensorflow as tf

from akid.blocks.systems import System


def decays_of(brain):
    """{id(variable): decay} for the brain's trainable variables that are averaged.

    As in akid, a system's decay overrides those of the blocks inside it;
    a block's own decay averages that block's variables alone.
    """
    decays = {}

    def walk(block, inherited):
        decay = inherited if inherited is not None else block.moving_average_decay
        if decay is not None:
            for variable in block._own_variables:
                if variable.trainable:
                    decays[id(variable)] = decay
        if isinstance(block, System):
            for child in block.blocks:
                walk(child, decay)

    walk(brain, None)
    return decays


class WeightAverages(tf.Module):
    """The shadow variables of `variables`, each averaged with its own decay.

    Saved in the Kid's checkpoints beside the brain (key `weight_averages`).

    Args:
      variables: the trainable variables to average.
      decays: one decay per variable, in [0.5, 1).
    """

    def __init__(self, variables, decays):
        super().__init__(name="weight_averages")
        self._variables = self._no_dependency(list(variables))  # the brain saves those
        self._decays = self._no_dependency(list(decays))
        self.averages = [tf.Variable(v.read_value(), trainable=False,
                                     name=v.name.split(":")[0] + "_average") for v in variables]

    @classmethod
    def for_brain(cls, brain):
        """The averages `brain`'s blocks ask for, or None when none does."""
        decays = decays_of(brain)
        variables = [v for v in brain.trainable_variables if id(v) in decays]
        return cls(variables, [decays[id(v)] for v in variables]) if variables else None

    def update(self, step):
        """Moves every average towards its variable (inside the compiled training step);
        `step` is the clock's, before this update's tick."""
        warm_up = (1.0 + tf.cast(step, tf.float32)) / (10.0 + tf.cast(step, tf.float32))
        for average, variable, decay in zip(self.averages, self._variables, self._decays):
            kept = tf.minimum(decay, warm_up)
            average.assign_sub((average - variable) * (1.0 - kept))

    def reset(self):
        """Sets every average to its variable's value (after restoring a checkpoint that
        holds the weights alone)."""
        for average, variable in zip(self.averages, self._variables):
            average.assign(variable)

    def reset_unless_in(self, checkpoint_path):
        """`reset()` when the checkpoint at `checkpoint_path` holds no averages."""
        if not any(name.startswith("weight_averages/")
                   for name, _ in tf.train.list_variables(checkpoint_path)):
            self.reset()

    @contextlib.contextmanager
    def in_place(self):
        """The averages in the variables for the `with` block; the trained values after it,
        however the block ends."""
        trained = [v.read_value() for v in self._variables]
        for variable, average in zip(self._variables, self.averages):
            variable.assign(average)
        try:
            yield
        finally:
            for variable, value in zip(self._variables, trained):
                variable.assign(value)


def averaged(kid):
    """A context in which `kid`'s brain holds its weight averages (nothing when it keeps
    none)."""
    averages = getattr(kid, "weight_averages", None)
    return averages.in_place() if averages is not None else contextlib.nullcontext()
