"""Jokers that move pixels: random flips, random (train) or center (val) crops, rotations,
resizing."""
import math

import tensorflow as tf

from akid.checks import (check_choice, check_flag, check_int, check_number, check_positive_int,
                         describe)
from akid.sensors.jokers.base import Joker, split_seed


def _coin(seed, n):
    """(n,) booleans, each True with probability 1/2."""
    return tf.random.stateless_uniform([n], seed) < 0.5


class FlipJoker(Joker):
    """Flips each training image left-right (and/or up-down) with probability 1/2.

    Args:
      flip_left_right: flip along the width axis.
      flip_up_down: flip along the height axis (a separate coin per image).

    Input: (N, H, W, C) of any dtype. Output: the same shape and dtype.
    Validation: returns the images unchanged.

    Example:
      sensor.attach(FlipJoker())
    """

    needs_float = False
    training_only = True

    def __init__(self, flip_left_right=True, flip_up_down=False, **kwargs):
        super().__init__(**kwargs)
        self.flip_left_right = check_flag(self, "flip_left_right", flip_left_right)
        self.flip_up_down = check_flag(self, "flip_up_down", flip_up_down)
        if not (flip_left_right or flip_up_down):
            raise ValueError(f"{describe(self)}: flip_left_right and flip_up_down are both "
                             f"False, so it would flip nothing; set at least one to True")

    def _augment(self, images, seed, training):
        n = tf.shape(images)[0]
        seeds = split_seed(seed, 2)
        for flag, axis, s in ((self.flip_left_right, 2, seeds[0]),
                              (self.flip_up_down, 1, seeds[1])):
            if flag:
                images = flip_some(images, _coin(s, n), axis)
        return images


def flip_some(images, flip, axis):
    """Reverses `axis` of the images where `flip` (N,) is True; leaves the others.

    Only the chosen images are reversed (partition, reverse, stitch), about
    twice as fast as `tf.where(flip, tf.reverse(images), images)`.
    """
    which = tf.cast(flip, tf.int32)
    positions = tf.dynamic_partition(tf.range(tf.shape(images)[0]), which, 2)
    kept, flipped = tf.dynamic_partition(images, which, 2)
    out = tf.dynamic_stitch(positions, [kept, tf.reverse(flipped, [axis])])
    return tf.ensure_shape(out, images.shape)


class CropJoker(Joker):
    """Crops a height x width window: at a random place in training, the center otherwise.

    Each training image gets its own offset, uniform over all windows that
    fit; the center window starts at ((H - height) // 2, (W - width) // 2),
    as `tf.image.resize_with_crop_or_pad`. With a PaddingLayer before it,
    this is the usual CIFAR "pad 4, crop 32" augmentation.

    Args:
      height, width: the crop size; at most the images' size (unless `center`).
      center: akid's: always the center window, in training too; images smaller than
        height x width are padded evenly with zeros (`tf.image.resize_with_crop_or_pad`).
      central_fraction: akid's: with `center`, crop the central fraction (0, 1] of each
        side instead of height x width (`tf.image.central_crop`).

    Input: (N, H, W, C) of any dtype. Output: (N, height, width, C), same dtype.

    Example:
      sensor.attach(PaddingLayer([4, 4]), to_val=True)
      sensor.attach(CropJoker(32, 32), to_val=True)  # val: the center, i.e. the original
      sensor.attach(CropJoker(center=True, central_fraction=0.875), to_val=True)  # akid's
    """

    needs_float = False

    def __init__(self, height=None, width=None, center=False, central_fraction=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.center = check_flag(self, "center", center)
        self.central_fraction = check_number(self, "central_fraction", central_fraction,
                                             low=0.0, high=1.0, low_open=True, allow_none=True)
        if central_fraction is not None and not center:
            raise ValueError(f"{describe(self)}: central_fraction={central_fraction} crops the "
                             f"center; give center=True with it")
        sized = central_fraction is None
        self.height = check_positive_int(self, "height", height, allow_none=not sized)
        self.width = check_positive_int(self, "width", width, allow_none=not sized)
        self.random = not center

    def _augment(self, images, seed, training):
        if self.central_fraction is not None:
            return tf.image.central_crop(images, self.central_fraction)
        if self.center:
            return tf.image.resize_with_crop_or_pad(images, self.height, self.width)
        shape = tf.shape(images)
        size_h = images.shape[1] if images.shape[1] is not None else shape[1]
        size_w = images.shape[2] if images.shape[2] is not None else shape[2]
        if isinstance(size_h, int) and isinstance(size_w, int) and (
                size_h < self.height or size_w < self.width):
            raise ValueError(f"{describe(self)} crops {self.height}x{self.width} windows, but "
                             f"the images are {size_h}x{size_w} (shape "
                             f"{tuple(images.shape.as_list())}); pad them first or crop less")
        if not training:
            top, left = (size_h - self.height) // 2, (size_w - self.width) // 2
            return images[:, top:top + self.height, left:left + self.width]
        n = shape[0]
        seeds = split_seed(seed, 2)
        top = tf.random.stateless_uniform([n], seeds[0], minval=0, maxval=size_h - self.height + 1,
                                          dtype=tf.int32)
        left = tf.random.stateless_uniform([n], seeds[1], minval=0,
                                           maxval=size_w - self.width + 1, dtype=tf.int32)
        return crop(images, top, left, self.height, self.width)


def crop(images, top, left, height, width):
    """Per-image windows: out[i] = images[i, top[i]:top[i] + height, left[i]:left[i] + width].

    One gather of whole pixels (all channels) from the flattened batch.
    """
    shape = tf.shape(images)
    rows = top[:, None, None] + tf.range(height)[None, :, None]
    cols = left[:, None, None] + tf.range(width)[None, None, :]
    pixels = (tf.range(shape[0])[:, None, None] * shape[1] + rows) * shape[2] + cols
    return tf.gather(tf.reshape(images, [-1, shape[3]]), pixels)


INTERPOLATIONS = ("bilinear", "nearest")
FILL_MODES = ("constant", "reflect", "wrap", "nearest")


class RotationJoker(Joker):
    """Rotates each training image by a random angle in [-max_degrees, max_degrees].

    One projective transform for the whole batch
    (`tf.raw_ops.ImageProjectiveTransformV3`), rotating about the image center;
    positive angles turn counter-clockwise.

    Args:
      max_degrees: the largest rotation, in degrees, in (0, 180].
      interpolation: "bilinear" or "nearest".
      fill_mode: how to fill pixels from outside the image: "constant"
        (`fill_value`), "reflect", "wrap" or "nearest".
      fill_value: the value of "constant" fill.

    Input: (N, H, W, C). Output: the same shape, float. Validation: unchanged.
    """

    training_only = True

    def __init__(self, max_degrees=10.0, interpolation="bilinear", fill_mode="constant",
                 fill_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_degrees = check_number(self, "max_degrees", max_degrees, low=0.0, high=180.0,
                                        low_open=True)
        self.interpolation = check_choice(self, "interpolation", interpolation, INTERPOLATIONS)
        self.fill_mode = check_choice(self, "fill_mode", fill_mode, FILL_MODES)
        self.fill_value = check_number(self, "fill_value", fill_value)

    def _augment(self, images, seed, training):
        limit = math.radians(self.max_degrees)
        angles = tf.random.stateless_uniform([tf.shape(images)[0]], seed, -limit, limit)
        return rotate(images, angles, self.interpolation, self.fill_mode, self.fill_value)


def rotate(images, angles, interpolation="bilinear", fill_mode="constant", fill_value=0.0):
    """Rotates each image of (N, H, W, C) `images` by `angles` (N,) radians, counter-clockwise."""
    shape = tf.shape(images)
    h, w = tf.cast(shape[1], tf.float32) - 1, tf.cast(shape[2], tf.float32) - 1
    cos, sin = tf.cos(angles), tf.sin(angles)
    # The transform maps an output pixel (x, y) to the input pixel it samples.
    x_offset = (w - (cos * w - sin * h)) / 2
    y_offset = (h - (sin * w + cos * h)) / 2
    zeros = tf.zeros_like(angles)
    transforms = tf.stack([cos, -sin, x_offset, sin, cos, y_offset, zeros, zeros], axis=1)
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=images, transforms=transforms, output_shape=shape[1:3],
        fill_value=tf.cast(fill_value, tf.float32), interpolation=interpolation.upper(),
        fill_mode=fill_mode.upper())


RESIZE_METHODS = ("bilinear", "nearest", "bicubic", "area")  # akid's resize_method 0..3


class ResizeJoker(Joker):
    """Resizes every image to height x width (`tf.image.resize`), as akid's ResizeJoker.

    Deterministic: it resizes training and validation images alike.

    Args:
      height, width: the output size.
      resize_method: akid's int (0 bilinear, 1 nearest neighbor, 2 bicubic, 3 area) or
        one of those names.

    Input: (N, H, W, C). Output: (N, height, width, C), float32 (nearest: the input dtype).
    """

    random = False

    def __init__(self, height, width, resize_method=0, **kwargs):
        super().__init__(**kwargs)
        self.height = check_positive_int(self, "height", height)
        self.width = check_positive_int(self, "width", width)
        if isinstance(resize_method, int) and not isinstance(resize_method, bool):
            check_int(self, "resize_method", resize_method, low=0, high=len(RESIZE_METHODS) - 1)
            resize_method = RESIZE_METHODS[resize_method]
        self.resize_method = check_choice(self, "resize_method", resize_method, RESIZE_METHODS)

    def _augment(self, images, seed, training):
        return tf.image.resize(images, [self.height, self.width], method=self.resize_method)
