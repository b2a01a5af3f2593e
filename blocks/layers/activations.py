"""Activation layers, and `make_activation({"type": ...})` to pick one by name."""
import tensorflow as tf

from akid.blocks.block import Block
from akid.blocks.layers.group import GroupSoftmaxLayer, MaxoutLayer, SoftmaxNormalizationLayer
from akid.checks import check_number


class ReLULayer(Block):
    """max(x, 0)."""

    def _forward(self, x):
        return tf.nn.relu(x)


class SigmoidLayer(Block):
    """1 / (1 + exp(-x))."""

    def _forward(self, x):
        return tf.sigmoid(x)


class TanhLayer(Block):
    """tanh(x)."""

    def _forward(self, x):
        return tf.tanh(x)


class SoftmaxLayer(Block):
    """Softmax over the last axis."""

    def _forward(self, x):
        return tf.nn.softmax(x)


class ELULayer(Block):
    """x if x > 0 else exp(x) - 1."""

    def _forward(self, x):
        return tf.nn.elu(x)


class LeakyReLULayer(Block):
    """x if x > 0 else alpha * x.

    Args:
      alpha: the slope for negative inputs.
    """

    def __init__(self, alpha=0.2, **kwargs):
        super().__init__(**kwargs)
        self.alpha = check_number(self, "alpha", alpha, low=0.0)

    def _forward(self, x):
        return tf.nn.leaky_relu(x, alpha=self.alpha)


ACTIVATIONS = {
    "relu": ReLULayer,
    "sigmoid": SigmoidLayer,
    "tanh": TanhLayer,
    "softmax": SoftmaxLayer,
    "elu": ELULayer,
    "leaky_relu": LeakyReLULayer,
    "maxout": MaxoutLayer,
    # akid's grouped activations, and the older names its examples use
    "gsmax": GroupSoftmaxLayer,
    "ngsmax": SoftmaxNormalizationLayer,
    "linearize": GroupSoftmaxLayer,
    "gsoftmax": SoftmaxNormalizationLayer,
}


def make_activation(spec, name=None, owner=None):
    """The activation layer a dict names: {"type": "relu"}, {"type": "maxout", "group_size": 2}.

    Errors name `owner` (e.g. "Block 'conv1' (Brain)", for a template), else the block `name`.
    """
    owner = owner or (f"Block '{name}'" if name else "make_activation")
    if not isinstance(spec, dict) or "type" not in spec:
        error = ValueError if isinstance(spec, dict) else TypeError
        raise error(f"{owner}: activation must be a dict with a 'type', got {spec!r}; "
                    f"known types: {', '.join(ACTIVATIONS)}")
    if spec["type"] not in ACTIVATIONS:
        raise ValueError(f"{owner}: unknown activation type {spec['type']!r}; known types: "
                         f"{', '.join(ACTIVATIONS)}")
    params = {k: v for k, v in spec.items() if k != "type"}
    return ACTIVATIONS[spec["type"]](name=name, **params)
