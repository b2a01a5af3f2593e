"""SpecError, and the YAML nodes that remember the file and line they came from."""


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
