"""Parallel: a sub-model applied to every element along axis 1, with one set of weights.

Keras's TimeDistributed (Kur's `parallel` container): input (N, T, ...) is
folded to (N * T, ...), run through the blocks, and unfolded to (N, T, ...).
"""
import tensorflow as tf

from akid.checks import describe
from akid.brains.brain import Brain


class Parallel(Brain):
    """A Brain whose blocks see each element x[:, t] of its input as one example.

    The same blocks (so the same weights) process every step: a per-frame
    feature extractor before a recurrent layer, or a classifier of each
    element of a sequence.

    Args:
      name, inputs: as for Brain.

    Input shape: (N, T, ...). Output shape: (N, T, <the blocks' output per element>).

    Example:
      p = Parallel(name="per_step")
      p.attach(InnerProductLayer(out_channel_num=8, name="ip"))
      p(tf.zeros([4, 5, 3])).shape   # (4, 5, 8): one ip, applied to each of the 5 steps
    """

    input_ranks = (3, 4, 5, 6)
    input_layout = "(N, T, ...)"
    rank_hint = "parallel applies its blocks to each element along axis 1"

    def _forward(self, inputs):
        x = inputs[0] if isinstance(inputs, (list, tuple)) else inputs
        if isinstance(inputs, (list, tuple)) and len(inputs) != 1:
            raise ValueError(f"{describe(self)} takes one input (N, T, ...), got {len(inputs)}")
        steps = x.shape[1] if x.shape[1] is not None else tf.shape(x)[1]
        folded = tf.reshape(x, [-1, *_dims(x, 2)])
        out = super()._forward(folded)
        return tf.reshape(out, [-1, steps, *_dims(out, 1)])


def _dims(tensor, start):
    """The dims of `tensor` from `start` on: static where known, dynamic otherwise."""
    dynamic = tf.shape(tensor)
    return [d if d is not None else dynamic[i] for i, d in enumerate(tensor.shape) if i >= start]
