"""IntegratedSensor: the tf.data pipeline with augmentation (Jokers) applied per batch."""
import warnings

import numpy as np
import tensorflow as tf

from akid.blocks.block import Block
from akid.blocks.systems import default_name
from akid.checks import check_flag, check_number, check_positive_int, describe
from akid.blocks.layers.shape import PaddingLayer
from akid.sensors.jokers.base import Joker
from akid.sensors.sensor import Sensor, _check_split

def _ignore_queue_settings(name, min_fraction, threads):
    """Checks akid's reader-queue settings and warns that tf.data has no use for them."""
    check_number(name, "min_fraction_of_examples_in_queue", min_fraction, low=0, high=1,
                 low_open=True, allow_none=True)
    check_positive_int(name, "num_preprocess_threads", threads, allow_none=True)
    given = [param for param, value in (("min_fraction_of_examples_in_queue", min_fraction),
                                        ("num_preprocess_threads", threads)) if value is not None]
    if given:
        warnings.warn(f"{name}: {' and '.join(given)} (akid's reader-queue settings) have no "
                      f"effect: tf.data shuffles the whole split and makes batches with "
                      f"AUTOTUNE parallelism", UserWarning, stacklevel=3)


# Blocks that only move pixels, so they may run on uint8 images before the float cast, though
# they do not say so with a `needs_float = False` class attribute as jokers do.
_PIXEL_MOVERS = (PaddingLayer,)


class IntegratedSensor(Sensor):
    """Batches a source through a tf.data pipeline and augments them with jokers.

    The pipeline is the Sensor's: each epoch a fresh stateless shuffle fixed by
    `(seed, epoch)`, every example once, the last batch smaller, resumable by
    `start_step`. Each batch is gathered from the source's arrays and then
    augmented as a whole: jokers are vectorized over the batch, and batches
    are made in parallel (`num_parallel_calls`) and prefetched.

    Randomness: the jokers of the batch at global step `s` draw from
    stateless random ops keyed by `(seed, s)` folded with the joker's
    position, so the same seed gives the same augmented batches, a resumed
    run (`dataset("train", start_step=s)`) gives exactly the batches an
    uninterrupted one would, and no random state needs checkpointing.

    Splits, as in akid: `attach(joker)` puts a joker on the training
    pipeline; `attach(joker, to_val=True)` on the validation (and test)
    pipeline only, where it runs its deterministic validation behaviour
    (CropJoker crops the center, FlipJoker/LightJoker/RotationJoker pass
    images through). For a joker on both, attach it twice, e.g. a padding on
    both and a crop for each. A joker never makes validation random.

    Several inputs: the jokers augment the first input (`x[0]`); the others
    and the labels pass through.

    dtypes: the source's images go into the pipeline as they are (uint8 for
    `Cifar10FeedSource(scale=False)`, which is the cheap choice: a quarter of
    the bytes to gather, pad and crop). Jokers that only move pixels (flip,
    crop, padding) run on uint8; before the first joker that computes with
    values (rescale, whiten, light, rotation) the images are cast to `dtype`,
    and in any case they leave the sensor as `dtype`. The cast keeps values
    (0..255 stays 0..255): scaling is `RescaleJoker`'s job (or the source's
    `scale=True`); `WhitenJoker` needs no scaling.

    Args:
      source_in: a Source.
      batch_size: training batch size.
      val_batch_size: validation/test batch size; default batch_size.
      seed: the seed of the shuffle and of the jokers; None lets the Kid choose.
      name: the sensor's name.
      dtype: the images' dtype out of the sensor, a float dtype (default
        float32); None keeps the source's dtype unless a joker needs floats.
      min_fraction_of_examples_in_queue, num_preprocess_threads: akid's
        reader-queue settings, checked as akid did and otherwise ignored
        (with a warning): tf.data shuffles the whole split and makes batches
        with AUTOTUNE parallelism.

    Example:
      source = Cifar10FeedSource(scale=False)
      sensor = IntegratedSensor(source, batch_size=128, val_batch_size=500)
      sensor.attach(FlipJoker())
      sensor.attach(PaddingLayer([4, 4]))
      sensor.attach(CropJoker(32, 32, name="crop"))              # random, for training
      sensor.attach(CropJoker(32, 32, name="crop"), to_val=True)  # the center, for validation
      sensor.attach(WhitenJoker())
      sensor.attach(WhitenJoker(), to_val=True)
      for images, labels in sensor.dataset("train").take(1): ...
    """

    def __init__(self, source_in, batch_size=100, val_batch_size=None, seed=None, name=None,
                 dtype="float32", min_fraction_of_examples_in_queue=None,
                 num_preprocess_threads=None, **kwargs):
        super().__init__(source_in, batch_size, val_batch_size, seed=seed, name=name, **kwargs)
        _ignore_queue_settings(self.name, min_fraction_of_examples_in_queue,
                               num_preprocess_threads)
        self.dtype = None if dtype is None else _float_dtype(self.name, dtype)
        self.training_jokers, self.val_jokers = [], []

    # -- jokers -------------------------------------------------------------------

    def attach(self, joker, to_val=False):
        """Adds `joker` (a Block mapping (N, H, W, C) batches) to the end of a pipeline.

        Args:
          joker: a Joker, or any Block that maps a batch of images (e.g. PaddingLayer).
          to_val: False: the training pipeline; True: the validation and test
            pipeline only (deterministically), as akid's `attach`.

        A pipeline holds a joker once and its names are unique; the same joker
        (or a name) may be on both. Returns the joker, named
        `<snake_case_class>_<n>` if it had no name.
        """
        if not isinstance(joker, Block):
            raise TypeError(f"{self.name}: can only attach jokers (Blocks), got {joker!r} "
                            f"({type(joker).__name__})")
        check_flag(self.name, "to_val", to_val)
        pipeline, which = ((self.val_jokers, "validation") if to_val else
                           (self.training_jokers, "training"))
        if any(j is joker for j in pipeline):
            raise ValueError(f"{self.name} already has {describe(joker)} on its {which} "
                             f"pipeline; attach a joker once per pipeline")
        if not joker.name_given and not any(j is joker for j in self.jokers):
            joker.rename(default_name(joker, {j.name for j in self.jokers}))
        if joker.name in {j.name for j in pipeline}:
            raise ValueError(f"{self.name} already has a joker named '{joker.name}' on its "
                             f"{which} pipeline; joker names must be unique in a pipeline")
        pipeline.append(joker)
        return joker

    @property
    def jokers(self):
        """Every attached joker once: the training ones, then the validation-only ones."""
        return self.training_jokers + [j for j in self.val_jokers
                                       if not any(j is t for t in self.training_jokers)]

    def augment(self, images, step, split="train"):
        """Applies the jokers of `split` to a batch, with the randomness of global `step`.

        This is what the pipeline does after gathering each batch; it works
        eagerly too, e.g. to look at augmented images.
        """
        _check_split(self, split)
        training = split == "train"
        images = tf.convert_to_tensor(images)
        key = tf.stack([tf.constant(self.seed or 0, tf.int64), tf.cast(step, tf.int64)])
        float_dtype = self.dtype or tf.float32
        for position, joker in enumerate(self.training_jokers if training else self.val_jokers):
            if _needs_float(joker) and not images.dtype.is_floating:
                images = tf.cast(images, float_dtype)
            if isinstance(joker, Joker):
                seed = tf.random.experimental.stateless_fold_in(key, position)
                images = joker.augment(images, seed, training)
            else:
                joker.set_mode("train" if training else split)
                images = joker(images)
        if self.dtype is not None and images.dtype != self.dtype:
            images = tf.cast(images, self.dtype)
        return images

    # -- the pipeline ---------------------------------------------------------------

    def _make_batch(self, x, y, idx, step, split):
        images, labels = super()._make_batch(x, y, idx, step, split)
        if isinstance(images, tuple):  # several inputs: the jokers augment the first
            return (self.augment(images[0], step, split), *images[1:]), labels
        return self.augment(images, step, split), labels

    # -- akid's feed style -------------------------------------------------------------

    def setup(self):
        """Makes the first augmented training (and validation) batch for `data()` / `labels()`."""
        for split in ("train", "val"):
            if self.num_examples(split):
                batch = next(iter(self.dataset(split).take(1)))
                self._batch[split] = tf.nest.map_structure(np.asarray, batch)


def _needs_float(joker):
    """Whether `joker` must get float images; any other Block is assumed to compute with values."""
    return getattr(joker, "needs_float", not isinstance(joker, _PIXEL_MOVERS))


def _float_dtype(owner, dtype):
    """`dtype` as a floating tf.DType: a TypeError if it names no dtype, a ValueError
    if it names one that is not floating point."""
    wanted = "a float dtype (e.g. 'float32') or None"
    try:
        as_dtype = tf.as_dtype(dtype)
    except TypeError:
        raise TypeError(f"{owner}: dtype must be {wanted}, got {dtype!r} "
                        f"({type(dtype).__name__})") from None
    if not as_dtype.is_floating:
        raise ValueError(f"{owner}: dtype must be {wanted}, got {as_dtype.name}")
    return as_dtype
