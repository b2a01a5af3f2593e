"""Training summaries: histograms of weights, gradients and activations, and their percentiles.

With `Kid(do_summary=True)`, the Summarizer callback hangs on
`kid.hooks.on_train_log_step`. Every `train_log_step` it takes one fixed small
training batch (the first batch of `kid.sensor.dataset("train")`, cut to 32
examples, drawn once), runs the brain on it eagerly in "val" mode (no dropout,
batch norm on its moving statistics, so the hook changes no state and draws
no random numbers) under a `tf.GradientTape`, and writes

- TensorBoard histograms `weights/<var>`, `gradients/<var>`,
  `activations/<block path>` and scalars `sparsity/<block path>` (the
  fraction of exact zeros in the block's output) to `log_dir/train/`;
- one line of `log_dir/distributions.jsonl`:
  `{"step": s, "weights": {name: bands}, "gradients": {...}, "activations": {...}}`,
  where `bands` are the percentiles `PERCENTILES` (akid's and TensorBoard's
  max/93/84/69/50/31/16/7/min), so `Observer.plot_distributions` needs no
  TensorBoard.

The compiled training step is untouched: only log steps pay for this.
"""
import json
import os

import numpy as np
import tensorflow as tf
from tensorboard.plugins.histogram import metadata as histogram_metadata

from akid.kids.hooks import Callback
from akid.kids.steps import head

DISTRIBUTIONS_FILE = "distributions.jsonl"
KINDS = ("weights", "gradients", "activations")
SPARSITY_PREFIX = "sparsity/"  # the tag of a block output's fraction of exact zeros
# TensorBoard's compressed-histogram basis points: max, mean +-1.5, +-1, +-0.5 sigma
# of a normal distribution, median, min -- labelled max/93/84/69/50/31/16/7/min.
PERCENTILES = (100.0, 93.32, 84.13, 69.15, 50.0, 30.85, 15.87, 6.68, 0.0)
PERCENTILE_LABELS = ("max", "93%", "84%", "69%", "50%", "31%", "16%", "7%", "min")
BATCH_SIZE = 32
HISTOGRAM_BUCKETS = 30  # TensorBoard's default
_HISTOGRAM_METADATA = histogram_metadata.create_summary_metadata(display_name=None,
                                                                 description=None)


def percentile_bands(values):
    """The nine `PERCENTILES` of `values` (any shape), from max down to min, as floats.

    Example:
      percentile_bands(np.random.randn(100000))  # ~ [4.3, 1.5, 1.0, 0.5, 0, -0.5, -1, -1.5, -4.3]
    """
    values = np.asarray(values).ravel()
    if values.size == 0:
        return [float("nan")] * len(PERCENTILES)
    if values.dtype.itemsize < 4 or not np.issubdtype(values.dtype, np.floating):
        values = values.astype(np.float64)
    return [float(v) for v in np.percentile(values, PERCENTILES)]


class Summarizer(Callback):
    """The callback: at every training log step it writes the summaries of `kid`'s step."""

    def __init__(self, batch_size=BATCH_SIZE):
        self.batch_size = batch_size
        self._batch = None

    def on_train_log_step(self, kid):
        brain = kid.brain
        gradients, activations = self.gradients_and_activations(kid)
        tensors = {"weights": {variable_name(brain, v): v.numpy()
                               for v in brain.trainable_variables},
                   "gradients": {name: g.numpy() for name, g in gradients.items()},
                   "activations": {name: a.numpy() for name, a in activations.items()}}
        record = {"step": int(kid.step)}
        for kind in KINDS:
            record[kind] = {name: percentile_bands(value) for name, value in tensors[kind].items()}
        writer = kid.log.writers.get("train")
        if writer is not None:
            with writer.as_default(step=int(kid.step)):
                for kind in KINDS:
                    for name, value in tensors[kind].items():
                        write_histogram(f"{kind}/{name}", value)
                for name, value in tensors["activations"].items():
                    tf.summary.scalar(SPARSITY_PREFIX + name, sparsity(value))
            writer.flush()
        with open(os.path.join(kid.log_dir, DISTRIBUTIONS_FILE), "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")

    def gradients_and_activations(self, kid):
        """({var name: gradient}, {block path: output}) on the fixed batch, in "val" mode."""
        brain = kid.brain
        x, y = self.batch(kid)
        with brain.mode_as("val"):
            variables = brain.trainable_variables
            with tf.GradientTape() as tape:
                outcome, outputs = brain.compute([x, y], keep_activations=True)
            grads = tape.gradient(outcome.loss, variables) if outcome.loss is not None else []
        gradients = {variable_name(brain, v): g for v, g in zip(variables, grads) if g is not None}
        return gradients, brain.data_outputs(outputs)

    def batch(self, kid):
        """The fixed batch: drawn once from the training pipeline, at most `batch_size` examples."""
        if self._batch is None:
            self._batch = head(next(iter(kid.sensor.dataset("train").take(1))), self.batch_size)
        return self._batch


def variable_name(brain, variable):
    """`lenet/conv1/conv/weights:0` -> `conv1/conv/weights`: the variable's path in the brain."""
    name = variable.name.split(":")[0]
    prefix = brain.name + "/"
    return name[len(prefix):] if name.startswith(prefix) else name


def sparsity(values):
    """The fraction of exact zeros in `values`, as a float."""
    values = np.asarray(values)
    return float(np.count_nonzero(values == 0) / max(values.size, 1))


def write_histogram(tag, values, buckets=HISTOGRAM_BUCKETS):
    """Writes a TensorBoard histogram of `values` to the default writer, as
    `tf.summary.histogram` does (equal-width buckets from min to max), but counted with
    numpy: TensorBoard's own op builds a (size x buckets) one-hot matrix, 380 MB and a
    second for a 1.6M-weight layer."""
    values = np.asarray(values).ravel()
    values = values[np.isfinite(values)]
    if values.size == 0:
        table = np.zeros((buckets, 3))
    elif values.min() == values.max():
        table = np.zeros((buckets, 3))
        table[:, :2] = float(values[0])
        table[-1, 2] = values.size
    else:
        counts, edges = np.histogram(values, bins=buckets)
        table = np.stack([edges[:-1], edges[1:], counts], axis=1)
    return tf.summary.write(tag, tf.constant(table, tf.float64), metadata=_HISTOGRAM_METADATA)


def read_distributions(log_dir):
    """The records of `log_dir/distributions.jsonl`, sorted by step, one per step (the last
    written wins, as after a resume); a torn last line is skipped."""
    path = os.path.join(log_dir, DISTRIBUTIONS_FILE)
    by_step = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            by_step[record["step"]] = record
    return [by_step[step] for step in sorted(by_step)]
