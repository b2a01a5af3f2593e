"""What the Kid checks before it writes anything: that its sensor fits its brain and engine,
and that its log_dir holds no other run's checkpoints."""
import numpy as np
import tensorflow as tf

from akid.checks import check_flag, check_number, check_positive_int

COUNTS = ("max_steps", "max_epoch", "val_log_step", "train_log_step", "max_to_keep")
FLAGS = ("save_chk_point", "continue_from_chk_point", "inference_mode", "do_summary",
         "skip_validation", "jit_compile", "debug", "deterministic")


def check_options(options):
    """Checks the Kid's constructor arguments (a dict by parameter name) before anything runs."""
    if (options["max_steps"] is None) == (options["max_epoch"] is None) \
            and not options["inference_mode"]:
        raise ValueError(f"Kid: give exactly one of max_steps and max_epoch, got "
                         f"max_steps={options['max_steps']!r}, "
                         f"max_epoch={options['max_epoch']!r}")
    for param in COUNTS:
        check_positive_int("Kid", param, options[param], allow_none=True)
    for param in FLAGS:
        check_flag("Kid", param, options[param])
    check_number("Kid", "checkpoint_minutes", options["checkpoint_minutes"], low=0,
                 low_open=True, allow_none=True)
    if options["deterministic"] and options["seed"] is None:
        raise ValueError("Kid: deterministic=True needs a seed, e.g. Kid(..., seed=0)")


def check_log_dir(log_dir, model_dir):
    """A new run (not resuming) must not start in a log_dir that holds checkpoints."""
    if tf.train.latest_checkpoint(model_dir):
        raise ValueError(f"Kid: log_dir {log_dir!r} already holds checkpoints; pass "
                         f"continue_from_chk_point=True to resume, or choose a new log_dir")


def check_labels(sensor, brain):
    """Integer labels must lie in [0, class_num) of every classifying loss block.

    With several label arrays, a top-level loss block is checked against the
    one its `system_in` idx names; one label array is checked against every
    classifying loss block, nested ones included.
    """
    classifiers = [b for b in brain.descendants()
                   if getattr(b, "class_num", None) and b.role == "loss"]
    for split in ("train", "val"):
        if not classifiers or not sensor.num_examples(split):
            continue
        x, y = sensor.source.arrays(split)
        labels = tf.nest.flatten(y)
        for block in classifiers:
            index = 0 if len(labels) == 1 else _label_index(brain, block, len(tf.nest.flatten(x)))
            if index is not None and index < len(labels):
                _check_range(sensor, split, np.asarray(labels[index]), block)


def _label_index(brain, block, num_inputs):
    """Which label array a top-level loss block reads (its system_in idx past the inputs),
    or None when that is not known."""
    if not any(b is block for b in brain.blocks):
        return None
    idxs = [i for i in brain.system_in_idxs(block.name) if i >= num_inputs]
    return idxs[0] - num_inputs if idxs else None


def _check_range(sensor, split, labels, block):
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        return
    low, high = int(labels.min()), int(labels.max())
    if low < 0 or high >= block.class_num:
        raise ValueError(f"Kid: the {split} labels of {sensor.name} range over "
                         f"[{low}, {high}], outside [0, {block.class_num}) of block "
                         f"'{block.name}' ({type(block).__name__}, "
                         f"class_num={block.class_num})")


def check_towers(sensor, engine):
    """Every training batch must give each of the engine's towers at least one example."""
    towers = engine.num_replicas
    remainder = sensor.source.num_train % sensor.batch_size
    reaches_last = sensor.num_batches_per_epoch * sensor.batch_size >= sensor.source.num_train
    smallest = remainder if remainder and reaches_last else sensor.batch_size
    if smallest < towers:
        raise ValueError(f"Kid: engine {engine.name} splits every batch across {towers} towers, "
                         f"but {sensor.name} makes a training batch of {smallest} example(s) "
                         f"(batch_size={sensor.batch_size}, {sensor.source.num_train} examples); "
                         f"choose a batch_size of at least {towers} that leaves no smaller "
                         f"last batch")
