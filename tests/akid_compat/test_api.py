"""akid's import paths, Kid and KongFu API as its users wrote them (issue 15).

Each old path resolves to today's object (the same object, not a copy) and
warns once with the new import; a name with no counterpart says why; the
TensorFlow 1 plumbing on a Kid says what to use instead; akid's placeholder
learning rate set in a hook trains at that rate from that very step.
"""
import importlib
import json
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
import tensorflow as tf

import akid
from akid import (ArraySource, Brain, FeedSensor, GradientDescentKongFu, InnerProductLayer, Kid,
                  MomentumKongFu, SoftmaxWithLossLayer)
from akid.compat import GoneError, aliases
from akid.compat.paths import ALIASES
from akid.kids.hooks import Callback

ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")


def fresh_import(path):
    """Imports the alias `path` anew, as a new process would; returns (module, warnings)."""
    for name in [m for m in sys.modules if m == path or m.startswith(path + ".")]:
        del sys.modules[name]
    aliases._warned.clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module = importlib.import_module(path)
    return module, [str(w.message) for w in caught if w.category is FutureWarning]


# -- import paths ---------------------------------------------------------------

OLD_NAMES = [  # (old module, old name, today's object)
    ("akid.models.brains", "LeNet", akid.brains.AkidLeNet),  # akid's LeNet, not today's
    ("akid.models.brains", "AlexNet", akid.brains.AkidAlexNet),
    ("akid.models.brains", "ResNet", akid.brains.PreActResNet),
    ("akid.models", "OneLayerBrain", akid.brains.OneLayerBrain),
    ("akid.layers", "ConvolutionLayer", akid.blocks.ConvolutionLayer),
    ("akid.layers.synapse_layers", "InnerProductLayer", akid.blocks.InnerProductLayer),
    ("akid.layers.synapse_layers", "SynapseLayer", akid.blocks.WeightedLayer),
    ("akid.layers.activation_layers", "MaxoutLayer", akid.blocks.MaxoutLayer),
    ("akid.layers.loss_layers", "SoftmaxWithLossLayer", akid.blocks.SoftmaxWithLossLayer),
    ("akid.layers.common_layers", "PaddingLayer", akid.blocks.PaddingLayer),
    ("akid.sugar", "cnn_block", akid.brains.cnn_block),
    ("akid.sugar.block_templates", "cnn_block", akid.brains.cnn_block),
    ("akid.core.blocks", "Block", akid.blocks.Block),
    ("akid.core.brains", "Brain", akid.brains.Brain),
    ("akid.core.common", "init", akid.kids.clock.init),
    ("akid.common", "init", akid.kids.clock.init),
    ("akid.core.engines", "SingleGPUEngine", akid.kids.engines.SingleEngine),
    ("akid.core.jokers", "CropJoker", akid.sensors.CropJoker),
    ("akid.core.kids", "Kid", akid.kids.Kid),
    ("akid.core.kongfus", "MomentumKongFu", akid.kongfu.MomentumKongFu),
    ("akid.core.kongfus", "LearningRateScheme", akid.kongfu.LearningRateScheme),
    ("akid.core.observer", "Observer", akid.kids.Observer),
    ("akid.core.sensors", "IntegratedSensor", akid.sensors.IntegratedSensor),
    ("akid.core.sources", "Source", akid.sources.Source),
    ("akid.core.systems", "LinkedSystem", akid.blocks.SequentialSystem),
    ("akid.train.tuner", "tune", akid.kids.tune),
    ("akid.datasets", "MNISTFeedSource", akid.sources.MNISTFeedSource),
]


@pytest.mark.parametrize("old, name, today", OLD_NAMES)
def test_an_old_path_gives_todays_object(old, name, today):
    module, _ = fresh_import(old)
    assert getattr(module, name) is today
    namespace = {}
    exec(f"from {old} import {name}", namespace)  # noqa: S102 -- the user's own line
    assert namespace[name] is today


def test_every_old_module_imports_and_warns_once_with_the_new_import():
    for old, alias in ALIASES.items():
        if old == "akid" or alias.reason or alias.package:
            continue
        _, said = fresh_import(old)
        assert len(said) == 1 and said[0].startswith(f"{old} is akid's old import path"), said
        assert (alias.instead or f"import from {alias.new[0]} instead") in said[0]
    _, again = fresh_import("akid.models.brains")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        importlib.import_module("akid.models.brains")
    assert len(again) == 1 and not caught


def test_a_script_sees_the_warning_by_default_once_at_its_own_line():
    """In a fresh process, as a user's script: also akid's bare engine="data_parallel"
    (its devices must be set before TensorFlow starts)."""
    script = ("from akid.models.brains import OneLayerBrain\n"
              "from akid.models.brains import VGGNet\n"
              "import akid.models.brains\n"
              "from akid.kids.engines import make_engine\n"
              "print(make_engine('data_parallel').num_replicas)\n")
    result = subprocess.run([sys.executable, "-c", script], env=ENV, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "FutureWarning" in line]
    assert lines == ["<string>:1: FutureWarning: akid.models.brains is akid's old import path; "
                     "import from akid.brains instead"], result.stderr
    assert result.stdout.split()[-1] == "2"  # akid's two towers (logical CPUs here)


def test_a_package_path_warns_when_used_not_for_its_sub_modules():
    _, said = fresh_import("akid.layers.loss_layers")
    assert [s.split(" is ")[0] for s in said] == ["akid.layers.loss_layers"]
    _, said = fresh_import("akid.layers")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        akid.layers.ReLULayer  # noqa: B018
    assert said == [] and "akid.layers is akid's old import path" in str(caught[0].message)


def test_star_import_gives_akids_public_names_that_exist_today():
    namespace = {}
    exec("from akid.models.brains import *", namespace)  # noqa: S102
    assert namespace["LeNet"] is akid.brains.AkidLeNet and "Brain" not in namespace
    exec("from akid.layers import *", namespace)  # noqa: S102
    assert namespace["ConvolutionLayer"] is akid.blocks.ConvolutionLayer
    assert "InvariantInnerProductLayer" not in namespace  # gone: left out, not an error


LATER = [  # names other modules add: resolved at access, so present once they exist
    ("akid.models.brains", "MnistTfTutorialNet", "akid.brains"),
    ("akid.models.brains", "VGGNet", "akid.brains"),
    ("akid.models.brains", "ImagenetResNet", "akid.brains"),
    ("akid.core.jokers", "ResizeJoker", "akid.sensors"),
    ("akid.datasets", "Cifar10TFSource", "akid.sources"),
    ("akid.datasets", "Cifar100TFSource", "akid.sources"),
    ("akid.datasets", "ImagenetTFSource", "akid.sources"),
    ("akid.datasets", "RotatedMNISTFeedSource", "akid.sources"),
    ("akid", "Cifar10TFSource", "akid.sources"),
    ("akid", "ResizeJoker", "akid.sensors"),
]


@pytest.mark.parametrize("old, name, home", LATER)
def test_names_defined_later_resolve_at_access(old, name, home):
    today = getattr(importlib.import_module(home), name, None)
    module = importlib.import_module(old)
    if today is None:
        with pytest.raises(GoneError, match=f"{old}.{name} is not in this akid: looked for"):
            getattr(module, name)
        pytest.skip(f"{home}.{name} does not exist yet")
    assert getattr(module, name) is today


@pytest.mark.parametrize("statement, match", [
    ("from akid.core.common import SEED", r"SEED is gone: .*Kid\(\.\.\., seed=66478\)"),
    ("from akid import LEARNING_RATE_TAG", r"logged as 'lr'.*get_lr\(\)"),
    ("from akid.core.common import TRAIN_SUMMARY_COLLECTION", "TensorFlow 2 has none"),
    ("from akid.core.sensors import ShuffleQueueSensor", "IntegratedSensor shuffles"),
    ("from akid.core.callbacks import on_train_log_step", "built in"),
    ("from akid.layers import InvariantInnerProductLayer", "half-baked"),
    ("import akid.utils.test", "akid.utils.test is gone: .*pytest"),
    ("from akid.ops import msra_initializer", r"init_para=\{'name': 'msra'\}"),
])
def test_a_name_with_no_counterpart_says_why_and_what_instead(statement, match):
    with pytest.raises(ImportError, match=match):
        exec(statement, {})  # noqa: S102


def test_an_unknown_name_is_a_plain_attribute_error():
    import akid.layers
    assert not hasattr(akid.layers, "NoSuchLayer")
    with pytest.raises(AttributeError, match="akid's old path, an alias of akid.blocks"):
        akid.layers.NoSuchLayer  # noqa: B018


def test_akid_data_path_is_the_sources_data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("AKID_DATA_PATH", str(tmp_path))
    from akid import AKID_DATA_PATH
    assert AKID_DATA_PATH == str(tmp_path) == akid.sources.data_path()
    assert AKID_DATA_PATH + "/mnist" == akid.sources.data_path("mnist")


def test_glog_logs_to_the_akid_logger(tmp_path):
    from akid.utils import glog as log
    path = str(tmp_path / "glog.txt")
    log.init(path)
    log.init(path)  # once only
    log.info("hello %s", "akid")
    log.init()  # stderr: already there
    handlers = [h for h in akid.kids.logs.logger().handlers
                if getattr(h, "baseFilename", 0) == path]
    assert len(handlers) == 1
    handlers[0].close()
    akid.kids.logs.logger().removeHandler(handlers[0])
    assert "hello akid" in open(path).read()


def test_sugar_init_has_nothing_left_to_do():
    from akid import sugar
    assert sugar.init() is None


# -- the Kid ----------------------------------------------------------------------

def make_kid(log_dir, kongfu=None, **kwargs):
    """A one-layer classifier on 4 well-apart 2-D blobs: lr 0.1 brings its loss under 0.3."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, 256)
    x = (np.array([[4, 0], [0, 4], [-4, 0], [0, -4]])[labels]
         + rng.normal(0, 0.5, (256, 2))).astype("float32")
    brain = Brain(name="net")
    brain.attach(InnerProductLayer(out_channel_num=4, name="ip"))
    brain.attach(SoftmaxWithLossLayer(class_num=4, name="loss"))
    kwargs.setdefault("max_steps", 30)
    return Kid(FeedSensor(ArraySource(train=(x[:192], labels[:192]), val=(x[192:], labels[192:])),
                          batch_size=32),
               brain, kongfu or GradientDescentKongFu(lr_scheme={"name": "fixed", "base_lr": 0.1}),
               log_dir=log_dir and str(log_dir), seed=0, train_log_step=10, val_log_step=1000,
               **kwargs)


def test_graph_is_accepted_ignored_and_warned_once(tmp_path):
    aliases._warned.clear()
    with pytest.warns(FutureWarning, match="TensorFlow 2 has no graphs.*graph= is ignored"):
        make_kid(tmp_path, graph=object())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make_kid(tmp_path, graph=object())  # once only
        make_kid(tmp_path, graph=None)  # akid's default: nothing to say


def test_sess_and_unknown_arguments_are_refused(tmp_path):
    with pytest.raises(TypeError, match="sess= .*is gone: TensorFlow 2 runs eagerly"):
        make_kid(tmp_path, sess=object())
    with pytest.raises(TypeError, match="unexpected keyword argument 'max_step'"):
        make_kid(tmp_path, max_step=3)


@pytest.mark.parametrize("name, match", [
    ("sess", r"kid.sess .*is gone.*kid.brain.get_variable"),
    ("graph", r"drop `with kid.graph.as_default\(\):`"),
    ("fill_train_feed_dict", r"feed dicts are gone.*kid.predict\(x\)"),
    ("saver", r"kid.restore\(path\)"),
    ("loss_value", "kid.batch_loss"),
])
def test_tensorflow_1_attributes_say_what_to_use(tmp_path, name, match):
    kid = make_kid(tmp_path)
    assert not hasattr(kid, name)
    with pytest.raises(AttributeError, match=f"^Kid: .*{match}"):
        getattr(kid, name)


def test_a_kid_without_log_dir_logs_to_akid_log_dir(tmp_path, monkeypatch):
    """The tuner sets $AKID_LOG_DIR per instance, for templates that set their Kid up."""
    monkeypatch.setenv("AKID_LOG_DIR", str(tmp_path / "instance"))
    kid = make_kid(None)
    assert kid.log_dir == str(tmp_path / "instance")
    monkeypatch.delenv("AKID_LOG_DIR")
    assert make_kid(None).log_dir.startswith("log" + os.sep)


def test_model_dir_is_where_the_checkpoints_go(tmp_path):
    kid = make_kid(tmp_path, max_steps=5)
    assert kid.model_dir == os.path.join(str(tmp_path), "model")
    kid.practice()
    assert tf.train.latest_checkpoint(kid.model_dir).endswith("ckpt-5")


def test_practice_continue_from_chk_point_resumes(tmp_path):
    make_kid(tmp_path, max_steps=10).practice()
    kid = make_kid(tmp_path, max_steps=20)
    first = []
    kid.hooks.on_batch_end.append(lambda k: first.append(k.step) if not first else None)
    kid.practice(continue_from_chk_point=True)
    assert first == [11] and kid.step == 20
    with pytest.raises(TypeError, match="continue_from_chk_point must be True or False"):
        make_kid(tmp_path).practice(continue_from_chk_point="yes")


def test_akids_hook_names_are_todays_events(tmp_path):
    kid = make_kid(tmp_path, max_steps=20)
    logged = []
    kid.hooks.on_training_log.append(lambda k: logged.append(("train", k.step)))
    kid.hooks.on_val_log.append(lambda k: logged.append(("val", k.step)))
    assert kid.hooks.on_training_log is kid.hooks.on_train_log_step
    kid.practice()
    assert logged == [("train", 10), ("train", 20), ("val", 20)]

    class OnVal(Callback):  # a Callback is today's API: its methods take today's names
        def on_val_log(self, kid):
            pass

    with pytest.raises(ValueError, match="akid's hook list on_val_log is on_val_log_step as a"):
        kid.hooks.add(OnVal())


# -- the KongFu ---------------------------------------------------------------------

def test_lr_value_set_in_a_hook_trains_at_that_rate_from_that_step(tmp_path):
    """Issue 15: akid's idiom was ignored (lr 0, loss stuck at log(4))."""
    kid = make_kid(tmp_path, MomentumKongFu(lr_scheme={"name": "placeholder"}), max_steps=30)
    schedule = {0: 0.1, 20: 0.05}
    seen = []

    def update_lr(kid):
        if kid.step in schedule:
            kid.kongfu.lr_value = schedule[kid.step]

    kid.hooks.on_batch_begin.append(update_lr)
    kid.hooks.on_batch_end.append(lambda k: seen.append(k.kongfu.get_lr()))
    loss = kid.practice()
    assert seen == pytest.approx([0.1] * 20 + [0.05] * 10)
    assert kid.kongfu.lr_value == 0.05  # the number as set, as akid's test asserted
    assert loss < 0.3, loss  # log(4) = 1.39 at lr 0
    records = [json.loads(line) for line in open(tmp_path / "metrics.jsonl")]
    assert [r["lr"] for r in records if r["split"] == "train"] == pytest.approx([0.1, 0.1, 0.05])


def test_a_placeholder_never_set_is_an_error_at_the_first_step(tmp_path):
    kid = make_kid(tmp_path, MomentumKongFu(lr_scheme={"name": "placeholder"}))
    with pytest.raises(ValueError, match=r"no learning rate yet.*on_batch_begin.*lr_value = 0.1"):
        kid.practice()
    assert kid.step == 0


def test_lr_value_needs_a_placeholder():
    kongfu = MomentumKongFu()
    assert kongfu.lr_value is None
    with pytest.raises(ValueError, match="set_lr needs lr_scheme .*so does setting lr_value"):
        kongfu.lr_value = 0.1


def test_akids_first_kongfu_arguments_decay_by_the_kids_epochs(tmp_path):
    kongfu = MomentumKongFu(base_lr=1.0, momentum=0.5, decay_rate=0.1, decay_epoch_num=2)
    assert kongfu.lr_scheme.spec == {"name": "exp_decay", "base_lr": 1.0, "decay_rate": 0.1,
                                     "decay_epoch_num": 2}
    kid = make_kid(tmp_path, kongfu, max_steps=13)  # 6 batches an epoch: drops every 12
    seen = []
    kid.hooks.on_batch_begin.append(lambda k: seen.append(k.kongfu.get_lr()))
    kid.practice()
    assert seen == pytest.approx([1.0] * 12 + [0.1])
    with pytest.raises(ValueError, match="give lr_scheme or akid's"):
        MomentumKongFu(base_lr=0.1, lr_scheme={"name": "fixed", "base_lr": 0.1})
    with pytest.raises(TypeError, match="unexpected keyword argument 'decay'"):
        MomentumKongFu(decay=0.1)


def test_akids_exp_decay_keys():
    steps = akid.kongfu.make_lr_scheme({"name": "exp_decay", "base_lr": 0.1, "decay_rate": 0.5,
                                        "decay_steps": 10})
    assert [float(steps(s)) for s in (9, 10, 25)] == pytest.approx([0.1, 0.05, 0.025])
    half = akid.kongfu.make_lr_scheme({"name": "exp_decay", "base_lr": 0.1, "decay_rate": 0.5,
                                       "num_batches_per_epoch": 10, "decay_epoch_num": 0.5})
    assert [float(half(s)) for s in (4, 5)] == pytest.approx([0.1, 0.05])
    unknown = akid.kongfu.make_lr_scheme({"name": "exp_decay", "base_lr": 0.1,
                                          "decay_rate": 0.5, "decay_epoch_num": 1})
    with pytest.raises(ValueError, match="does not know how many batches an epoch has"):
        unknown(0)
    with pytest.raises(ValueError, match="needs decay_epoch_num or decay_steps"):
        akid.kongfu.make_lr_scheme({"name": "exp_decay", "base_lr": 0.1, "decay_rate": 0.5})


def test_clip_value_clips_each_gradient_element():
    w = tf.Variable([0.0, 0.0, 0.0])
    kongfu = GradientDescentKongFu(clip_value=0.5, lr_scheme={"name": "fixed", "base_lr": 1.0})
    kongfu.build([w])
    kongfu.apply_gradients([tf.constant([3.0, -0.2, -7.0])], [w])
    np.testing.assert_allclose(w.numpy(), [-0.5, 0.2, 0.5])
    with pytest.raises(ValueError, match="clip_norm or clip_value, not both"):
        GradientDescentKongFu(clip_value=0.5, clip_norm=1.0)
