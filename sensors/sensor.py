"""Sensor: turns a Source into batches, as numpy (akid's feed style) or a tf.data pipeline."""
import math

import numpy as np
import tensorflow as tf

from akid.checks import check_choice, check_flag, check_positive_int
from akid.sources.source import each, first

SPLITS = ("train", "val", "test")


class Sensor:
    """Batches a source's examples for the Kid.

    The training pipeline walks epochs; epoch `e` visits every example exactly
    once in an order fixed by `(seed, e)` (a stateless shuffle), the last batch
    smaller when the batch size does not divide the split. So the position in
    the data is a function of the step alone: `dataset("train", start_step=s)`
    resumes exactly where step `s` left off, with nothing to checkpoint but
    the seed.

    A source with several inputs or label arrays gives batches `(x, y)` whose
    sides are tuples of the same arity, e.g. `((xa, xb), (y1, y2))`.

    Args:
      source_in: a Source.
      batch_size: training batch size (the global batch, over all devices);
        default 100, as akid's.
      val_batch_size: validation/test batch size; default batch_size.
      seed: the shuffle seed; None lets the Kid choose (its seed, or a random one).
      name: the sensor's name.
      shuffle: visit each training epoch in a fresh random order (False: in order).
      num_batches: cut each training epoch to at most this many batches (each
        epoch still drawn from the whole shuffled split); None: all.
    """

    def __init__(self, source_in, batch_size=100, val_batch_size=None, seed=None, name=None,
                 shuffle=True, num_batches=None):
        self.name = name or type(self).__name__
        check_positive_int(self.name, "batch_size", batch_size)
        for param, value in (("val_batch_size", val_batch_size), ("num_batches", num_batches)):
            check_positive_int(self.name, param, value, allow_none=True)
        for attribute in ("arrays", "num_train", "shape"):
            if not hasattr(source_in, attribute):
                raise TypeError(f"{self.name}: source_in must be a Source (with {attribute}), "
                                f"got {type(source_in).__name__}")
        self.source = source_in
        self.batch_size = batch_size
        self.val_batch_size = val_batch_size or batch_size
        self.seed = seed
        self.shuffle = check_flag(self.name, "shuffle", shuffle)
        self.num_batches = num_batches
        self._batch = {}

    @property
    def num_batches_per_epoch(self):
        full = math.ceil(self.source.num_train / self.batch_size)
        return min(full, self.num_batches) if self.num_batches else full

    def num_examples(self, split):
        return {"train": self.source.num_train, "val": self.source.num_val,
                "test": getattr(self.source, "num_test", 0)}[_check_split(self, split)]

    def dataset(self, split="train", start_step=0):
        """Batches of `(x, y)`: endless epochs for "train" (from `start_step`), one pass
        otherwise."""
        _check_split(self, split)
        x, y = each(tf.constant, self.source.arrays(split))
        n = int(first(x).shape[0])
        if split == "train":
            indices = _epoch_indices(n, self.batch_size, self.num_batches_per_epoch,
                                     self.seed or 0, self.shuffle, start_step)
            steps = indices.enumerate(start=int(start_step))
        else:
            steps = tf.data.Dataset.range(n).batch(self.val_batch_size).enumerate()
        batches = steps.map(lambda step, idx: self._make_batch(x, y, idx, step, split),
                            num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
        options = tf.data.Options()
        options.autotune.enabled = False  # deleting an autotuned iterator can stall for seconds
        return batches.prefetch(2).with_options(options)

    def _make_batch(self, x, y, idx, step, split):
        """The batch of examples `idx`, at `step` of `split`; subclasses augment it here."""
        return each(lambda a: tf.gather(a, idx), (x, y))

    # -- akid's feed style --------------------------------------------------

    def setup(self):
        """Draws one training and one validation batch for `data()` and `labels()`."""
        self._batch["train"] = self.source.get_batch(self.batch_size)
        if self.source.num_val:
            self._batch["val"] = self.source.get_batch(self.val_batch_size, get_val=True)

    def _current(self, get_val):
        split = "val" if get_val else "train"
        if split not in self._batch:
            raise ValueError(f"{self.name} has no {split} batch yet; call sensor.setup() first")
        return self._batch[split]

    def data(self, get_val=False):
        """The images of the current batch (numpy; a tuple of arrays for several inputs)."""
        return self._current(get_val)[0]

    def labels(self, get_val=False):
        """The labels of the current batch (numpy; a tuple for several label arrays)."""
        return self._current(get_val)[1]


def _check_split(sensor, split):
    return check_choice(sensor.name, "split", split, SPLITS)


def _epoch_indices(n, batch_size, per_epoch, seed, shuffle, start_step):
    """Index batches of endless epochs of `per_epoch` batches, each epoch a fresh
    permutation fixed by (seed, epoch) (or in order without `shuffle`)."""
    start_epoch, offset = divmod(int(start_step), per_epoch)

    def one_epoch(epoch):
        order = tf.range(n, dtype=tf.int64)
        if shuffle:
            order = tf.random.experimental.stateless_shuffle(
                order, seed=tf.stack([tf.constant(seed, tf.int64), epoch]))
        return tf.data.Dataset.from_tensor_slices(order).batch(batch_size).take(per_epoch)

    return tf.data.Dataset.range(start_epoch, np.iinfo(np.int64).max).flat_map(one_epoch).skip(offset)


class FeedSensor(Sensor):
    """akid's FeedSensor: batches from a source's in-memory arrays, no augmentation.

    `setup()`, `data()` and `labels()` give numpy batches from `get_batch`;
    `dataset(split)` gives the same examples as a tf.data pipeline for the Kid.
    """
