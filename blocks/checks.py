"""Argument checks of layers: what loss/eval blocks take, and akid's spatial pairs."""
import numbers

from akid.checks import check_positive_int, describe


def check_two_inputs(block, input_shapes):
    """Checks that a loss or eval block got [prediction, target]."""
    if not isinstance(input_shapes, list) or len(input_shapes) != 2:
        got = len(input_shapes) if isinstance(input_shapes, list) else 1
        raise ValueError(f"{describe(block)} takes [prediction, target], got {got} input(s); "
                         f"feed the brain [data, labels]")


def spatial_pair(block, param, value):
    """Normalizes akid's 4-element [1, h, w, 1], the short [h, w] or one int k to (h, w).

    Not a list (or an int): TypeError; another length: ValueError; each of h
    and w is checked by `check_positive_int`.
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = [value, value]
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{describe(block)}: {param} must be [h, w] or [1, h, w, 1] "
                        f"with positive ints, got {value!r} ({type(value).__name__})")
    value = list(value)
    if len(value) == 4 and value[0] == 1 and value[3] == 1:
        value = value[1:3]
    if len(value) != 2:
        raise ValueError(f"{describe(block)}: {param} must be [h, w] or [1, h, w, 1] "
                         f"with positive ints, got {value!r}")
    return tuple(check_positive_int(block, f"{param}[{i}]", v) for i, v in enumerate(value))
