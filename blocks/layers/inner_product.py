"""InnerProductLayer: the fully connected layer."""
import tensorflow as tf

from akid.checks import check_positive_int
from akid.blocks.layers.weighted import WeightedLayer


class InnerProductLayer(WeightedLayer):
    """y = x @ W + b, with x flattened to (N, D).

    Args:
      out_channel_num: number of output units.
      init_para, wd, initial_bias_value: see WeightedLayer.

    Input shape: (N, ...), fixed but for N once built. Output shape: (N, out_channel_num).

    Example:
      ip = InnerProductLayer(out_channel_num=10, name="ip1")
      y = ip(tf.zeros([8, 7, 7, 64]))  # (8, 10)
    """

    def __init__(self, out_channel_num, **kwargs):
        super().__init__(**kwargs)
        self.out_channel_num = check_positive_int(self, "out_channel_num", out_channel_num)

    def _setup(self, input_shape):
        self._make_weights_and_bias([input_shape[1:].num_elements(), self.out_channel_num])

    def _forward(self, x):
        flat = tf.reshape(x, [tf.shape(x)[0], self.weights.shape[0]])  # never folds the batch
        return self._add_bias(tf.matmul(flat, self.weights))
