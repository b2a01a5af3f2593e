"""SingleEngine: one device, TensorFlow's default strategy."""
import tensorflow as tf

from akid.kids.engines.base import Engine


class SingleEngine(Engine):
    """One device: TensorFlow's default strategy."""

    name = "single"

    def __init__(self):
        super().__init__(tf.distribute.get_strategy())
