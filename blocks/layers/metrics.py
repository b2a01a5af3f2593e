"""Eval layers: their output is reported in the owning brain's `eval` dict."""
import tensorflow as tf

from akid.blocks.block import Block
from akid.blocks.checks import check_two_inputs


class AccuracyLayer(Block):
    """Fraction of examples whose highest-scoring class is the label.

    Inputs: scores (N, C); labels (N,) ints or one-hot (N, C). Output: scalar in [0, 1].
    Without explicit `inputs` it takes the data block before it and the labels.
    """

    role = "eval"

    def _setup(self, input_shapes):
        check_two_inputs(self, input_shapes)

    def _forward(self, inputs):
        scores, labels = inputs
        if len(labels.shape) == 2:
            labels = tf.argmax(labels, axis=1)
        hits = tf.equal(tf.argmax(scores, axis=1, output_type=tf.int32), tf.cast(labels, tf.int32))
        return tf.reduce_mean(tf.cast(hits, tf.float32))
