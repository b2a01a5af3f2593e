"""Layers that act on groups of channels: maxout / average-out (akid's CollapseOutLayer),
group softmax (GroupSoftmaxLayer) and softmax within groups (SoftmaxNormalizationLayer).

The last axis holds `num_group` groups of `group_size` consecutive channels;
every other axis indexes separate groups.
"""
import tensorflow as tf

from akid.blocks.block import Block
from akid.checks import check_choice, check_flag, check_positive_int, describe


class GroupLayer(Block):
    """Base of the grouped layers: splits the last axis into groups of `group_size`.

    Args:
      group_size: channels per group; the last axis must divide by it.
    """

    def __init__(self, group_size=4, **kwargs):
        super().__init__(**kwargs)
        self.group_size = check_positive_int(self, "group_size", group_size)

    def _setup(self, input_shape):
        if isinstance(input_shape, list):  # akid's list mode: each tensor is a group
            return
        channels = input_shape[-1]
        if channels is None or channels % self.group_size:
            raise ValueError(f"{describe(self)}: the last axis ({channels}) must divide by "
                             f"group_size {self.group_size}, got input shape "
                             f"{tuple(input_shape.as_list())}")

    def _grouped(self, x):
        """x (..., C) as (..., C / group_size, group_size)."""
        channels = x.shape[-1]
        return tf.reshape(x, tf.concat([tf.shape(x)[:-1],
                                        [channels // self.group_size, self.group_size]], 0))


REDUCTIONS = {"maxout": tf.reduce_max, "average_out": tf.reduce_mean}


class CollapseOutLayer(GroupLayer):
    """akid's CollapseOutLayer: each group collapses to one value, its max ("maxout",
    Goodfellow et al., 2013) or its mean ("average_out").

    Args:
      group_size: channels per group.
      type: "maxout" or "average_out".

    Input shape: (..., C), or (akid's list mode) a list of tensors (..., C_i), each one
    group. Output shape: (..., C / group_size), or (..., number of tensors).
    """

    def __init__(self, group_size=4, type="maxout", **kwargs):  # noqa: A002 -- akid's name
        super().__init__(group_size=group_size, **kwargs)
        self.type = check_choice(self, "type", type, tuple(REDUCTIONS))

    def _forward(self, x):
        reduce = REDUCTIONS[self.type]
        if isinstance(x, (list, tuple)):
            return tf.stack([reduce(t, axis=-1) for t in x], axis=-1)
        return reduce(self._grouped(x), axis=-1)


class MaxoutLayer(CollapseOutLayer):
    """Maxout (Goodfellow et al., 2013): the max over groups of `group_size` channels
    (akid's MaxoutLayer, group_size 2 by default).

    Input shape: (..., C). Output shape: (..., C / group_size).
    """

    def __init__(self, group_size=2, **kwargs):
        super().__init__(group_size=group_size, type="maxout", **kwargs)


class GroupSoftmaxLayer(GroupLayer):
    """akid's group softmax: within each group, softmax over its channels and one more
    logit fixed at 1 (a "ground state"), which is then dropped. With group_size 1 it is a
    sigmoid, as akid's.

    Args:
      group_size: channels per group.
      concat_output: True: one tensor (..., C); False: a list of the groups' outputs.

    Input shape: (..., C), or a list of tensors, each one group. Output: the same shape(s).
    """

    def __init__(self, group_size=4, concat_output=True, **kwargs):
        super().__init__(group_size=group_size, **kwargs)
        self.concat_output = check_flag(self, "concat_output", concat_output)

    def _forward(self, x):
        if self.group_size == 1 and not isinstance(x, (list, tuple)):
            return tf.sigmoid(x)  # akid's shortcut for groups of one channel
        groups = list(x) if isinstance(x, (list, tuple)) else [self._grouped(x)]
        outs = [self._softmax_with_ground(g) for g in groups]
        if isinstance(x, (list, tuple)):
            return tf.concat(outs, axis=-1) if self.concat_output else outs
        out = tf.reshape(outs[0], tf.shape(x))
        return out if self.concat_output else tf.unstack(outs[0], axis=-2)

    @staticmethod
    def _softmax_with_ground(group):
        ground = tf.ones_like(group[..., :1])
        return tf.nn.softmax(tf.concat([group, ground], axis=-1))[..., :-1]


class SoftmaxNormalizationLayer(GroupLayer):
    """akid's SoftmaxNormalizationLayer ("ngsmax"): softmax within each group of
    `group_size` channels.

    Input shape: (..., C). Output shape: the same.
    """

    def _forward(self, x):
        return tf.reshape(tf.nn.softmax(self._grouped(x)), tf.shape(x))
