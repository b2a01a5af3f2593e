"""akid's Observer methods and tuner templates as akid's users wrote them.

The Observer: `stem3_data`, `do_stat_on_filters`, `plot_relu_sparsity`,
`visualize_filters(layers, layout, big_resolution)` and a block's
`bag={"filters_to_visual": [...]}`, on tests/test_observer.py's tiny conv kid
(conv1, relu1, pool1, conv2, relu2, ip1; trained 4 steps, summarized at 2 and 4).
The tuner: a template `def setup(graph):` that builds its Kid without a
log_dir and sets it up itself (akid's jinja2_maxout example does both).
"""
import logging
import os

import numpy as np
import pytest
import tensorflow as tf

from test_observer import TinyConvNet, assert_pictures, image_source, kid  # noqa: F401

from akid import ConvolutionLayer, FeedSensor, Kid, MomentumKongFu
from akid.kids.logs import LOGGER_NAME
from akid.kids.observer import Observer
from akid.kids.tuner import tune
from akid.kids.tuner.tuning import plan


# -- the Observer --------------------------------------------------------------------------

def test_bag_filters_to_visual_draws_only_those_filters(kid):  # noqa: F811
    """akid's own test set `bag` on a built block, then drew the filters."""
    conv1 = kid.brain.get_layer_by_name("conv1")
    observer = Observer(kid)
    try:
        conv1.bag = {"filters_to_visual": [0, 2, 5]}
        chosen = observer.visualize_filters(["conv1"], {"type": "normal", "num": 2},
                                            True)  # akid's order: layers, layout, big_resolution
        assert_pictures(observer, chosen, 1)
        conv1.bag = {"filters_to_visual": [9]}
        with pytest.raises(ValueError, match=r"block 'conv1' \(ConvolutionLayer\): "
                                             r"bag\['filters_to_visual'\] must be .* \[0, 6\), "
                                             r"got \[9\]"):
            observer.visualize_filters(layers="conv1")
    finally:
        conv1.bag = None
    everything = observer.visualize_filters(layers="conv1")
    assert chosen.info[0]["chosen"] == [0, 2, 5] and chosen.info[0]["tiles"] == 3
    assert chosen.info[0]["grid"] == (2, 2) and chosen.info[0]["filters"] == 6
    assert everything.info[0]["tiles"] == 6 and "chosen" not in everything.info[0]


def test_an_observer_of_a_kid_built_again_restores_its_run(kid):  # noqa: F811
    """akid's visualization script builds the Kid again (same log_dir) and observes it."""
    again = Kid(kid.sensor, TinyConvNet(name="tiny"), MomentumKongFu(), max_steps=4,
                log_dir=kid.log_dir)
    observer = Observer(again)
    assert observer.restored_from.endswith("ckpt-4") and not again.is_setup
    for a, b in zip(again.brain.var_list, kid.brain.var_list):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert_pictures(observer, observer.visualize_filters(layers="conv1"), 1)


def test_a_bag_given_to_the_constructor_takes_effect():
    """akid's Block(bag=...) argument, stored on the block (blocks/block.py)."""
    layer = ConvolutionLayer(ksize=[3, 3], strides=[1, 1], padding="SAME", out_channel_num=4,
                             bag={"filters_to_visual": [1]}, name="conv")
    assert layer.bag == {"filters_to_visual": [1]}


def test_do_stat_on_filters_draws_the_l2_norm_of_each_filter(kid):  # noqa: F811
    observer = Observer(kid)
    pictures = observer.do_stat_on_filters()
    assert_pictures(observer, pictures, 3)
    for info in pictures.info:
        weights = kid.brain.get_layer_by_name(info["layer"]).weights.numpy()
        expected = np.linalg.norm(weights.reshape(-1, weights.shape[-1]), axis=0)
        np.testing.assert_allclose(info["norms"], expected, rtol=1e-5)
    ip1 = kid.brain.get_layer_by_name("ip1")
    before = getattr(ip1, "do_stat_on_norm", False)
    ip1.do_stat_on_norm = True  # akid drew the layers built with do_stat_on_norm=True
    try:
        assert [i["layer"] for i in observer.do_stat_on_filters().info] == ["ip1"]
    finally:
        ip1.do_stat_on_norm = before
    assert [i["layer"] for i in observer.do_stat_on_filters(layers="conv1").info] == ["conv1"]


def test_plot_relu_sparsity_reads_the_relu_blocks_summaries(kid):  # noqa: F811
    observer = Observer(kid)
    folder = os.path.join(kid.log_dir, "train")
    event_file = next(os.path.join(folder, f) for f in os.listdir(folder)
                      if f.startswith("events.out.tfevents"))
    for path in (None, event_file):
        pictures = observer.plot_relu_sparsity(path)
        assert_pictures(observer, pictures, 1)
        series = pictures.info[0]["series"]
        assert sorted(series) == ["relu1", "relu2"]  # not conv1, ip1, ...: the ReLUs
        for points in series.values():
            assert [s for s, _ in points] == [2, 4] and all(0 <= v <= 1 for _, v in points)
    x, y = (tf.constant(a[:16]) for a in kid.sensor.source.arrays("train"))
    with kid.brain.mode_as("val"):
        relu2 = kid.brain.activations([x, y])["relu2"].numpy()
    assert 0 < np.mean(relu2 == 0) < 1  # what the curve measures: a fraction of zeros
    picked = observer.plot_relu_sparsity(layers=["ip1"]).info[0]["series"]
    assert sorted(picked) == ["ip1"]
    no_brain = Observer(log_dir=kid.log_dir).plot_relu_sparsity()  # no brain: every block
    assert {"conv1", "relu1", "ip1"} <= set(no_brain.info[0]["series"])
    with pytest.raises(ValueError, match="train with Kid\\(do_summary=True\\)"):
        observer.plot_relu_sparsity(os.path.join(kid.log_dir, "val"))


def test_stem3_data_draws_one_panel_a_channel(kid):  # noqa: F811
    observer = Observer(kid)
    pictures = observer.stem3_data()
    assert_pictures(observer, pictures, 1)
    assert pictures.info[0]["tiles"] == 3 and pictures[0].endswith("stem3_train_0.png")
    gray = Observer(log_dir=kid.log_dir, sensor=FeedSensor(image_source((8, 8, 1), 4),
                                                           batch_size=16))
    assert gray.stem3_data(example=2, split="val").info[0]["tiles"] == 1
    with pytest.raises(ValueError, match="example"):
        observer.stem3_data(example=99)


# -- the tuner -----------------------------------------------------------------------------

def akid_setup(graph):
    """akid's template shape: takes `graph`, builds a Kid without log_dir, sets it up."""
    import numpy as np

    from akid import ArraySource, Brain, FeedSensor, Kid, MomentumKongFu, SoftmaxWithLossLayer
    from akid import cnn_block

    rng = np.random.default_rng(0)
    x = rng.normal(size=(160, 8)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int32")
    brain = Brain(name="tiny")
    brain.attach(cnn_block(out_channel_num=8, activation={"type": "relu"}, name="ip1"))
    brain.attach(cnn_block(out_channel_num=2, activation=None, name="ip2"))
    brain.attach(SoftmaxWithLossLayer(class_num=2, name="loss"))
    kid = Kid(FeedSensor(ArraySource(train=(x[:128], y[:128]), val=(x[128:], y[128:])),
                         batch_size=32),
              brain, MomentumKongFu(lr_scheme={"name": "fixed", "base_lr": {{ opt_paras["lr"] }}}),
              max_steps=8, val_log_step=8, train_log_step=4, do_summary=False)
    assert graph is None
    kid.setup()
    return kid


@pytest.fixture(scope="module")
def akid_study(tmp_path_factory):
    """Two instances of `akid_setup`, run from a fresh working directory; (cwd, results,
    the akid logger's messages)."""
    cwd = tmp_path_factory.mktemp("cwd")  # akid's default log/<timestamp> would land here
    messages = []
    handler = logging.Handler()
    handler.emit = lambda record: messages.append(record.getMessage())
    logging.getLogger(LOGGER_NAME).addHandler(handler)
    before = os.getcwd()
    os.chdir(cwd)
    try:
        results = tune(akid_setup, [{"lr": 0.1}, {"lr": 0.3}], max_parallel=2,
                       work_dir=str(cwd / "study"), devices=[])
    finally:
        os.chdir(before)
        logging.getLogger(LOGGER_NAME).removeHandler(handler)
    return cwd, results, messages


@pytest.mark.slow  # two subprocesses that import TensorFlow: ~40-80 s on two shared cores
def test_an_akid_template_taking_graph_runs_in_every_instance(akid_study):
    _, results, messages = akid_study
    assert [r["status"] for r in results] == ["ok", "ok"], [r["error"] for r in results]
    for record in results:
        assert record["final_val_loss"] is not None and record["steps"] == 8
        assert os.path.isfile(os.path.join(record["log_dir"], "metrics.jsonl"))
    assert sum("graph=None" in m for m in messages) == 1, messages


@pytest.mark.slow
def test_an_akid_template_that_sets_its_kid_up_logs_into_its_instance_folder(akid_study):
    cwd, results, _ = akid_study
    for record in results:
        assert record["log_dir"] == os.path.join(record["instance_dir"], "log")
        assert os.path.isfile(os.path.join(record["log_dir"], "training.log"))
    assert not (cwd / "log").exists()


def test_akid_tune_arguments(tmp_path):
    """gpu_num_per_instance=None is akid's "one GPU each"; a template parameter the tuner
    cannot fill is an error before anything runs."""
    assert [i["gpu_num"] for i in plan([{}], [{}, {}], 2, None)] == [1, 1, 1, 1]

    def setup(graph, lr):
        return None

    with pytest.raises(TypeError, match=r"template setup\(\) takes \['lr'\] without defaults"):
        tune(setup, work_dir=str(tmp_path / "study"), devices=[])
    assert not (tmp_path / "study").exists()
