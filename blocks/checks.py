"""Argument checks whose errors name the block, the parameter and the value."""


def describe(block):
    """`Block 'conv1' (ConvolutionLayer)`: how errors name a block."""
    return f"Block '{block.name}' ({type(block).__name__})"


def check_positive_int(block, param, value):
    """Returns `value` if it is an int > 0, else raises naming `param`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{describe(block)}: {param} must be an int, got {value!r} "
                        f"({type(value).__name__})")
    if value <= 0:
        raise ValueError(f"{describe(block)}: {param} must be positive, got {value}")
    return value


def check_number(block, param, value, low=None, high=None):
    """Returns `value` as float if it is a number within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{describe(block)}: {param} must be a number, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{describe(block)}: {param} must be in [{low}, {high}], got {value}")
    return float(value)


def check_choice(block, param, value, choices):
    """Returns `value` if it is one of `choices`, else lists them."""
    if value not in choices:
        raise ValueError(f"{describe(block)}: unknown {param} {value!r}; "
                         f"choose one of {', '.join(repr(c) for c in choices)}")
    return value


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
            and all(isinstance(v, int) and v > 0 for v in value)):
        raise ValueError(f"{describe(block)}: {param} must be [h, w] or [1, h, w, 1] "
                         f"with positive ints, got {value!r}")
    return tuple(value)
