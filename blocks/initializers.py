"""Initializers and weight decay, chosen by akid's dicts.

`init_para={"name": "truncated_normal", "stddev": 0.1}` picks an initializer;
`wd={"type": "l2", "scale": 5e-4}` a regularization term.
"""
import math

import tensorflow as tf

from akid.checks import check_number


def _fans(shape):
    """(fan_in, fan_out) of a weight shape: dense [in, out] or conv [h, w, in, out]."""
    if len(shape) < 2:
        return max(1, int(shape[0]) if shape else 1), max(1, int(shape[0]) if shape else 1)
    receptive = math.prod(int(d) for d in shape[:-2])
    return int(shape[-2]) * receptive, int(shape[-1]) * receptive


def _truncated_normal(shape, dtype, stddev=0.1, mean=0.0):
    return tf.random.truncated_normal(shape, mean=mean, stddev=stddev, dtype=dtype)


def _normal(shape, dtype, stddev=0.1, mean=0.0):
    return tf.random.normal(shape, mean=mean, stddev=stddev, dtype=dtype)


def _uniform(shape, dtype, range=0.1):  # noqa: A002 -- akid's parameter name
    return tf.random.uniform(shape, -range, range, dtype=dtype)


def _constant(shape, dtype, value=0.0):
    return tf.fill(shape, tf.constant(value, dtype))


def _glorot(shape, dtype):
    fan_in, fan_out = _fans(shape)
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return tf.random.uniform(shape, -limit, limit, dtype=dtype)


# The standard deviation of a unit normal truncated at +-2 (what truncated_normal draws).
TRUNCATED_STDDEV = 0.87962566103423978


def _he(shape, dtype):
    """He et al. (2015): Var(w) = 2 / fan_in, drawn from a truncated normal rescaled
    for the truncation (as Keras's he_normal and TF 1's variance_scaling do)."""
    fan_in, _ = _fans(shape)
    stddev = math.sqrt(2.0 / fan_in) / TRUNCATED_STDDEV
    return tf.random.truncated_normal(shape, stddev=stddev, dtype=dtype)


def _msra_init(shape, dtype, factor=1.0):
    """akid's `msra_init`: a truncated normal (not rescaled for the truncation) of
    stddev factor * sqrt(2 / fan_out), fan_out = receptive field * output channels."""
    _, fan_out = _fans(shape)
    return tf.random.truncated_normal(shape, stddev=factor * math.sqrt(2.0 / fan_out),
                                      dtype=dtype)


def _uniform_unit_scaling(shape, dtype, factor=1.0):
    """TF 1's uniform_unit_scaling: U(-l, l), l = factor * sqrt(3 / fan_in), fan_in the
    product of every axis but the last."""
    fan_in = math.prod(int(d) for d in shape[:-1]) if len(shape) > 1 else 1
    limit = factor * math.sqrt(3.0 / fan_in)
    return tf.random.uniform(shape, -limit, limit, dtype=dtype)


def _akid_default(shape, dtype):
    """akid's "default": uniform_unit_scaling with factor 1 / sqrt(3), i.e.
    U(-1 / sqrt(fan_in), 1 / sqrt(fan_in)) (Torch's old default)."""
    return _uniform_unit_scaling(shape, dtype, factor=1.0 / math.sqrt(3.0))


INITIALIZERS = {
    "truncated_normal": _truncated_normal,
    "normal": _normal,
    "uniform": _uniform,
    "constant": _constant,
    "xavier": _glorot,
    "glorot": _glorot,
    "msra": _he,
    "he": _he,
}
AKID_INITIALIZERS = {  # akid's own names, beside the ones above
    "msra_init": _msra_init,
    "uniform_unit_scaling": _uniform_unit_scaling,
    "default": _akid_default,
}
INITIALIZERS.update(AKID_INITIALIZERS)


def check_init_para(owner, init_para):
    """Validates an initializer dict at construction; returns it unchanged."""
    if not isinstance(init_para, dict) or "name" not in init_para:
        raise TypeError(f"{owner}: init_para must be a dict with a 'name', got {init_para!r}")
    name = init_para["name"]
    if name not in INITIALIZERS:
        ours = sorted(set(INITIALIZERS) - set(AKID_INITIALIZERS))
        raise ValueError(f"{owner}: unknown initializer {name!r}; known: {', '.join(ours)}; "
                         f"akid's: {', '.join(sorted(AKID_INITIALIZERS))}")
    fn = INITIALIZERS[name]
    allowed = fn.__code__.co_varnames[2:fn.__code__.co_argcount]
    unknown = sorted(set(init_para) - {"name"} - set(allowed))
    if unknown:
        raise ValueError(f"{owner}: initializer {name!r} takes {list(allowed)}, "
                         f"got unknown {unknown}")
    for key in allowed:  # every initializer parameter is a number
        if key in init_para:
            check_number(owner, f"init_para {key}", init_para[key])
    return init_para


def initial_value(init_para, shape, dtype=tf.float32):
    """The initial tensor for `shape` drawn as `init_para` says."""
    params = {k: v for k, v in init_para.items() if k != "name"}
    return INITIALIZERS[init_para["name"]](shape, dtype, **params)


WEIGHT_DECAY = {
    "l2": tf.nn.l2_loss,  # sum(w ** 2) / 2, as akid
    "l1": lambda w: tf.reduce_sum(tf.abs(w)),
}


def check_wd(owner, wd):
    """Validates a weight-decay dict (or None) at construction: a TypeError if it is
    not a dict, a ValueError for wrong keys, an unknown type or a negative scale."""
    if wd is None:
        return None
    shape = "{'type': 'l2'|'l1', 'scale': s}"
    if not isinstance(wd, dict):
        raise TypeError(f"{owner}: wd must be {shape} or None, got {wd!r} "
                        f"({type(wd).__name__})")
    if set(wd) != {"type", "scale"}:
        raise ValueError(f"{owner}: wd must be {shape}, got {wd!r}")
    if wd["type"] not in WEIGHT_DECAY:
        raise ValueError(f"{owner}: unknown wd type {wd['type']!r}; known: "
                         f"{', '.join(sorted(WEIGHT_DECAY))}")
    check_number(owner, "wd scale", wd["scale"], low=0.0)
    return wd


def decay_term(variable, wd):
    """The regularization term `wd` adds for `variable`."""
    return wd["scale"] * WEIGHT_DECAY[wd["type"]](variable)
