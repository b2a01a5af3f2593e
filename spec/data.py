"""A section's `data`: Kur's suppliers read into arrays, and the Source they fill.

    data:
      - mnist: {subset: yes}        # akid.sources.MNISTSubsetSource (the shipped 5,000 digits)
      - mnist: {work_dir: ~/mnist}  # MNISTFeedSource (the IDX files; downloaded when missing)
      - cifar: {num_val: 5000}      # Cifar10FeedSource (`classes: 100`: Cifar100FeedSource)
      - pickle: data.pkl            # a dict {name: array}
      - numpy_dict: data.npy        # numpy.save of a dict {name: array}

`mnist` and `cifar` take their Source's arguments plus `split` (default: the
section's own, train -> train, validate -> val, test and evaluate -> test)
and give `images` and `labels`. In a file, the input is the key named by the
model's `- input: NAME` (default `images`) and the truth is the key named by
the loss's target, else `labels`.
"""
import json
import pickle

import numpy as np

from akid.sources.source import Source
from akid.spec.errors import SpecError, source_of
from akid.spec.loader import expand_path

SPLIT_OF = {"train": "train", "validate": "val", "test": "test", "evaluate": "test"}


class SuppliedSource(Source):
    """The arrays a Kidfile's data sections supplied, one `(x, y)` pair per split.

    The suppliers' sources have normalized them already, so this one keeps
    them as they are.
    """

    def __init__(self, train=None, val=None, test=None, num_classes=None, name="kidfile_data"):
        super().__init__(center=False, scale=False, name=name)
        self._set_data(train=train, val=val, test=test)
        self.num_classes = num_classes


class Suppliers:
    """Reads sections' data, sharing one Source among sections that name the same one.

    Args:
      spec: the loaded Kidfile.
      built: the `akid.spec.build` result, for the model's declared input
        names and its loss targets (the names the truth may go by); None:
        neither (the input is `images`, the truth `labels`).
    """

    def __init__(self, spec, built=None):
        self.spec = spec
        self.inputs = list(built.model.inputs) if built else []
        self.targets = [loss.target for loss in built.losses] if built else []
        self.num_classes = None
        self._sources = {}

    def arrays(self, section, need_truth=True):
        """`(x, y)` of `section` ("train", "validate", ...); y is None without truth."""
        body = self.spec.require(section)
        suppliers = body.get("data")
        where = source_of(suppliers, source_of(body, self.spec.path))
        if suppliers is None:
            raise SpecError("missing 'data': a list of suppliers such as `- mnist: {subset: "
                            "yes}`", where, section)
        named = {}
        for i, item in enumerate(suppliers if isinstance(suppliers, list) else [suppliers]):
            entry = f"data entry {i}"
            if not (isinstance(item, dict) and len(item) == 1):
                raise SpecError(f"a supplier is one of `{', '.join(SUPPLIERS)}: ARGS`, got "
                                f"{item!r}", where, section, entry)
            (kind, args), = item.items()
            if kind not in SUPPLIERS:
                raise SpecError(f"unknown supplier {kind!r}; known: {', '.join(SUPPLIERS)}",
                                source_of(item, where), section, entry)
            try:
                arrays = SUPPLIERS[kind](self, args, SPLIT_OF[section])
            except (ValueError, TypeError, OSError, ImportError, pickle.UnpicklingError) as error:
                raise SpecError(str(error), source_of(item, where), section,
                                f"{entry} ('{kind}')") from None
            clash = set(named) & set(arrays)
            if clash:
                raise SpecError(f"data named {sorted(clash)} come from two suppliers",
                                source_of(item, where), section, entry)
            named.update(arrays)
        return self._pick(named, section, where, need_truth)

    def _pick(self, named, section, where, need_truth):
        if len(self.inputs) > 1:
            raise SpecError(f"the model declares {len(self.inputs)} inputs {self.inputs}; "
                            f"akid's sensors feed one input array (and its labels), so it can "
                            f"be built and called but not fed from data sections", where, section)
        truth = next((k for k in (*self.targets, "labels") if k in named), None)
        wanted = self.inputs[0] if self.inputs else "images"
        if wanted not in named and not self.inputs:
            others = [k for k in named if k != truth]
            wanted = others[0] if len(others) == 1 else wanted
        if wanted not in named:
            raise SpecError(f"no input data named '{wanted}' (the model's input); the data "
                            f"hold {sorted(named)}", where, section)
        if truth is None and need_truth:
            names = " or ".join(repr(k) for k in (*self.targets, "labels"))
            raise SpecError(f"no truth data named {names}; the data hold {sorted(named)}",
                            where, section)
        return np.asarray(named[wanted]), None if truth is None else np.asarray(named[truth])

    def source(self, key, cls, args):
        """One Source per (class, arguments), built on first use."""
        cache_key = (key, cls.__name__, json.dumps(args, sort_keys=True, default=str))
        if cache_key not in self._sources:
            self._sources[cache_key] = cls(**args)
        source = self._sources[cache_key]
        self.num_classes = self.num_classes or getattr(source, "num_classes", None)
        return source


def _source_args(args, supplier, split):
    """(the Source's arguments, the split) of a `mnist`/`cifar` supplier's value."""
    if args is None:
        args = {}
    if not isinstance(args, dict):
        raise TypeError(f"'{supplier}' takes a mapping of arguments, got {args!r}")
    args = dict(args)
    if "work_dir" in args:
        args["work_dir"] = expand_path(args["work_dir"])
    return args, args.pop("split", split)


def _split_arrays(source, split):
    try:
        x, y = source.arrays(split)
    except ValueError as error:
        raise ValueError(f"{error}; choose another with `split:` (train, val or test)") from None
    return {"images": x, "labels": y}


def _mnist(suppliers, args, split):
    from akid.sources import MNISTFeedSource, MNISTSubsetSource

    args, split = _source_args(args, "mnist", split)
    subset = args.pop("subset", not {"url", "work_dir", "sha256"} & set(args))
    cls = MNISTSubsetSource if subset else MNISTFeedSource
    return _split_arrays(suppliers.source("mnist", cls, args), split)


def _cifar(suppliers, args, split):
    import akid.sources

    args, split = _source_args(args, "cifar", split)
    classes = args.pop("classes", 10)
    name = {10: "Cifar10FeedSource", 100: "Cifar100FeedSource"}.get(classes)
    if name is None:
        raise ValueError(f"cifar: classes is 10 or 100, got {classes!r}")
    cls = getattr(akid.sources, name, None)  # imported lazily: a source may be missing
    if cls is None:
        raise ImportError(f"cifar needs akid.sources.{name}, which this akid does not have")
    return _split_arrays(suppliers.source("cifar", cls, args), split)


def _file(kind, read):
    def supplier(suppliers, path, split):
        if not isinstance(path, str):
            raise TypeError(f"'{kind}' takes a file name, got {path!r}")
        data = read(expand_path(path))
        if not isinstance(data, dict) or not data:
            raise ValueError(f"{path} should hold a dict {{name: array}}, got "
                             f"{type(data).__name__}")
        return {str(k): v for k, v in data.items()}
    return supplier


def _read_pickle(path):
    with open(path, "rb") as f:
        return pickle.load(f)


def _read_numpy_dict(path):
    value = np.load(path, allow_pickle=True)
    return value.item() if isinstance(value, np.ndarray) and value.shape == () else value


SUPPLIERS = {"mnist": _mnist, "cifar": _cifar, "pickle": _file("pickle", _read_pickle),
             "numpy_dict": _file("numpy_dict", _read_numpy_dict)}
