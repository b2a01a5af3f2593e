"""Joker: the base of augmentation blocks, which map a batch of images given a seed."""
import tensorflow as tf

from akid.blocks.block import Block
from akid.checks import describe


class Joker(Block):
    """A Block that augments images, its randomness drawn from a seed it is given.

    A joker maps a whole batch (N, H, W, C) at once (one image (H, W, C) also
    works), so a sensor runs it once per batch, after the gather. Its random
    draws come only from stateless random ops keyed by `seed`, a shape-[2]
    integer tensor: the same seed gives the same output, which is what makes
    an IntegratedSensor reproducible and resumable. `training=False` is the
    deterministic validation behaviour (e.g. CropJoker crops the center,
    FlipJoker does nothing).

    A subclass writes `_augment(images, seed, training)`; it may draw several
    values from `seed` with `split_seed(seed, k)`.

    A joker written akid's way works too: it overrides `_setup(data_in)` (or
    `_forward(data_in)`) for ONE image (H, W, C) and sets `self._data` (or
    returns the result); it is then mapped over the batch, image by image
    (`tf.map_fn`), so per-image ops such as `tf.image.random_saturation` see
    one image each, as in akid. Its randomness is TensorFlow's stateful random
    ops, so it is not keyed by the sensor's seed. It runs on whichever
    pipeline it is attached to, training or validation alike.

    Two ways to call a joker:
      joker.augment(images, seed, training)  # what the sensor does; stateless
      joker(images) / joker([images, seed])  # the Block interface: `training`
                                             # is `joker.mode == "train"`

    Called as a Block without a seed, a random joker draws one from its own
    `tf.random.Generator`, made on the first call from TensorFlow's global
    seed (so `tf.random.set_seed` / `Kid(seed=...)` fix it); the generator's
    state is a variable, saved in checkpoints, so a restored joker goes on
    as the original would (as DropoutLayer does).

    Class attributes:
      needs_float: the joker computes on floating-point values; the sensor
        casts integer (uint8) images before it. Jokers that only move pixels
        (flip, crop, padding) keep uint8, which is cheaper.
      random: the joker draws random numbers in training.
      training_only: the joker leaves validation batches as they are (flip,
        rotation, light); `_augment` is then called only in training.
    """

    input_ranks = (3, 4)
    input_layout = "(N, H, W, C) or (H, W, C)"
    rank_hint = "jokers map images with a channel axis, e.g. x[..., None]"
    needs_float = True
    random = True
    training_only = False
    _per_image = None  # an akid-style subclass's `_setup`/`_forward`, on one image

    def __init__(self, do_summary=False, **kwargs):
        super().__init__(do_summary=do_summary, **kwargs)  # akid: no summaries of jokers

    def __init_subclass__(cls, **kwargs):
        """Spots a joker written akid's way (no `_augment`; its own `_setup` or `_forward`)
        and keeps that method aside as the per-image function."""
        super().__init_subclass__(**kwargs)
        if cls._augment is not Joker._augment:
            return
        for method in ("_forward", "_setup"):
            if method in vars(cls):
                cls._per_image = vars(cls)[method]
                setattr(cls, method, getattr(Joker, method))
                return

    def augment(self, images, seed, training=True):
        """Augments `images` ((N, H, W, C) or (H, W, C)) with randomness keyed by `seed`."""
        self._check_inputs(images)
        with tf.name_scope(self.name):
            return self._run(images, seed, training)

    def _setup(self, input_shapes):
        if self.random:
            with tf.init_scope():
                seed = tf.random.uniform([], maxval=2 ** 62, dtype=tf.int64)
                self.generator = tf.random.Generator.from_seed(seed)

    def _forward(self, inputs):
        if isinstance(inputs, (list, tuple)):
            if len(inputs) != 2:
                raise ValueError(f"{describe(self)} takes images or [images, seed], got "
                                 f"{len(inputs)} inputs")
            images, seed = inputs
        elif self.random and self.mode == "train":
            images, seed = inputs, self.generator.make_seeds(1)[:, 0]
        else:
            images, seed = inputs, tf.zeros([2], tf.int64)  # nothing random is drawn
        return self._run(images, seed, self.mode == "train")

    def _run(self, images, seed, training):
        images = tf.convert_to_tensor(images)
        single = len(images.shape) == 3
        if single:
            images = images[tf.newaxis]
        if self.needs_float and not images.dtype.is_floating:
            images = tf.cast(images, tf.float32)
        if self.training_only and not training:
            out = images
        else:
            out = self._augment(images, tf.convert_to_tensor(seed), bool(training))
        return out[0] if single else out

    def _augment(self, images, seed, training):
        if self._per_image is None:
            raise NotImplementedError(f"{type(self).__name__} must implement "
                                      f"_augment(images, seed, training)")
        one = tf.TensorSpec(images.shape[1:], images.dtype)
        out = tf.function(self._one_image).get_concrete_function(one).structured_outputs
        return tf.map_fn(self._one_image, images,
                         fn_output_signature=tf.TensorSpec(out.shape, out.dtype))

    def _one_image(self, image):
        """The akid-style per-image function on one (H, W, C) image; keeps nothing on self."""
        out = type(self)._per_image(self, image)
        if out is None:
            out = self.__dict__.pop("_data", None)
        if out is None:
            raise ValueError(f"{describe(self)}: its akid-style _setup(data_in) must set "
                             f"self._data (or return the augmented image)")
        return tf.convert_to_tensor(out)


def split_seed(seed, num):
    """`num` independent seeds (a (num, 2) tensor) derived from one."""
    return tf.random.experimental.stateless_split(seed, num=num)

