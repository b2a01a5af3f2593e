"""Systems: SequentialSystem, GraphSystem wiring, names, errors, modes and look-ups."""
import numpy as np
import pytest
import tensorflow as tf

from akid import (Block, Brain, ConvolutionLayer, DropoutLayer, FlattenLayer, GraphSystem,
                  InnerProductLayer, LSTMLayer, MergeLayer, MSELossLayer, PaddingLayer,
                  PoolingLayer, ReLULayer, ReshapeLayer, SequentialSystem, SoftmaxWithLossLayer,
                  TanhLayer, cnn_block, make_activation)
from akid.checks import snake_case
from harness import check_block

rng = np.random.default_rng(7)


def randn(*shape):
    return rng.standard_normal(shape).astype(np.float32)


class Split(Block):
    """Two outputs: x and 2 x."""

    def _forward(self, x):
        return [x, 2.0 * x]


# -- SequentialSystem ----------------------------------------------------------------------


def test_sequential_system_is_a_chain():
    x = randn(2, 6, 6, 3)

    def make():
        system = SequentialSystem(name="seq")
        system.attach(ConvolutionLayer([3, 3], [1, 1], "VALID", 4, name="conv"))
        system.attach(ReLULayer(name="relu"))
        system.attach(PoolingLayer([2, 2], [2, 2], "VALID", name="pool"))
        system.attach(FlattenLayer(name="flat"))
        return system

    def reference(x, system):
        conv = system.get_layer_by_name("conv")
        y = tf.nn.relu(tf.nn.conv2d(x, conv.weights, 1, "VALID") + conv.bias)
        return tf.reshape(tf.nn.max_pool2d(y, 2, 2, "VALID"), [len(x), -1]).numpy()

    system, out = check_block(make, x, reference, atol=1e-5)
    assert out.shape == (2, 2 * 2 * 4)
    assert [b.name for b in system.blocks] == ["conv", "relu", "pool", "flat"]
    assert [v.name for v in system.var_list] == ["seq/conv/weights:0", "seq/conv/bias:0"]


def test_block_setup_is_the_explicit_two_step_form():
    layer = InnerProductLayer(out_channel_num=3)
    x = randn(4, 5)
    y = layer.setup(x)
    assert layer.is_setup
    np.testing.assert_allclose(y.numpy(), layer(x).numpy())
    np.testing.assert_allclose(y.numpy(), layer.forward(x).numpy())


# -- GraphSystem wiring --------------------------------------------------------------------


def test_graph_system_default_wiring():
    """The first block takes system_in[0], the next the data block before it; a loss
    block takes that output and system_in[1]; the output is the last data block's."""
    x, y = randn(3, 4), randn(3, 4)
    graph = GraphSystem(name="g")
    graph.attach(TanhLayer(name="tanh"))
    graph.attach(MSELossLayer(name="mse"))
    graph.attach(ReLULayer(name="relu"))
    assert graph.edges() == [("system_in", "tanh"), ("tanh", "mse"), ("system_in", "mse"),
                             ("tanh", "relu")]
    out = graph([x, y])
    np.testing.assert_allclose(out.numpy(), np.maximum(np.tanh(x), 0), atol=1e-6)
    data_only = GraphSystem(name="d")
    data_only.attach(TanhLayer(name="tanh"))
    # Only the data, system_in[0], reaches the first block.
    np.testing.assert_allclose(data_only([x, y]).numpy(), np.tanh(x), atol=1e-6)


def test_graph_system_explicit_inputs_with_idxs_and_short_form():
    x = randn(2, 3)
    graph = GraphSystem(name="g")
    graph.attach(Split(name="split"))
    # {"name", "idxs"}: output 1 of split (2x) plus system_in[0] (x).
    graph.attach(MergeLayer(mode="sum", name="sum_idx",
                            inputs=[{"name": "split", "idxs": [1]},
                                    {"name": "system_in", "idxs": [0]}]))
    # "split" alone: all its outputs, in order.
    graph.attach(MergeLayer(mode="concat", name="cat_all", inputs=["split"]))
    # Indices pick and order outputs.
    graph.attach(MergeLayer(mode="concat", name="cat_rev",
                            inputs=[{"name": "split", "idxs": [1, 0]}, "sum_idx"]))
    assert graph.edges() == [("system_in", "split"), ("split", "sum_idx"),
                             ("system_in", "sum_idx"), ("split", "cat_all"),
                             ("split", "cat_rev"), ("sum_idx", "cat_rev")]
    out = graph(x)
    np.testing.assert_allclose(out.numpy(), np.concatenate([2 * x, x, 3 * x], axis=1), atol=1e-6)
    activations = {}
    graph.get_layer_by_name("cat_all").post_forward_hook.append(
        lambda block, outputs: activations.update({block.name: outputs.numpy()}))
    graph(x)
    np.testing.assert_allclose(activations["cat_all"], np.concatenate([x, 2 * x], axis=1))


def test_hooks_see_the_block_and_run_in_order():
    calls = []
    layer = TanhLayer(name="tanh")
    layer.pre_setup_hook.append(lambda b, x: calls.append(("pre_setup", b.name)))
    layer.post_setup_hook.append(lambda b, x: calls.append(("post_setup", b.is_setup)))
    layer.pre_forward_hook.append(lambda b, x: calls.append(("pre_forward", tuple(x.shape))))
    layer.post_forward_hook.append(lambda b, y: calls.append(("post_forward", tuple(y.shape))))
    layer(tf.zeros([2, 3]))
    layer(tf.zeros([4, 3]))
    assert calls == [("pre_setup", "tanh"), ("post_setup", True), ("pre_forward", (2, 3)),
                     ("post_forward", (2, 3)), ("pre_forward", (4, 3)), ("post_forward", (4, 3))]


# -- names ---------------------------------------------------------------------------------


def test_snake_case():
    assert snake_case("ConvolutionLayer") == "convolution_layer"
    assert snake_case("InnerProductLayer") == "inner_product_layer"
    assert snake_case("LSTMLayer") == "lstm_layer"
    assert snake_case("MSELossLayer") == "mse_loss_layer"


def net_in_order(order):
    """The same brain, its blocks constructed in `order` but attached in one order."""
    made = {}
    for key in order:
        if key == "inner":
            made[key] = Brain()
            made[key].attach(ConvolutionLayer([3, 3], [1, 1], "SAME", 3))
            made[key].attach(TanhLayer())
        else:
            made[key] = {"conv_a": lambda: ConvolutionLayer([3, 3], [1, 1], "SAME", 4),
                         "tanh_a": TanhLayer,
                         "conv_b": lambda: ConvolutionLayer([1, 1], [1, 1], "SAME", 2),
                         "tanh_b": TanhLayer,
                         "ip": lambda: InnerProductLayer(out_channel_num=3)}[key]()
    brain = Brain(name="net")
    for key in ("conv_a", "tanh_a", "inner", "conv_b", "tanh_b", "ip"):
        brain.attach(made[key])
    brain.attach(SoftmaxWithLossLayer(class_num=3))
    return brain


def checkpoint_keys(brain, folder):
    path = tf.train.Checkpoint(brain=brain).write(str(folder / "ckpt"))
    return sorted(name for name, _ in tf.train.list_variables(path))


def test_auto_names_are_numbered_within_the_owning_system(tmp_path):
    ConvolutionLayer([3, 3], [1, 1], "SAME", 4)(tf.zeros([1, 4, 4, 1]))  # noise in the process
    first = net_in_order(["conv_a", "tanh_a", "inner", "conv_b", "tanh_b", "ip"])
    second = net_in_order(["ip", "tanh_b", "conv_b", "inner", "tanh_a", "conv_a"])
    expected = ["convolution_layer_0", "tanh_layer_0", "brain_0", "convolution_layer_1",
                "tanh_layer_1", "inner_product_layer_0", "softmax_with_loss_layer_0"]
    for brain in (first, second):
        assert [b.name for b in brain.blocks] == expected
        assert [b.name for b in brain.get_layer_by_name("brain_0").blocks] == [
            "convolution_layer_0", "tanh_layer_0"]
    x, y = randn(2, 5, 5, 1), np.array([0, 2])
    first([x, y])
    second([x, y])
    names = [v.name for v in first.var_list]
    assert names == [v.name for v in second.var_list]
    assert "net/brain_0/convolution_layer_0/weights:0" in names
    assert "net/convolution_layer_1/weights:0" in names
    keys = checkpoint_keys(first, tmp_path / "a")
    assert keys == checkpoint_keys(second, tmp_path / "b")
    assert any("brain_0" in k and "convolution_layer_0" in k for k in keys)


def test_auto_names_skip_names_already_taken():
    system = GraphSystem(name="g")
    system.attach(TanhLayer(name="tanh_layer_0"))
    assert system.attach(TanhLayer()).name == "tanh_layer_1"
    assert system.attach(TanhLayer()).name == "tanh_layer_2"


def test_a_block_keeps_a_given_name():
    system = GraphSystem(name="g")
    assert system.attach(TanhLayer(name="squash")).name == "squash"


# -- errors --------------------------------------------------------------------------------


def test_unknown_input_name_lists_the_attached_blocks():
    graph = GraphSystem(name="g")
    graph.attach(TanhLayer(name="tanh"))
    with pytest.raises(ValueError, match=r"Block 'm' \(MergeLayer\) takes input from 'tahn'.*"
                                         r"Block 'g' \(GraphSystem\).*\['system_in', 'tanh'\]"):
        graph.attach(MergeLayer(name="m", inputs=["tanh", "tahn"]))


def test_forward_reference_is_refused():
    graph = GraphSystem(name="g")
    graph.attach(TanhLayer(name="tanh"))
    with pytest.raises(ValueError, match=r"Block 'm' \(MergeLayer\) takes input from 'later', "
                                         r"which is not attached before it.*"
                                         r"\['system_in', 'tanh'\]"):
        graph.attach(MergeLayer(name="m", inputs=["tanh", "later"]))
    graph.attach(ReLULayer(name="later"))  # the refused block left nothing behind
    assert [b.name for b in graph.blocks] == ["tanh", "later"]


def test_a_block_cannot_take_its_own_output():
    graph = GraphSystem(name="g")
    with pytest.raises(ValueError, match=r"Block 'self_ref' \(TanhLayer\) takes input from "
                                         r"'self_ref'.*\['system_in'\]"):
        graph.attach(TanhLayer(name="self_ref", inputs=["self_ref"]))


def test_index_out_of_range_names_the_valid_ones():
    graph = GraphSystem(name="g")
    graph.attach(Split(name="split"))
    graph.attach(MergeLayer(name="m", inputs=[{"name": "split", "idxs": [0, 2]}]))
    with pytest.raises(ValueError, match=r"Block 'm' \(MergeLayer\) asks for output 2 of "
                                         r"'split', which has 2 output\(s\) "
                                         r"\(valid idxs: \[0, 1\]\)"):
        graph(tf.zeros([2, 3]))


def test_missing_labels_name_system_in():
    brain = Brain(name="b")
    brain.attach(InnerProductLayer(out_channel_num=3, name="ip"))
    brain.attach(SoftmaxWithLossLayer(class_num=3, name="loss"))
    with pytest.raises(ValueError, match=r"Block 'loss' \(SoftmaxWithLossLayer\) asks for "
                                         r"output 1 of 'system_in', which has 1 output\(s\)"):
        brain(tf.zeros([2, 4]))


@pytest.mark.parametrize("ref,error", [
    ({"name": "tanh", "idxs": 0}, TypeError), ({"name": "tanh", "idxs": []}, ValueError),
    ({"name": "tanh", "idx": [0]}, ValueError), ({"idxs": [0]}, ValueError), (3, TypeError)])
def test_malformed_input_references_are_refused(ref, error):
    graph = GraphSystem(name="g")
    graph.attach(TanhLayer(name="tanh"))
    with pytest.raises(error, match=r"^Block 'm' \(MergeLayer\): (an input is|idxs of input)"):
        graph.attach(MergeLayer(name="m", inputs=[ref, "tanh"]))


def test_duplicate_names_of_blocks_without_variables_are_renamed_as_akid_allowed():
    graph = GraphSystem(name="g")
    first = graph.attach(TanhLayer(name="act"))
    second = graph.attach(ReLULayer(name="act"))
    assert [b.name for b in graph.blocks] == ["act", "act_1"] and second.name == "act_1"
    assert graph.get_layer_by_name("act") is first  # akid's lookup: the first one


def test_duplicate_names_of_blocks_with_variables_are_refused():
    graph = GraphSystem(name="g")
    graph.attach(InnerProductLayer(out_channel_num=2, name="ip"))
    with pytest.raises(ValueError, match=r"Block 'g' \(GraphSystem\) already has a block named "
                                         r"'ip', Block 'ip' \(InnerProductLayer\); it and "
                                         r"InnerProductLayer both have variables, which are "
                                         r"saved, restored and looked up"):
        graph.attach(InnerProductLayer(out_channel_num=2, name="ip"))


def test_the_same_block_is_attached_once():
    graph = GraphSystem(name="g")
    tanh = graph.attach(TanhLayer())
    with pytest.raises(ValueError, match=r"Block 'g' \(GraphSystem\) already holds "
                                         r"Block 'tanh_layer_0' \(TanhLayer\)"):
        graph.attach(tanh)
    assert graph.blocks == [tanh] and tanh.name == "tanh_layer_0"


def test_wrong_input_rank_names_the_block_and_the_shapes():
    brain = Brain(name="b")
    brain.attach(ConvolutionLayer([3, 3], [1, 1], "SAME", 2, name="conv2"))
    with pytest.raises(ValueError, match=r"Block 'conv2' \(ConvolutionLayer\) expects rank-4 "
                                         r"input \(N, H, W, C\), got shape \(32, 28, 28\); "
                                         r"add a channel axis"):
        brain(tf.zeros([32, 28, 28]))
    with pytest.raises(ValueError, match=r"Block 'pool' \(PoolingLayer\) expects rank-4.*"
                                         r"got shape \(5, 5\)"):
        PoolingLayer([2, 2], [2, 2], name="pool")(tf.zeros([5, 5]))


def test_unknown_initializer_in_a_template():
    with pytest.raises(ValueError, match=r"Block 'conv' \(ConvolutionLayer\): unknown "
                                         r"initializer 'xavir'; known: constant, glorot, he, "
                                         r"msra, normal, truncated_normal, uniform, xavier; "
                                         r"akid's: default, msra_init, uniform_unit_scaling"):
        cnn_block(ksize=[3, 3], init_para={"name": "xavir"}, name="block1")


def test_unknown_activation_type():
    known = (r"known types: relu, sigmoid, tanh, softmax, elu, leaky_relu, maxout, gsmax, "
             r"ngsmax, linearize, gsoftmax")
    with pytest.raises(ValueError, match=r"Block 'block1' \(Brain\): unknown activation type "
                                         r"'swish'; " + known):
        cnn_block(ksize=[3, 3], activation={"type": "swish"}, name="block1")
    with pytest.raises(ValueError, match=r"Block 'act' *: unknown activation type 'gelu'; "
                       + known):
        make_activation({"type": "gelu"}, name="act")
    assert isinstance(make_activation({"type": "leaky_relu", "alpha": 0.3}).alpha, float)


def test_unknown_padding_value():
    with pytest.raises(ValueError, match=r"Block 'conv' \(ConvolutionLayer\): unknown padding "
                                         r"'FULL'; choose one of 'SAME', 'VALID'"):
        ConvolutionLayer([3, 3], [1, 1], "full", 4, name="conv")
    with pytest.raises(ValueError, match=r"Block 'pool' \(PoolingLayer\): unknown padding "
                                         r"'CAUSAL'; choose one of 'SAME', 'VALID'"):
        PoolingLayer([2, 2], [2, 2], padding="causal", name="pool")
    with pytest.raises(ValueError, match=r"Block 'pad' \(PaddingLayer\): unknown mode 'EDGE'; "
                                         r"choose one of 'CONSTANT', 'REFLECT', 'SYMMETRIC'"):
        PaddingLayer([1, 1], mode="edge", name="pad")
    assert ConvolutionLayer([3, 3], [1, 1], "same", 4).padding == "SAME"


def test_unknown_pooling_type():
    with pytest.raises(ValueError, match=r"Block 'pool' \(PoolingLayer\): unknown type 'min'; "
                                         r"choose one of 'max', 'avg'"):
        PoolingLayer([2, 2], [2, 2], type="min", name="pool")


def test_attaching_a_non_block_is_a_type_error():
    graph = GraphSystem(name="g")
    with pytest.raises(TypeError, match=r"Block 'g' \(GraphSystem\): can only attach Blocks, "
                                        r"got .*\(function\)"):
        graph.attach(tf.nn.relu)
    with pytest.raises(TypeError, match=r"can only attach Blocks, got .*\(ReLU\)"):
        graph.attach(tf.keras.layers.ReLU())


def test_attaching_after_the_first_call_is_refused():
    graph = GraphSystem(name="g")
    graph.attach(TanhLayer(name="tanh"))
    graph(tf.zeros([1, 2]))
    with pytest.raises(ValueError, match=r"Block 'g' \(GraphSystem\) is already built"):
        graph.attach(ReLULayer())


def test_an_empty_system_says_so():
    with pytest.raises(ValueError, match=r"Block 'g' \(GraphSystem\) has no blocks"):
        GraphSystem(name="g")(tf.zeros([1, 2]))


@pytest.mark.parametrize("name", ["conv 1", "-conv", "a/b", "", 3])
def test_bad_block_names_are_refused(name):
    with pytest.raises(ValueError, match=r"TanhLayer: name must be letters, digits, '_', '-' "
                                         r"or '\.' \(as in 'conv1' or 'conv-1'\), got"):
        TanhLayer(name=name)


def test_system_in_is_a_reserved_name():
    with pytest.raises(ValueError, match="'system_in' is reserved"):
        TanhLayer(name="system_in")


@pytest.mark.parametrize("make,match", [
    (lambda: ConvolutionLayer([3, 3], [1, 1], "SAME", 0, name="c"),
     r"Block 'c' \(ConvolutionLayer\): out_channel_num must be a positive int, got 0"),
    (lambda: ConvolutionLayer([3, 3, 3], [1, 1], "SAME", 4, name="c"),
     r"Block 'c' \(ConvolutionLayer\): ksize must be \[h, w\] or \[1, h, w, 1\].*\[3, 3, 3\]"),
    (lambda: DropoutLayer(keep_prob=1.5, name="d"),
     r"Block 'd' \(DropoutLayer\): keep_prob must be a finite number in \(0.0, 1.0\], got 1.5"),
    (lambda: DropoutLayer(keep_prob=0.0, name="d"),
     r"Block 'd' \(DropoutLayer\): keep_prob must be a finite number in \(0.0, 1.0\], got 0.0"),
    (lambda: ConvolutionLayer([3, 0], [1, 1], "SAME", 4, name="c"),
     r"Block 'c' \(ConvolutionLayer\): ksize\[1\] must be a positive int, got 0"),
    (lambda: PaddingLayer([2, -1], name="p"),
     r"Block 'p' \(PaddingLayer\): padding\[1\] must be an int >= 0, got -1"),
    (lambda: ReshapeLayer([-1, 0], name="r"),
     r"Block 'r' \(ReshapeLayer\): shape must be a list of positive ints, one of them may be "
     r"-1, got \[-1, 0\]"),
    (lambda: MergeLayer(mode="avg", name="m"),
     r"Block 'm' \(MergeLayer\): unknown mode 'avg'; choose one of 'sum', 'concat'"),
])
def test_constructor_arguments_are_checked(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("make,match", [
    (lambda: ConvolutionLayer([3, 3], [1, 1], "SAME", 4.0, name="c"),
     r"Block 'c' \(ConvolutionLayer\): out_channel_num must be a positive int, got 4.0 "
     r"\(float\)"),
    (lambda: ConvolutionLayer("3x3", [1, 1], "SAME", 4, name="c"),
     r"Block 'c' \(ConvolutionLayer\): ksize must be \[h, w\] or \[1, h, w, 1\].*'3x3' \(str\)"),
    (lambda: ConvolutionLayer([3, True], [1, 1], "SAME", 4, name="c"),
     r"Block 'c' \(ConvolutionLayer\): ksize\[1\] must be a positive int, got True \(bool\)"),
    (lambda: DropoutLayer(keep_prob="0.5", name="d"),
     r"Block 'd' \(DropoutLayer\): keep_prob must be a number, got '0.5' \(str\)"),
    (lambda: PaddingLayer(2, name="p"), r"Block 'p' \(PaddingLayer\): padding must be \[h, w\]"),
    (lambda: PaddingLayer([2, 1.5], name="p"),
     r"Block 'p' \(PaddingLayer\): padding\[1\] must be an int >= 0, got 1.5 \(float\)"),
    (lambda: ReshapeLayer([3, "4"], name="r"),
     r"Block 'r' \(ReshapeLayer\): shape\[1\] must be an int, got '4' \(str\)"),
    (lambda: MergeLayer(axis="last", name="m"),
     r"Block 'm' \(MergeLayer\): axis must be an int, got 'last' \(str\)"),
    (lambda: LSTMLayer(num_units=4, return_sequences="yes", name="l"),
     r"Block 'l' \(LSTMLayer\): return_sequences must be True or False, got 'yes' \(str\)"),
    (lambda: InnerProductLayer(3, initial_bias_value="0", name="ip"),
     r"Block 'ip' \(InnerProductLayer\): initial_bias_value must be a number, got '0' \(str\)"),
    (lambda: make_activation("relu", name="act"),
     r"Block 'act': activation must be a dict with a 'type', got 'relu'"),
])
def test_constructor_arguments_of_the_wrong_type_are_type_errors(make, match):
    with pytest.raises(TypeError, match=match):
        make()


@pytest.mark.parametrize("idxs,error,match", [
    ([], ValueError, r"idxs of input 'system_in' must be a non-empty list of ints >= 0, got \[\]"),
    (0, TypeError, r"idxs of input 'system_in' must be a non-empty list of ints >= 0, got 0"),
    ([-1], ValueError, r"idxs of input 'system_in' must be an int >= 0, got -1"),
    ([True], TypeError, r"idxs of input 'system_in' must be an int >= 0, got True \(bool\)"),
])
def test_input_references_are_checked_at_attach(idxs, error, match):
    with pytest.raises(error, match=r"^Block 't' \(TanhLayer\): " + match):
        GraphSystem(name="g").attach(TanhLayer(name="t",
                                               inputs=[{"name": "system_in", "idxs": idxs}]))


# -- modes ---------------------------------------------------------------------------------


def mode_brain():
    brain = Brain(name="b")
    brain.attach(InnerProductLayer(out_channel_num=8, name="ip"))
    brain.attach(cnn_block(out_channel_num=8, keep_prob=0.5, bn=True, name="unit"))
    return brain


def test_set_mode_reaches_nested_blocks():
    brain = mode_brain()
    x = randn(16, 4)
    brain(x)
    nested = [brain.get_layer_by_name(n) for n in ("unit", "unit/ip", "unit/bn",
                                                   "unit/activation", "unit/dropout")]
    assert all(b.mode == "train" for b in nested)
    brain.set_mode("val")
    assert brain.mode == "val" and all(b.mode == "val" for b in nested)
    # In val mode: no dropout, moving statistics, so the output is a function of x.
    first, second = brain(x).numpy(), brain(x).numpy()
    np.testing.assert_array_equal(first, second)
    ip, bn = brain.get_layer_by_name("ip"), brain.get_layer_by_name("unit/bn")
    inner = brain.get_layer_by_name("unit/ip")
    h = (x @ ip.weights.numpy() + ip.bias.numpy()) @ inner.weights.numpy()
    h = (h - bn.moving_mean.numpy()) / np.sqrt(bn.moving_variance.numpy() + bn.epsilon)
    h = h * bn.gamma.numpy() + bn.beta.numpy()
    np.testing.assert_allclose(first, np.maximum(h, 0), atol=1e-4)
    brain.set_mode("train")
    assert all(b.mode == "train" for b in nested)
    assert not np.array_equal(brain(x).numpy(), brain(x).numpy())  # dropout is back


def test_attached_blocks_take_the_system_mode():
    brain = Brain(name="b")
    brain.set_mode("test")
    assert brain.attach(DropoutLayer(name="d")).mode == "test"


def test_unknown_mode_lists_the_modes():
    with pytest.raises(ValueError, match=r"Block 'b' \(Brain\): unknown mode 'eval'; choose "
                                         r"one of 'train', 'val', 'test'"):
        mode_brain().set_mode("eval")


# -- look-ups ------------------------------------------------------------------------------


def lookup_brain():
    brain = Brain(name="b")
    brain.attach(ConvolutionLayer([3, 3], [1, 1], "SAME", 4, name="conv1"))
    brain.attach(cnn_block(ksize=[3, 3], out_channel_num=4, pool_size=None, name="unit"))
    brain.attach(InnerProductLayer(out_channel_num=2, name="ip"))
    return brain


def test_get_layer_by_name_and_nested_paths():
    brain = lookup_brain()
    unit = brain.get_layer_by_name("unit")
    assert brain.get_layer_by_name("conv1") is brain.blocks[0]
    assert brain.get_layer_by_name("unit/conv") is unit.blocks[0]
    assert brain.get_layer_by_name("unit/activation") is unit.blocks[1]
    with pytest.raises(ValueError, match=r"Block 'b' \(Brain\) has no block named 'conv9'; it "
                                         r"has \['conv1', 'unit', 'ip'\]"):
        brain.get_layer_by_name("conv9")
    with pytest.raises(ValueError, match=r"has no block named"):
        brain.get_layer_by_name("conv1/conv")


def test_get_variable():
    brain = lookup_brain()
    with pytest.raises(ValueError, match=r"Block 'b' \(Brain\) has no variables yet; call it"):
        brain.get_variable("conv1/weights")
    brain(tf.zeros([2, 5, 5, 1]))
    assert brain.get_variable("conv1/weights") is brain.get_layer_by_name("conv1").weights
    assert brain.get_variable("unit/conv/bias") is brain.get_layer_by_name("unit/conv").bias
    assert brain.get_layer_by_name("ip").get_variable("weights").shape == (100, 2)
    with pytest.raises(ValueError, match=r"several variables match 'weights'"):
        brain.get_variable("weights")
    with pytest.raises(ValueError, match=r"Block 'b' \(Brain\): no variable matches 'conv/w'; "
                                         r"it has \['b/conv1/weights'"):
        brain.get_variable("conv/w")
    # A suffix matches whole name parts only.
    with pytest.raises(ValueError, match="no variable matches 'eights'"):
        brain.get_variable("eights")


def test_a_failed_first_call_leaves_the_system_open_to_fixes():
    import akid
    brain = akid.Brain(name="net")
    brain.attach(akid.ConvolutionLayer(ksize=[3, 3], strides=[1, 1], padding="SAME",
                                       out_channel_num=2, name="conv"))
    with pytest.raises(ValueError, match="expects rank-4 input"):
        brain([tf.zeros([2, 5, 5])])
    brain.attach(akid.FlattenLayer(name="flat"))  # still allowed: nothing was built
    assert brain([tf.zeros([2, 5, 5, 1])]).shape == (2, 50)


def test_mode_as_switches_nested_blocks_and_restores_even_on_error():
    import akid
    brain = akid.Brain(name="net")
    inner = brain.attach(akid.Brain(name="inner"))
    drop = inner.attach(akid.DropoutLayer(keep_prob=0.5, name="drop"))
    with brain.mode_as("val"):
        assert drop.mode == "val"
    assert brain.mode == drop.mode == "train"
    with pytest.raises(RuntimeError):
        with brain.mode_as("test"):
            raise RuntimeError("inside")
    assert drop.mode == "train"
