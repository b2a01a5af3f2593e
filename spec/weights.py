"""A section's `weights`: which checkpoint a run starts from, restores or writes.

train:
  weights: {initial: PATH, must_exist: no, best: PATH, last: PATH}   # or PATH: Kur's
                             #   initial (if it exists) and best
validate: {weights: PATH}    # where to copy the best checkpoint to
test:     {weights: best}    # best | last | a checkpoint folder or prefix
evaluate: {weights: best}

A run's checkpoints are the Kid's: `<log>/model/` and the best by validation
loss in `<log>/model/best/`; `best` and `last` name them. A checkpoint is
restored with `Kid.restore` (a folder: its newest readable checkpoint).
Initial weights are the brain's alone: the run keeps its own clock and
optimizer, so `epochs` count from its own start (or from its log when it
resumes).
"""
import glob
import os
import shutil

import tensorflow as tf

from akid.kids.checkpoints import restore_from
from akid.spec import train_section
from akid.spec.errors import SpecError, located, source_of
from akid.spec.loader import expand_path

FAILURES = (ValueError, AssertionError, tf.errors.OpError)  # of a checkpoint that does not fit


def train_weights(spec, body):
    """{initial, must_exist, best, last} of `train.weights`."""
    value = body.get("weights")
    if value is None or isinstance(value, str):  # Kur: load from PATH if it exists, save best
        return {"initial": value, "must_exist": False, "best": value, "last": None}
    keys = {"initial", "must_exist", "best", "last"}
    if not isinstance(value, dict) or set(value) - keys:
        raise SpecError(f"weights is a path or a mapping of {', '.join(sorted(keys))}, got "
                        f"{value!r}", source_of(body, spec.path), "train", "weights")
    return {key: value.get(key) for key in keys}


def initial_weights(spec, weights):
    """The checkpoint to start from, or None (an error if it must exist and does not)."""
    path = expand_path(weights["initial"])
    if not holds_checkpoint(path):
        if weights["initial"] and weights["must_exist"]:
            raise SpecError(f"initial weights {weights['initial']!r} not found (must_exist: "
                            f"yes)", source_of(spec.section("train"), spec.path), "train",
                            "weights")
        return None
    return path


def weights_path(spec, section):
    """The checkpoint (a prefix or a folder) `section`'s `weights` names: best (default),
    last, a folder or a prefix; an error when there is none."""
    value = (spec.section(section) or {}).get("weights") or "best"
    value = value.get("initial") if isinstance(value, dict) else value
    where = source_of(spec.section(section), spec.path)
    if value in ("best", "last"):
        log_dir = train_section.log(spec, spec.section("train") or {}, 1)[0]
        if log_dir is None:
            raise SpecError(f"weights: {value} means the training run's checkpoints, but "
                            f"train.log does not say where it is; give a checkpoint path",
                            where, section, "weights")
        model = os.path.join(log_dir, "model")
        best = os.path.join(model, "best")
        path = best if value == "best" and holds_checkpoint(best) else model
    else:
        path = expand_path(value) if isinstance(value, str) else None
    if not holds_checkpoint(path):
        raise SpecError(f"no checkpoint for weights {value!r}", where, section, "weights")
    return path


def holds_checkpoint(path):
    """Whether `path` is a checkpoint prefix or a folder with checkpoints."""
    if not path:
        return False
    if os.path.isdir(path):
        return tf.train.latest_checkpoint(path) is not None
    return os.path.exists(path + ".index")


def restore(kid, path, spec, section):
    """`kid.restore(path)`; weights that do not fit are an error at `section`'s weights."""
    with located(source_of(spec.section(section), spec.path), section, "weights"):
        return kid.restore(path)


def restore_initial(kid, path, spec):
    """The brain's weights from `path` into `kid`'s brain (nothing else: see above), by the
    Kid's restore path for a brain-only checkpoint."""
    try:
        restore_from(tf.train.Checkpoint(brain=kid.brain), path, partial=True)
    except FAILURES as error:
        raise SpecError(f"the initial weights {path} do not fit brain '{kid.brain.name}': "
                        f"{str(error).splitlines()[0]}", source_of(spec.section("train"),
                                                                  spec.path),
                        "train", "weights") from None


def export(kid, best, last):
    """Copies the best checkpoint to `best` and writes the brain's weights to `last`."""
    if last:
        tf.train.Checkpoint(brain=kid.brain).write(expand_path(last))
    source = tf.train.latest_checkpoint(os.path.join(kid.log_dir, "model", "best"))
    if best and source:
        os.makedirs(os.path.dirname(expand_path(best)) or ".", exist_ok=True)
        for file in glob.glob(source + ".*"):
            shutil.copyfile(file, expand_path(best) + file[len(source):])
