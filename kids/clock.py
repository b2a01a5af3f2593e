"""The global clock: a checkpointed step counter from which epochs derive.

`get_step()` reads the clock of the Kid being set up or trained (the one
made current by `use`), 0 when there is none.
"""
import tensorflow as tf


class Clock(tf.Module):
    """A step counter saved in the Kid's checkpoints."""

    def __init__(self):
        super().__init__(name="clock")
        self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="global_step")

    def tick(self):
        """Advances one step (inside the compiled training step); returns the new step."""
        return self.step.assign_add(1)

    def get_step(self):
        return int(self.step.numpy())


_current = None


def init():
    """Makes a fresh clock at step 0 the current one and returns it."""
    return use(Clock())


def use(clock):
    """Makes `clock` the one `get_step()` reads; returns it."""
    global _current
    _current = clock
    return clock


def get_step():
    """The current clock's step, 0 when no clock is in use."""
    return _current.get_step() if _current is not None else 0
