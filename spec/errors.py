"""SpecError, the YAML nodes that remember the file and line they came from, and the two
ways the rest of akid's errors become SpecErrors: `located` and `checked`."""
import contextlib


class SpecError(ValueError):
    """A mistake in a Kidfile, named by where it is: file (and line), section and entry.

    Attributes:
      location: "path/to/file.yml:12" (or just the path when the line is unknown).
      section: the top-level section ("model", "train", ...), or None.
      entry: what in the section ("entry 3 ('convolution')", "provider.batch_size"), or None.
    """

    def __init__(self, message, location=None, section=None, entry=None):
        self.location, self.section, self.entry = location, section, entry
        self.reason = message
        where = ", ".join(part for part in (
            f"section '{section}'" if section else None, entry) if part)
        prefix = ": ".join(part for part in (location, where) if part)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class Mapping(dict):
    """A YAML mapping that knows where it was written (`source`: "file:line")."""

    __slots__ = ("source",)

    def __init__(self, *args, source=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source


class Sequence(list):
    """A YAML sequence that knows where it was written (`source`: "file:line")."""

    __slots__ = ("source",)

    def __init__(self, *args, source=None):
        super().__init__(*args)
        self.source = source


def source_of(node, default=None):
    """Where `node` was written, "file:line", or `default` for plain Python data."""
    return getattr(node, "source", None) or default


def like(template, items):
    """A new dict or list of `items`, keeping `template`'s class and source."""
    source = getattr(template, "source", None)
    if isinstance(template, dict):
        return Mapping(items, source=source) if source else dict(items)
    return Sequence(items, source=source) if source else list(items)


@contextlib.contextmanager
def located(where, section=None, entry=None):
    """A TypeError or ValueError raised inside (by a block, a Kid, a KongFu...) becomes a
    SpecError at `where`, in `section`, at `entry`; a SpecError passes as it is.

        with located(container.where, "model", container.entry):
            block = cls(**args)
    """
    try:
        yield
    except SpecError:
        raise
    except (TypeError, ValueError) as error:
        raise SpecError(str(error), where, section, entry) from None


def checked(check, param, value, where, section, entry=None, **options):
    """`value` through `check(owner, param, value, **options)`, one of `akid.checks`; its
    TypeError or ValueError becomes a SpecError at `where`, in `section`, at `entry`
    (default: `param`).

        batch_size = checked(check_positive_int, "batch_size", value, where, "train",
                             "provider.batch_size")
    """
    try:
        return check("", param, value, **options)
    except (TypeError, ValueError) as error:  # the owner is the location: drop its empty name
        raise SpecError(str(error).removeprefix(": "), where, section,
                        param if entry is None else entry) from None
