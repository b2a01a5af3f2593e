"""Hooks a Kidfile names: drawing during training, writing what `evaluate` produced.

train:
  hooks:
    - plot                              # Observer.plot_training after each epoch and at the end
    - plot: {save_to: DIR}
    - filters: {layout: {type: square}} # Observer.visualize_filters when training ends
evaluate:
  hooks:
    - output: {path: out.pkl, format: pickle}   # as `destination`, which always runs last

An evaluate hook takes and returns `(result, truth)`, so hooks chain (Kur's G(F(x))).
"""
import os
import pickle

from akid.kids.logs import read_metrics
from akid.spec.errors import SpecError, source_of
from akid.spec.loader import expand_path


def _observer():
    try:
        from akid.kids.observer import Observer
    except ImportError as error:
        raise ImportError(f"this hook draws with akid.kids.observer.Observer, which cannot be "
                          f"imported: {error}") from None
    return Observer


def _plot(kid, save_to=None):
    observer = _observer()

    def draw(kid):
        if read_metrics(kid.log_dir):  # nothing to draw before the first log record
            observer(kid).plot_training(save_to=save_to)

    kid.hooks.on_epoch_end.append(draw)
    kid.hooks.on_train_end.append(draw)


def _filters(kid, layout=None, layers=None, save_to=None):
    observer = _observer()
    kid.hooks.on_train_end.append(
        lambda kid: observer(kid).visualize_filters(layout=layout, layers=layers, save_to=save_to))


def output(result, truth, path, format="pickle"):  # noqa: A002
    """Writes {"result": {output: predictions}, "truth": {output: labels} or None} to `path`."""
    if format not in ("pickle", "pkl"):
        raise ValueError(f"output format is pickle, got {format!r}")
    path = expand_path(path)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        pickle.dump({"result": result, "truth": truth}, f, protocol=pickle.HIGHEST_PROTOCOL)
    return result, truth


TRAIN_HOOKS = {"plot": _plot, "filters": _filters}
EVALUATE_HOOKS = {"output": output}


def hook_list(spec, section, known):
    """[(function, args)] of `section`'s hooks, checked against `known` ({name: function})."""
    body = spec.section(section) or {}
    hooks = body.get("hooks") or []
    where = source_of(hooks, source_of(body, spec.path))
    out = []
    for i, item in enumerate(hooks if isinstance(hooks, list) else [hooks]):
        name, args = (item, None) if isinstance(item, str) else \
            next(iter(item.items())) if isinstance(item, dict) and len(item) == 1 else (None, None)
        if name not in known:
            raise SpecError(f"unknown hook {item!r}; {section} hooks: {', '.join(known)}",
                            where, section, f"hooks entry {i}")
        if isinstance(args, str) and name == "output":
            args = {"path": args}
        if args is not None and not isinstance(args, dict):
            raise SpecError(f"hook '{name}' takes a mapping of arguments, got {args!r}",
                            where, section, f"hooks entry {i} ('{name}')")
        out.append((known[name], dict(args or {}), f"hooks entry {i} ('{name}')", where))
    return out
