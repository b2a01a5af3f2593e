"""Argument checks for every folder of akid: one wording, one exception type per mistake.

A value of the wrong type raises TypeError, a value of the right type that is
out of range raises ValueError; both name the owner (a block, a Kid, a
sensor...), the parameter, and echo the value given. This module imports
nothing from akid, so every folder may use it.

Example:
  >>> check_positive_int("Kid", "max_steps", 0)
  Traceback (most recent call last):
  ValueError: Kid: max_steps must be a positive int, got 0
"""
import numbers
import re


def describe(owner):
    """How errors name `owner`: a string as is; a block as `Block 'conv1' (ConvolutionLayer)`."""
    if isinstance(owner, str):
        return owner
    return f"Block '{owner.name}' ({type(owner).__name__})"


def snake_case(class_name):
    """`ConvolutionLayer` -> `convolution_layer`, `MNISTSubsetSource` -> `mnist_subset_source`."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])|(?<=[A-Z])([A-Z])(?=[a-z])", r"_\1\2",
                  class_name).lower()


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_int(owner, param, value, low=None, high=None, allow_none=False, kind=None):
    """Returns `value` as int if it is an int (not a bool) within [low, high].

    `kind` names what is wanted in messages ("a positive int"); by default
    "an int" and the bounds.
    """
    if value is None and allow_none:
        return None
    wanted = kind or "an int" + _bounds(low, high)
    if not _is_int(value):
        raise TypeError(f"{describe(owner)}: {param} must be {wanted}"
                        f"{' or None' if allow_none else ''}, got {value!r} "
                        f"({type(value).__name__})")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{describe(owner)}: {param} must be {wanted}, got {value}")
    return int(value)


def _bounds(low, high, low_open=False, high_open=False):
    if low is not None and high is not None:
        return f" in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
    if low is not None:
        return f" {'>' if low_open else '>='} {low}"
    return f" {'<' if high_open else '<='} {high}" if high is not None else ""


def check_positive_int(owner, param, value, allow_none=False):
    """Returns `value` if it is an int > 0 (or None with `allow_none`)."""
    return check_int(owner, param, value, low=1, allow_none=allow_none, kind="a positive int")


def check_count(owner, param, value, allow_none=False):
    """Returns `value` if it is an int >= 0 (or None with `allow_none`)."""
    return check_int(owner, param, value, low=0, allow_none=allow_none, kind="an int >= 0")


def check_number(owner, param, value, low=None, high=None, low_open=False, high_open=False,
                 allow_none=False):
    """Returns `value` as float if it is a finite real number within its bounds.

    `low_open` excludes `low` itself (e.g. a learning rate > 0), `high_open` `high`.
    """
    if value is None and allow_none:
        return None
    if not _is_number(value):
        raise TypeError(f"{describe(owner)}: {param} must be a number, got {value!r} "
                        f"({type(value).__name__})")
    value = float(value)
    below = low is not None and (value <= low if low_open else value < low)
    above = high is not None and (value >= high if high_open else value > high)
    if value != value or abs(value) == float("inf") or below or above:
        raise ValueError(f"{describe(owner)}: {param} must be a finite number"
                         f"{_bounds(low, high, low_open, high_open)}, got {value}")
    return value


def check_flag(owner, param, value):
    """Returns `value` if it is True or False (not 0/1, not a string)."""
    if not isinstance(value, bool):
        raise TypeError(f"{describe(owner)}: {param} must be True or False, got {value!r} "
                        f"({type(value).__name__})")
    return value


def check_choice(owner, param, value, choices):
    """Returns `value` if it is one of `choices`, else lists them."""
    try:
        known = value in choices
    except TypeError:  # an unhashable value asked of a set or dict
        known = False
    if not known:
        raise ValueError(f"{describe(owner)}: unknown {param} {value!r}; "
                         f"choose one of {', '.join(repr(c) for c in choices)}")
    return value
