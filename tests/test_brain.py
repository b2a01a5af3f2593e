"""Brains: loss and gradients, nested brains (residual, inception), activations,
summary, graph, tf.function use and the errors that say how to fix a misuse."""
import warnings

import numpy as np
import pytest
import tensorflow as tf

from akid import (Brain, ConvolutionLayer, InnerProductLayer, LeNet, MergeLayer,
                  OneLayerBrain, PoolingLayer, ReLULayer, SoftmaxLayer, SoftmaxWithLossLayer,
                  cnn_block)
from akid.brains.brain import _walk_paths
from harness import check_block

rng = np.random.default_rng(3)


def batch(n=6, size=10, classes=10):
    images = rng.random((n, size, size, 1), dtype=np.float32)
    labels = rng.integers(0, classes, n).astype(np.int64)
    return images, labels


def log_softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


# -- OneLayerBrain -------------------------------------------------------------------------


def test_one_layer_brain_loss_eval_and_gradients():
    images, labels = batch()
    brain = OneLayerBrain(name="brain")
    with tf.GradientTape() as tape:
        logits = brain((images, labels))  # a tuple, as a tf.data batch comes
        loss = brain.loss
    assert logits.shape == (6, 10)
    assert loss.shape == () and np.isfinite(loss.numpy())
    # The loss is the softmax cross-entropy of the logits (numpy), the accuracy their argmax.
    z = logits.numpy().astype(np.float64)
    assert loss.numpy() == pytest.approx(-log_softmax(z)[np.arange(6), labels].mean(), rel=1e-5)
    assert brain.eval["accuracy"].numpy() == pytest.approx((z.argmax(1) == labels).mean())
    variables = brain.trainable_variables
    assert [v.name for v in variables] == [
        "brain/conv1/weights:0", "brain/conv1/bias:0", "brain/ip1/weights:0", "brain/ip1/bias:0"]
    grads = tape.gradient(loss, variables)
    assert all(g is not None for g in grads)
    assert all(np.isfinite(g.numpy()).all() for g in grads)
    assert all(np.abs(g.numpy()).sum() > 0 for g in grads)


def test_one_layer_brain_through_the_harness():
    """A whole brain keeps the layer contract: built once, eager == tf.function, unknown
    batch size, checkpoint round trip."""
    images, labels = batch(n=4)
    brain, logits = check_block(lambda: OneLayerBrain(name="brain"), [images, labels],
                                atol=1e-5, mode="val")
    assert logits.shape == (4, 10)


def test_a_gradient_step_lowers_the_loss():
    images, labels = batch(n=16)
    brain = OneLayerBrain(name="brain")
    brain([images, labels])
    before = brain.loss.numpy()
    optimizer = tf.keras.optimizers.SGD(0.1)
    for _ in range(3):
        with tf.GradientTape() as tape:
            loss = brain.compute([images, labels]).loss
        optimizer.apply_gradients(zip(tape.gradient(loss, brain.trainable_variables),
                                      brain.trainable_variables))
    brain([images, labels])
    assert brain.loss.numpy() < before


# -- nested brains -------------------------------------------------------------------------


def residual_brain():
    unit = Brain(name="unit1")
    unit.attach(cnn_block(ksize=[3, 3], out_channel_num=4, pool_size=None, name="a"))
    unit.attach(cnn_block(ksize=[3, 3], out_channel_num=4, activation=None, pool_size=None,
                          name="b"))
    unit.attach(MergeLayer(mode="sum", inputs=["b", {"name": "system_in", "idxs": [0]}],
                           name="add"))
    brain = Brain(name="resnet")
    brain.attach(ConvolutionLayer([3, 3], [1, 1], "SAME", 4, name="conv0"))
    brain.attach(unit)
    brain.attach(ReLULayer(name="relu"))
    brain.attach(InnerProductLayer(out_channel_num=3, name="ip"))
    brain.attach(SoftmaxWithLossLayer(class_num=3, name="loss"))
    return brain


def test_residual_unit():
    images, labels = batch(n=4, size=6, classes=3)
    brain = residual_brain()
    logits = brain([images, labels])
    assert logits.shape == (4, 3) and np.isfinite(brain.loss.numpy())
    acts = brain.activations([images, labels])
    # The unit adds its input (conv0's output) to its branch.
    np.testing.assert_allclose(acts["unit1"].numpy(),
                               acts["unit1/b"].numpy() + acts["conv0"].numpy(), atol=1e-6)
    np.testing.assert_allclose(acts["unit1/add"].numpy(), acts["unit1"].numpy())
    conv_b = brain.get_layer_by_name("unit1/b/conv")
    expected_b = tf.nn.conv2d(acts["unit1/a"], conv_b.weights, 1, "SAME") + conv_b.bias
    np.testing.assert_allclose(acts["unit1/b"].numpy(), expected_b.numpy(), atol=1e-5)
    np.testing.assert_allclose(acts["relu"].numpy(), np.maximum(acts["unit1"].numpy(), 0))
    graph = brain.graph()
    assert graph["nodes"] == ["system_in", "conv0", "unit1/a/conv", "unit1/a/activation",
                              "unit1/b/conv", "unit1/add", "relu", "ip", "loss"]
    expected = {("system_in", "conv0"),
                ("conv0", "unit1/a/conv"), ("unit1/a/conv", "unit1/a/activation"),
                ("unit1/a/activation", "unit1/b/conv"),
                ("unit1/b/conv", "unit1/add"), ("conv0", "unit1/add"),
                ("unit1/add", "relu"), ("relu", "ip"), ("ip", "loss"), ("system_in", "loss")}
    assert len(graph["edges"]) == len(expected) and set(graph["edges"]) == expected


def inception_brain():
    brain = Brain(name="inception")
    brain.attach(ConvolutionLayer([3, 3], [1, 1], "SAME", 4, name="stem"))
    branch1 = Brain(name="branch1")
    branch1.attach(ConvolutionLayer([1, 1], [1, 1], "SAME", 2, name="conv"))
    branch1.attach(ReLULayer(name="relu"))
    branch2 = Brain(name="branch2", inputs=["stem"])
    branch2.attach(ConvolutionLayer([3, 3], [1, 1], "SAME", 3, name="conv"))
    branch2.attach(PoolingLayer([3, 3], [1, 1], "SAME", name="pool"))
    brain.attach(branch1)
    brain.attach(branch2)
    brain.attach(MergeLayer(mode="concat", inputs=["branch1", "branch2"], name="concat"))
    brain.attach(InnerProductLayer(out_channel_num=3, name="ip"))
    brain.attach(SoftmaxWithLossLayer(class_num=3, name="loss"))
    return brain


def test_inception_branches():
    images, labels = batch(n=4, size=6, classes=3)
    brain = inception_brain()
    brain([images, labels])
    assert np.isfinite(brain.loss.numpy())
    acts = brain.activations([images, labels])
    assert acts["concat"].shape == (4, 6, 6, 5)
    np.testing.assert_allclose(acts["concat"].numpy(), np.concatenate(
        [acts["branch1"].numpy(), acts["branch2"].numpy()], axis=-1))
    # Both branches read the stem.
    for name in ("branch1/conv", "branch2/conv"):
        conv = brain.get_layer_by_name(name)
        expected = tf.nn.conv2d(acts["stem"], conv.weights, 1, "SAME") + conv.bias
        np.testing.assert_allclose(acts[name].numpy(), expected.numpy(), atol=1e-5)
    graph = brain.graph()
    expected = {("system_in", "stem"),
                ("stem", "branch1/conv"), ("branch1/conv", "branch1/relu"),
                ("stem", "branch2/conv"), ("branch2/conv", "branch2/pool"),
                ("branch1/relu", "concat"), ("branch2/pool", "concat"),
                ("concat", "ip"), ("ip", "loss"), ("system_in", "loss")}
    assert len(graph["edges"]) == len(expected) and set(graph["edges"]) == expected
    assert set(graph["nodes"]) == {n for edge in expected for n in edge}


def test_nested_losses_and_weight_decay_add_up():
    images, labels = batch(n=4, size=6, classes=3)
    brain = Brain(name="outer")
    # A nested brain takes the data only by default; this one also takes the labels.
    inner = Brain(name="inner", inputs=[{"name": "system_in", "idxs": [0, 1]}])
    inner.attach(InnerProductLayer(out_channel_num=3, wd={"type": "l2", "scale": 0.1},
                                   name="ip"))
    inner.attach(SoftmaxWithLossLayer(class_num=3, name="aux_loss"))
    brain.attach(inner)
    brain.attach(SoftmaxWithLossLayer(class_num=3, name="loss",
                                      inputs=["inner", {"name": "system_in", "idxs": [1]}]))
    outcome = brain.compute([images, labels])
    assert set(outcome.losses) == {"inner/aux_loss", "loss"}  # data loss terms, by path
    w = brain.get_variable("inner/ip/weights").numpy()
    acts = brain.activations([images, labels])
    z = acts["inner/ip"].numpy().astype(np.float64)
    cross_entropy = -log_softmax(z)[np.arange(4), labels].mean()
    assert outcome.loss.numpy() == pytest.approx(2 * cross_entropy + 0.1 * (w ** 2).sum() / 2,
                                                 rel=1e-5)
    assert outcome.data_loss.numpy() == pytest.approx(2 * cross_entropy, rel=1e-5)
    assert outcome.regularization.numpy() == pytest.approx(0.1 * (w ** 2).sum() / 2, rel=1e-5)
    for path, value in outcome.losses.items():
        np.testing.assert_allclose(value.numpy(), acts[path].numpy(), rtol=1e-6)


def test_outcome_without_loss_blocks_or_weight_decay():
    images, labels = batch(n=4, size=6, classes=3)
    brain = Brain(name="plain")
    brain.attach(InnerProductLayer(out_channel_num=3, name="ip"))
    outcome = brain.compute([images, labels])
    assert (outcome.loss, outcome.data_loss, outcome.regularization, outcome.losses) == (
        None, None, 0.0, {})
    decayed = Brain(name="decayed")
    decayed.attach(InnerProductLayer(out_channel_num=3, wd={"type": "l1", "scale": 0.5},
                                     name="ip"))
    outcome = decayed.compute([images, labels])
    w = decayed.get_variable("ip/weights").numpy()
    assert outcome.data_loss is None and outcome.losses == {}
    assert outcome.loss.numpy() == outcome.regularization.numpy() == pytest.approx(
        0.5 * np.abs(w).sum(), rel=1e-5)


# -- activations, summary ------------------------------------------------------------------


def test_activations_have_an_entry_per_block():
    images, labels = batch(n=4, size=6, classes=3)
    brain = residual_brain()
    acts = brain.activations([images, labels])
    paths = [path for path, _ in _walk_paths(brain, "")]
    assert set(acts) == set(paths)
    assert set(paths) == {"conv0", "unit1", "unit1/a", "unit1/a/conv", "unit1/a/activation",
                          "unit1/b", "unit1/b/conv", "unit1/add", "relu", "ip", "loss"}
    logits = brain([images, labels])
    np.testing.assert_allclose(acts["ip"].numpy(), logits.numpy(), atol=1e-6)
    assert acts["loss"].numpy() == pytest.approx(brain.loss.numpy())


def test_data_outputs_keep_the_data_blocks_float_outputs():
    images, labels = batch(n=4, size=6, classes=3)
    brain = residual_brain()
    acts = brain.activations([images, labels])
    outputs = brain.data_outputs(acts)
    # Systems (unit1, unit1/a, unit1/b) repeat their last block's output; loss is no data.
    assert set(outputs) == {"conv0", "unit1/a/conv", "unit1/a/activation", "unit1/b/conv",
                            "unit1/add", "relu", "ip"}
    assert all(outputs[path] is acts[path] for path in outputs)
    two = Brain(name="two")
    two.attach(InnerProductLayer(out_channel_num=3, name="ip"))
    assert set(two.data_outputs({"ip": [tf.zeros([2, 3]), tf.zeros([2], tf.int32)]})) == {"ip:0"}


def lenet_parameter_count(class_num=10):
    conv1 = 5 * 5 * 1 * 32 + 32
    conv2 = 5 * 5 * 32 * 64 + 64
    ip1 = 7 * 7 * 64 * 512 + 512  # 28 -> 14 -> 7 after two 2x2 poolings
    ip2 = 512 * class_num + class_num
    return conv1, conv2, ip1, ip2


def test_lenet_summary():
    brain = LeNet(name="lenet")
    with pytest.raises(ValueError, match=r"Block 'lenet' \(LeNet\) has no shapes yet; call it "
                                         r"on a batch first"):
        brain.summary()
    images, labels = batch(n=2, size=28)
    brain([images, labels])
    printed = []
    text = brain.summary(print_fn=printed.append)
    assert printed == [text]
    conv1, conv2, ip1, ip2 = lenet_parameter_count()
    total = conv1 + conv2 + ip1 + ip2
    assert sum(int(np.prod(v.shape)) for v in brain.trainable_variables) == total
    assert f"trainable parameters: {total:,}" in text
    rows = {line.split()[0]: line.split() for line in text.splitlines()[2:-1]}
    for path, _ in _walk_paths(brain, ""):
        assert path in rows, f"{path} missing from the summary"
    assert rows["conv1/conv"][-1] == f"{conv1:,}"
    assert rows["conv2/conv"][-1] == f"{conv2:,}"
    assert rows["ip1/ip"][-1] == f"{ip1:,}"
    assert rows["ip2"][-1] == f"{ip2:,}"
    assert "(None, 7, 7, 64)" in " ".join(rows["conv2/pool"])
    assert rows["conv1"][-1] == f"{conv1:,}"  # a nested brain shows its subtotal
    assert rows["loss"][1] == "SoftmaxWithLossLayer"


# -- tf.function ---------------------------------------------------------------------------


def symbolic_tensors(obj, path="brain", seen=None):
    """Paths of every symbolic (graph) tensor reachable from `obj`'s attributes."""
    seen = set() if seen is None else seen
    if id(obj) in seen or isinstance(obj, (tf.Variable, str, bytes, int, float)):
        return []
    seen.add(id(obj))
    if tf.is_tensor(obj):
        return [path] if tf.is_symbolic_tensor(obj) else []
    if hasattr(obj, "items") and callable(obj.items):
        return [p for k, v in list(obj.items())
                for p in symbolic_tensors(v, f"{path}[{k!r}]", seen)]
    if isinstance(obj, (list, tuple, set)):
        return [p for i, v in enumerate(obj) for p in symbolic_tensors(v, f"{path}[{i}]", seen)]
    if isinstance(obj, tf.Module):  # (_self_* is TensorFlow's tracking of the same attributes)
        return [p for k, v in vars(obj).items() if not k.startswith("_self_")
                for p in symbolic_tensors(v, f"{path}.{k}", seen)]
    return []


def test_symbolic_tensor_walker_finds_a_leak():
    brain = OneLayerBrain(name="brain")

    @tf.function
    def leak(x):
        brain.get_layer_by_name("conv1").leaked = {"x": [x * 2]}
        return x

    leak(tf.zeros([2]))
    found = symbolic_tensors(brain)
    assert found == ["brain._blocks['conv1'].leaked['x'][0]"]


def test_brain_in_tf_function_with_two_batch_sizes():
    brain = OneLayerBrain(name="brain")
    with pytest.raises(ValueError, match=r"Block 'brain' \(OneLayerBrain\) has no loss to "
                                         r"show: run it eagerly on a batch first"):
        brain.loss
    with pytest.raises(ValueError, match=r"has no evals to show"):
        brain.eval

    @tf.function
    def step(images, labels):
        logits = brain([images, labels])
        outcome = brain.compute([images, labels])
        return logits, outcome.loss, outcome.evals["accuracy"]

    traces = []
    for n in (8, 5):
        images, labels = batch(n=n)
        logits, loss, accuracy = step(images, labels)
        traces.append(step.experimental_get_tracing_count())
        assert logits.shape == (n, 10)
        assert np.isfinite(loss.numpy())
        eager_logits = brain([images, labels])
        np.testing.assert_allclose(logits.numpy(), eager_logits.numpy(), atol=1e-5)
        assert loss.numpy() == pytest.approx(brain.loss.numpy(), rel=1e-5)
        assert accuracy.numpy() == pytest.approx(brain.eval["accuracy"].numpy())
        step(images, labels)
        assert step.experimental_get_tracing_count() == traces[-1]  # same shapes: no retrace
    assert traces[1] == traces[0] + 1  # a new batch size traces once; nothing is rebuilt
    assert symbolic_tensors(brain) == []

    # The last call went through tf.function: brain.loss says to use compute().
    fresh = OneLayerBrain(name="brain")
    traced = tf.function(lambda x, y: fresh([x, y]))
    traced(*batch(n=3))
    with pytest.raises(ValueError, match=r"inside a tf.function use `brain.compute\(inputs\)"
                                         r".loss`"):
        fresh.loss
    assert symbolic_tensors(fresh) == []


def test_brain_first_built_inside_tf_function_with_unknown_batch():
    brain = LeNet(name="lenet", keep_prob=1.0)
    spec = [tf.TensorSpec([None, 28, 28, 1]), tf.TensorSpec([None], tf.int64)]
    loss_fn = tf.function(lambda x, y: brain.compute([x, y]).loss, input_signature=spec)
    traces = []
    for n in (3, 7):
        images, labels = batch(n=n, size=28)
        loss = loss_fn(images, labels)
        traces.append(loss_fn.experimental_get_tracing_count())
        brain([images, labels])
        assert loss.numpy() == pytest.approx(brain.loss.numpy(), rel=1e-5)
    assert traces[1] == traces[0]  # another batch size, no retrace
    assert symbolic_tensors(brain) == []
    assert [v.name for v in brain.var_list][:2] == ["lenet/conv1/conv/weights:0",
                                                    "lenet/conv1/conv/bias:0"]


# -- checkpoints ---------------------------------------------------------------------------


def test_checkpoint_restores_into_a_brain_built_later(tmp_path):
    """A checkpoint read before the first call (deferred restore) fills the variables as
    they are built, as a resumed Kid needs."""
    images, labels = batch(n=2, size=28)
    brain = LeNet(name="lenet")
    brain.set_mode("val")
    expected = brain([images, labels]).numpy()
    path = tf.train.Checkpoint(brain=brain).write(str(tmp_path / "ckpt"))
    fresh = LeNet(name="lenet")
    fresh.set_mode("val")
    status = tf.train.Checkpoint(brain=fresh).read(path)
    np.testing.assert_allclose(fresh([images, labels]).numpy(), expected, atol=1e-5)
    status.assert_consumed()


# -- misuse warned about --------------------------------------------------------------------

def test_a_softmax_before_softmax_with_loss_is_warned_about():
    brain = Brain(name="double")
    brain.attach(InnerProductLayer(out_channel_num=3, name="ip"))
    brain.attach(SoftmaxLayer(name="prob"))
    with pytest.warns(UserWarning, match=r"Block 'loss' \(SoftmaxWithLossLayer\) in brain "
                                         r"'double' takes the output of Block 'prob' "
                                         r"\(SoftmaxLayer\), a softmax.*Feed it the logits "
                                         r"\(the block before 'prob'\)"):
        brain.attach(SoftmaxWithLossLayer(class_num=3, name="loss"))
    nested = Brain(name="nested")
    head = nested.attach(Brain(name="head"))
    head.attach(InnerProductLayer(out_channel_num=3, name="ip"))
    head.attach(SoftmaxLayer(name="prob"))
    with pytest.warns(UserWarning, match=r"takes the output of Block 'prob'"):
        nested.attach(SoftmaxWithLossLayer(class_num=3, name="loss"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the logits, as it should be: no warning
        brain.attach(SoftmaxWithLossLayer(class_num=3, name="right",
                                          inputs=["ip", {"name": "system_in", "idxs": [1]}]))
