"""The Observer's pictures and the Kid's training summaries (do_summary=True).

One tiny conv kid, trained for 4 steps on synthetic images, is shared by the
whole module; every picture is read back as a PNG and checked for content.
"""
import json
import math
import os

import matplotlib.image
import numpy as np
import pytest
import tensorflow as tf
from tensorboard.backend.event_processing import event_accumulator

from akid import (AccuracyLayer, ArraySource, Brain, ConvolutionLayer, FeedSensor,
                  FlattenLayer, InnerProductLayer, Kid, MomentumKongFu, PoolingLayer, ReLULayer,
                  SoftmaxWithLossLayer, WeightedLayer)
from akid.kids.callbacks import summaries
from akid.kids.observer import mosaics
from akid.kids.observer import Observer

LAYOUTS = [{"type": "normal", "num": 2}, {"type": "square"}, {"type": "inverse", "num": 2},
           {"type": "dynamic"}]


class TinyConvNet(Brain):
    """8x8x3 images -> conv 3x3x6 -> relu -> pool -> conv 3x3x5 -> relu -> ip 4."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.attach(ConvolutionLayer(ksize=[3, 3], strides=[1, 1], padding="SAME",
                                     out_channel_num=6, name="conv1"))
        self.attach(ReLULayer(name="relu1"))
        self.attach(PoolingLayer(ksize=[2, 2], strides=[2, 2], name="pool1"))
        self.attach(ConvolutionLayer(ksize=[3, 3], strides=[1, 1], padding="SAME",
                                     out_channel_num=5, name="conv2"))
        self.attach(ReLULayer(name="relu2"))
        self.attach(InnerProductLayer(out_channel_num=4, name="ip1"))
        self.attach(SoftmaxWithLossLayer(class_num=4, name="loss"))
        self.attach(AccuracyLayer(name="accuracy"))


class TinyDenseNet(Brain):
    """6x6x1 images -> ip 7 -> relu -> ip 3: its first weights are 6x6 images."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.attach(InnerProductLayer(out_channel_num=7, name="ip1"))
        self.attach(ReLULayer(name="relu1"))
        self.attach(InnerProductLayer(out_channel_num=3, name="ip2"))
        self.attach(SoftmaxWithLossLayer(class_num=3, name="loss"))


def image_source(shape, classes, n_train=64, n_val=32, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n_train + n_val, *shape)).astype("float32")
    y = rng.integers(0, classes, n_train + n_val)
    return ArraySource(train=(x[:n_train], y[:n_train]), val=(x[n_train:], y[n_train:]))


def sensor():
    return FeedSensor(image_source((8, 8, 3), 4), batch_size=16)


@pytest.fixture(scope="module")
def kid(tmp_path_factory):
    """TinyConvNet after 4 steps, logging (and summarizing) at steps 2 and 4."""
    kid = Kid(sensor(), TinyConvNet(name="tiny"),
              MomentumKongFu(lr_scheme={"name": "fixed", "base_lr": 0.05}), max_steps=4,
              train_log_step=2, val_log_step=2, log_dir=str(tmp_path_factory.mktemp("kid")),
              seed=0)
    kid.setup()
    kid.practice()
    yield kid
    kid.teardown()


def assert_png(path, min_size=50):
    """`path` is a PNG of a real picture: big enough, and not one flat colour."""
    assert path.endswith(".png") and os.path.getsize(path) > 0, path
    image = matplotlib.image.imread(path)
    assert image.ndim == 3 and image.shape[2] in (3, 4), (path, image.shape)
    assert min(image.shape[:2]) >= min_size, (path, image.shape)
    rgb = image[..., :3]
    assert rgb.std() > 0.02 and (rgb < 0.9).mean() > 0.01, f"{path} looks blank"


def assert_pictures(observer, pictures, count=None):
    assert all(isinstance(p, str) for p in pictures)
    if count is not None:
        assert len(pictures) == count, list(pictures)
    assert len(pictures.figures) == len(pictures) == len(pictures.info)
    for path, fig in zip(pictures, pictures.figures):
        assert_png(path)
        assert observer.figures[path] is fig
        assert os.path.dirname(path) == os.path.join(observer.log_dir, "observer")


# -- filters -------------------------------------------------------------------------

@pytest.mark.parametrize("layout", LAYOUTS, ids=[l["type"] for l in LAYOUTS])
def test_filters_in_each_layout_one_tile_a_filter(kid, layout):
    observer = Observer(kid)
    pictures = observer.visualize_filters(layout=layout)
    assert_pictures(observer, pictures, count=3)
    info = {i["layer"]: i for i in pictures.info}
    assert {layer: i["tiles"] for layer, i in info.items()} == {"conv1": 6, "conv2": 5, "ip1": 4}
    for i in info.values():
        rows, cols = i["grid"]
        assert i["tiles"] == i["filters"]
        if layout["type"] != "inverse":  # filled row by row: only the last row has gaps
            assert rows * cols >= i["tiles"] > (rows - 1) * cols
        if layout["type"] == "normal":
            assert cols == min(2, i["tiles"])
        elif layout["type"] == "square":
            assert cols == math.ceil(math.sqrt(i["tiles"]))
        elif layout["type"] == "inverse":
            assert rows == 2 and cols == math.ceil(i["tiles"] / 2)
    # conv1 reads the RGB images; conv2 shows its 6 input channels inside each tile (2x3
    # of 3x3 with 1-pixel gaps); ip1 sees the 4x4x5 output of relu2, 5 channels a unit
    assert info["conv1"]["style"] == "rgb" and info["conv1"]["tile_shape"] == (3, 3, 3)
    assert info["conv2"]["style"] == "channels" and info["conv2"]["tile_shape"] == (7, 11)
    assert info["ip1"]["style"] == "channels" and info["ip1"]["tile_shape"] == (9, 14)


def test_filters_layers_scale_and_max_filters(kid):
    observer = Observer(kid)
    pictures = observer.visualize_filters(layers=["conv2"], scale="layer", max_filters=3,
                                          save_to=os.path.join(kid.log_dir, "elsewhere"))
    assert [i["layer"] for i in pictures.info] == ["conv2"]
    assert pictures.info[0]["tiles"] == 3 and pictures.info[0]["filters"] == 5
    assert pictures[0] == os.path.join(kid.log_dir, "elsewhere", "filters_conv2.png")
    assert_png(pictures[0])
    with pytest.raises(ValueError, match=r"^Observer: none of \['nope'\] names a weighted layer; "
                                         r"the weighted layers are \['conv1', 'conv2', 'ip1'\]"):
        observer.visualize_filters(layers=["nope"])


class Bilinear(WeightedLayer):
    """A weighted layer the Observer has never heard of: y = x @ W[0] + x @ W[1], W (2, D, out)."""

    def __init__(self, out_channel_num, **kwargs):
        super().__init__(initial_bias_value=None, **kwargs)
        self.out_channel_num = out_channel_num

    def _setup(self, input_shape):
        self.weights = self.make_variable("weights", [2, input_shape[-1], self.out_channel_num],
                                          self.init_para, self.wd)

    def _forward(self, x):
        return tf.einsum("nd,kdo->no", x, self.weights)


def test_every_weighted_layer_is_drawn_by_its_base_class(tmp_path):
    brain = Brain(name="custom")
    brain.attach(FlattenLayer(name="flat"))
    brain.attach(Bilinear(out_channel_num=4, name="bilinear"))
    brain.attach(SoftmaxWithLossLayer(class_num=4, name="loss"))
    kid = Kid(sensor(), brain, MomentumKongFu(), max_steps=1, log_dir=str(tmp_path), seed=0)
    kid.setup()
    try:
        observer = Observer(kid)
        pictures = observer.visualize_filters()
    finally:
        kid.teardown()
    assert_pictures(observer, pictures, count=1)
    info = pictures.info[0]
    assert (info["layer"], info["filters"], info["tiles"], info["style"]) == (
        "bilinear", 4, 4, "flat")  # each unit's 2 x 192 weights on a square
    assert 2 * 8 * 8 * 3 <= info["tile_shape"][0] * info["tile_shape"][1]


def test_max_filters_and_scale_are_checked(kid):
    observer = Observer(kid)
    with pytest.raises(ValueError, match=r"^Observer.visualize_filters: max_filters must be a "
                                         r"positive int, got 0$"):
        observer.visualize_filters(max_filters=0)
    with pytest.raises(TypeError, match=r"max_filters must be a positive int or None, got 2.5"):
        observer.visualize_filters(max_filters=2.5)
    with pytest.raises(ValueError, match=r"unknown scale 'global'; choose one of 'filter', "
                                         r"'layer'"):
        observer.visualize_filters(scale="global")


def test_bad_layouts_are_errors_that_list_the_layouts(kid):
    observer = Observer(kid)
    with pytest.raises(ValueError, match="one of .*'normal', 'square', 'inverse', 'dynamic'"):
        observer.visualize_filters(layout={"type": "round"})
    with pytest.raises(ValueError, match="'normal' needs 'num', a column count"):
        observer.visualize_filters(layout={"type": "normal"})
    with pytest.raises(ValueError, match="'inverse' needs 'num'.*got 0"):
        observer.visualize_filters(layout={"type": "inverse", "num": 0})


def test_grid_shapes_of_the_four_layouts():
    assert mosaics.grid_shape(10, {"type": "normal", "num": 4}) == (3, 4)
    assert mosaics.grid_shape(10, {"type": "square"}) == (3, 4)
    assert mosaics.grid_shape(10, {"type": "inverse", "num": 4}) == (4, 3)
    assert mosaics.grid_shape(32, {"type": "dynamic"}, (5, 5), aspect=2.0) == (4, 8)
    assert mosaics.grid_shape(32, {"type": "dynamic"}, (5, 5), aspect=0.5) == (8, 4)
    assert mosaics.grid_shape(3, {"type": "normal", "num": 8}) == (1, 3)


def test_inner_product_over_images_draws_each_unit_as_an_image(tmp_path):
    kid = Kid(FeedSensor(image_source((6, 6, 1), 3), batch_size=16), TinyDenseNet(name="dense"),
              MomentumKongFu(lr_scheme={"name": "fixed", "base_lr": 0.05}), max_steps=1,
              log_dir=str(tmp_path), do_summary=False, seed=0)
    kid.practice()
    observer = Observer(kid)
    pictures = observer.visualize_filters(layout={"type": "dynamic"})
    info = {i["layer"]: i for i in pictures.info}
    assert info["ip1"]["style"] == "image" and info["ip1"]["tile_shape"] == (6, 6)
    assert info["ip1"]["tiles"] == 7
    assert info["ip2"]["style"] == "flat" and info["ip2"]["tiles"] == 3  # 7 inputs, no layout
    assert_pictures(observer, pictures, count=2)
    kid.teardown()


# -- activations, predictions, curves, graph --------------------------------------------

def test_visualize_activation_draws_every_data_block(kid):
    observer = Observer(kid)
    pictures = observer.visualize_activation()
    assert_pictures(observer, pictures)
    info = {i["layer"]: i["tiles"] for i in pictures.info}
    assert info == {"conv1": 6, "relu1": 6, "pool1": 6, "conv2": 5, "relu2": 5, "ip1": 4}
    only = observer.visualize_activation(layers="relu2", example=3)
    assert [i["layer"] for i in only.info] == ["relu2"]
    with pytest.raises(ValueError, match=r"^Observer.visualize_activation: example must be an int "
                                         r"in \[0, 15\], got 10000$"):
        observer.visualize_activation(layers="relu2", example=10_000)


def test_visualize_classifying(kid):
    observer = Observer(kid)
    pictures = observer.visualize_classifying("ip1", idxs=[0, 3, 5])
    assert_pictures(observer, pictures, count=1)
    assert pictures.info[0]["tiles"] == 3 and 0 <= pictures.info[0]["correct"] <= 3
    with pytest.raises(ValueError, match="no block 'ip9'; the blocks are"):
        observer.visualize_classifying("ip9")
    with pytest.raises(ValueError, match=r"idxs must be .* in \[0, 16\)"):
        observer.visualize_classifying("ip1", idxs=[99])
    with pytest.raises(ValueError, match="needs \\(N, classes\\)"):
        observer.visualize_classifying("relu2")


def test_plot_training_reads_metrics_jsonl(kid):
    observer = Observer(kid)
    pictures = observer.plot_training()
    assert_pictures(observer, pictures, count=1)
    assert pictures.info[0]["panels"] == ["loss", "accuracy", "lr"]


def test_visualize_graph_writes_png_and_dot(kid):
    observer = Observer(kid)
    pictures = observer.visualize_graph()
    assert_pictures(observer, pictures, count=1)
    with open(pictures.info[0]["dot"], encoding="utf-8") as f:
        dot = f.read()
    assert dot.startswith('digraph "tiny" {')
    for src, dst in kid.brain.graph()["edges"]:
        assert f'"{src}" -> "{dst}";' in dot
    assert "(N, 4, 4, 5)" in dot  # relu2's output shape, batch axis as N


def test_no_pyplot_figures_pile_up(kid):
    import matplotlib.pyplot as plt
    before = plt.get_fignums()
    Observer(kid).visualize_filters(layers="conv1")
    assert plt.get_fignums() == before


# -- summaries ---------------------------------------------------------------------------

def test_percentile_bands_match_numpy_and_the_normal_distribution():
    sample = np.random.default_rng(0).standard_normal(1_000_000)
    bands = summaries.percentile_bands(sample)
    np.testing.assert_allclose(bands, np.percentile(sample, summaries.PERCENTILES))
    # TensorBoard's basis points: mean +-1.5, +-1 and +-0.5 sigma, and the median
    np.testing.assert_allclose(bands[1:8], [1.5, 1.0, 0.5, 0.0, -0.5, -1.0, -1.5], atol=0.01)
    assert bands[0] == sample.max() and bands[-1] == sample.min()
    assert len(summaries.PERCENTILE_LABELS) == len(bands) == 9


def test_summaries_are_tensorboard_histograms_and_sparsity(kid):
    events = event_accumulator.EventAccumulator(
        os.path.join(kid.log_dir, "train"),
        size_guidance={event_accumulator.TENSORS: 0, event_accumulator.HISTOGRAMS: 0,
                       event_accumulator.SCALARS: 0})
    events.Reload()
    tags = set(events.Tags()["tensors"])
    expected = {"loss", "weights/conv1/weights", "weights/ip1/bias", "gradients/conv1/weights",
                "gradients/ip1/weights", "activations/conv1", "activations/relu2",
                "activations/ip1", "sparsity/relu1", "sparsity/ip1"}
    assert expected <= tags, expected - tags
    assert not any("loss" in t or "accuracy" in t for t in tags if "/" in t)
    histograms = events.Tensors("weights/conv1/weights")
    assert [h.step for h in histograms] == [2, 4]
    table = tf.make_ndarray(histograms[-1].tensor_proto)
    assert table.shape == (30, 3) and table[:, 2].sum() == 3 * 3 * 3 * 6
    weights = kid.brain.get_layer_by_name("conv1").weights.numpy()
    assert table[0, 0] == pytest.approx(weights.min()) and table[-1, 1] == pytest.approx(
        weights.max())
    metadata = events.SummaryMetadata("weights/conv1/weights")
    assert metadata.plugin_data.plugin_name == "histograms"
    for event in events.Tensors("sparsity/relu1"):
        assert 0.0 < float(tf.make_ndarray(event.tensor_proto)) < 1.0


def test_distributions_jsonl_holds_the_bands_of_each_log_step(kid):
    with open(os.path.join(kid.log_dir, summaries.DISTRIBUTIONS_FILE), encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    assert [r["step"] for r in records] == [2, 4]
    last = records[-1]
    assert set(last) == {"step", "weights", "gradients", "activations"}
    assert set(last["weights"]) == set(last["gradients"]) == {
        f"{layer}/{v}" for layer in ("conv1", "conv2", "ip1") for v in ("weights", "bias")}
    assert set(last["activations"]) == {"conv1", "relu1", "pool1", "conv2", "relu2", "ip1"}
    for kind in summaries.KINDS:
        for bands in last[kind].values():
            assert len(bands) == 9 and bands == sorted(bands, reverse=True)
    weights = kid.brain.get_layer_by_name("conv2").weights.numpy()  # unchanged since step 4
    np.testing.assert_allclose(last["weights"]["conv2/weights"],
                               summaries.percentile_bands(weights), rtol=1e-6)
    assert last["activations"]["relu1"][-1] == 0.0  # ReLU: the minimum is 0


def test_plot_distributions(kid):
    observer = Observer(kid)
    pictures = observer.plot_distributions()
    assert_pictures(observer, pictures, count=3)
    assert [i["kind"] for i in pictures.info] == ["weights", "gradients", "activations"]
    assert len(pictures.info[0]["tensors"]) == 6
    conv1 = observer.plot_distributions(tensors=["conv1"])
    assert [i["tensors"] for i in conv1.info] == [["conv1/weights", "conv1/bias"]] * 2 + [
        ["conv1"]]


# -- a finished run ---------------------------------------------------------------------

def test_observer_of_a_log_dir_restores_the_trained_weights(kid):
    observer = Observer(log_dir=kid.log_dir, brain=TinyConvNet(name="tiny"), sensor=sensor())
    assert observer.restored_from.endswith("ckpt-4")
    trained = [v.numpy() for v in kid.brain.var_list]
    restored = [v.numpy() for v in observer.brain.var_list]
    assert len(restored) == len(trained) == 6
    for a, b in zip(restored, trained):
        np.testing.assert_array_equal(a, b)
    assert_pictures(observer, observer.visualize_filters(layers="conv1"), count=1)
    assert_pictures(observer, observer.visualize_activation(layers="relu1"), count=1)

    lazy = Observer(kid.log_dir, brain=TinyConvNet(name="tiny"))  # no data: restored on build
    with pytest.raises(ValueError, match="has no variables yet; pass sensor="):
        lazy.visualize_filters()
    x, y = sensor().source.arrays("val")
    lazy.brain([tf.constant(x[:2]), tf.constant(y[:2])])
    for a, b in zip(lazy.brain.var_list, trained):
        np.testing.assert_array_equal(a.numpy(), b)


def test_without_a_brain_only_the_logs_can_be_drawn(kid):
    observer = Observer(log_dir=kid.log_dir)
    assert_pictures(observer, observer.plot_training(), count=1)
    for method in ("visualize_filters", "visualize_activation", "visualize_graph"):
        with pytest.raises(ValueError, match=f"Observer.{method} needs the brain's weights; "
                                             f"pass brain="):
            getattr(observer, method)()
    with pytest.raises(ValueError, match="needs the brain's weights; pass brain="):
        observer.visualize_classifying("ip1")


def test_construction_errors(kid, tmp_path):
    with pytest.raises(ValueError, match="give a kid, or log_dir"):
        Observer(kid, log_dir=kid.log_dir)
    with pytest.raises(ValueError, match="give a kid"):
        Observer()
    with pytest.raises(ValueError, match="is not a folder"):
        Observer(log_dir=str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="no readable checkpoint in"):
        Observer(log_dir=str(tmp_path), brain=TinyConvNet(), sensor=sensor())
    with pytest.raises(ValueError, match="no metrics.jsonl"):
        Observer(log_dir=str(tmp_path)).plot_training()
    with pytest.raises(ValueError, match="train with Kid\\(do_summary=True\\)"):
        Observer(log_dir=str(tmp_path)).plot_distributions()
