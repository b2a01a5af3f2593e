"""What a model container's key names: a layer block, an activation, or a brain of the zoo.

A key is a layer's snake-case name without `_layer` (`convolution`,
`inner_product`, `batch_normalization`, `relu`, `softmax_with_loss`, ...), its
class name (`ConvolutionLayer`), or an alias (`dense`, `pool`, `batch_norm`);
`activation` takes `{type: relu, ...}` (or just `relu`); a brain of the zoo
is named by its class (`ResNet`, `resnet`, `res_net`) and a block template by
its function (`cnn_block`, `residual_unit`). The value holds the constructor's arguments (a
mapping; a scalar stands for the one required argument, e.g. `inner_product:
10`). `brain`, `parallel`, `input` and `for` are handled by `akid.spec.model`.
"""
import dataclasses
import difflib
import functools
import inspect

from akid.blocks.block import Block
from akid.blocks.layers import activations as activation_layers
from akid.spec import reflection

SPECIAL = ("input", "for", "brain", "parallel")
ALIASES = {"dense": "inner_product", "pool": "pooling", "batch_norm": "batch_normalization"}
_SCALARS = {"activation": "type", "merge": "mode"}


@dataclasses.dataclass(frozen=True)
class Kind:
    """How to make the block a container key names.

    key: the canonical key; make: `make(name, **args)` -> Block; role: the
    block's role ("data", "loss", "eval"); params: the arguments it takes;
    scalar: the argument a scalar value stands for (None: a mapping only).
    """

    key: str
    make: object
    role: str
    params: tuple
    scalar: str = None


@functools.lru_cache(maxsize=1)
def registry():
    """{key or alias: Kind} of every container key, built once from akid's layers and zoo."""
    from akid import brains
    from akid.blocks import layers

    kinds = {}

    def add(kind, *aliases):
        for key in (kind.key, *aliases):
            kinds.setdefault(key, kind)

    for key, cls in reflection.by_reflection(layers, Block, "_layer", exclude=(layers.LossLayer,),
                                             class_names=False).items():
        params, required = _params(cls)
        scalar = _SCALARS.get(key, required[0] if len(required) == 1 else None)
        add(Kind(key, cls, cls.role, params, scalar), cls.__name__)
    add(Kind("activation", _make_activation, "data", ("type",), "type"))
    for key, cls in reflection.by_reflection(brains, brains.Brain, class_names=False).items():
        params, required = _params(cls)
        add(Kind(key, cls, "data", params, required[0] if len(required) == 1 else None),
            cls.__name__, cls.__name__.lower())
    for name, function in inspect.getmembers(brains, inspect.isfunction):
        if function.__module__.startswith(brains.__name__) and not name.startswith("_"):
            params, required = _params(function)
            add(Kind(name, function, "data", params, required[0] if len(required) == 1 else None))
    for alias, key in ALIASES.items():
        kinds.setdefault(alias, kinds[key])
    return kinds


def lookup(key):
    """The Kind for `key`, or None."""
    return registry().get(key)


def suggest(key):
    """" (did you mean 'convolution'?)" for a mistyped key, else ""."""
    close = difflib.get_close_matches(str(key), list(registry()) + list(SPECIAL), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def known_keys():
    """The canonical container keys, for error messages."""
    return sorted({kind.key for kind in registry().values()} | set(SPECIAL))


def arguments(kind, value):
    """The constructor arguments a container's value stands for; raises ValueError if it
    cannot (a scalar where there is no single required argument, unknown names)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        if kind.scalar is None:
            raise ValueError(f"'{kind.key}' takes a mapping of arguments "
                             f"({', '.join(kind.params)}), got {value!r}")
        return {kind.scalar: value}
    reserved = {"name", "inputs"} & set(value)
    if reserved:
        raise ValueError(f"{sorted(reserved)} belong to the container, not to the "
                         f"'{kind.key}' arguments: write them at the level of '{kind.key}:'")
    unknown = [k for k in value if k not in kind.params]
    if unknown and kind.key != "activation":
        raise ValueError(f"'{kind.key}' has no argument(s) {', '.join(map(repr, unknown))}; "
                         f"it takes {', '.join(kind.params) or 'no arguments'}")
    return dict(value)


def _make_activation(name=None, type=None, **params):  # noqa: A002
    """An activation layer by type: relu, sigmoid, tanh, softmax, elu, leaky_relu, maxout."""
    known = ", ".join(activation_layers.ACTIVATIONS)
    if type not in activation_layers.ACTIVATIONS:
        raise ValueError(f"activation needs a type, one of {known}; got {type!r}")
    return activation_layers.ACTIVATIONS[type](name=name, **params)


def _params(target):
    """(names of the arguments `target` takes besides name/inputs, names of the required ones),
    following **kwargs up a class's bases."""
    names, required = [], []
    chain = [c for c in inspect.getmro(target) if "__init__" in vars(c) and c is not object] \
        if inspect.isclass(target) else [target]
    for owner in chain:
        function = owner.__init__ if inspect.isclass(owner) else owner
        for p in list(inspect.signature(function).parameters.values()):
            if p.name in ("self", "name", "inputs") or p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
                continue
            if p.name not in names:
                names.append(p.name)
                if p.default is p.empty:
                    required.append(p.name)
        if inspect.isclass(owner) and owner is Block:
            break
    return tuple(names), required
