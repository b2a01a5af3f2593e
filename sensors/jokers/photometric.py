"""Jokers that change pixel values: rescaling, per-image whitening, random light."""
import tensorflow as tf

from akid.checks import check_number, describe
from akid.sensors.jokers.base import Joker, split_seed


class RescaleJoker(Joker):
    """x * scale + offset, e.g. 0..255 pixels to [0, 1] with the default scale 1/255.

    Deterministic: attach it with `to_val=True` so validation sees the same values.

    Args:
      scale: the factor.
      offset: added after scaling.

    Input: (N, H, W, C). Output: the same shape, float.
    """

    random = False

    def __init__(self, scale=1.0 / 255.0, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = check_number(self, "scale", scale)
        self.offset = check_number(self, "offset", offset)

    def _augment(self, images, seed, training):
        return images * tf.cast(self.scale, images.dtype) + tf.cast(self.offset, images.dtype)


class WhitenJoker(Joker):
    """Per-image standardization: (x - mean) / max(std, 1 / sqrt(H * W * C)).

    The mean and standard deviation are each image's own, over all its pixels
    and channels: `tf.image.per_image_standardization`'s formula (the same
    values, bit for bit in float32), computed with one `tf.nn.moments`
    instead of its three reductions, a third faster on CIFAR batches.
    Deterministic: attach it with `to_val=True`.

    Input: (N, H, W, C). Output: the same shape, float.
    """

    random = False

    def _augment(self, images, seed, training):
        mean, variance = tf.nn.moments(images, axes=[1, 2, 3], keepdims=True)
        count = tf.cast(tf.reduce_prod(tf.shape(images)[1:]), images.dtype)
        floor = tf.math.rsqrt(count)
        return (images - mean) / tf.maximum(tf.sqrt(variance), floor)


AKID_BRIGHTNESS = 63.0  # akid's LightJoker (TF's CIFAR-10 tutorial, on 0..255 pixels)
AKID_CONTRAST = (0.2, 1.8)


class LightJoker(Joker):
    """Random brightness and contrast for each training image.

    Brightness adds a delta uniform in [-brightness, brightness] to every
    pixel; contrast moves each channel away from (or towards) its mean by a
    factor uniform in [lower, upper]: (x - mean) * factor + mean, as
    `tf.image.adjust_contrast`. The two commute (contrast keeps a delta added
    to every pixel), so the order akid used (contrast first) gives the same.
    Values are not clipped. `brightness` is in the units the images have when
    they reach the joker (e.g. 63 for 0..255 pixels, 0.25 for [0, 1]).

    Args:
      brightness: the largest brightness delta, >= 0; True: akid's 63; False or 0:
        no change.
      contrast: (lower, upper) contrast factors, 0 <= lower <= upper; True: akid's
        (0.2, 1.8); False: no change.
      Left out (None): akid's True when the call gives no value or akid's flags (so
      `LightJoker()` and `LightJoker(brightness=False)` are akid's), no change when
      the other one is a number or range (`LightJoker(brightness=20.0)`).

    Input: (N, H, W, C). Output: the same shape, float. Validation: unchanged.

    Example:
      LightJoker(brightness=63, contrast=(0.2, 1.8))  # TF's CIFAR-10 tutorial, on 0..255
    """

    training_only = True

    def __init__(self, brightness=None, contrast=None, **kwargs):
        super().__init__(**kwargs)
        given = [v for v in (brightness, contrast) if v is not None]
        akid_style = all(isinstance(v, bool) for v in given)  # no value, or akid's flags
        brightness = akid_style if brightness is None else brightness
        contrast = akid_style if contrast is None else contrast
        if isinstance(brightness, bool):
            brightness = AKID_BRIGHTNESS if brightness else None
        if isinstance(contrast, bool):
            contrast = AKID_CONTRAST if contrast else None
        self.brightness = check_number(self, "brightness", brightness, low=0.0, allow_none=True)
        if contrast is not None:
            if not (isinstance(contrast, (list, tuple)) and len(contrast) == 2):
                error = ValueError if isinstance(contrast, (list, tuple)) else TypeError
                raise error(f"{describe(self)}: contrast must be (lower, upper) with "
                            f"0 <= lower <= upper, True or None, got {contrast!r}")
            lower = check_number(self, "contrast lower", contrast[0], low=0.0)
            upper = check_number(self, "contrast upper", contrast[1], low=lower)
            contrast = (lower, upper)
        self.contrast = contrast
        if not self.brightness and contrast is None:
            raise ValueError(f"{describe(self)}: brightness={brightness!r} and "
                             f"contrast={contrast!r} change nothing; give a brightness > 0 "
                             f"or a contrast range")

    def _augment(self, images, seed, training):
        n = tf.shape(images)[0]
        seeds = split_seed(seed, 2)
        if self.brightness:
            delta = tf.random.stateless_uniform([n, 1, 1, 1], seeds[0], -self.brightness,
                                                self.brightness, dtype=images.dtype)
            images = images + delta
        if self.contrast is not None:
            lower, upper = self.contrast
            factor = tf.random.stateless_uniform([n, 1, 1, 1], seeds[1], lower, upper,
                                                 dtype=images.dtype)
            mean = tf.reduce_mean(images, axis=[1, 2], keepdims=True)
            images = (images - mean) * factor + mean
        return images
