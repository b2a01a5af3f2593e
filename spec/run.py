"""`akid train|test|evaluate`: the Kid, Sensor and KongFu a Kidfile describes, run.

    kid = train(spec)             # Kid.practice() on the train (and validate) data
    loss, evals = test(spec)      # Kid.evaluate("test") on the test data, restored weights
    result, truth = evaluate(spec)   # Kid.predict on the evaluate data, then the hooks

`train` takes the train section's settings (`akid.spec.train_section`), its
optimizer (`akid.spec.optimizer`) and weights (`akid.spec.weights`). Training
a log dir that holds checkpoints resumes it (epochs count in total).
`test` and `evaluate` run a Kid in inference mode whose sensor holds their
section's data as its test split, with the weights restored by
`Kid.restore`; it logs under `<train log>/test` (or `/evaluate`), or in a
temporary folder when train.log is not given. `settings.seed` seeds the Kid.
"""
import contextlib
import os
import shutil
import tempfile

import numpy as np
import tensorflow as tf

from akid.kids import Kid
from akid.sensors import FeedSensor
from akid.spec import train_section, weights
from akid.spec.build import build
from akid.spec.data import SuppliedSource, Suppliers
from akid.spec.errors import SpecError, located, source_of
from akid.spec.hooks import EVALUATE_HOOKS, TRAIN_HOOKS, hook_list, output
from akid.spec.optimizer import make_kongfu
from akid.spec.provider import first_batches, make_sensor, read_provider


def train(spec):
    """Trains the Kidfile's brain; returns the Kid (set up, trained; call `teardown()`)."""
    body = train_section.section(spec, "train")
    engine = train_section.engine(spec, body)  # first: a distributed engine configures devices
    built = build(spec)
    suppliers = Suppliers(spec, built)
    provider = read_provider(spec, "train")
    val = spec.section("validate") is not None and \
        train_section.section(spec, "validate") is not None
    val_provider = read_provider(spec, "validate") if val else provider
    source = SuppliedSource(
        train=suppliers.arrays("train"),
        val=first_batches(suppliers.arrays("validate"), val_provider) if val else None,
        num_classes=suppliers.num_classes)
    sensor = make_sensor(source, provider, val_provider["batch_size"])
    epochs, steps = train_section.length(spec, body)
    per_epoch = sensor.num_batches_per_epoch
    max_steps = steps or epochs * per_epoch
    log_dir, train_log_step = train_section.log(spec, body, per_epoch)
    val_log_step, minutes, validation = train_section.checkpoint(
        spec, body, per_epoch, max_steps, provider["batch_size"])
    resume = bool(log_dir and tf.train.latest_checkpoint(os.path.join(log_dir, "model")))
    kongfu = make_kongfu(spec, max_steps, per_epoch)
    summary = train_section.flag(spec, body, "summary", True)
    kid = _kid(spec, "train", sensor, built.brain, kongfu, engine=engine, max_epoch=epochs,
               max_steps=steps, log_dir=log_dir, val_log_step=val_log_step,
               train_log_step=train_log_step, continue_from_chk_point=resume,
               skip_validation=not validation, do_summary=summary, checkpoint_minutes=minutes)
    for hook, args, entry, where in hook_list(spec, "train", TRAIN_HOOKS):
        try:
            hook(kid, **args)
        except (TypeError, ImportError) as error:
            raise SpecError(str(error), where, "train", entry) from None
    chosen = weights.train_weights(spec, body)
    initial = None if resume else weights.initial_weights(spec, chosen)
    with _at(spec, "train"):
        kid.setup()
    try:
        if initial:
            weights.restore_initial(kid, initial, spec)
        kid.practice()
        best = (spec.section("validate") or {}).get("weights")
        weights.export(kid, chosen["best"] or (best.get("best") if isinstance(best, dict)
                                               else best), chosen["last"])
    except BaseException:
        kid.teardown()
        raise
    return kid


def test(spec):
    """The loss and metrics of the Kidfile's brain on the test data: `(loss, evals)`."""
    train_section.section(spec, "test")
    built = build(spec)
    provider = read_provider(spec, "test")
    arrays = first_batches(Suppliers(spec, built).arrays("test"), provider)
    path = weights.weights_path(spec, "test")
    with _inference_kid(spec, "test", built.brain, arrays, provider) as kid:
        weights.restore(kid, path, spec, "test")
        return kid.evaluate("test")


def evaluate(spec):
    """Runs the Kidfile's brain on the evaluate data; returns `(result, truth)`:
    {output name: predictions} and {output name: truth} (None without truth),
    after the hooks; `destination` writes them as a pickle."""
    body = train_section.section(spec, "evaluate")
    built = build(spec, with_loss=False)
    suppliers = Suppliers(spec, built)
    targets = suppliers.targets
    provider = read_provider(spec, "evaluate")
    x, y = first_batches(suppliers.arrays("evaluate", need_truth=False), provider)
    names = [c.name for c in built.model.containers if c.sink] or targets \
        or built.model.outputs()
    path = weights.weights_path(spec, "evaluate")
    labels = y if y is not None else np.zeros(len(x), np.int32)  # what the Kid's sensor feeds
    with _inference_kid(spec, "evaluate", built.brain, (x, labels), provider) as kid:
        weights.restore(kid, path, spec, "evaluate")
        # A model that is one brain (a zoo brain) is its own output, not one of its blocks.
        blocks = [name for name in names if name != kid.brain.name]
        found = kid.predict("test", outputs=blocks) if blocks else {}
        result = {name: found[name] if name in found else kid.predict("test")
                  for name in names}
    truth = None if y is None else {(targets or names)[0]: y}
    for hook, args, entry, where in hook_list(spec, "evaluate", EVALUATE_HOOKS):
        result, truth = _call(hook, (result, truth), args, where, "evaluate", entry)
    destination = body.get("destination")
    if destination is not None:
        args = {"path": destination} if isinstance(destination, str) else destination
        result, truth = _call(output, (result, truth), args, source_of(body, spec.path),
                              "evaluate", "destination")
    return result, truth


@contextlib.contextmanager
def _inference_kid(spec, section, brain, arrays, provider):
    """A set-up Kid in inference mode over `arrays` as its sensor's test split (the Kid
    builds its brain from them), torn down afterwards."""
    sensor = FeedSensor(SuppliedSource(test=arrays), batch_size=provider["batch_size"])
    log_dir = train_section.log(spec, spec.section("train") or {}, 1)[0]
    scratch = None if log_dir else tempfile.mkdtemp(prefix=f"akid-{section}-")
    # The Kidfile's own KongFu: a Kid needs one, and a checkpoint's optimizer slots fit it.
    # An inference Kid never steps, so the length of its schedule does not matter.
    try:
        kid = _kid(spec, section, sensor, brain, make_kongfu(spec, 1, 1), inference_mode=True,
                   save_chk_point=False, log_dir=os.path.join(log_dir, section) if log_dir
                   else scratch)
        try:
            with _at(spec, section):
                kid.setup()
            yield kid
        finally:
            kid.teardown()
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


def _kid(spec, section, sensor, brain, kongfu, **options):
    """`Kid(sensor, brain, kongfu, seed=settings.seed, **options)`; an option it refuses
    is an error at `section`."""
    with _at(spec, section):
        return Kid(sensor, brain, kongfu, seed=spec.section("settings").get("seed"), **options)


def _at(spec, section):
    """The Kid's errors (an option it refuses, data that do not fit the brain) at `section`."""
    return located(source_of(spec.section(section), spec.path), section)


def _call(hook, values, args, where, section, entry):
    try:
        return hook(*values, **args)
    except (TypeError, ValueError, OSError) as error:
        raise SpecError(str(error), where, section, entry) from None
