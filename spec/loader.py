"""Loading a Kidfile: YAML read with file:line on every node, includes merged,
`--set` overrides applied, then `settings` and the sections rendered with jinja2.

    spec = load("examples/mnist.yml", overrides=["epochs=1"])
    spec.data["train"]["provider"]["batch_size"]   # 64, an int

The `model` section is left as written: its containers are rendered one by
one when the brain is built (`akid.spec.model`), because their templates may
use tags, `oldest` and `for` loop variables that exist only then.
"""
import logging
import os
import re

import yaml

from akid.spec.errors import SpecError, like, source_of
from akid.spec.merge import METHODS, merge
from akid.spec.render import Renderer
from akid.spec.yaml_file import SECTIONS, read_yaml

ALIASES = {"training": "train", "validation": "validate", "testing": "test",
           "evaluation": "evaluate"}
RENDERED = ("train", "validate", "test", "evaluate", "loss")  # in Kur's order


class Spec:
    """A loaded Kidfile.

    Attributes:
      path: the Kidfile given.
      data: the merged spec: `settings` and the sections rendered, `model` as written.
      scope: the template variables: the settings, the rendered sections by
        name, and `filename` (the Kidfile's path).
      renderer: the `Renderer` that renders the model's containers.
    """

    def __init__(self, path, data, scope, renderer):
        self.path, self.data, self.scope, self.renderer = path, data, scope, renderer

    def section(self, name):
        """The section `name` (a dict, or None when absent or empty)."""
        return self.data.get(name)

    @property
    def name(self):
        """The brain's name: `settings.brain_name`, else the Kidfile's file name as an
        identifier (`mnist.yml` -> `mnist`)."""
        given = self.data["settings"].get("brain_name")
        if given is not None:
            if not (isinstance(given, str) and given.isidentifier()):
                raise SpecError(f"brain_name must be an identifier, got {given!r}",
                                source_of(self.data["settings"], self.path), "settings",
                                "brain_name")
            return given
        stem = re.sub(r"\W", "_", os.path.splitext(os.path.basename(self.path))[0])
        return stem if stem.isidentifier() and not stem.startswith("__") else f"kidfile_{stem}"

    def require(self, name):
        """The section `name`, or an error saying the command needs it."""
        section = self.section(name)
        if not isinstance(section, dict):
            raise SpecError(f"this command needs the '{name}' section (a mapping), got "
                            f"{section!r}", self.path, name)
        return section


def load(path, overrides=()):
    """Reads, merges, overrides and renders the Kidfile at `path`; returns a `Spec`.

    Args:
      path: the Kidfile.
      overrides: "KEY=VALUE" strings (the command line's `--set`): KEY is a
        dotted path, `train.provider.num_batches`, or a settings variable
        when it does not start with a section name (`epochs` ==
        `settings.epochs`); VALUE is read as YAML.
    """
    path = os.fspath(path)
    data = _normalize(read_tree(path), path)
    for text in overrides or ():
        apply_override(data, text, path)
    for key in data:
        if key not in SECTIONS:
            logging.getLogger("akid").warning("%s: ignoring unknown section %r (sections: %s)",
                                              path, key, ", ".join(SECTIONS))
    renderer = Renderer()
    scope = {"filename": path}
    data["settings"] = _render_settings(data.get("settings"), scope, renderer, path)
    scope.update(data["settings"])
    for name in RENDERED:
        if data.get(name) is not None:
            data[name] = renderer.render(data[name], scope, section=name,
                                         source=source_of(data, path))
            scope[name] = data[name]
    return Spec(path, data, scope, renderer)


# -- includes ----------------------------------------------------------------------------


def read_tree(path, stack=()):
    """The file at `path` with its includes merged in, recursively.

    Included files are read in order; the result is as if they were written,
    in order, above the including file: each is merged under what follows it
    with its own method, so a later include overrides an earlier one, the
    including file overrides them all, and `concat` keeps file order.
    """
    real = os.path.realpath(path)
    if real in stack:
        cycle = " -> ".join(os.path.relpath(p) for p in (*stack, real))
        raise SpecError(f"include cycle: {cycle}", stack[-1] if stack else path, "include")
    data = read_yaml(path)
    entries = _include_entries(data.pop("include", None), path)
    included = [(read_tree(source, (*stack, real)), method) for source, method in entries]
    for tree, method in reversed(included):
        data = merge(tree, data, method)
    return data


def _include_entries(value, path):
    """[(file, method)] from `include`: a file, a list of files or of {source, method}."""
    if value is None:
        return []
    where = source_of(value, path)
    items = value if isinstance(value, list) else [value]
    entries = []
    for i, item in enumerate(items):
        entry = f"entry {i}"
        if isinstance(item, str):
            source, method = item, "blend"
        elif isinstance(item, dict):
            unknown = set(item) - {"source", "method"}
            if "source" not in item or unknown:
                raise SpecError(f"an include is a file name or {{source: FILE, method: "
                                f"{'|'.join(METHODS)}}}, got {dict(item)!r}",
                                source_of(item, where), "include", entry)
            source, method = item["source"], item.get("method") or "blend"
        else:
            raise SpecError(f"an include is a file name or {{source, method}}, got {item!r}",
                            where, "include", entry)
        if method not in METHODS:
            raise SpecError(f"unknown include method {method!r}; choose one of "
                            f"{', '.join(METHODS)}", source_of(item, where), "include", entry)
        full = os.path.join(os.path.dirname(path), expand_path(source))
        if not os.path.isfile(full):
            raise SpecError(f"included file {source!r} not found (looked for {full})",
                            source_of(item, where), "include", entry)
        entries.append((full, method))
    return entries


def expand_path(value):
    """`value` with `~` and `$VARIABLES` expanded (None stays None)."""
    return os.path.expanduser(os.path.expandvars(value)) if value else value


# -- overrides, aliases, settings --------------------------------------------------------


def _normalize(data, path):
    """Kur's section aliases (training, validation, ...) under their short names."""
    out = like(data, {})
    for key, value in data.items():
        name = ALIASES.get(key, key)
        if name in out:
            raise SpecError(f"both '{name}' and its alias '{key}' are given; keep one",
                            source_of(data, path), name)
        out[name] = value
    return out


def apply_override(data, text, path="--set"):
    """Sets one `KEY=VALUE` (see `load`) in `data`, in place."""
    key, sep, raw = str(text).partition("=")
    parts = [ALIASES.get(p, p) for p in key.strip().split(".")] if key.strip() else []
    if not sep or not all(parts):
        raise SpecError(f"--set takes KEY=VALUE (e.g. epochs=1 or train.provider.batch_size=32), "
                        f"got {text!r}", path)
    if parts[0] not in SECTIONS:
        parts.insert(0, "settings")
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError as error:
        raise SpecError(f"--set {key}: the value {raw!r} is not YAML: {error}", path) from None
    node = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(node, list):
            if not (part.isdigit() and int(part) < len(node)):
                raise SpecError(f"--set {key}: {'.'.join(parts[:depth]) or 'the spec'} is a "
                                f"list of {len(node)}; {part!r} is not an index in it", path)
            part = int(part)
        elif not isinstance(node, dict):
            raise SpecError(f"--set {key}: {'.'.join(parts[:depth])} is {node!r}, not a "
                            f"mapping or list", path)
        if last:
            node[part] = value
        else:
            if not isinstance(node, list) and node.get(part) is None:
                node[part] = {}
            node = node[part]


def _render_settings(settings, scope, renderer, path):
    """The settings rendered against themselves (a setting may use another) until stable."""
    if settings is None:
        return {}
    if not isinstance(settings, dict):
        raise SpecError(f"settings must be a mapping of variables, got {settings!r}",
                        source_of(settings, path), "settings")
    current = settings
    for _ in range(5):
        rendered = renderer.render(current, {**scope, **current}, section="settings")
        if rendered == current:
            break
        current = rendered
    return current
