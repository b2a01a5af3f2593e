"""The `model` section read into containers: loops expanded, templates rendered, names
given, inputs resolved, as Kur does; `akid.spec.build` turns them into blocks.

A container is a mapping with one key naming what it is (see
`akid.spec.containers`) plus, optionally:

- `name`: unique within its brain; without one a name `__<key>_<n>` is
  generated (a given name may not start with `__`);
- `inputs`: a name or a list of names (or akid's `{name, idxs}`): earlier
  or later containers of the same brain, an input declared with
  `- input: NAME`, or `system_in`; a name that is no container's may be a
  tag (the latest container that took it so far) or an `oldest` tag (the
  first that took it). Default: the most recent container (or input);
- `tag` / `oldest`: extra names, one or a list; templates see them as
  `{{ tags.NAME }}` and `{{ oldest.NAME }}` (Kur's mutable and sticky tags);
- `sink`: yes marks the container as a model output (what `evaluate` keeps).

Operators: `for: {range: N, with_index: i, iterate: [...]}` repeats its
containers with `{{ i }}` = 0..N-1; `brain: [...]` nests a sub-model as a
Brain (names are scoped to it); `parallel: {apply: [...]}` applies a
sub-model to each element along axis 1 with shared weights.
"""
import dataclasses

from akid.blocks.systems import SYSTEM_IN
from akid.checks import check_count, check_flag
from akid.spec import containers as registry
from akid.spec.errors import SpecError, checked, located, source_of

META = ("name", "inputs", "sink", "tag", "oldest")
SECTION = "model"


@dataclasses.dataclass
class Container:
    """One model entry, rendered and resolved.

    refs: where its inputs come from, [(container name or "system_in", idxs or None)].
    explicit: whether `inputs` was written (else Kur's default, the most recent container).
    children: the sub-model of a `brain` or `parallel` container, else None.
    """

    key: str
    kind: object
    name: str
    args: dict
    refs: list
    explicit: bool
    sink: bool
    tags: list
    oldest: list
    where: str
    entry: str
    children: list = None

    @property
    def role(self):
        return self.kind.role if self.kind is not None else "data"

    def as_spec(self):
        """The container as a plain mapping, the way `akid dump` shows it."""
        value = ([c.as_spec() for c in self.children] if self.key == "brain" else
                 {"apply": [c.as_spec() for c in self.children]} if self.key == "parallel"
                 else self.args)
        out = {self.key: value, "name": self.name,
               "inputs": [s if i is None else {"name": s, "idxs": i} for s, i in self.refs]}
        out.update({k: getattr(self, k) for k in ("tags", "oldest", "sink") if getattr(self, k)})
        return out


class Model:
    """The containers of one brain (the top level, or a nested `brain`/`parallel`).

    Attributes:
      containers: in file order. inputs: the declared input names, in order
      (`system_in` index = position). tags, oldest: {tag: container name}.
    """

    def __init__(self, where):
        self.where = where
        self.containers, self.inputs = [], []
        self.tags, self.oldest = {}, {}
        self._names, self._last, self._counts, self._pending = {}, None, {}, []

    @property
    def label_index(self):
        """The index of the labels in `system_in`: after the declared inputs."""
        return max(1, len(self.inputs))

    def resolve(self, name):
        """A reference (name, tag, oldest tag, input or system_in) as (source, idxs), or None."""
        if name in self._names:
            return self._names[name]
        if name == SYSTEM_IN:
            return (SYSTEM_IN, None)
        if name in self.tags:
            return (self.tags[name], None)
        if name in self.oldest:
            return (self.oldest[name], None)
        return None

    def known(self):
        """What references can name, for error messages."""
        parts = [f"containers: {[c.name for c in self.containers]}"]
        parts += [f"{what}: {sorted(names)}" for what, names in
                  (("inputs", self.inputs), ("tags", self.tags), ("oldest", self.oldest)) if names]
        return "; ".join(parts)

    def outputs(self):
        """The names of the sink containers, else of the last data container."""
        sinks = [c.name for c in self.containers if c.sink]
        data = [c.name for c in self.containers if c.role == "data"]
        return sinks or data[-1:]


def read_model(spec):
    """The top-level Model of `spec`'s `model` section."""
    entries = spec.section(SECTION)
    where = source_of(entries, spec.path)
    if not isinstance(entries, list) or not entries:
        raise SpecError(f"the model is a non-empty list of containers, got {entries!r}",
                        where, SECTION)
    model = Model(where)
    _expand(entries, dict(spec.scope), spec.renderer, model)
    _check_pending(model)
    return model


def _expand(entries, scope, renderer, model, prefix=""):
    """Adds `entries` to `model`; `prefix` places them in errors: "entry 1[i=0]/2" is the
    third entry of the first pass of the loop at entry 1, "entry 3/0" the first of the brain
    at entry 3."""
    for i, raw in enumerate(entries):
        where = source_of(raw, model.where)
        if isinstance(raw, str):
            raw = {raw: None}
        keys = [k for k in raw if k not in META] if isinstance(raw, dict) else []
        here = f"{prefix}{i}"
        entry = f"entry {here}" + (f" ('{keys[0]}')" if len(keys) == 1 else "")
        if len(keys) != 1:
            raise SpecError(f"a container is a mapping with one key naming what it is (e.g. "
                            f"convolution) besides {', '.join(META)}; got {raw!r}",
                            where, SECTION, entry)
        key = keys[0]
        if key == "for":
            _expand_for(raw, scope, renderer, model, where, entry, here)
            continue
        local = {**scope, "tags": dict(model.tags), "oldest": dict(model.oldest),
                 "layers": [c.name for c in model.containers]}
        meta = {k: renderer.render(raw[k], local, SECTION, (entry, k), where)
                for k in META if k in raw}
        if key == "input":
            _declare_input(raw, renderer.render(raw[key], local, SECTION, (entry,), where),
                           model, where, entry)
            continue
        _add(key, raw[key], meta, scope, local, renderer, model, where, entry, here)


def _expand_for(raw, scope, renderer, model, where, entry, here):
    loop = raw["for"]
    if set(raw) != {"for"} or not isinstance(loop, dict) or "iterate" not in loop \
            or "range" not in loop or set(loop) - {"range", "with_index", "iterate"}:
        raise SpecError("a for loop is `for: {range: N, with_index: NAME, iterate: [containers]}` "
                        f"with nothing beside it; got {raw!r}", where, SECTION, entry)
    count = renderer.render(loop["range"], scope, SECTION, (entry, "range"), where)
    index = renderer.render(loop.get("with_index", "index"), scope, SECTION, (entry,), where)
    count = checked(check_count, "for: range", count, where, SECTION, entry)
    if not (isinstance(index, str) and index.isidentifier()):
        raise SpecError(f"for: with_index must be a variable name, got {index!r}",
                        where, SECTION, entry)
    if not isinstance(loop["iterate"], list):
        raise SpecError(f"for: iterate must be a list of containers, got {loop['iterate']!r}",
                        where, SECTION, entry)
    for n in range(count):
        _expand(loop["iterate"], {**scope, index: n}, renderer, model, f"{here}[{index}={n}]/")


def _declare_input(raw, name, model, where, entry):
    if set(raw) != {"input"} or not (isinstance(name, str) and name.isidentifier()):
        raise SpecError(f"an input is declared as `- input: NAME` (NAME the data's name, e.g. "
                        f"images), got {raw!r}", where, SECTION, entry)
    _check_new_name(name, model, where, entry)
    model._names[name] = model._last = (SYSTEM_IN, [len(model.inputs)])
    model.inputs.append(name)


def _add(key, value, meta, scope, local, renderer, model, where, entry, here):
    kind, children = None, None
    if key in ("brain", "parallel"):
        children = _submodel(key, value, scope, renderer, where, entry, f"{here}/")
        args = {}
    else:
        kind = registry.lookup(key)
        if kind is None:
            raise SpecError(f"unknown container '{key}'{registry.suggest(key)}; known: "
                            f"{', '.join(registry.known_keys())}", where, SECTION, entry)
        value = renderer.render(value, local, SECTION, (entry, key), where)
        with located(where, SECTION, entry):
            args = registry.arguments(kind, value)
    name = meta.get("name")
    if name is None:
        name = _generated_name(kind.key if kind else key, model)
    else:
        _check_new_name(name, model, where, entry)
    refs, explicit = _refs(meta.get("inputs"), kind, model, where, entry)
    sink = checked(check_flag, "sink", meta.get("sink", False), where, SECTION, entry)
    container = Container(key, kind, name, args, refs, explicit, sink,
                          _names(meta.get("tag"), "tag", where, entry),
                          _names(meta.get("oldest"), "oldest", where, entry),
                          where, entry, children)
    model.containers.append(container)
    model._names[name] = (name, None)
    for tag in container.tags:
        model.tags[tag] = name
    for tag in container.oldest:
        model.oldest.setdefault(tag, name)
    if container.role == "data":
        model._last = (name, None)


def _submodel(key, value, scope, renderer, where, entry, prefix):
    entries = value.get("apply") if key == "parallel" and isinstance(value, dict) else value
    if not isinstance(entries, list) or not entries or (
            key == "parallel" and set(value) != {"apply"}):
        shape = "parallel: {apply: [containers]}" if key == "parallel" else "brain: [containers]"
        raise SpecError(f"write {shape} (a non-empty list), got {value!r}", where, SECTION, entry)
    sub = Model(source_of(entries, where))
    _expand(entries, scope, renderer, sub, prefix)
    _check_pending(sub)
    return sub.containers


def _refs(inputs, kind, model, where, entry):
    """(refs, explicit) of a container; see the module docstring."""
    if inputs is None:
        first = model._last or (SYSTEM_IN, [0])
        if kind is not None and kind.role != "data":  # akid's default: the data and the labels
            return [first, (SYSTEM_IN, [model.label_index])], False
        return [first], False
    refs = []
    for ref in inputs if isinstance(inputs, list) else [inputs]:
        name, idxs = (ref.get("name"), ref.get("idxs")) if isinstance(ref, dict) else (ref, None)
        if not isinstance(name, str) or (isinstance(ref, dict) and set(ref) - {"name", "idxs"}):
            raise SpecError(f"an input is a container name or {{name: ..., idxs: [...]}}, "
                            f"got {ref!r}", where, SECTION, entry)
        found = model.resolve(name)
        if found is None:
            model._pending.append((name, where, entry))  # may be a later container
            found = (name, None)
        refs.append(found if idxs is None else (found[0], idxs))
    return refs, True


def _check_pending(model):
    names = {c.name for c in model.containers}
    for name, where, entry in model._pending:
        if name not in names:
            raise SpecError(f"input '{name}' is not a container, input or tag of this model "
                            f"({model.known()})", where, SECTION, entry)


def _check_new_name(name, model, where, entry):
    if not (isinstance(name, str) and name.isidentifier()) or name == SYSTEM_IN \
            or name.startswith("__"):
        raise SpecError(f"a name is an identifier, not 'system_in' and not starting with '__' "
                        f"(kept for generated names), got {name!r}", where, SECTION, entry)
    if name in model._names:
        raise SpecError(f"duplicate name '{name}': names are unique within a brain",
                        where, SECTION, entry)


def _generated_name(key, model):
    n = model._counts.get(key, 0)
    while f"__{key}_{n}" in model._names:
        n += 1
    model._counts[key] = n + 1
    return f"__{key}_{n}"


def _names(value, what, where, entry):
    values = [] if value is None else value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) and v for v in values):
        raise SpecError(f"{what} is a name or a list of names, got {value!r}",
                        where, SECTION, entry)
    return values
