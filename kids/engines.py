"""Engines: where a Kid's computation runs, on TensorFlow's distribution strategies."""
import tensorflow as tf

ENGINES = ("single",)


class SingleEngine:
    """One device: TensorFlow's default strategy."""

    name = "single"

    def __init__(self):
        self.strategy = tf.distribute.get_strategy()

    def scope(self):
        return self.strategy.scope()


def make_engine(spec):
    """The engine `spec` names: "single" or {"name": "single"}."""
    name = spec.get("name") if isinstance(spec, dict) else spec
    if name not in ENGINES:
        raise ValueError(f"Kid: unknown engine {spec!r}; known engines: {', '.join(ENGINES)}")
    return SingleEngine()
