"""Every layer through the one harness, against references written here in numpy/scipy."""
import numpy as np
import pytest
import scipy.signal
import scipy.special
import scipy.stats
import tensorflow as tf

from akid import (AccuracyLayer, BatchNormalizationLayer, Brain, ConvolutionLayer, DropoutLayer,
                  ELULayer, FlattenLayer, GRULayer, HingeLossLayer, InnerProductLayer,
                  LeakyReLULayer, LSTMLayer, MaxoutLayer, MergeLayer, MSELossLayer,
                  PaddingLayer, PoolingLayer, ReLULayer, ReshapeLayer, SigmoidLayer,
                  SoftmaxLayer, SoftmaxWithLossLayer, TanhLayer)
from harness import check_block

rng = np.random.default_rng(1234)


def randn(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# -- references ----------------------------------------------------------------------------


def same_pads(size, k, s):
    """TensorFlow's SAME rule: output ceil(size / s), the extra pixel at the end."""
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return out, (total // 2, total - total // 2)


def windows(x, k, s, padding, fill):
    """Yields (i, j, window) over NHWC `x` for a k x k window moved by s."""
    n, h, w, c = x.shape
    if padding == "SAME":
        oh, ph = same_pads(h, k[0], s[0])
        ow, pw = same_pads(w, k[1], s[1])
        x = np.pad(x, [(0, 0), ph, pw, (0, 0)], constant_values=fill)
    else:
        oh, ow = (h - k[0]) // s[0] + 1, (w - k[1]) // s[1] + 1
    for i in range(oh):
        for j in range(ow):
            yield i, j, x[:, i * s[0]: i * s[0] + k[0], j * s[1]: j * s[1] + k[1], :], (oh, ow)


def conv_ref(x, w, b, s, padding):
    k = w.shape[:2]
    out = None
    for i, j, win, (oh, ow) in windows(x, k, s, padding, 0.0):
        if out is None:
            out = np.zeros((x.shape[0], oh, ow, w.shape[-1]))
        out[:, i, j, :] = np.tensordot(win, w, axes=([1, 2, 3], [0, 1, 2]))
    return out + (0 if b is None else b)


def pool_ref(x, k, s, padding, kind):
    out = None
    fill = -np.inf if kind == "max" else np.nan
    for i, j, win, (oh, ow) in windows(x, k, s, padding, fill):
        if out is None:
            out = np.zeros((x.shape[0], oh, ow, x.shape[-1]))
        # TensorFlow's average excludes the padding.
        out[:, i, j, :] = win.max(axis=(1, 2)) if kind == "max" else np.nanmean(win, axis=(1, 2))
    return out


def log_softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


# -- the references themselves, checked once -----------------------------------------------


def test_conv_reference_agrees_with_scipy():
    x, w = randn(1, 6, 7, 2), randn(3, 3, 2, 1)
    expected = sum(scipy.signal.correlate(x[0, :, :, c], w[:, :, c, 0], mode="valid")
                   for c in range(2))
    np.testing.assert_allclose(conv_ref(x, w, None, (1, 1), "VALID")[0, :, :, 0], expected,
                               atol=1e-5)
    same = sum(scipy.signal.correlate(x[0, :, :, c], w[:, :, c, 0], mode="same")
               for c in range(2))
    np.testing.assert_allclose(conv_ref(x, w, None, (1, 1), "SAME")[0, :, :, 0], same,
                               atol=1e-5)


# -- weighted layers -----------------------------------------------------------------------


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("ksize", [[3, 3], [1, 2, 3, 1]])
def test_convolution(padding, stride, ksize):
    x = randn(3, 7, 8, 2)

    def make():
        return ConvolutionLayer(ksize=ksize, strides=[stride, stride], padding=padding,
                                out_channel_num=4, initial_bias_value=0.3, name="conv1")

    def reference(x, block):
        return conv_ref(x, block.weights.numpy(), block.bias.numpy(), (stride, stride), padding)

    block, out = check_block(make, x, reference, atol=1e-4,
                             wrong_rank_input=np.zeros((3, 7, 8), np.float32))
    k = ksize[1:3] if len(ksize) == 4 else ksize
    assert block.weights.shape == (*k, 2, 4)
    assert [v.name for v in block.var_list] == ["conv1/weights:0", "conv1/bias:0"]


def test_convolution_without_bias():
    block, _ = check_block(
        lambda: ConvolutionLayer([2, 2], [1, 1], "VALID", 3, initial_bias_value=None),
        randn(2, 5, 5, 1),
        lambda x, b: conv_ref(x, b.weights.numpy(), None, (1, 1), "VALID"), atol=1e-4)
    assert len(block.var_list) == 1


def test_inner_product():
    def reference(x, block):
        return x.reshape(len(x), -1) @ block.weights.numpy() + block.bias.numpy()

    block, out = check_block(
        lambda: InnerProductLayer(out_channel_num=5, initial_bias_value=-0.2, name="ip1"),
        randn(4, 3, 2, 2), reference, atol=1e-4)
    assert block.weights.shape == (12, 5)
    assert out.shape == (4, 5)


@pytest.mark.parametrize("make,variable", [
    (lambda: InnerProductLayer(out_channel_num=3, name="layer"),
     r"'weights': its shape \[None, 3\]"),
    (lambda: ConvolutionLayer([3, 3], [1, 1], "SAME", 2, name="layer"),
     r"'weights': its shape \[3, 3, None, 2\]"),
    (lambda: BatchNormalizationLayer(name="layer"), r"'gamma': its shape \[None\]"),
])
def test_weights_need_known_input_dimensions(make, variable):
    layer = make()
    build = tf.function(lambda x: layer(x), input_signature=[tf.TensorSpec([None, 4, 4, None])])
    with pytest.raises(ValueError, match=rf"Block 'layer' \({type(layer).__name__}\) cannot size "
                                         rf"its variable {variable} depends on an input "
                                         r"dimension that is unknown"):
        build(tf.ones([2, 4, 4, 2]))
    assert not layer.is_setup
    assert layer(tf.ones([2, 4, 4, 2])).shape[0] == 2  # a static shape then builds it


# -- pooling -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("padding,ksize,stride", [("SAME", 3, 2), ("VALID", 3, 2),
                                                  ("SAME", 2, 2), ("VALID", 2, 1)])
def test_pooling(kind, padding, ksize, stride):
    x = randn(2, 7, 6, 3)
    check_block(lambda: PoolingLayer(ksize=[ksize, ksize], strides=[1, stride, stride, 1],
                                     padding=padding, type=kind),
                x, lambda x, b: pool_ref(x, (ksize, ksize), (stride, stride), padding, kind),
                wrong_rank_input=np.zeros((7, 6, 3), np.float32))


# -- activations ---------------------------------------------------------------------------


@pytest.mark.parametrize("make,formula", [
    (ReLULayer, lambda x: np.maximum(x, 0)),
    (SigmoidLayer, sigmoid),
    (TanhLayer, np.tanh),
    (SoftmaxLayer, lambda x: np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)),
    (ELULayer, lambda x: np.where(x > 0, x, np.expm1(x))),
    (lambda: LeakyReLULayer(alpha=0.1), lambda x: np.where(x > 0, x, 0.1 * x)),
    (LeakyReLULayer, lambda x: np.where(x > 0, x, 0.2 * x)),  # akid's default alpha
])
def test_activation(make, formula):
    x = 3 * randn(4, 5, 6)
    block, out = check_block(make, x, lambda x, b: formula(x.astype(np.float64)))
    assert block.var_list == []


def test_softmax_rows_sum_to_one():
    _, out = check_block(SoftmaxLayer, 10 * randn(3, 7))
    np.testing.assert_allclose(out.numpy().sum(axis=1), 1.0, atol=1e-6)


def test_maxout():
    x = randn(3, 4, 4, 6)
    # Groups of consecutive channels: output channel k is max(x[..., 2k], x[..., 2k + 1]).
    _, out = check_block(lambda: MaxoutLayer(group_size=2), x,
                         lambda x, b: np.maximum(x[..., 0::2], x[..., 1::2]))
    assert out.shape == (3, 4, 4, 3)
    check_block(lambda: MaxoutLayer(group_size=3), randn(5, 6),
                lambda x, b: np.stack([x[:, :3].max(1), x[:, 3:].max(1)], axis=1))


def test_maxout_refuses_channels_that_do_not_divide():
    with pytest.raises(ValueError, match=r"Block 'maxout_layer' \(MaxoutLayer\).*\(5\).*"
                                         r"group_size 2.*\(3, 5\)"):
        MaxoutLayer(group_size=2)(tf.zeros([3, 5]))


# -- batch normalization -------------------------------------------------------------------


def bn_ref(x, mean, var, gamma, beta, eps):
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def make_bn():
    bn = BatchNormalizationLayer(momentum=0.8, epsilon=1e-3, name="bn")
    return bn


def test_batch_norm_train_uses_batch_statistics():
    x = 2 * randn(6, 3, 3, 4) + 5

    def reference(x, block):
        x = x.astype(np.float64)
        return bn_ref(x, x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2)),
                      block.gamma.numpy(), block.beta.numpy(), 1e-3)

    block, out = check_block(make_bn, x, reference, atol=1e-4, mode="train")
    assert {v.name for v in block.trainable_variables} == {"bn/gamma:0", "bn/beta:0"}
    # gamma and beta are applied.
    block.gamma.assign([1.0, 2.0, 0.5, -1.0])
    block.beta.assign([0.0, 1.0, -1.0, 3.0])
    np.testing.assert_allclose(block(x).numpy(), reference(x, block), atol=1e-4)


@pytest.mark.parametrize("compiled", [False, True])
def test_batch_norm_moving_averages_follow_the_momentum_formula(compiled):
    x1, x2 = 2 * randn(8, 5) + 3, randn(8, 5) - 1
    bn = make_bn()
    call = tf.function(bn) if compiled else bn
    call(tf.constant(x1))
    mean, var = 0.0, 1.0  # initial moving statistics
    mean = 0.8 * mean + 0.2 * x1.mean(0)
    var = 0.8 * var + 0.2 * x1.var(0)
    np.testing.assert_allclose(bn.moving_mean.numpy(), mean, atol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), var, atol=1e-5)
    call(tf.constant(x2))
    mean = 0.8 * mean + 0.2 * x2.mean(0)
    var = 0.8 * var + 0.2 * x2.var(0)
    np.testing.assert_allclose(bn.moving_mean.numpy(), mean, atol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), var, atol=1e-5)


@pytest.mark.parametrize("warm_up", [True, False])
def test_batch_norm_warms_up_on_a_kids_global_step(warm_up):
    """In a training pass given the global step t (as a Kid's is), the momentum is akid's
    min(momentum, (1 + t) / (10 + t)); with warm_up=False, or without a step, it is not."""
    x = 2 * randn(8, 5) + 3
    bn = BatchNormalizationLayer(momentum=0.8, warm_up=warm_up, name="bn")
    brain = Brain(name="b")
    brain.attach(bn)
    brain.set_mode("train")
    expected_mean = np.zeros(5)
    for step in (0, 5, 200):
        brain.compute([tf.constant(x)], step=tf.constant(step, tf.int64))
        momentum = min(0.8, (1 + step) / (10 + step)) if warm_up else 0.8
        expected_mean = momentum * expected_mean + (1 - momentum) * x.mean(0)
        np.testing.assert_allclose(bn.moving_mean.numpy(), expected_mean, rtol=1e-5)
    brain.compute([tf.constant(x)])  # no step: the plain formula
    np.testing.assert_allclose(bn.moving_mean.numpy(),
                               0.8 * expected_mean + 0.2 * x.mean(0), rtol=1e-5)


@pytest.mark.parametrize("mode", ["val", "test"])
def test_batch_norm_val_uses_moving_statistics(mode):
    x = randn(5, 4) + 2
    moving_mean = np.array([0.5, -1.0, 2.0, 0.0], np.float32)
    moving_var = np.array([1.5, 0.25, 4.0, 1.0], np.float32)

    def make():
        bn = make_bn()
        bn.post_setup_hook.append(lambda b, _: (b.moving_mean.assign(moving_mean),
                                                b.moving_variance.assign(moving_var)))
        return bn

    block, _ = check_block(
        make, x, lambda x, b: bn_ref(x, moving_mean, moving_var, 1.0, 0.0, 1e-3), mode=mode)
    # Val mode does not move the averages.
    np.testing.assert_allclose(block.moving_mean.numpy(), moving_mean)
    np.testing.assert_allclose(block.moving_variance.numpy(), moving_var)


@pytest.mark.parametrize("kwargs,error,match", [
    ({"momentum": 1.5}, ValueError, r"momentum must be a finite number in \[0.0, 1.0\], got 1.5"),
    ({"momentum": "0.9"}, TypeError, r"momentum must be a number, got '0.9' \(str\)"),
    ({"epsilon": 0.0}, ValueError, r"epsilon must be a finite number > 0.0, got 0.0"),
    ({"epsilon": -1e-3}, ValueError, r"epsilon must be a finite number > 0.0, got -0.001"),
    ({"use_scale": 1}, TypeError, r"use_scale must be True or False, got 1 \(int\)"),
    ({"use_shift": "no"}, TypeError, r"use_shift must be True or False, got 'no'"),
    ({"wd": "nonsense"}, TypeError, r"wd must be \{'type': 'l2'\|'l1', 'scale': s\} or None, "
                                    r"got 'nonsense' \(str\)"),
    ({"wd": {"type": "l2"}}, ValueError, r"wd must be .*, got \{'type': 'l2'\}"),
    ({"wd": {"type": "l2", "scale": -1}}, ValueError, r"wd scale must be a finite number >= 0"),
])
def test_batch_norm_checks_its_arguments_at_construction(kwargs, error, match):
    with pytest.raises(error, match=r"^Block 'bn' \(BatchNormalizationLayer\): " + match):
        BatchNormalizationLayer(name="bn", **kwargs)


def test_batch_norm_refuses_rank_1_input():
    # It used to normalize a rank-1 batch over its only axis and return zeros.
    with pytest.raises(ValueError, match=r"Block 'bn' \(BatchNormalizationLayer\) expects input "
                                         r"of rank >= 2 \(N, \.\.\., C\), got shape \(6,\)"):
        BatchNormalizationLayer(name="bn")(tf.range(6, dtype=tf.float32))
    with pytest.raises(ValueError, match=r"Block 'bn' \(BatchNormalizationLayer\) expects "
                                         r"floating-point input, got int32"):
        BatchNormalizationLayer(name="bn")(tf.zeros([4, 3], tf.int32))


# -- dropout -------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["val", "test"])
def test_dropout_is_identity_outside_training(mode):
    check_block(lambda: DropoutLayer(keep_prob=0.3), randn(4, 10), lambda x, b: x, mode=mode)


def test_dropout_keeps_about_keep_prob_and_scales_survivors():
    x = np.ones((200, 500), np.float32)
    block, out = check_block(lambda: DropoutLayer(keep_prob=0.7), x, mode="train",
                             deterministic=False)
    out = out.numpy()
    kept = out != 0
    assert abs(kept.mean() - 0.7) < 0.01  # 100,000 Bernoulli(0.7): sd 0.0014
    np.testing.assert_allclose(out[kept], 1 / 0.7, rtol=1e-6)
    # Two calls drop different units.
    assert not np.array_equal(block(x).numpy() != 0, kept)


def test_dropout_keep_prob_one_is_identity_in_training():
    check_block(lambda: DropoutLayer(keep_prob=1.0), randn(3, 4), lambda x, b: x)


# -- shape layers --------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["CONSTANT", "REFLECT", "SYMMETRIC"])
def test_padding_batch(mode):
    check_block(lambda: PaddingLayer([2, 1], mode=mode), randn(2, 5, 4, 3),
                lambda x, b: np.pad(x, [(0, 0), (2, 2), (1, 1), (0, 0)], mode=mode.lower()),
                atol=0, wrong_rank_input=np.zeros((5, 4), np.float32))


def test_padding_single_image():
    check_block(lambda: PaddingLayer([1, 3]), randn(5, 4, 3),
                lambda x, b: np.pad(x, [(1, 1), (3, 3), (0, 0)]), atol=0)


def test_reshape_and_flatten():
    x = randn(4, 6, 2)
    check_block(lambda: ReshapeLayer([3, 4, 1]), x, lambda x, b: x.reshape(4, 3, 4, 1), atol=0)
    check_block(lambda: ReshapeLayer([-1, 2]), x, lambda x, b: x.reshape(4, 6, 2), atol=0)
    check_block(FlattenLayer, randn(3, 2, 5, 2), lambda x, b: x.reshape(3, -1), atol=0)


def test_reshape_refuses_a_wrong_size():
    with pytest.raises(ValueError, match=r"Block 'reshape' \(ReshapeLayer\).*\(6, 2\).*12"):
        ReshapeLayer([5, 5], name="reshape")(tf.zeros([4, 6, 2]))


def test_merge():
    a, b = randn(3, 4, 2), randn(3, 4, 2)
    check_block(lambda: MergeLayer(mode="sum"), [a, b], lambda x, _: x[0] + x[1])
    check_block(lambda: MergeLayer(mode="concat"), [a, randn(3, 4, 5)],
                lambda x, _: np.concatenate(x, axis=-1), atol=0)
    check_block(lambda: MergeLayer(mode="concat", axis=1), [a, b, a],
                lambda x, _: np.concatenate(x, axis=1), atol=0)


def test_merge_sum_refuses_shapes_that_differ():
    with pytest.raises(ValueError, match=r"Block 'add' \(MergeLayer\).*\(3, 4\), \(3, 5\)"):
        MergeLayer(mode="sum", name="add")([tf.zeros([3, 4]), tf.zeros([3, 5])])


# -- recurrent -----------------------------------------------------------------------------


def lstm_ref(x, block):
    w, b = block.weights.numpy().astype(np.float64), block.bias.numpy()
    n_units = block.num_units
    c = h = np.zeros((x.shape[0], n_units))
    hs = []
    for t in range(x.shape[1]):
        z = np.concatenate([x[:, t], h], axis=1) @ w + b
        i, f, g, o = (z[:, k * n_units:(k + 1) * n_units] for k in range(4))
        c = sigmoid(f + 1.0) * c + sigmoid(i) * np.tanh(g)  # forget bias +1
        h = sigmoid(o) * np.tanh(c)
        hs.append(h)
    return np.stack(hs, axis=1) if block.return_sequences else h


def gru_ref(x, block):
    w, b = block.weights.numpy().astype(np.float64), block.bias.numpy()
    n_units = block.num_units
    d = x.shape[-1]
    h = np.zeros((x.shape[0], n_units))
    hs = []
    for t in range(x.shape[1]):
        xh = np.concatenate([x[:, t], h], axis=1)
        r = sigmoid(xh @ w[:, :n_units] + b[:n_units])
        z = sigmoid(xh @ w[:, n_units:2 * n_units] + b[n_units:2 * n_units])
        n = np.tanh(x[:, t] @ w[:d, 2 * n_units:] + (r * h) @ w[d:, 2 * n_units:]
                    + b[2 * n_units:])
        h = (1 - z) * n + z * h
        hs.append(h)
    return np.stack(hs, axis=1) if block.return_sequences else h


@pytest.mark.parametrize("layer,reference,gates", [(LSTMLayer, lstm_ref, 4),
                                                   (GRULayer, gru_ref, 3)])
@pytest.mark.parametrize("steps", [1, 5])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_recurrent(layer, reference, gates, steps, return_sequences):
    x = randn(3, steps, 4)

    def make():
        return layer(num_units=6, return_sequences=return_sequences,
                     init_para={"name": "uniform", "range": 0.5}, initial_bias_value=0.1)

    block, out = check_block(make, x, reference, atol=1e-5,
                             wrong_rank_input=np.zeros((3, 4), np.float32))
    assert block.weights.shape == (4 + 6, gates * 6)
    assert out.shape == ((3, steps, 6) if return_sequences else (3, 6))


# -- losses and metrics --------------------------------------------------------------------


def test_softmax_with_loss_int_labels():
    logits, labels = 3 * randn(6, 4), rng.integers(0, 4, 6).astype(np.int64)
    check_block(lambda: SoftmaxWithLossLayer(class_num=4), [logits, labels],
                lambda x, b: -log_softmax(x[0].astype(np.float64))[np.arange(6), x[1]].mean())


def test_softmax_with_loss_one_hot_and_soft_labels():
    logits = 3 * randn(6, 4)
    onehot = np.eye(4, dtype=np.float32)[rng.integers(0, 4, 6)]
    soft = scipy.special.softmax(randn(6, 4), axis=1).astype(np.float32)
    for labels in (onehot, soft):
        check_block(lambda: SoftmaxWithLossLayer(class_num=4), [logits, labels],
                    lambda x, b: -(x[1] * log_softmax(x[0].astype(np.float64))).sum(1).mean())


def test_softmax_with_loss_refuses_logits_of_another_class_num():
    with pytest.raises(ValueError, match=r"Block 'loss' \(SoftmaxWithLossLayer\).*\(N, 10\).*"
                                         r"\(6, 4\)"):
        SoftmaxWithLossLayer(class_num=10, name="loss")([tf.zeros([6, 4]),
                                                         tf.zeros([6], tf.int32)])


def test_mse_loss():
    p, t = randn(5, 3), randn(5, 3)
    check_block(MSELossLayer, [p, t], lambda x, b: ((x[0] - x[1]) ** 2).mean())


def test_hinge_loss_weston_watkins():
    scores, labels = randn(7, 5), rng.integers(0, 5, 7).astype(np.int32)

    def reference(x, block):
        s, y = x
        total = 0.0
        for i in range(len(s)):
            total += sum(max(0.0, 1.0 + s[i, j] - s[i, y[i]]) for j in range(s.shape[1])
                         if j != y[i])
        return total / len(s)

    check_block(HingeLossLayer, [scores, labels], reference)


def test_accuracy():
    scores = randn(8, 3)
    labels = scores.argmax(1).astype(np.int64)
    labels[[1, 4, 6]] = (labels[[1, 4, 6]] + 1) % 3  # three wrong of eight
    _, acc = check_block(AccuracyLayer, [scores, labels],
                         lambda x, b: (x[0].argmax(1) == x[1]).mean())
    assert acc.numpy() == pytest.approx(5 / 8)
    _, acc = check_block(AccuracyLayer, [scores, np.eye(3, dtype=np.float32)[labels]],
                         lambda x, b: (x[0].argmax(1) == x[1].argmax(1)).mean())
    assert acc.numpy() == pytest.approx(5 / 8)


@pytest.mark.parametrize("make", [lambda: SoftmaxWithLossLayer(class_num=4, name="x"),
                                  lambda: MSELossLayer(name="x"), lambda: HingeLossLayer(name="x"),
                                  lambda: AccuracyLayer(name="x")])
def test_loss_and_eval_layers_need_prediction_and_target(make):
    block = make()
    with pytest.raises(ValueError, match=rf"Block 'x' \({type(block).__name__}\) takes "
                                         r"\[prediction, target\], got 1 input\(s\); feed the "
                                         r"brain \[data, labels\]"):
        block(tf.zeros([3, 4]))


def test_hinge_loss_refuses_one_hot_labels():
    with pytest.raises(ValueError, match=r"Block 'hinge' \(HingeLossLayer\) expects scores "
                                         r"\(N, C\) and int labels \(N,\), got \(3, 4\) and "
                                         r"\(3, 4\)"):
        HingeLossLayer(name="hinge")([tf.zeros([3, 4]), tf.one_hot([1, 2, 0], 4)])


# -- initializers --------------------------------------------------------------------------


def weights_of(init_para, shape=(400, 500)):
    """The weights a layer draws with `init_para`: dense (in, out) or conv (h, w, in, out)."""
    if len(shape) == 2:
        layer = InnerProductLayer(out_channel_num=shape[1], init_para=init_para)
        layer(tf.zeros([1, shape[0]]))
    else:
        layer = ConvolutionLayer(ksize=list(shape[:2]), strides=[1, 1], padding="SAME",
                                 out_channel_num=shape[3], init_para=init_para)
        layer(tf.zeros([1, 8, 8, shape[2]]))
    w = layer.weights.numpy()
    assert w.shape == tuple(shape)
    return w.astype(np.float64)


def test_constant_initializer_is_exact():
    np.testing.assert_array_equal(weights_of({"name": "constant", "value": 0.25}, (3, 4)), 0.25)


def test_uniform_initializer():
    w = weights_of({"name": "uniform", "range": 0.3})
    assert w.min() >= -0.3 and w.max() <= 0.3
    assert w.min() < -0.29 and w.max() > 0.29
    assert w.std() == pytest.approx(0.3 / np.sqrt(3), rel=0.02)


def test_normal_initializers():
    w = weights_of({"name": "normal", "stddev": 0.05, "mean": 0.1})
    assert w.mean() == pytest.approx(0.1, abs=0.001)
    assert w.std() == pytest.approx(0.05, rel=0.02)
    w = weights_of({"name": "truncated_normal", "stddev": 0.1})
    assert np.abs(w).max() <= 0.2  # cut at two standard deviations
    assert w.std() == pytest.approx(0.1 * scipy.stats.truncnorm(-2, 2).std(), rel=0.02)


@pytest.mark.parametrize("name", ["xavier", "glorot"])
@pytest.mark.parametrize("shape", [(400, 500), (5, 5, 16, 32)])
def test_glorot_initializer(name, shape):
    w = weights_of({"name": name}, shape)
    receptive = np.prod(shape[:-2])
    fan_in, fan_out = shape[-2] * receptive, shape[-1] * receptive
    assert w.std() == pytest.approx(np.sqrt(2.0 / (fan_in + fan_out)), rel=0.03)
    assert np.abs(w).max() <= np.sqrt(6.0 / (fan_in + fan_out))


@pytest.mark.parametrize("name", ["msra", "he"])
@pytest.mark.parametrize("shape", [(400, 500), (5, 5, 16, 32)])
def test_he_initializer(name, shape):
    w = weights_of({"name": name}, shape)
    fan_in = shape[-2] * np.prod(shape[:-2])
    assert w.mean() == pytest.approx(0.0, abs=0.1 * np.sqrt(2.0 / fan_in))
    assert w.std() == pytest.approx(np.sqrt(2.0 / fan_in), rel=0.03)  # He et al.: Var = 2 / fan_in


def test_unknown_initializer_lists_the_known_ones():
    known = ["constant", "glorot", "he", "msra", "normal", "truncated_normal", "uniform",
             "xavier"]
    with pytest.raises(ValueError, match=r"Block 'ip' \(InnerProductLayer\).*unknown "
                                         r"initializer 'kaiming'") as info:
        InnerProductLayer(out_channel_num=3, init_para={"name": "kaiming"}, name="ip")
    for name in known:
        assert repr(name)[1:-1] in str(info.value)
    with pytest.raises(ValueError, match=r"'uniform' takes \['range'\].*\['stddev'\]"):
        InnerProductLayer(out_channel_num=3, init_para={"name": "uniform", "stddev": 1.0})
    with pytest.raises(TypeError, match=r"Block 'ip' \(InnerProductLayer\): init_para stddev "
                                        r"must be a number, got '0.1' \(str\)"):
        InnerProductLayer(out_channel_num=3, init_para={"name": "normal", "stddev": "0.1"},
                          name="ip")


# -- weight decay --------------------------------------------------------------------------


def decay_brain(wd):
    brain = Brain(name="brain")
    brain.attach(ConvolutionLayer([3, 3], [1, 1], "SAME", 4, wd=wd, name="conv1"))
    brain.attach(ReLULayer(name="relu1"))
    brain.attach(InnerProductLayer(out_channel_num=3, wd=wd, name="ip1"))
    brain.attach(SoftmaxWithLossLayer(class_num=3, name="loss"))
    return brain


@pytest.mark.parametrize("kind,term", [("l2", lambda w: (w ** 2).sum() / 2),
                                       ("l1", lambda w: np.abs(w).sum())])
def test_weight_decay_is_added_to_the_brain_loss(kind, term):
    x, y = randn(4, 5, 5, 2), np.array([0, 1, 2, 1])
    plain, decayed = decay_brain(None), decay_brain({"type": kind, "scale": 0.01})
    plain([x, y])
    decayed([x, y])
    for source, target in zip(plain.var_list, decayed.var_list):
        target.assign(source)
    base = plain([x, y]).numpy(), plain.loss.numpy()
    decayed([x, y])
    expected = sum(0.01 * term(decayed.get_variable(name).numpy())
                   for name in ("conv1/weights", "ip1/weights"))
    assert expected > 1e-3
    assert decayed.loss.numpy() == pytest.approx(base[1] + expected, rel=1e-5)
    outcome = decayed.compute([x, y])
    assert set(outcome.losses) == {"loss"}  # the data loss terms only, by block path
    assert outcome.data_loss.numpy() == pytest.approx(base[1], rel=1e-5)
    assert outcome.regularization.numpy() == pytest.approx(expected, rel=1e-5)
    assert outcome.loss.numpy() == pytest.approx(base[1] + expected, rel=1e-5)
    undecayed = plain.compute([x, y])
    assert undecayed.regularization == 0.0 and undecayed.loss is undecayed.data_loss


def test_bad_weight_decay_is_refused():
    with pytest.raises(ValueError, match=r"Block 'ip' \(InnerProductLayer\).*unknown wd type "
                                         r"'l3'; known: l1, l2"):
        InnerProductLayer(out_channel_num=2, wd={"type": "l3", "scale": 0.1}, name="ip")
    with pytest.raises(TypeError, match=r"Block 'ip' \(InnerProductLayer\): wd must be .* or "
                                        r"None, got 0.1 \(float\)"):
        InnerProductLayer(out_channel_num=2, wd=0.1, name="ip")
    with pytest.raises(TypeError, match=r"Block 'ip' \(InnerProductLayer\): wd scale must be a "
                                        r"number, got '1e-4' \(str\)"):
        InnerProductLayer(out_channel_num=2, wd={"type": "l2", "scale": "1e-4"}, name="ip")
