"""The Kid: training to a threshold, hooks, stop, logs, checkpoints and resume."""
import json
import math
import os

import numpy as np
import pytest
import tensorflow as tf

import akid
from akid import (AccuracyLayer, ArraySource, Brain, FeedSensor, GradientDescentKongFu,
                  InnerProductLayer, Kid, MomentumKongFu, ReLULayer, SoftmaxWithLossLayer)
from akid.kids import clock


def blobs(n, seed, dim=8, classes=3):
    """Gaussian blobs, one per class, well apart: linearly separable."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(0, 3, (classes, dim))
    labels = rng.integers(0, classes, n)
    return (centers[labels] + rng.normal(0, 0.5, (n, dim))).astype("float32"), labels


def blob_source(num_train=300, num_val=90):
    x, y = blobs(num_train + num_val, seed=0)
    return ArraySource(train=(x[:num_train], y[:num_train]), val=(x[num_train:], y[num_train:]))


class SmallBrain(Brain):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.attach(InnerProductLayer(out_channel_num=16, name="ip1"))
        self.attach(ReLULayer(name="relu1"))
        self.attach(InnerProductLayer(out_channel_num=3, name="ip2"))
        self.attach(SoftmaxWithLossLayer(class_num=3, name="loss"))
        self.attach(AccuracyLayer(name="accuracy"))


def make_kid(log_dir, kongfu=None, batch_size=32, **kwargs):
    kwargs.setdefault("max_steps", 40)
    return Kid(FeedSensor(blob_source(), batch_size=batch_size), SmallBrain(name="small"),
               kongfu or MomentumKongFu(lr_scheme={"name": "fixed", "base_lr": 0.05}),
               log_dir=str(log_dir), seed=1, **kwargs)


def test_practice_reaches_a_low_loss_on_separable_data(tmp_path):
    kid = make_kid(tmp_path, max_steps=120, val_log_step=60, train_log_step=20)
    loss = kid.practice()
    assert loss < 0.1, loss
    val_loss, evals = kid.validate()
    assert val_loss < 0.1 and evals["accuracy"] > 0.97
    assert kid.step == 120 and clock.get_step() == 120


def test_exactly_one_of_max_steps_and_max_epoch(tmp_path):
    with pytest.raises(ValueError, match="exactly one of max_steps and max_epoch"):
        make_kid(tmp_path, max_steps=None)
    with pytest.raises(ValueError, match="exactly one of max_steps and max_epoch"):
        make_kid(tmp_path, max_steps=10, max_epoch=1)


def test_max_epoch_trains_whole_epochs(tmp_path):
    kid = make_kid(tmp_path, max_steps=None, max_epoch=2)  # 300 examples, batch 32: 10 a epoch
    kid.practice()
    assert kid.step == 20 and kid.epoch == 2.0


def test_hooks_are_called_the_expected_number_of_times(tmp_path):
    kid = make_kid(tmp_path, max_steps=25, val_log_step=10, train_log_step=5)
    calls = {event: 0 for event in akid.kids.hooks.EVENTS}
    for event in calls:
        getattr(kid.hooks, event).append(lambda k, e=event: calls.__setitem__(e, calls[e] + 1))
    kid.practice()
    assert calls == {"on_train_begin": 1, "on_batch_begin": 25, "on_batch_end": 25,
                     "on_train_log_step": 5, "on_val_log_step": 3,  # steps 10, 20 and the end
                     "on_epoch_end": 2, "on_train_end": 1, "on_interrupt": 0,
                     "on_train_exit": 1}


def test_stop_from_a_hook_ends_training_cleanly(tmp_path):
    kid = make_kid(tmp_path, max_steps=100)
    kid.hooks.on_batch_end.append(lambda k: k.stop() if k.step == 7 else None)
    kid.practice()
    assert kid.step == 7
    assert tf.train.latest_checkpoint(os.path.join(tmp_path, "model")).endswith("ckpt-7")


def test_metrics_jsonl_has_a_record_per_log_step(tmp_path):
    kid = make_kid(tmp_path, max_steps=20, val_log_step=10, train_log_step=5)
    kid.practice()
    records = [json.loads(line) for line in open(tmp_path / "metrics.jsonl")]
    train = [r for r in records if r["split"] == "train"]
    val = [r for r in records if r["split"] == "val"]
    assert [r["step"] for r in train] == [5, 10, 15, 20]
    assert [r["step"] for r in val] == [10, 20]
    for r in train:
        assert {"epoch", "loss", "lr", "accuracy", "images_per_s"} <= set(r)
        assert math.isfinite(r["loss"]) and r["lr"] == pytest.approx(0.05)
    assert train[1]["images_per_s"] > 0
    assert "accuracy" in val[0] and (tmp_path / "training.log").read_text().count("val step") == 2


def test_placeholder_lr_set_from_a_hook(tmp_path):
    kongfu = GradientDescentKongFu(lr_scheme={"name": "placeholder"})
    kid = make_kid(tmp_path, kongfu=kongfu, max_steps=10)
    seen = []
    kid.hooks.on_batch_begin.append(lambda k: k.kongfu.set_lr(0.1 if k.step < 5 else 0.01))
    kid.hooks.on_batch_end.append(lambda k: seen.append(k.kongfu.get_lr()))
    kid.practice()
    assert seen[:5] == [pytest.approx(0.1)] * 5 and seen[5:] == [pytest.approx(0.01)] * 5


def test_checkpoints_are_written_and_best_kept_apart(tmp_path):
    kid = make_kid(tmp_path, max_steps=30, val_log_step=10)
    kid.practice()
    model = os.path.join(tmp_path, "model")
    assert tf.train.latest_checkpoint(model).endswith("ckpt-30")
    assert tf.train.latest_checkpoint(os.path.join(model, "best")) is not None
    val_losses = [r["loss"] for r in akid.read_metrics(tmp_path) if r["split"] == "val"]
    assert kid.checkpoints.best_loss == pytest.approx(min(val_losses))


def test_resume_restores_clock_lr_slots_and_validation(tmp_path):
    scheme = {"name": "exp_decay", "base_lr": 0.1, "decay_rate": 0.5,
              "num_batches_per_epoch": 10, "decay_epoch_num": 1}
    kid = make_kid(tmp_path, kongfu=MomentumKongFu(lr_scheme=scheme), max_steps=25)
    kid.practice()
    val_loss, _ = kid.validate()
    slots = [v.numpy() for v in kid.kongfu.optimizer.variables]
    kid.teardown()

    again = make_kid(tmp_path, kongfu=MomentumKongFu(lr_scheme=scheme), max_steps=40,
                     continue_from_chk_point=True)
    again.setup()
    assert again.step == 25 and clock.get_step() == 25
    assert again.kongfu.get_lr() == pytest.approx(0.1 * 0.5 ** 2)
    for before, after in zip(slots, again.kongfu.optimizer.variables):
        np.testing.assert_allclose(after.numpy(), before, rtol=0, atol=0)
    assert again.validate()[0] == pytest.approx(val_loss, abs=1e-5)
    again.practice()
    assert again.step == 40


def test_resumed_run_matches_an_uninterrupted_one(tmp_path):
    def run(log_dir, stops):
        kid = None
        for max_steps in stops:
            kid = make_kid(log_dir, max_steps=max_steps, continue_from_chk_point=True)
            kid.practice()
            kid.teardown()
        return [v.numpy() for v in kid.brain.var_list]

    straight = run(tmp_path / "straight", [30])
    resumed = run(tmp_path / "resumed", [13, 30])
    for a, b in zip(straight, resumed):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_new_run_refuses_a_log_dir_with_checkpoints(tmp_path):
    make_kid(tmp_path, max_steps=5).practice()
    with pytest.raises(ValueError, match="already holds checkpoints"):
        make_kid(tmp_path, max_steps=5).setup()


def test_ctrl_c_saves_a_checkpoint(tmp_path):
    kid = make_kid(tmp_path, max_steps=100)

    def interrupt(k):
        if k.step == 6:
            raise KeyboardInterrupt

    kid.hooks.on_batch_end.append(interrupt)
    with pytest.raises(KeyboardInterrupt):
        kid.practice()
    assert tf.train.latest_checkpoint(os.path.join(tmp_path, "model")).endswith("ckpt-6")


def test_non_finite_loss_stops_with_the_step(tmp_path):
    kid = make_kid(tmp_path, max_steps=50, val_log_step=5,
                   kongfu=GradientDescentKongFu(lr_scheme={"name": "placeholder"}))
    kid.hooks.on_batch_begin.append(lambda k: k.kongfu.set_lr(0.05 if k.step < 8 else 1e30))
    with pytest.raises(FloatingPointError, match=r"at step (9|10|11)"):
        kid.practice()
    assert tf.train.latest_checkpoint(os.path.join(tmp_path, "model")).endswith("ckpt-5")


def test_brain_without_loss_is_refused(tmp_path):
    brain = Brain(name="no_loss")
    brain.attach(InnerProductLayer(out_channel_num=3))
    kid = Kid(FeedSensor(blob_source(), batch_size=8), brain, MomentumKongFu(), max_steps=2,
              log_dir=str(tmp_path))
    with pytest.raises(ValueError, match="no loss block"):
        kid.setup()


def test_unknown_engine_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown engine.*known engines: single, data_parallel, multi_worker"):
        make_kid(tmp_path, engine="warp_drive")


def test_debug_names_the_first_non_finite_block_and_keeps_the_brain(tmp_path):
    kid = make_kid(tmp_path, max_steps=50, debug=True)
    kid.setup()
    before = [v.numpy().copy() for v in kid.brain.var_list]
    kid.brain.get_layer_by_name("ip2").get_variable("bias").assign([np.inf, 0.0, 0.0])
    with pytest.raises(FloatingPointError, match=r"at step 1; the first block whose output is "
                                                 r"not finite is 'ip2'"):
        kid.practice()
    after = kid.brain.var_list
    np.testing.assert_array_equal(after[0].numpy(), before[0])  # no update was applied
    assert kid.step == 0


def test_validation_loss_leaves_out_weight_decay(tmp_path):
    brain = Brain(name="decayed")
    brain.attach(InnerProductLayer(out_channel_num=3, wd={"type": "l2", "scale": 10.0}, name="ip"))
    brain.attach(SoftmaxWithLossLayer(class_num=3, name="loss"))
    kid = Kid(FeedSensor(blob_source(), batch_size=32), brain, MomentumKongFu(), max_steps=1,
              log_dir=str(tmp_path))
    kid.setup()
    val_loss, _ = kid.validate()
    x, y = blob_source().arrays("val")
    outcome = brain.compute([x, y])
    assert val_loss == pytest.approx(float(outcome.losses["loss"]), rel=1e-5)
    assert float(outcome.loss) > val_loss + 1.0  # the decay term is large here


def test_jit_compiled_steps_train_too(tmp_path):
    kid = make_kid(tmp_path, max_steps=60, jit_compile=True, train_log_step=20)
    assert kid.practice() < 0.2
    assert kid.validate()[1]["accuracy"] > 0.95
