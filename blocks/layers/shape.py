"""Layers that change the shape of their input: padding, reshape, flatten."""
import math

import tensorflow as tf

from akid.blocks.block import Block
from akid.checks import check_choice, check_count, check_int, check_positive_int, describe

PAD_MODES = ("CONSTANT", "REFLECT", "SYMMETRIC")


class PaddingLayer(Block):
    """Pads the height and width of images; also usable as a joker on single images.

    Args:
      padding: [h, w] to add on each side of height and width (akid's default [1, 1]),
        or, as akid's, one entry per input axis ([n, h, w, c] for a batch, [h, w, c]
        for one image), e.g. [0, 0, 0, 4] pads 4 zero channels on each side.
      mode: "CONSTANT" (zeros), "REFLECT" or "SYMMETRIC".

    Input shape: (N, H, W, C) or one image (H, W, C). Output: (N, H + 2h, W + 2w, C).
    """

    input_ranks = (3, 4)
    input_layout = "(N, H, W, C) or (H, W, C)"

    def __init__(self, padding=(1, 1), mode="CONSTANT", **kwargs):
        super().__init__(**kwargs)
        wanted = "[h, w] or one int >= 0 per input axis"
        if not isinstance(padding, (list, tuple)):
            raise TypeError(f"{describe(self)}: padding must be {wanted}, got {padding!r} "
                            f"({type(padding).__name__})")
        if len(padding) not in (2, 3, 4):
            raise ValueError(f"{describe(self)}: padding must be {wanted}, got {padding!r}")
        self.padding = [check_count(self, f"padding[{i}]", p) for i, p in enumerate(padding)]
        self.pad_mode = check_choice(self, "mode", str(mode).upper(), PAD_MODES)

    def _setup(self, input_shape):
        if len(self.padding) > 2 and len(self.padding) != input_shape.rank:
            raise ValueError(f"{describe(self)}: padding {self.padding} has one entry per axis "
                             f"of a rank-{len(self.padding)} input, got shape "
                             f"{tuple(input_shape.as_list())}")

    def _forward(self, x):
        if len(self.padding) == 2:
            pads = [0] * (len(x.shape) - 3) + self.padding + [0]
        else:
            pads = self.padding
        return tf.pad(x, [[p, p] for p in pads], mode=self.pad_mode)


class ReshapeLayer(Block):
    """Reshapes each example to `shape` (the batch axis is kept).

    Args:
      shape: the per-example shape, e.g. [28, 28, 1]; one entry may be -1. None (akid's
        default): flatten each example, as [-1].
    """

    def __init__(self, shape=None, **kwargs):
        super().__init__(**kwargs)
        shape = [-1] if shape is None else shape
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


class ScatterLayer(Block):
    """akid's ScatterLayer: splits the last axis into consecutive pieces of the given lengths.

    Args:
      scatter_len_list: the pieces' lengths, e.g. [2, 3, 4] gives x[..., 0:2],
        x[..., 2:5], x[..., 5:9]; channels past their sum are left out.

    Input shape: (..., C). Output: a list of (..., length) tensors.
    """

    def __init__(self, scatter_len_list, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(scatter_len_list, (list, tuple)) or not scatter_len_list:
            raise TypeError(f"{describe(self)}: scatter_len_list must be a non-empty list of "
                            f"positive ints, got {scatter_len_list!r}")
        self.scatter_len_list = [check_positive_int(self, f"scatter_len_list[{i}]", n)
                                 for i, n in enumerate(scatter_len_list)]

    def _setup(self, input_shape):
        channels = input_shape[-1]
        if channels is not None and sum(self.scatter_len_list) > channels:
            raise ValueError(f"{describe(self)}: the pieces {self.scatter_len_list} need "
                             f"{sum(self.scatter_len_list)} channels, the input has {channels}")

    def _forward(self, x):
        starts = [sum(self.scatter_len_list[:i]) for i in range(len(self.scatter_len_list))]
        return [x[..., s:s + n] for s, n in zip(starts, self.scatter_len_list)]
