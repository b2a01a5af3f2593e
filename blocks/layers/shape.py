"""Layers that change the shape of their input: padding, reshape, flatten."""
import math

import tensorflow as tf

from akid.blocks.block import Block
from akid.checks import check_choice, check_count, check_int, check_positive_int, describe

PAD_MODES = ("CONSTANT", "REFLECT", "SYMMETRIC")


class PaddingLayer(Block):
    """Pads the height and width of images; also usable as a joker on single images.

    Args:
      padding: [h, w] to add on each side of height and width.
      mode: "CONSTANT" (zeros), "REFLECT" or "SYMMETRIC".

    Input shape: (N, H, W, C) or one image (H, W, C). Output: (N, H + 2h, W + 2w, C).
    """

    input_ranks = (3, 4)
    input_layout = "(N, H, W, C) or (H, W, C)"

    def __init__(self, padding, mode="CONSTANT", **kwargs):
        super().__init__(**kwargs)
        if not isinstance(padding, (list, tuple)):
            raise TypeError(f"{describe(self)}: padding must be [h, w] with ints >= 0, "
                            f"got {padding!r} ({type(padding).__name__})")
        if len(padding) != 2:
            raise ValueError(f"{describe(self)}: padding must be [h, w] with ints >= 0, "
                             f"got {padding!r}")
        self.padding = [check_count(self, f"padding[{i}]", p) for i, p in enumerate(padding)]
        self.pad_mode = check_choice(self, "mode", str(mode).upper(), PAD_MODES)

    def _forward(self, x):
        h, w = self.padding
        paddings = [[h, h], [w, w], [0, 0]]
        if len(x.shape) == 4:
            paddings = [[0, 0]] + paddings
        return tf.pad(x, paddings, mode=self.pad_mode)


class ReshapeLayer(Block):
    """Reshapes each example to `shape` (the batch axis is kept).

    Args:
      shape: the per-example shape, e.g. [28, 28, 1]; one entry may be -1.
    """

    def __init__(self, shape, **kwargs):
        super().__init__(**kwargs)
        wanted = "a list of positive ints, one of them may be -1"
        if not isinstance(shape, (list, tuple)):
            raise TypeError(f"{describe(self)}: shape must be {wanted}, got {shape!r} "
                            f"({type(shape).__name__})")
        self.shape = [check_int(self, f"shape[{i}]", d) for i, d in enumerate(shape)]
        if self.shape.count(-1) > 1 or any(d <= 0 and d != -1 for d in self.shape):
            raise ValueError(f"{describe(self)}: shape must be {wanted}, got {shape!r}")

    def _setup(self, input_shape):
        size = input_shape[1:].num_elements()
        known = math.prod(d for d in self.shape if d != -1)
        if size is not None and (size % known if -1 in self.shape else size != known):
            raise ValueError(f"{describe(self)} cannot reshape examples of shape "
                             f"{tuple(input_shape[1:].as_list())} ({size} values) to "
                             f"{tuple(self.shape)}")

    def _forward(self, x):
        return tf.reshape(x, tf.concat([tf.shape(x)[:1], self.shape], 0))


class FlattenLayer(Block):
    """(N, ...) -> (N, D)."""

    def _forward(self, x):
        size = x.shape[1:].num_elements()  # None when an example's shape is not static
        return tf.reshape(x, [-1, size] if size is not None else [tf.shape(x)[0], -1])


class ShortcutPaddingLayer(Block):
    """The parameter-free shortcut (He et al.'s option A): subsample by `stride`, zero-pad channels.

    Args:
      out_channel_num: channels of the output (>= the input's).
      stride: spatial subsampling factor.

    Input: (N, H, W, C). Output: (N, ceil(H / stride), ceil(W / stride), out_channel_num).
    """

    input_ranks = (4,)
    input_layout = "(N, H, W, C)"

    def __init__(self, out_channel_num, stride=2, **kwargs):
        super().__init__(**kwargs)
        self.out_channel_num = check_positive_int(self, "out_channel_num", out_channel_num)
        self.stride = check_positive_int(self, "stride", stride)

    def _setup(self, input_shape):
        if input_shape[-1] is None or input_shape[-1] > self.out_channel_num:
            raise ValueError(f"{describe(self)} pads channels up to {self.out_channel_num}, "
                             f"but its input has {input_shape[-1]} (shape "
                             f"{tuple(input_shape.as_list())})")

    def _forward(self, x):
        x = x[:, ::self.stride, ::self.stride, :]
        extra = self.out_channel_num - x.shape[-1]
        return tf.pad(x, [[0, 0], [0, 0], [0, 0], [extra // 2, extra - extra // 2]])
