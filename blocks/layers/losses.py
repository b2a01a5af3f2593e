"""Loss layers: their output is added to the owning brain's loss."""
import tensorflow as tf

from akid.blocks.block import Block
from akid.checks import check_number, check_positive_int, describe
from akid.blocks.checks import check_two_inputs


class LossLayer(Block):
    """Base of loss blocks: inputs [prediction, target], output a scalar.

    Without explicit `inputs`, a loss block in a GraphSystem takes the output
    of the data block before it and the labels (`system_in[1]`). A subclass
    writes `_loss(inputs)`; the block's output is `loss_weight * _loss(inputs)`,
    so the losses of a multi-output brain add up with their weights.

    Args:
      loss_weight: a number >= 0 scaling this loss in the brain's total (default 1).
    """

    role = "loss"

    def __init__(self, loss_weight=1.0, **kwargs):
        super().__init__(**kwargs)
        self.loss_weight = check_number(self, "loss_weight", loss_weight, low=0)
        if self.loss_weight != 1.0 and type(self)._forward is not LossLayer._forward:
            raise TypeError(f"{describe(self)} overrides _forward, so loss_weight="
                            f"{loss_weight} would not scale it; write _loss(inputs) instead")

    def _setup(self, input_shapes):
        check_two_inputs(self, input_shapes)

    def _forward(self, inputs):
        loss = self._loss(inputs)
        return loss if self.loss_weight == 1.0 else loss * tf.cast(self.loss_weight, loss.dtype)

    def _loss(self, inputs):
        raise NotImplementedError(f"{type(self).__name__} must implement _loss(inputs)")


class SoftmaxWithLossLayer(LossLayer):
    """Mean softmax cross-entropy of logits against labels.

    Args:
      class_num: number of classes; the logits' last axis must equal it.
      loss_weight: as for LossLayer.

    Inputs: logits (N, class_num); labels (N,) ints in [0, class_num) or one-hot (N, class_num).
    Output: scalar.
    """

    def __init__(self, class_num, **kwargs):
        super().__init__(**kwargs)
        self.class_num = check_positive_int(self, "class_num", class_num)

    def _setup(self, input_shapes):
        super()._setup(input_shapes)
        logits, labels = input_shapes
        if logits.rank != 2 or logits[-1] != self.class_num:
            raise ValueError(f"{describe(self)} expects logits of shape (N, {self.class_num}) "
                             f"for class_num={self.class_num}, got {tuple(logits.as_list())}")
        if labels.rank not in (1, 2):
            raise ValueError(f"{describe(self)} expects labels (N,) or one-hot "
                             f"(N, {self.class_num}), got {tuple(labels.as_list())}")

    def _loss(self, inputs):
        logits, labels = inputs
        if len(labels.shape) == 2:
            losses = tf.nn.softmax_cross_entropy_with_logits(tf.cast(labels, logits.dtype), logits)
        else:
            losses = tf.nn.sparse_softmax_cross_entropy_with_logits(tf.cast(labels, tf.int32),
                                                                    logits)
        return tf.reduce_mean(losses)


class MSELossLayer(LossLayer):
    """Mean squared error: mean((prediction - target) ** 2)."""

    def _loss(self, inputs):
        prediction, target = inputs
        return tf.reduce_mean(tf.square(prediction - tf.cast(target, prediction.dtype)))


class HingeLossLayer(LossLayer):
    """Multi-class hinge loss (Weston & Watkins): mean over examples of
    sum over j != y of max(0, 1 + s_j - s_y).

    Inputs: scores (N, C); labels (N,) ints in [0, C).
    """

    def _setup(self, input_shapes):
        super()._setup(input_shapes)
        scores, labels = input_shapes
        if scores.rank != 2 or labels.rank != 1:
            raise ValueError(f"{describe(self)} expects scores (N, C) and int labels (N,), got "
                             f"{tuple(scores.as_list())} and {tuple(labels.as_list())}")

    def _loss(self, inputs):
        scores, labels = inputs
        labels = tf.cast(labels, tf.int32)
        true_scores = tf.gather(scores, labels, batch_dims=1)[:, None]
        margins = tf.nn.relu(1.0 + scores - true_scores)
        not_true = 1.0 - tf.one_hot(labels, tf.shape(scores)[1], dtype=scores.dtype)
        return tf.reduce_mean(tf.reduce_sum(margins * not_true, axis=1))
