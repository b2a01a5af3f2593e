"""The Kid's loop is hook-only: its callbacks, events, per-run logs, interrupts in a notebook,
minute checkpoints, and evaluate / predict / restore."""
import os
import signal

import numpy as np
import pytest
import tensorflow as tf

from akid import ArraySource, FeedSensor, Kid, MomentumKongFu
from akid.kids import callbacks, signals
from akid.kids.hooks import EVENTS, Callback, Hooks
from akid.kids.logs import read_metrics
from test_kids import SmallBrain, blob_source, blobs, make_kid


def test_hooks_declare_every_event_as_a_field():
    hooks = Hooks()
    assert EVENTS == ("on_train_begin", "on_batch_begin", "on_batch_end", "on_train_log_step",
                      "on_val_log_step", "on_epoch_end", "on_train_end", "on_interrupt",
                      "on_train_exit")
    assert all(getattr(hooks, event) == [] for event in EVENTS)


def test_a_callback_hangs_only_the_events_it_overrides():
    class Counter(Callback):
        def on_batch_end(self, kid):
            pass

    hooks = Hooks()
    counter = hooks.add(Counter())
    assert [len(getattr(hooks, e)) for e in EVENTS].count(1) == 1
    assert hooks.on_batch_end == [counter.on_batch_end]

    class Misspelt(Callback):
        def on_val_log(self, kid):
            pass

    with pytest.raises(ValueError, match=r"Misspelt has method\(s\) \['on_val_log'\] named "
                                         r"like events, but the Kid's events are on_train_begin"):
        hooks.add(Misspelt())


def test_builtin_callbacks_run_before_a_users_hooks_added_earlier(tmp_path):
    kid = make_kid(tmp_path, max_steps=10, train_log_step=5)
    seen = []
    kid.hooks.on_train_log_step.append(lambda k: seen.append((k.step, k.train_loss)))
    kid.practice()
    assert [step for step, _ in seen] == [5, 10]
    records = [r for r in read_metrics(str(tmp_path)) if r["split"] == "train"]
    assert [loss for _, loss in seen] == pytest.approx([r["loss"] for r in records])


def test_standard_callbacks_follow_the_options(tmp_path):
    names = [type(c).__name__ for c in callbacks.standard(make_kid(tmp_path / "a"))]
    assert names == ["NanGuard", "MetricsLog", "Checkpointing", "Summarizer", "ProgressBar"]
    quiet = make_kid(tmp_path / "b", save_chk_point=False, do_summary=False)
    assert [type(c).__name__ for c in callbacks.standard(quiet)] == [
        "NanGuard", "MetricsLog", "ProgressBar"]


def test_setting_up_again_installs_the_callbacks_once(tmp_path):
    kid = make_kid(tmp_path, max_steps=5)
    kid.setup()
    before = {event: len(getattr(kid.hooks, event)) for event in EVENTS}
    kid.teardown()
    kid.setup()
    assert {event: len(getattr(kid.hooks, event)) for event in EVENTS} == before


def test_two_kids_in_one_process_keep_their_own_training_logs(tmp_path):
    first = make_kid(tmp_path / "first", max_steps=10, train_log_step=5)
    first.setup()
    second = make_kid(tmp_path / "second", max_steps=20, train_log_step=5)
    second.practice()
    first.practice()
    first_log = (tmp_path / "first" / "training.log").read_text()
    second_log = (tmp_path / "second" / "training.log").read_text()
    assert "train step 20" in second_log and "train step 20" not in first_log
    assert "train step 10" in first_log and first_log.count("train step") == 2
    assert second_log.count("train step") == 4 and str(tmp_path / "first") not in second_log


def test_sigint_in_a_notebook_saves_and_returns_and_practice_resumes(tmp_path, monkeypatch):
    monkeypatch.setattr(signals, "in_ipython", lambda: True)
    kid = make_kid(tmp_path, max_steps=20, val_log_step=100)
    kid.hooks.on_batch_end.append(
        lambda k: os.kill(os.getpid(), signal.SIGINT) if k.step == 6 else None)
    kid.practice()  # returns, no SystemExit
    assert kid.stopped_by == "SIGINT" and kid.step == 6 and kid.is_setup
    assert tf.train.latest_checkpoint(str(tmp_path / "model")).endswith("ckpt-6")
    kid.hooks.on_batch_end.pop()
    kid.practice()
    assert kid.step == 20 and kid.stopped_by is None


def test_sigterm_in_a_notebook_still_exits(tmp_path, monkeypatch):
    monkeypatch.setattr(signals, "in_ipython", lambda: True)
    kid = make_kid(tmp_path, max_steps=20)
    kid.hooks.on_batch_end.append(
        lambda k: os.kill(os.getpid(), signal.SIGTERM) if k.step == 3 else None)
    with pytest.raises(SystemExit) as stopped:
        kid.practice()
    assert stopped.value.code == 128 + signal.SIGTERM and not kid.is_setup


def test_checkpoint_minutes_validates_and_saves_between_val_log_steps(tmp_path):
    kid = make_kid(tmp_path, max_steps=6, val_log_step=100, checkpoint_minutes=1e-9)
    kid.practice()
    assert [r["step"] for r in read_metrics(str(tmp_path)) if r["split"] == "val"] == [
        1, 2, 3, 4, 5, 6]
    assert tf.train.latest_checkpoint(str(tmp_path / "model")).endswith("ckpt-6")
    with pytest.raises(ValueError, match="Kid: checkpoint_minutes must be a finite number > 0"):
        make_kid(tmp_path / "bad", checkpoint_minutes=0)


def test_evaluate_predict_and_restore_serve_a_trained_kid(tmp_path):
    kid = make_kid(tmp_path / "run", max_steps=60, val_log_step=60)
    kid.practice()
    val_loss, val_evals = kid.validate()
    x, y = blobs(90, seed=0)
    test_source = ArraySource(train=None, val=None, test=(x, y))
    reader = Kid(FeedSensor(test_source, batch_size=32), SmallBrain(name="small"),
                 MomentumKongFu(), inference_mode=True, log_dir=str(tmp_path / "reader"))
    assert reader.restore(tmp_path / "run" / "model").endswith("ckpt-60")
    assert reader.step == 60
    loss, evals = reader.evaluate("test")
    assert loss < 0.1 and evals["accuracy"] > 0.97
    logits = reader.predict(x)
    assert logits.shape == (90, 3)
    assert (logits.argmax(axis=1) == y).mean() == pytest.approx(evals["accuracy"])
    hidden = reader.predict("test", outputs=["relu1", "ip2"])
    assert hidden["relu1"].shape == (90, 16) and np.allclose(hidden["ip2"], logits, atol=1e-5)
    assert ("test", 60) in [(r["split"], r["step"]) for r in read_metrics(str(tmp_path / "reader"))]


def test_restore_takes_a_brain_only_checkpoint_and_refuses_a_misfit(tmp_path):
    kid = make_kid(tmp_path / "run", max_steps=30)
    kid.practice()
    prefix = tf.train.Checkpoint(brain=kid.brain).write(str(tmp_path / "weights" / "w"))
    other = make_kid(tmp_path / "other", max_steps=30)
    assert other.restore(prefix) == prefix and other.step == 0
    np.testing.assert_array_equal(other.brain.get_variable("ip1/weights").numpy(),
                                  kid.brain.get_variable("ip1/weights").numpy())
    with pytest.raises(ValueError, match="no readable checkpoint of brain 'small'"):
        other.restore(tmp_path / "nowhere")
    wide = Kid(FeedSensor(ArraySource(train=blobs(60, 0, dim=5)), batch_size=30),
               SmallBrain(name="small"), MomentumKongFu(), max_steps=1,
               log_dir=str(tmp_path / "wide"))
    with pytest.raises(ValueError, match="does not fit brain 'small'"):
        wide.restore(prefix)
