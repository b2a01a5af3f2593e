"""`akid train|test|evaluate`: the Kid, Sensor and KongFu a Kidfile describes, run.

train:
  epochs: 12                 # or {number: 12}; or `steps: N` (akid: exactly one of them)
  log: log/mnist             # the Kid's log_dir; or {path: DIR, epochs: 0.5 | batches: N}
                             #   (a training log line every that many; default 100 batches)
  checkpoint: {epochs: 2}    # validate + save every epochs/batches/samples (default: 1 epoch),
                             #   and/or every `minutes`; `validation: no` skips validating
  weights: {initial: PATH, must_exist: no, best: PATH, last: PATH}
  summary: yes               # the Kid's do_summary (histograms, sparsity)
  engine: {name: data_parallel, num_gpu: 2}   # the Kid's engine; default single
validate: {data, provider, weights: PATH}   # weights: where to copy the best checkpoint to
test:     {data, provider, weights: best}   # best | last | a checkpoint dir or prefix
evaluate: {data, provider, weights: best, hooks: [...], destination: out.pkl}

A run's checkpoints are the Kid's: `<log>/model/` and the best by validation
loss in `<log>/model/best/`. Training a log dir that holds checkpoints resumes
it (epochs count in total). `settings.seed` seeds the Kid.
"""
import glob
import os
import shutil

import numpy as np
import tensorflow as tf

from akid.kids import Kid
from akid.kids.engines import make_engine
from akid.kongfu import GradientDescentKongFu
from akid.sensors import FeedSensor
from akid.spec.build import build
from akid.spec.data import SuppliedSource, Suppliers
from akid.spec.errors import SpecError, source_of
from akid.spec.hooks import EVALUATE_HOOKS, TRAIN_HOOKS, hook_list, output
from akid.spec.loader import expand_path as _path
from akid.spec.optimizer import make_kongfu
from akid.spec.provider import first_batches, make_sensor, read_provider

KEYS = {"train": ("data", "provider", "epochs", "steps", "optimizer", "checkpoint", "log",
                  "weights", "hooks", "summary", "engine"),
        "validate": ("data", "provider", "weights"),
        "test": ("data", "provider", "weights"),
        "evaluate": ("data", "provider", "weights", "hooks", "destination")}


def train(spec):
    """Trains the Kidfile's brain; returns the Kid (set up, trained; call `teardown()`)."""
    body = _section(spec, "train")
    engine = _engine(spec, body)  # first: a distributed engine configures devices
    built = build(spec)
    suppliers = Suppliers(spec, built)
    provider = read_provider(spec, "train")
    val = spec.section("validate") is not None and _section(spec, "validate") is not None
    val_provider = read_provider(spec, "validate") if val else provider
    source = SuppliedSource(
        train=suppliers.arrays("train"),
        val=first_batches(suppliers.arrays("validate"), val_provider) if val else None,
        num_classes=suppliers.num_classes)
    sensor = make_sensor(source, provider, val_provider["batch_size"])
    epochs, steps = _length(spec, body)
    per_epoch = sensor.num_batches_per_epoch
    max_steps = steps or epochs * per_epoch
    log_dir, train_log_step = _log(spec, body, per_epoch)
    val_log_step, minutes, validation = _checkpoint(spec, body, per_epoch, max_steps,
                                                    provider["batch_size"])
    resume = bool(log_dir and tf.train.latest_checkpoint(os.path.join(log_dir, "model")))
    kid = Kid(sensor, built.brain, make_kongfu(spec, max_steps, per_epoch), engine=engine,
              max_epoch=epochs, max_steps=steps, log_dir=log_dir, val_log_step=val_log_step,
              train_log_step=train_log_step, continue_from_chk_point=resume,
              skip_validation=not validation, do_summary=_flag(spec, body, "summary", True),
              seed=spec.section("settings").get("seed"), checkpoint_minutes=minutes)
    for hook, args, entry, where in hook_list(spec, "train", TRAIN_HOOKS):
        try:
            hook(kid, **args)
        except (TypeError, ImportError) as error:
            raise SpecError(str(error), where, "train", entry) from None
    weights = _train_weights(spec, body)
    initial = None if resume else _initial_weights(spec, weights)
    kid.setup()
    try:
        if initial:
            _restore(kid.brain, initial, spec, "train")
        kid.practice()
        best = (spec.section("validate") or {}).get("weights")
        _export(kid, weights["best"] or (best.get("best") if isinstance(best, dict) else best),
                weights["last"])
    except BaseException:
        kid.teardown()
        raise
    return kid


def test(spec):
    """The loss and metrics of the Kidfile's brain on the test data: `(loss, evals)`."""
    _section(spec, "test")
    built = build(spec)
    suppliers = Suppliers(spec, built)
    provider = read_provider(spec, "test")
    arrays = first_batches(suppliers.arrays("test"), provider)
    # The Kid builds its brain from a training batch and counts epochs in training batches:
    # the test data stand in for the training split it never trains on.
    sensor = FeedSensor(SuppliedSource(train=arrays, test=arrays),
                        batch_size=provider["batch_size"])
    log_dir = _log(spec, spec.section("train") or {}, 1)[0]
    kid = Kid(sensor, built.brain, GradientDescentKongFu(), inference_mode=True,
              save_chk_point=False, log_dir=os.path.join(log_dir, "test") if log_dir else None,
              seed=spec.section("settings").get("seed"))
    path = weights_path(spec, "test")
    kid.setup()
    try:
        _restore(kid.brain, path, spec, "test")
        return kid.validate("test")
    finally:
        kid.teardown()


def evaluate(spec):
    """Runs the Kidfile's brain on the evaluate data; returns `(result, truth)`:
    {output name: predictions} and {output name: truth} (None without truth),
    after the hooks; `destination` writes them as a pickle."""
    body = _section(spec, "evaluate")
    built = build(spec, with_loss=False)
    suppliers = Suppliers(spec, built)
    targets = suppliers.targets
    provider = read_provider(spec, "evaluate")
    x, y = first_batches(suppliers.arrays("evaluate", need_truth=False), provider)
    names = [c.name for c in built.model.containers if c.sink] or targets \
        or built.model.outputs()
    brain = built.brain
    brain.set_mode("test")
    labels = y if y is not None else np.zeros(len(x), np.int32)
    size = provider["batch_size"]
    batches = [slice(i, i + size) for i in range(0, len(x), size)]
    brain.compute([x[batches[0]], labels[batches[0]]])  # builds it, so its weights can be read
    _restore(brain, weights_path(spec, "evaluate"), spec, "evaluate")
    parts = {name: [] for name in names}
    for part in batches:
        outcome, activations = brain.compute([x[part], labels[part]], keep_activations=True)
        for name in names:  # not among the activations: the model is that one brain
            parts[name].append(np.asarray(activations.get(name, outcome.output)))
    result = {name: np.concatenate(values) for name, values in parts.items()}
    truth = None if y is None else {(targets or names)[0]: y}
    for hook, args, entry, where in hook_list(spec, "evaluate", EVALUATE_HOOKS):
        result, truth = _call(hook, (result, truth), args, where, "evaluate", entry)
    destination = body.get("destination")
    if destination is not None:
        args = {"path": destination} if isinstance(destination, str) else destination
        result, truth = _call(output, (result, truth), args, source_of(body, spec.path),
                              "evaluate", "destination")
    return result, truth


# -- train settings -----------------------------------------------------------------------


def _section(spec, name):
    """The section `name`, its keys checked (Kur's validate/test hooks are not supported)."""
    body = spec.require(name)
    unknown = [key for key in body if key not in KEYS[name]]
    if unknown:
        raise SpecError(f"unknown key(s) {', '.join(map(repr, unknown))}; a {name} section "
                        f"takes {', '.join(KEYS[name])}", source_of(body, spec.path), name)
    return body


def _engine(spec, body):
    """The Kid's engine from `train.engine` (a name or {name: ..., num_gpu: N})."""
    try:
        return make_engine(body.get("engine", "single"))
    except (ValueError, RuntimeError) as error:
        raise SpecError(str(error), source_of(body, spec.path), "train", "engine") from None


def _length(spec, body):
    """(epochs, steps): exactly one is set."""
    epochs, steps = body.get("epochs"), body.get("steps")
    if isinstance(epochs, dict):
        if set(epochs) - {"number", "mode"} or epochs.get("mode", "total") != "total":
            raise SpecError(f"epochs is N or {{number: N}}; akid counts epochs in total over "
                            f"resumed runs (mode: total), got {dict(epochs)!r}",
                            source_of(body, spec.path), "train", "epochs")
        epochs = epochs.get("number")
    for key, value in (("epochs", epochs), ("steps", steps)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or value <= 0):
            raise SpecError(f"{key} must be a positive int, got {value!r}",
                            source_of(body, spec.path), "train", key)
    if (epochs is None) == (steps is None):
        raise SpecError(f"give exactly one of epochs and steps (akid does not train forever), "
                        f"got epochs={epochs!r}, steps={steps!r}",
                        source_of(body, spec.path), "train")
    return epochs, steps


def _log(spec, body, per_epoch):
    """(log_dir or None, train_log_step) from `log`."""
    log = body.get("log")
    where = source_of(body, spec.path)
    if log is None or isinstance(log, str):
        return (_path(log) if log else None), 100
    if not isinstance(log, dict) or not isinstance(log.get("path"), str) \
            or set(log) - {"path", "epochs", "batches"}:
        raise SpecError(f"log is a folder or {{path: DIR, epochs: E | batches: N}}, got {log!r}",
                        where, "train", "log")
    every = log.get("batches") or (int(log["epochs"] * per_epoch) if log.get("epochs") else 100)
    return _path(log["path"]), max(1, int(every))


def _checkpoint(spec, body, per_epoch, max_steps, batch_size):
    """(val_log_step, minutes or None, validation) from `checkpoint`."""
    value = body.get("checkpoint")
    where = source_of(value, source_of(body, spec.path))
    value = {"epochs": 1} if value is None else value
    keys = {"epochs", "batches", "samples", "minutes", "validation"}
    if not isinstance(value, dict) or set(value) - keys:
        moved = isinstance(value, str) or (isinstance(value, dict) and "path" in value)
        hint = "; checkpoints go to <log>/model: set `log`" if moved else ""
        raise SpecError(f"checkpoint is a mapping of {', '.join(sorted(keys))}, got "
                        f"{value!r}{hint}", where, "train", "checkpoint")
    steps = [int(value["epochs"] * per_epoch) if value.get("epochs") else None,
             value.get("batches"),
             -(-value["samples"] // batch_size) if value.get("samples") else None]
    steps = [max(1, int(s)) for s in steps if s]
    validation = value.get("validation", True)
    return (min(steps) if steps else max_steps), value.get("minutes"), bool(validation)


# -- weights --------------------------------------------------------------------------------


def _train_weights(spec, body):
    value = body.get("weights")
    if value is None or isinstance(value, str):  # Kur: load from PATH if it exists, save best
        return {"initial": value, "must_exist": False, "best": value, "last": None}
    keys = {"initial", "must_exist", "best", "last"}
    if not isinstance(value, dict) or set(value) - keys:
        raise SpecError(f"weights is a path or a mapping of {', '.join(sorted(keys))}, got "
                        f"{value!r}", source_of(body, spec.path), "train", "weights")
    return {key: value.get(key) for key in keys}


def _initial_weights(spec, weights):
    """The checkpoint to start from, or None (an error if it must exist and does not)."""
    path = _checkpoint_in(_path(weights["initial"]))
    if path is None and weights["initial"] and weights["must_exist"]:
        raise SpecError(f"initial weights {weights['initial']!r} not found (must_exist: yes)",
                        source_of(spec.section("train"), spec.path), "train", "weights")
    return path


def weights_path(spec, section):
    """The checkpoint `section`'s `weights` names: best (default), last, a folder or prefix."""
    value = (spec.section(section) or {}).get("weights") or "best"
    value = value.get("initial") if isinstance(value, dict) else value
    where = source_of(spec.section(section), spec.path)
    if value in ("best", "last"):
        log_dir = _log(spec, spec.section("train") or {}, 1)[0]
        if log_dir is None:
            raise SpecError(f"weights: {value} means the training run's checkpoints, but "
                            f"train.log does not say where it is; give a checkpoint path",
                            where, section, "weights")
        model = os.path.join(log_dir, "model")
        path = _checkpoint_in(os.path.join(model, "best")) if value == "best" else None
        path = path or _checkpoint_in(model)
    else:
        path = _checkpoint_in(_path(value)) if isinstance(value, str) else None
    if path is None:
        raise SpecError(f"no checkpoint for weights {value!r}", where, section, "weights")
    return path


def _checkpoint_in(path):
    """A checkpoint prefix: the latest in folder `path`, or `path` itself if it is one."""
    if path is None:
        return None
    if os.path.isdir(path):
        return tf.train.latest_checkpoint(path)
    return path if os.path.exists(path + ".index") else None


def _restore(brain, path, spec, section):
    try:
        tf.train.Checkpoint(brain=brain).read(path).assert_existing_objects_matched() \
            .expect_partial()
    except (AssertionError, ValueError, tf.errors.OpError) as error:
        raise SpecError(f"the weights in {path} do not fit this model: "
                        f"{str(error).splitlines()[0]}", source_of(spec.section(section),
                                                                   spec.path),
                        section, "weights") from None


def _export(kid, best, last):
    """Copies the best checkpoint to `best` and writes the brain's weights to `last`."""
    if last:
        tf.train.Checkpoint(brain=kid.brain).write(_path(last))
    source = _checkpoint_in(os.path.join(kid.log_dir, "model", "best"))
    if best and source:
        os.makedirs(os.path.dirname(_path(best)) or ".", exist_ok=True)
        for file in glob.glob(source + ".*"):
            shutil.copyfile(file, _path(best) + file[len(source):])


def _flag(spec, body, key, default):
    value = body.get(key, default)
    if not isinstance(value, bool):
        raise SpecError(f"{key} is yes or no, got {value!r}", source_of(body, spec.path),
                        "train", key)
    return value


def _call(hook, values, args, where, section, entry):
    try:
        return hook(*values, **args)
    except (TypeError, ValueError, OSError) as error:
        raise SpecError(str(error), where, section, entry) from None
