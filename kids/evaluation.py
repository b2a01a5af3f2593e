"""What a Kid does with what it learned, without training: a split's loss and metrics, the
brain's outputs, a checkpoint restored."""
import numpy as np
import tensorflow as tf

from akid.blocks.systems import as_list
from akid.kids.logs import logger
from akid.kids.weight_averages import averaged


class Evaluation:
    """The Kid's methods that use a brain rather than train it (the Kid inherits them)."""

    def validate(self, split="val"):
        """The loss (without weight decay) and metrics over the whole `split`, averaged
        per example; also kept as `kid.val_loss` / `kid.evals` when split is "val".

        Returns `(loss, evals)` and logs them under `split`. A distributed
        engine splits every batch across its towers, as in training; every
        worker gets the same figures.
        """
        loss, means = self.evaluate(split)
        if split == "val":
            self.val_loss, self.evals = loss, means
        return loss, means

    def evaluate(self, split="test"):
        """`(loss, evals)` over the whole `split`, as `validate()` computes and logs them."""
        if not self.is_setup:
            self.setup()
        self._at_work()
        loss, means = split_means(self, split)
        epoch = {} if self.epoch is None else {"epoch": round(self.epoch, 4)}
        self.log.record(self.step, split, **epoch, loss=loss, **means)
        return loss, means

    def predict(self, data_or_split, outputs=None):
        """The brain's outputs (numpy, "test" mode, batched by the sensor's val_batch_size)
        for an array of inputs or a split's; with `outputs=[block names]`, {name: output}."""
        if not self.is_setup:
            self.setup()
        return predictions(self, data_or_split, outputs)

    def restore(self, path=None):
        """Restores a checkpoint into the Kid; returns the checkpoint's path.

        `path` is a checkpoint prefix or a folder (its newest readable
        checkpoint); None means this run's `log_dir/model`. The brain is always
        restored; the optimizer, clock and data position too when the
        checkpoint holds them (a Kid's own checkpoints do; a brain-only one,
        `tf.train.Checkpoint(brain=brain).write(p)`, restores the brain alone).
        """
        if not self.is_setup:
            self.setup()
        found = self.checkpoints.restore(self.checkpoints.directory if path is None else path)
        if self.weight_averages is not None:
            self.weight_averages.reset_unless_in(found)
        self._step, self.sensor.seed = None, int(self.data_seed.numpy())
        logger().info("restored %s (step %d)", found, self.step)
        return found



def split_means(kid, split):
    """The per-example means of the data loss and of each metric over the whole `split`.

    A distributed engine splits every batch across its towers; the eval step
    returns sums and counts, so uneven (or empty) towers add up exactly.
    Returns `(loss, {metric: mean})`.
    """
    totals, count = {}, 0
    with kid.brain.mode_as(split), averaged(kid):
        for x, y in kid.engine.distribute(kid.sensor.dataset(split)):
            sums, examples = kid.eval_step(x, y)
            for key, value in sums.items():
                totals[key] = totals.get(key, 0.0) + float(value)
            count += int(examples)
    if not count:
        raise ValueError(f"Kid: the {split} split of {kid.sensor.name} is empty")
    means = {key: total / count for key, total in totals.items()}
    return means.pop("loss"), means


def predictions(kid, data_or_split, outputs=None):
    """The brain's outputs, in "test" mode, as numpy arrays concatenated over batches.

    Args:
      data_or_split: a split name ("train", "val", "test") of the Kid's sensor,
        or an array of inputs (examples along the first axis); a tuple of
        arrays for a brain with several inputs.
      outputs: None for the brain's data output (a list of arrays when it has
        several, or several heads); or a list of block names, for {name: that
        block's output}.
    """
    brain = kid.brain
    if isinstance(data_or_split, str):
        batches = (x for x, _ in kid.sensor.dataset(data_or_split))
    else:
        data = _as_inputs(data_or_split, kid.input_spec)
        size, count = kid.sensor.val_batch_size, len(tf.nest.flatten(data)[0])
        batches = (tf.nest.map_structure(lambda a: a[i:i + size], data)
                   for i in range(0, count, size))
    if outputs is not None:
        for name in outputs:
            brain.get_layer_by_name(name)  # an unknown name is an error listing the blocks
    parts = []
    with brain.mode_as("test"), averaged(kid):
        for x in batches:
            x = tf.nest.map_structure(tf.convert_to_tensor, x)
            if outputs is None:
                parts.append([np.asarray(t) for t in as_list(brain.infer(x))])
            else:
                _, found = brain.infer(x, keep_activations=True)
                parts.append([np.asarray(found[name]) for name in outputs])
    if not parts:
        raise ValueError(f"Kid.predict: no data in {data_or_split!r}")
    joined = [np.concatenate(column) for column in zip(*parts)]
    if outputs is not None:
        return dict(zip(outputs, joined))
    return joined[0] if len(joined) == 1 else joined


def _as_inputs(data, spec):
    """`data` (an array, or a tuple of arrays for several inputs) as numpy arrays of the
    dtypes the brain was built for (`spec`, the Kid's input_spec, when known)."""
    data = tuple(np.asarray(a) for a in data) if isinstance(data, tuple) else np.asarray(data)
    if isinstance(data, tuple) and len(data) == 1:
        data = data[0]
    if spec is None:
        return data
    if len(tf.nest.flatten(spec)) != len(tf.nest.flatten(data)):
        raise ValueError(f"Kid.predict: the brain takes {len(tf.nest.flatten(spec))} input "
                         f"array(s), got {len(tf.nest.flatten(data))}; give a tuple with one "
                         f"array per input")
    return tf.nest.map_structure(lambda a, s: a.astype(s.dtype.as_numpy_dtype, copy=False),
                                 data, spec)
