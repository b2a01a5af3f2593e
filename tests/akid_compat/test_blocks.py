"""akid's blocks, layers, block template and jokers: its names, arguments and defaults.

Each test takes what akid's code (shawnLeeZX/akid at cf82277: akid/core/blocks.py,
systems.py, jokers.py, akid/layers/*, akid/sugar/block_templates.py) accepted and
checks it has akid's meaning here; the tests marked "silent difference" fail on the
code before issue 15.
"""
import math

import numpy as np
import pytest
import tensorflow as tf

from akid import Brain, cnn_block
from akid.blocks import (AKID_INIT, AKID_WD, BatchNormalizationLayer, Block, CollapseOutLayer,
                         ConvolutionLayer, DropoutLayer, GraphSystem, GroupSoftmaxLayer,
                         InnerProductLayer, LRNLayer, MaxoutLayer, PaddingLayer, PoolingLayer,
                         ReLULayer, ReshapeLayer, ScatterLayer, SoftmaxNormalizationLayer,
                         SoftmaxWithLossLayer)
from akid.sensors.jokers import CropJoker, Joker, LightJoker, ResizeJoker, WhitenJoker
from harness import check_block

SEED = tf.constant([1, 2], tf.int64)


def randn(*shape):
    return np.random.randn(*shape).astype(np.float32)


# -- names ----------------------------------------------------------------------------


def test_hyphenated_names_are_kept_and_are_the_tensorflow_scopes():
    brain = Brain(name="mnist-tf-tutorial-net")
    brain.attach(ConvolutionLayer([3, 3], [1, 1, 1, 1], "SAME", out_channel_num=2, name="conv-1"))
    brain.attach(InnerProductLayer(out_channel_num=2, name="ip-1"))
    out = tf.function(brain)(tf.zeros([2, 4, 4, 1]))
    assert out.shape == (2, 2) and brain.name == "mnist-tf-tutorial-net"
    assert [v.name for v in brain.var_list] == [
        "mnist-tf-tutorial-net/conv-1/weights:0", "mnist-tf-tutorial-net/conv-1/bias:0",
        "mnist-tf-tutorial-net/ip-1/weights:0", "mnist-tf-tutorial-net/ip-1/bias:0"]
    assert brain.get_layer_by_name("conv-1").name == "conv-1"


def maxout_tail():
    """The end of akid's maxout CIFAR-10 example: three blocks named 'dropout3'."""
    brain = Brain(name="maxout-zca-cifar10")
    brain.attach(DropoutLayer(keep_prob=0.5, name="dropout3"))
    brain.attach(InnerProductLayer(out_channel_num=10, name="ip1"))
    brain.attach(MaxoutLayer(group_size=5, name="maxout4"))
    brain.attach(DropoutLayer(keep_prob=0.5, name="dropout3"))
    brain.attach(InnerProductLayer(out_channel_num=4, name="softmax_linear"))
    brain.attach(DropoutLayer(keep_prob=0.5, name="dropout3"))
    return brain


def test_blocks_without_variables_may_share_a_name_as_in_akid():
    brain = maxout_tail()
    names = [b.name for b in brain.blocks]
    assert names == ["dropout3", "ip1", "maxout4", "dropout3_1", "softmax_linear", "dropout3_2"]
    assert brain.get_layer_by_name("dropout3") is brain.blocks[0]  # akid's: the first
    assert brain(tf.ones([3, 6])).shape == (3, 4)


def test_duplicate_names_of_blocks_with_variables_are_an_error_saying_why():
    brain = Brain(name="b")
    brain.attach(ConvolutionLayer([3, 3], [1, 1], "SAME", out_channel_num=2, name="conv1"))
    with pytest.raises(ValueError, match=r"already has a block named 'conv1'.*both have "
                                         r"variables, which are saved, restored and looked up "
                                         r"by their block's name"):
        brain.attach(BatchNormalizationLayer(name="conv1"))


def test_a_renamed_duplicate_that_makes_variables_is_refused_when_built():
    class Scale(Block):  # a user block that makes a variable; its class does not say so
        def _setup(self, shape):
            self.w = self.make_variable("w", [], {"name": "constant", "value": 2.0})

        def _forward(self, x):
            return x * self.w

    brain = Brain(name="b")
    brain.attach(Scale(name="s"))
    brain.attach(Scale(name="s"))
    with pytest.raises(ValueError, match=r"Block 's_1' \(Scale\) was attached as 's', the name "
                                         r"of Block 's' \(Scale\), which has variables"):
        brain(tf.ones([2, 2]))


LENET_KEYS = [  # what the code before issue 15 wrote for this brain (checked against it)
    "brain/_blocks/bn1/beta/.ATTRIBUTES/VARIABLE_VALUE",
    "brain/_blocks/bn1/gamma/.ATTRIBUTES/VARIABLE_VALUE",
    "brain/_blocks/bn1/moving_mean/.ATTRIBUTES/VARIABLE_VALUE",
    "brain/_blocks/bn1/moving_variance/.ATTRIBUTES/VARIABLE_VALUE",
    "brain/_blocks/conv1/bias/.ATTRIBUTES/VARIABLE_VALUE",
    "brain/_blocks/conv1/weights/.ATTRIBUTES/VARIABLE_VALUE",
    "brain/_blocks/dropout1/generator/_state_var/.ATTRIBUTES/VARIABLE_VALUE",
    "brain/_blocks/ip1/bias/.ATTRIBUTES/VARIABLE_VALUE",
    "brain/_blocks/ip1/weights/.ATTRIBUTES/VARIABLE_VALUE",
]


def small_lenet():
    brain = Brain(name="lenet")
    brain.attach(ConvolutionLayer([3, 3], [1, 1], "SAME", 2, name="conv1",
                                  bag={"filters_to_visual": [0, 1]}))
    brain.attach(BatchNormalizationLayer(name="bn1"))
    brain.attach(ReLULayer(name="relu1"))
    brain.attach(PoolingLayer([2, 2], [2, 2], "SAME", name="pool1"))
    brain.attach(DropoutLayer(0.5, name="dropout1"))
    brain.attach(InnerProductLayer(out_channel_num=3, name="ip1"))
    brain.attach(SoftmaxWithLossLayer(class_num=3, name="loss"))
    brain([tf.ones([2, 4, 4, 1]), tf.constant([0, 1])])
    return brain


def test_checkpoint_keys_of_ordinary_names_are_unchanged_and_round_trip(tmp_path):
    brain = small_lenet()
    path = tf.train.Checkpoint(brain=brain).write(str(tmp_path / "ck"))
    keys = sorted(n for n, _ in tf.train.list_variables(path)
                  if n != "_CHECKPOINTABLE_OBJECT_GRAPH")
    assert keys == LENET_KEYS  # `bag` adds nothing to the checkpoint
    fresh = small_lenet()
    tf.train.Checkpoint(brain=fresh).read(path).assert_consumed()
    for a, b in zip(brain.var_list, fresh.var_list):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_block_constructor_arguments_of_akid():
    conv = ConvolutionLayer([3, 3], [1, 1, 1, 1], "SAME", out_channel_num=2, name="conv1",
                            do_summary=False, bag={"filters_to_visual": [0, 1]})
    assert conv.bag == {"filters_to_visual": [0, 1]} and conv.do_summary is False
    assert ReLULayer(name="r").do_summary is True and ReLULayer(name="r").bag is None
    assert WhitenJoker(name="w").do_summary is False  # akid's jokers: no summaries
    assert GraphSystem(moving_average_decay=0.99, name="maxout").moving_average_decay == 0.99
    with pytest.raises(ValueError, match=r"GraphSystem: moving_average_decay must be a finite "
                                         r"number in \[0.5, 1.0\), got 0.3"):
        GraphSystem(moving_average_decay=0.3, name="maxout-relu-cifar10")


def test_get_last_layer_name_and_is_empty():
    brain = Brain(name="b")
    assert brain.is_empty
    brain.attach(ReLULayer(name="relu1"))
    brain.attach(ReLULayer(name="relu2"))
    assert not brain.is_empty and brain.get_last_layer_name() == "relu2"


# -- cnn_block ----------------------------------------------------------------------


def test_silent_difference_cnn_block_pools_2x2_by_default():
    block = cnn_block(ksize=[5, 5], out_channel_num=4)
    assert block(tf.zeros([2, 28, 28, 1])).shape == (2, 14, 14, 4)
    pool = block.get_layer_by_name("pool")
    assert pool.ksize == (2, 2) and pool.strides == (2, 2) and pool.padding == "SAME"
    assert cnn_block(ksize=[5, 5], pool_size=None)(tf.zeros([1, 8, 8, 1])).shape == (1, 8, 8, 32)
    assert cnn_block(ksize=None, out_channel_num=3)(tf.zeros([2, 8])).shape == (2, 3)


def test_cnn_block_keeps_akids_order_and_pool_stride():
    block = cnn_block(ksize=[3, 3], out_channel_num=4, pool_size=[3, 3], bn={"gamma_init": 1})
    assert [b.name for b in block.blocks] == ["conv", "pool", "bn", "activation"]
    assert block.get_layer_by_name("pool").strides == (2, 2)  # akid's pool_stride default
    before = cnn_block(ksize=[3, 3], bn=True, activation_before_pooling=True, keep_prob=0.5)
    assert [b.name for b in before.blocks] == ["conv", "bn", "activation", "pool", "dropout"]


def test_cnn_block_arguments_of_akid():
    block = cnn_block(ksize=[3, 3], out_channel_num=4, initial_bias_value=0.1,
                      conv_padding="VALID", max_norm=0.5, pool_size=None)
    block(tf.zeros([1, 5, 5, 1]))
    conv = block.get_layer_by_name("conv")
    assert conv.padding == "VALID" and conv.max_norm == 0.5
    np.testing.assert_allclose(conv.bias.numpy(), 0.1)
    ip = cnn_block(out_channel_num=3, initial_bias_value=0.1)
    ip(tf.zeros([1, 4]))
    np.testing.assert_allclose(ip.get_layer_by_name("ip").bias.numpy(), 0.1)
    with pytest.raises(ValueError, match=r"pool_size=\[3, 3\] needs a convolution"):
        cnn_block(out_channel_num=3, pool_size=[3, 3])


def test_unnamed_cnn_blocks_are_named_as_akid_so_its_inputs_references_work():
    brain = Brain(name="sugar_mnist")  # akid/examples/mnist/block_mnist.py, smaller
    brain.attach(cnn_block(ksize=[5, 5], out_channel_num=4, pool_size=[2, 2]))
    brain.attach(cnn_block(ksize=[5, 5], out_channel_num=4, pool_size=[5, 5]))
    brain.attach(cnn_block(ksize=None, out_channel_num=8, keep_prob=0.5))
    brain.attach(cnn_block(ksize=None, out_channel_num=10, activation=None))
    brain.attach(SoftmaxWithLossLayer(class_num=10, inputs=[{"name": "ip4", "idxs": [0]},
                                                            {"name": "system_in", "idxs": [1]}],
                                      name="loss"))
    assert [b.name for b in brain.blocks] == ["conv1", "conv2", "ip3", "ip4", "loss"]
    brain([tf.zeros([2, 28, 28, 1]), tf.constant([1, 2])])
    assert np.isfinite(float(brain.loss))


@pytest.mark.parametrize("activation,layer", [
    ({"type": "maxout", "group_size": 2}, CollapseOutLayer),
    ({"type": "gsmax", "group_size": 2}, GroupSoftmaxLayer),
    ({"type": "linearize", "group_size": 2}, GroupSoftmaxLayer),  # akid's older name
    ({"type": "ngsmax", "group_size": 2}, SoftmaxNormalizationLayer),
    ({"type": "gsoftmax", "group_size": 2}, SoftmaxNormalizationLayer),  # akid's older name
])
def test_cnn_block_activations_of_akid(activation, layer):
    block = cnn_block(out_channel_num=4, activation=activation)
    assert isinstance(block.get_layer_by_name("activation"), layer)
    assert block(tf.zeros([2, 3])).shape[0] == 2


# -- defaults -------------------------------------------------------------------------


def test_weighted_layer_defaults_are_todays_and_akids_are_one_argument_away():
    """The decision (README, "Coming from akid"): xavier and no weight decay by default;
    AKID_INIT / AKID_WD are akid's truncated_normal 0.1 and L2 5e-4."""
    today = InnerProductLayer(out_channel_num=400, name="ip")
    today(tf.zeros([1, 400]))
    limit = math.sqrt(6.0 / 800)
    assert today.wd is None and np.abs(today.weights.numpy()).max() <= limit
    assert np.abs(today.weights.numpy()).max() > 0.9 * limit  # uniform up to the limit
    brain = Brain(name="b")
    brain.attach(InnerProductLayer(out_channel_num=400, init_para=AKID_INIT, wd=AKID_WD,
                                   name="ip"))
    brain(tf.ones([1, 400]))
    w = brain.get_variable("ip/weights").numpy()
    assert np.abs(w).max() <= 0.2 and 0.08 < w.std() < 0.095  # truncated at 2 stddev
    np.testing.assert_allclose(float(brain.loss), 5e-4 * np.sum(w ** 2) / 2, rtol=1e-4)


def test_silent_difference_pooling_layer_pads_valid_by_default_as_akid():
    assert PoolingLayer([1, 2, 2, 1], [1, 2, 2, 1]).padding == "VALID"
    assert PoolingLayer([3, 3], [2, 2])(tf.zeros([1, 6, 6, 1])).shape == (1, 2, 2, 1)


@pytest.mark.parametrize("init_para,check", [
    ({"name": "msra_init"}, lambda w: 0.8 < w.std() / math.sqrt(2 / (9 * 64)) < 0.95),
    ({"name": "msra_init", "factor": 2.0}, lambda w: 1.6 < w.std() / math.sqrt(2 / 576) < 1.9),
    ({"name": "default"}, lambda w: np.abs(w).max() <= 1 / math.sqrt(9 * 16)),
    ({"name": "uniform_unit_scaling", "factor": 1.0},
     lambda w: np.abs(w).max() <= math.sqrt(3 / 144) < 1.1 * np.abs(w).max()),
])
def test_akids_initializer_names(init_para, check):
    conv = ConvolutionLayer([3, 3], [1, 1], "SAME", out_channel_num=64, init_para=init_para)
    conv(tf.zeros([1, 4, 4, 16]))
    assert check(conv.weights.numpy())


def test_max_norm_clips_each_filter_after_an_update():
    conv = ConvolutionLayer([3, 3], [1, 1], "SAME", out_channel_num=4,
                            init_para={"name": "uniform", "range": 1.0}, max_norm=0.5)
    x = tf.random.normal([2, 5, 5, 3])
    conv(x)
    optimizer = tf.keras.optimizers.SGD(0.1)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(conv(x))
    optimizer.apply_gradients(zip(tape.gradient(loss, conv.trainable_variables),
                                  conv.trainable_variables))
    norms = np.sqrt((conv.weights.numpy() ** 2).sum(axis=(0, 1, 2)))
    assert np.all(norms <= 0.5 + 1e-5) and np.all(norms > 0.49)


# -- layers -----------------------------------------------------------------------------


def test_batch_normalization_arguments_of_akid():
    bn = BatchNormalizationLayer(gamma_init=2.0, beta_init=0.5, fix_gamma=True, name="bn")
    bn(tf.random.normal([8, 3]))
    assert not bn.gamma.trainable and all(v is not bn.gamma for v in bn.trainable_variables)
    np.testing.assert_allclose(bn.gamma.numpy(), 2.0)
    np.testing.assert_allclose(bn.beta.numpy(), 0.5)
    shared = BatchNormalizationLayer(share_gamma=True, name="bn")
    shared(tf.random.normal([8, 2, 2, 3]))
    assert shared.gamma.shape == ()
    off = BatchNormalizationLayer(gamma_init=0, name="bn")
    off(tf.random.normal([8, 3]))
    assert off.gamma is None  # akid: gamma_init 0 means no gamma


def lrn_ref(x, depth_radius=4, bias=1.0, alpha=0.001 / 9.0, beta=0.75):
    squares = np.pad(x ** 2, [(0, 0)] * 3 + [(depth_radius, depth_radius)])
    window = sum(squares[..., i:i + x.shape[-1]] for i in range(2 * depth_radius + 1))
    return x / (bias + alpha * window) ** beta


def test_lrn_layer_with_akids_defaults():
    x = 5 * randn(2, 3, 3, 10)
    check_block(lambda: LRNLayer(), x, lambda x, b: lrn_ref(x), atol=1e-4,
                wrong_rank_input=np.zeros((3, 10), np.float32))


def test_grouped_layers_of_akid():
    x = randn(2, 3, 8)
    groups = x.reshape(2, 3, 4, 2)
    check_block(lambda: MaxoutLayer(), x, lambda x, b: groups.max(-1))  # akid's group_size 2
    check_block(lambda: CollapseOutLayer(group_size=2, type="average_out"), x,
                lambda x, b: groups.mean(-1))

    def group_softmax(x, b):
        e = np.exp(groups)
        return (e / (e.sum(-1, keepdims=True) + np.e)).reshape(x.shape)
    check_block(lambda: GroupSoftmaxLayer(group_size=2), x, group_softmax)

    def softmax_within(x, b):
        e = np.exp(groups)
        return (e / e.sum(-1, keepdims=True)).reshape(x.shape)
    check_block(lambda: SoftmaxNormalizationLayer(group_size=2), x, softmax_within)
    with pytest.raises(ValueError, match=r"the last axis \(8\) must divide by group_size 3"):
        CollapseOutLayer(group_size=3, name="c")(tf.zeros([2, 8]))


def test_shape_layers_with_akids_arguments():
    x = randn(2, 4, 4, 3)
    check_block(lambda: PaddingLayer(), x,  # akid's default [1, 1]
                lambda x, b: np.pad(x, [(0, 0), (1, 1), (1, 1), (0, 0)]))
    check_block(lambda: PaddingLayer(padding=[0, 0, 0, 2]), x,  # akid's ResNet shortcut
                lambda x, b: np.pad(x, [(0, 0), (0, 0), (0, 0), (2, 2)]))
    check_block(lambda: ReshapeLayer(), x, lambda x, b: x.reshape(2, -1))  # akid: flatten
    pieces = ScatterLayer(scatter_len_list=[1, 2], name="scatter")(tf.constant(x))
    np.testing.assert_array_equal(pieces[1].numpy(), x[..., 1:3])


# -- jokers -----------------------------------------------------------------------------


def test_crop_joker_center_and_central_fraction_as_akid():
    images = tf.reshape(tf.range(2 * 8 * 8 * 1, dtype=tf.float32), [2, 8, 8, 1])
    center = CropJoker(height=4, width=4, center=True, name="crop")
    np.testing.assert_array_equal(center.augment(images, SEED, training=True),
                                  images[:, 2:6, 2:6])  # the center in training too
    padded = CropJoker(height=10, width=10, center=True).augment(images, SEED)
    assert padded.shape == (2, 10, 10, 1)  # akid's resize_image_with_crop_or_pad pads
    fraction = CropJoker(center=True, central_fraction=0.5, name="center_crop")
    np.testing.assert_array_equal(fraction.augment(images, SEED), images[:, 2:6, 2:6])
    with pytest.raises(ValueError, match=r"central_fraction=0.5 crops the center; give "
                                         r"center=True"):
        CropJoker(central_fraction=0.5)


def test_light_joker_without_arguments_is_akids():
    joker = LightJoker(name="brightness_contrast")
    assert joker.brightness == 63.0 and joker.contrast == (0.2, 1.8)
    assert LightJoker(brightness=False).contrast == (0.2, 1.8)
    assert LightJoker(brightness=20.0).contrast is None  # today's call keeps its meaning
    images = tf.fill([4, 6, 6, 3], 128.0)
    assert not np.allclose(joker.augment(images, SEED, training=True), images)


def test_resize_joker_as_akid():
    images = tf.random.uniform([2, 8, 6, 3])
    out = ResizeJoker(4, 3, name="resize").augment(images, SEED)
    np.testing.assert_allclose(out, tf.image.resize(images, [4, 3]), atol=1e-6)
    nearest = ResizeJoker(16, 12, resize_method=1).augment(images, SEED)
    np.testing.assert_array_equal(nearest[:, ::2, ::2], images)


class ColorJoker(Joker):
    """A joker as akid/examples/imagenet.py writes one: per-image ops on ONE image, `_setup`."""

    def _setup(self, data_in):
        assert data_in.shape.rank == 3  # one image, as akid gave it
        data = tf.image.random_saturation(data_in, lower=0.5, upper=1.5)  # AdjustSaturation
        self._data = tf.clip_by_value(tf.image.random_hue(data, max_delta=0.2), 0.0, 1.0)


class AdhocJoker(Joker):
    """Later akid's style: `_forward` on one image, returning it; it may change the shape."""

    def _forward(self, data_in):
        return tf.reshape(data_in * 2.0 - 1.0, [4, 4, 3])


def test_a_joker_written_akids_way_works_on_batches():
    images = tf.random.uniform([5, 4, 4, 3])
    color = ColorJoker(name="color_distortion")
    out = tf.function(lambda x: color.augment(x, SEED, True))(images)
    assert out.shape == (5, 4, 4, 3) and np.all(out.numpy() >= 0) and np.all(out.numpy() <= 1)
    assert not np.allclose(out, images) and not hasattr(color, "_data")
    scaled = AdhocJoker(name="to_1_-1").augment(images, SEED, training=False)
    np.testing.assert_allclose(scaled, images * 2 - 1, atol=1e-6)
    assert color(images).shape == (5, 4, 4, 3)  # the Block interface too


def test_pre_akid_stddev_and_weight_decay_arguments_name_their_replacement():
    """akid's CIFAR-10 maxout examples pass `stddev=` and `weight_decay=`, which no version
    of akid's layers took: the error gives the init_para and wd they mean."""
    with pytest.raises(TypeError, match=r"ConvolutionLayer 'conv1': stddev and weight_decay "
                                        r"are not arguments .* init_para=\{'name': "
                                        r"'truncated_normal', 'stddev': 0.005\}, "
                                        r"wd=\{'type': 'l2', 'scale': 0.0005\}"):
        ConvolutionLayer([8, 8], [1, 1, 1, 1], "SAME", stddev=0.005, weight_decay=0.0005,
                         out_channel_num=192, name="conv1")
    with pytest.raises(TypeError, match=r"InnerProductLayer 'ip1': stddev is not an"):
        InnerProductLayer(stddev=0.005, out_channel_num=500, name="ip1")
