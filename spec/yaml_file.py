"""Reading one Kidfile: safe YAML whose mappings and sequences remember the file and line
they were written at, and whose mistakes (bad YAML, a key written twice) name them.

    data = read_yaml("examples/mnist.yml")
    data["train"].source          # "examples/mnist.yml:20"
"""
import io
import re

import yaml

from akid.spec.errors import Mapping, Sequence, SpecError

SECTIONS = ("include", "settings", "model", "train", "validate", "test", "evaluate", "loss")


class _Loader(yaml.SafeLoader):
    """Safe YAML whose mappings and sequences remember their file and line."""


def _where(node):
    return f"{node.start_mark.name}:{node.start_mark.line + 1}"


def _mapping(loader, node):
    _refuse_duplicate_keys(loader, node)
    return Mapping(yaml.SafeLoader.construct_mapping(loader, node, deep=True), source=_where(node))


def _refuse_duplicate_keys(loader, node):
    """A key written twice in one mapping is an error naming both lines (YAML would keep
    the last silently). Keys merged in with `<<` may be overridden, as YAML means."""
    first = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        try:
            seen = first.setdefault(key, key_node)
        except TypeError:  # an unhashable key: construct_mapping reports it
            continue
        if seen is not key_node:
            raise SpecError(f"duplicate key {key!r} (first at line {seen.start_mark.line + 1})",
                            _where(key_node))


def _sequence(loader, node):
    return Sequence(loader.construct_sequence(node, deep=True), source=_where(node))


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def read_yaml(path):
    """The YAML file at `path` as Mappings/Sequences; bad YAML names the line and section."""
    try:
        with open(path, encoding="utf-8") as stream:
            text = stream.read()
    except OSError as error:
        raise SpecError(f"cannot read the Kidfile: {error.strerror or error}", path) from None
    try:
        stream = io.StringIO(text)
        stream.name = path  # YAML marks, and so node sources, carry the path
        data = yaml.load(stream, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        lines = text.splitlines()
        near = lines[line - 1].strip() if line and line <= len(lines) else ""
        raise SpecError(f"bad YAML: {error.problem or error.context}"
                        f"{f' (column {mark.column + 1})' if mark else ''}",
                        f"{path}:{line}" if line else path, _section_at(lines, line),
                        f"line {line}: `{near}`" if near else None) from None
    except yaml.YAMLError as error:
        raise SpecError(f"bad YAML: {error}", path) from None
    if data is None:
        return Mapping(source=f"{path}:1")
    if not isinstance(data, dict):
        raise SpecError(f"a Kidfile is a mapping of sections ({', '.join(SECTIONS)}), got a "
                        f"{type(data).__name__}", path)
    return data


def _section_at(lines, line):
    """The top-level key whose block holds `line` (1-based), if any."""
    for text in reversed(lines[:line] if line else []):
        found = re.match(r"^([A-Za-z_][\w-]*)\s*:", text)
        if found:
            return found.group(1)
    return None
