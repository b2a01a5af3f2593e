"""Argument checks of layers: what loss/eval blocks take, and akid's spatial pairs."""
from akid.checks import describe


def check_two_inputs(block, input_shapes):
    """Checks that a loss or eval block got [prediction, target]."""
    if not isinstance(input_shapes, list) or len(input_shapes) != 2:
        got = len(input_shapes) if isinstance(input_shapes, list) else 1
        raise ValueError(f"{describe(block)} takes [prediction, target], got {got} input(s); "
                         f"feed the brain [data, labels]")


def spatial_pair(block, param, value):
    """Normalizes akid's 4-element [1, h, w, 1] or the short [h, w] form to (h, w)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value, value]
    value = list(value) if isinstance(value, (list, tuple)) else value
    if isinstance(value, list) and len(value) == 4 and value[0] == 1 and value[3] == 1:
        value = value[1:3]
    if not (isinstance(value, list) and len(value) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)):
        raise ValueError(f"{describe(block)}: {param} must be [h, w] or [1, h, w, 1] "
                         f"with positive ints, got {value!r}")
    return tuple(value)
