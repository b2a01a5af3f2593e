"""ConvolutionLayer: 2-D convolution over NHWC images."""
import tensorflow as tf

from akid.checks import check_choice, check_positive_int
from akid.blocks.checks import spatial_pair
from akid.blocks.layers.weighted import WeightedLayer

PADDINGS = ("SAME", "VALID")


class ConvolutionLayer(WeightedLayer):
    """y = conv2d(x, W) + b, as akid's ConvolutionLayer.

    Args:
      ksize: kernel size, [h, w] or akid's [1, h, w, 1].
      strides: [h, w] or [1, h, w, 1].
      padding: "SAME" or "VALID".
      out_channel_num: number of filters.
      init_para, wd, initial_bias_value: see WeightedLayer.

    Input shape: (N, H, W, C); once built, C is fixed and H, W may change.
    Output shape: (N, H', W', out_channel_num).

    Example:
      conv = ConvolutionLayer(ksize=[5, 5], strides=[1, 1], padding="SAME",
                              out_channel_num=32, name="conv1")
      y = conv(tf.zeros([8, 28, 28, 1]))  # (8, 28, 28, 32)
    """

    input_ranks = (4,)
    input_layout = "(N, H, W, C)"
    rank_hint = "add a channel axis, e.g. x[..., None]"
    locked_axes = (-1,)  # the kernel is sized by the channels: any height and width work

    def __init__(self, ksize, strides, padding, out_channel_num, **kwargs):
        super().__init__(**kwargs)
        self.ksize = spatial_pair(self, "ksize", ksize)
        self.strides = spatial_pair(self, "strides", strides)
        self.padding = check_choice(self, "padding", str(padding).upper(), PADDINGS)
        self.out_channel_num = check_positive_int(self, "out_channel_num", out_channel_num)

    def _setup(self, input_shape):
        self._make_weights_and_bias([*self.ksize, input_shape[-1], self.out_channel_num])

    def _forward(self, x):
        return self._add_bias(tf.nn.conv2d(x, self.weights, self.strides, self.padding))
