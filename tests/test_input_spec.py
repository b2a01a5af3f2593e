"""Build once, then lock: a block with variables takes only the input it was built for.

The harness (`check_block`) runs the generic cases on every layer; these are
the cases by name: the defect that motivated the lock, the axes each kind of
layer keeps free, and blocks that lock nothing.
"""
import numpy as np
import pytest
import tensorflow as tf

from akid import (BatchNormalizationLayer, Block, Brain, ConvolutionLayer, DropoutLayer,
                  FlattenLayer, GRULayer, InnerProductLayer, LSTMLayer, PoolingLayer, ReLULayer,
                  SoftmaxWithLossLayer)


def zeros(*shape, dtype=tf.float32):
    return tf.zeros(shape, dtype)


def test_inner_product_refuses_another_feature_size_instead_of_folding_the_batch():
    ip = InnerProductLayer(out_channel_num=3, name="ip1")
    assert ip(zeros(4, 8)).shape == (4, 3)
    assert ip.input_spec.shape == (None, 8)
    # Before the lock, tf.reshape folded the (4, 4) batch into (2, 8) and returned (2, 3).
    with pytest.raises(ValueError, match=r"^Block 'ip1' \(InnerProductLayer\) was built for "
                                         r"input shape \(None, 8\), got \(4, 4\): axis 1 "
                                         r"differs; its variables were sized"):
        ip(zeros(4, 4))
    assert ip(zeros(7, 8)).shape == (7, 3)  # any batch size


def test_inner_product_locks_every_axis_and_the_rank():
    ip = InnerProductLayer(out_channel_num=3, name="ip")
    ip(zeros(2, 4, 2))
    with pytest.raises(ValueError, match=r"built for input shape \(None, 4, 2\), got \(2, 2, 4\)"):
        ip(zeros(2, 2, 4))  # as many values an example, another layout
    with pytest.raises(ValueError, match=r"Block 'ip' \(InnerProductLayer\) was built for "
                                         r"rank-3 input shape \(None, 4, 2\), got shape \(2, 8\)"):
        ip(zeros(2, 8))


def test_weighted_layers_refuse_rank_1_input():
    with pytest.raises(ValueError, match=r"Block 'ip' \(InnerProductLayer\) expects input of "
                                         r"rank >= 2 \(N, \.\.\.\), got shape \(8,\); add a "
                                         r"batch axis"):
        InnerProductLayer(out_channel_num=3, name="ip")(zeros(8))


def test_convolution_takes_any_image_size_but_not_other_channels():
    conv = ConvolutionLayer([3, 3], [1, 1], "SAME", 4, name="conv1")
    conv(zeros(2, 8, 8, 3))
    assert conv.input_spec.shape == (None, None, None, 3)
    assert conv(zeros(1, 13, 5, 3)).shape == (1, 13, 5, 4)  # fully convolutional
    with pytest.raises(ValueError, match=r"Block 'conv1' \(ConvolutionLayer\) was built for "
                                         r"input shape \(None, None, None, 3\), got "
                                         r"\(2, 8, 8, 1\): axis 3 differs"):
        conv(zeros(2, 8, 8, 1))


@pytest.mark.parametrize("layer", [LSTMLayer, GRULayer])
def test_recurrent_layers_take_any_sequence_length_but_not_other_features(layer):
    rnn = layer(num_units=5, return_sequences=True, name="rnn")
    rnn(zeros(2, 6, 4))
    assert rnn(zeros(3, 11, 4)).shape == (3, 11, 5)
    with pytest.raises(ValueError, match=rf"Block 'rnn' \({layer.__name__}\) was built for "
                                         r"input shape \(None, None, 4\), got \(2, 6, 3\)"):
        rnn(zeros(2, 6, 3))


def test_batch_norm_locks_its_channels_only():
    bn = BatchNormalizationLayer(name="bn")
    bn(tf.random.normal([4, 5, 5, 3]))
    assert bn(tf.random.normal([2, 9, 7, 3])).shape == (2, 9, 7, 3)
    with pytest.raises(ValueError, match=r"Block 'bn' \(BatchNormalizationLayer\) was built "
                                         r"for input shape \(None, None, None, 3\), got "
                                         r"\(4, 5, 5, 2\)"):
        bn(zeros(4, 5, 5, 2))


def test_another_float_dtype_is_refused_with_the_fix():
    ip = InnerProductLayer(out_channel_num=3, name="ip")
    ip(zeros(2, 4))
    with pytest.raises(ValueError, match=r"Block 'ip' \(InnerProductLayer\) was built for "
                                         r"float32 input, got float64; cast the input to float32"):
        ip(zeros(2, 4, dtype=tf.float64))


@pytest.mark.parametrize("make", [ReLULayer, FlattenLayer, lambda: DropoutLayer(keep_prob=0.5),
                                  lambda: PoolingLayer(ksize=[2, 2], strides=[2, 2])])
def test_blocks_without_variables_lock_nothing(make):
    block = make()
    block(zeros(2, 4, 4, 3))
    assert block.input_spec is None
    assert block(zeros(3, 6, 2, 5)).shape[0] == 3


def test_the_lock_holds_inside_tf_function():
    ip = InnerProductLayer(out_channel_num=3, name="ip")
    ip(zeros(2, 8))
    with pytest.raises(ValueError, match=r"built for input shape \(None, 8\), got \(2, 4\)"):
        tf.function(lambda x: ip(x))(zeros(2, 4))
    unknown = tf.function(lambda x: ip(x), input_signature=[tf.TensorSpec([None, 8])])
    assert unknown(zeros(5, 8)).shape == (5, 3)


def test_a_brain_is_checked_by_its_blocks():
    brain = Brain(name="net")
    brain.attach(ConvolutionLayer([3, 3], [1, 1], "SAME", 4, name="conv1"))
    brain.attach(ReLULayer(name="relu1"))
    brain.attach(InnerProductLayer(out_channel_num=3, name="ip1"))
    brain.attach(SoftmaxWithLossLayer(class_num=3, name="loss"))
    labels = tf.constant([0, 1])
    brain([zeros(2, 6, 6, 1), labels])
    assert brain.input_spec is None
    with pytest.raises(ValueError, match=r"Block 'conv1' \(ConvolutionLayer\) was built for "
                                         r"input shape \(None, None, None, 1\), got "
                                         r"\(2, 6, 6, 3\)"):
        brain([zeros(2, 6, 6, 3), labels])
    # Other image sizes pass the convolution, and the inner product says what differs.
    with pytest.raises(ValueError, match=r"Block 'ip1' \(InnerProductLayer\) was built for "
                                         r"input shape \(None, 6, 6, 4\), got \(2, 8, 8, 4\)"):
        brain([zeros(2, 8, 8, 1), labels])


class Scale(Block):
    """A new layer with a variable: y = x * w, w shaped as one example."""

    def _setup(self, input_shape):
        self.w = self.make_variable("w", input_shape[1:], {"name": "constant", "value": 2.0})

    def _forward(self, x):
        return x * self.w


class ChannelScale(Scale):
    """The same, but w only over the channels, so it says it locks the last axis only."""

    locked_axes = (-1,)

    def _setup(self, input_shape):
        self.w = self.make_variable("w", [input_shape[-1]], {"name": "constant", "value": 2.0})


def test_a_new_layer_locks_every_axis_unless_it_says_which():
    scale = Scale(name="scale")
    scale(zeros(2, 3, 4))
    assert scale.input_spec.shape == (None, 3, 4)
    with pytest.raises(ValueError, match=r"Block 'scale' \(Scale\) was built for input shape "
                                         r"\(None, 3, 4\), got \(2, 5, 4\)"):
        scale(zeros(2, 5, 4))
    channel = ChannelScale(name="channel")
    channel(zeros(2, 3, 4))
    assert channel.input_spec.shape == (None, None, 4)
    np.testing.assert_array_equal(channel(tf.ones([1, 7, 4])).numpy(), np.full([1, 7, 4], 2.0))
