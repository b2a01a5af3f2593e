"""Kidfiles: names found by reflection, duplicate keys, checked values, and the Kid's own
evaluate/predict/restore and minute checkpoints behind `akid train|test|evaluate`."""
import os
import re
import textwrap

import numpy as np
import pytest

import akid
from akid import spec as kidfile
from akid.spec.optimizer import make_kongfu
from akid.spec.provider import read_provider
from test_spec import blob_points, write


def fails(argv, capsys):
    """The `akid` command's exit status and its one stderr line."""
    status = kidfile.main(argv)
    out, err = capsys.readouterr()
    assert out == ""
    return status, err


@pytest.fixture(name="blobs")
def blobs_fixture(tmp_path):
    """A file of 3 separable blobs in 6-D: 200 train and 40 validation points."""
    points, labels = blob_points()
    np.save(tmp_path / "train.npy", {"points": points[:200], "labels": labels[:200]})
    np.save(tmp_path / "val.npy", {"points": points[200:], "labels": labels[200:]})
    return tmp_path


def blobs_kidfile(folder, train="", extra="", classes=3, name="blobs.yml"):
    """A Kidfile training a small classifier on `blobs`; `train` adds train keys, `extra`
    sections."""
    train = textwrap.indent(textwrap.dedent(train).strip(), "  ")
    path = os.path.join(folder, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(textwrap.dedent(f"""\
            settings: {{seed: 1}}
            model:
              - input: points
              - inner_product: 16
              - relu: null
              - inner_product: {classes}
                name: scores
            loss:
              - {{target: scores, name: categorical_crossentropy}}
            validate:
              data: [numpy_dict: "{folder}/val.npy"]
            train:
              data: [numpy_dict: "{folder}/train.npy"]
              provider: {{batch_size: 20, num_batches: 5}}
              optimizer: {{name: sgd, momentum: 0.9, learning_rate: 0.1}}
              summary: no
            """) + train + "\n" + textwrap.dedent(extra))
    return path


# -- names by reflection ----------------------------------------------------------------------


@pytest.mark.parametrize("name, cls", [
    ("sgd", "GradientDescentKongFu"), ("gradient_descent", "GradientDescentKongFu"),
    ("momentum", "MomentumKongFu"), ("adam", "AdamKongFu"), ("rmsprop", "RMSPropKongFu"),
    ("rms_prop", "RMSPropKongFu"), ("adagrad", "AdagradKongFu"),
    ("adadelta", "AdadeltaKongFu"), ("AdamKongFu", "AdamKongFu"),
    ("RMSPropKongFu", "RMSPropKongFu")])
def test_every_optimizer_name_makes_its_kongfu(tmp_path, name, cls):
    path = write(tmp_path, "opt.yml", f"train: {{optimizer: {name}}}\n")
    assert type(make_kongfu(kidfile.load(path), 10, 5)).__name__ == cls


def test_an_unknown_optimizer_lists_the_kongfus_akid_has(tmp_path):
    path = write(tmp_path, "opt.yml", "train:\n  optimizer: {name: adamw}\n")
    with pytest.raises(kidfile.SpecError, match=r"opt\.yml:2: section 'train', optimizer: "
                                                r"unknown optimizer 'adamw'; known: .*adam,"):
        make_kongfu(kidfile.load(path), 10, 5)


@pytest.mark.parametrize("name, cls", [
    ("categorical_crossentropy", "SoftmaxWithLossLayer"),
    ("softmax_cross_entropy", "SoftmaxWithLossLayer"),
    ("softmax_with_loss", "SoftmaxWithLossLayer"), ("SoftmaxWithLossLayer", "SoftmaxWithLossLayer"),
    ("mean_squared_error", "MSELossLayer"), ("mse", "MSELossLayer"), ("mse_loss", "MSELossLayer"),
    ("hinge", "HingeLossLayer"), ("hinge_loss", "HingeLossLayer")])
def test_every_loss_name_makes_its_loss_block(tmp_path, name, cls):
    path = write(tmp_path, "loss.yml", f"""
        model: [{{inner_product: 3, name: out}}]
        loss: [{{target: out, name: {name}}}]
    """)
    brain = kidfile.build_brain(kidfile.load(path))
    assert type(brain.get_layer_by_name("loss")).__name__ == cls


def test_jokers_are_named_by_their_class_with_or_without_joker(tmp_path):
    path = write(tmp_path, "jokers.yml", """
        train:
          provider:
            jokers: [flip: {flip_left_right: yes}, FlipJoker: null, whiten: null]
    """)
    jokers = read_provider(kidfile.load(path), "train")["jokers"]
    assert [type(joker).__name__ for joker, _ in jokers] == ["FlipJoker", "FlipJoker",
                                                             "WhitenJoker"]


# -- duplicate keys -----------------------------------------------------------------------------


@pytest.mark.parametrize("text, line, key, first", [
    ("""
     settings: {epochs: 1}
     train:
       epochs: 2
       steps: 3
       epochs: 4
     """, 6, "epochs", 4),
    ("""
     model:
       - inner_product: 4
         name: a
         name: b
     """, 5, "name", 4),
    ("""
     settings: {seed: 1}
     model: [{relu: null}]
     settings: {seed: 2}
     """, 4, "settings", 2),
])
def test_a_key_written_twice_is_an_error_naming_both_lines(tmp_path, capsys, text, line, key,
                                                           first):
    path = write(tmp_path, "twice.yml", text)
    assert fails(["dump", path], capsys) == (
        2, f"akid: error: {path}:{line}: duplicate key '{key}' (first at line {first})\n")


def test_yaml_merge_keys_may_still_be_overridden(tmp_path):
    path = write(tmp_path, "merge.yml", """
        settings:
          base: &base {batch_size: 8, num_batches: 2}
        train:
          provider:
            <<: *base
            batch_size: 4
    """)
    assert kidfile.load(path).data["train"]["provider"] == {"batch_size": 4, "num_batches": 2}


# -- values checked by akid.checks, located ------------------------------------------------------


@pytest.mark.parametrize("setting, message", [
    ("train.provider.batch_size=true",
     r"section 'train', provider\.batch_size: batch_size must be a positive int, got True "
     r"\(bool\)"),
    ("train.provider.batch_size=null",
     r"section 'train', provider\.batch_size: batch_size must be a positive int, got None"),
    ("train.provider.randomize=1",
     r"section 'train', provider\.randomize: randomize must be True or False, got 1"),
    ("train.epochs=0", r"section 'train', epochs: epochs must be a positive int, got 0"),
    ("train.summary=sometimes", r"section 'train', summary: summary must be True or False, "
                                r"got 'sometimes'"),
    ("train.checkpoint={minutes: 0}",
     r"section 'train', checkpoint\.minutes: minutes must be a finite number > 0, got 0"),
    ("train.checkpoint={epochs: two}",
     r"section 'train', checkpoint\.epochs: epochs must be a number, got 'two'"),
    ("train.log={path: somewhere, batches: 0.5}",
     r"section 'train', log\.batches: batches must be a positive int or None, got 0\.5"),
])
def test_bad_train_values_are_located_errors(blobs, capsys, setting, message):
    path = blobs_kidfile(blobs, "epochs: 1")
    status, err = fails(["train", path, "--set", setting], capsys)
    assert status == 2
    assert err.startswith(f"akid: error: {path}:")
    assert len(err.splitlines()) == 1
    assert re.search(message, err), err


@pytest.mark.parametrize("entry, message", [
    ("- {inner_product: 2, sink: 3}", r"section 'model', entry 0 \('inner_product'\): sink "
                                      r"must be True or False, got 3"),
    ("- for: {range: -1, iterate: [relu: null]}",
     r"section 'model', entry 0 \('for'\): for: range must be an int >= 0, got -1"),
])
def test_bad_model_values_are_located_errors(tmp_path, capsys, entry, message):
    path = write(tmp_path, "model.yml", f"model:\n  {entry}\n")
    status, err = fails(["dump", path], capsys)
    assert status == 2 and re.search(rf"model\.yml:2: {message}", err), err


def test_a_loss_weight_is_checked(tmp_path, capsys):
    path = write(tmp_path, "loss.yml", """
        model: [{inner_product: 3, name: out}]
        loss: [{target: out, name: mse, weight: -1}]
    """)
    assert fails(["dump", path], capsys) == (
        2, f"akid: error: {path}:3: section 'loss', entry 0 (target 'out'): weight must be a "
           f"finite number >= 0, got -1.0\n")


# -- the Kid's own API behind the commands -------------------------------------------------------


def test_minute_checkpoints_reach_the_kid(blobs):
    log = blobs / "log"
    path = blobs_kidfile(blobs, f"""
        steps: 4
        log: "{log}"
        checkpoint: {{minutes: 1.0e-9, batches: 100}}   # every step, by the clock
    """)
    kid = kidfile.train(kidfile.load(path))
    kid.teardown()
    assert kid.checkpoint_minutes == 1e-9
    assert [r["step"] for r in akid.read_metrics(log) if r["split"] == "val"] == [1, 2, 3, 4]


def test_initial_weights_are_the_brains_alone(blobs):
    """A run started from another's weights trains its own epochs from them."""
    first, second = blobs / "first", blobs / "second"
    path = blobs_kidfile(blobs, f"""
        epochs: 2
        log: {{path: "{first}", batches: 1}}
        weights: {{initial: "{blobs}/best", best: "{blobs}/best"}}
    """)
    kid = kidfile.train(kidfile.load(path))
    kid.teardown()
    assert os.path.isfile(blobs / "best.index")  # the first run's best, a Kid checkpoint
    again = kidfile.train(kidfile.load(path, [f"train.log.path={second}"]))
    again.teardown()

    def train_records(log):
        return [r for r in akid.read_metrics(log) if r["split"] == "train"]

    # Its own 10 steps from step 0 (a Kid checkpoint's clock would have ended it at once),
    # starting from the learned weights.
    assert [r["step"] for r in train_records(second)] == list(range(1, 11))
    assert train_records(second)[0]["loss"] < 0.5 * train_records(first)[0]["loss"]


def test_test_and_evaluate_without_a_train_log_leave_no_folder(blobs, capsys, monkeypatch):
    log = blobs / "log"
    path = blobs_kidfile(blobs, f"steps: 10\nlog: \"{log}\"", extra=f"""
        test:
          data: [numpy_dict: "{blobs}/val.npy"]
          weights: "{log}/model"
        evaluate:
          data: [numpy_dict: "{blobs}/val.npy"]
          weights: "{log}/model"
    """)
    assert kidfile.main(["train", path]) == 0
    val = [r for r in akid.read_metrics(log) if r["split"] == "val"][-1]
    capsys.readouterr()
    spec = kidfile.load(path, ["train.log=null"])
    monkeypatch.chdir(blobs / "log")
    before = sorted(os.listdir("."))
    loss, evals = kidfile.test(spec)
    assert loss == pytest.approx(val["loss"], rel=1e-5)
    assert evals["accuracy"] == pytest.approx(val["accuracy"])
    result, truth = kidfile.evaluate(spec)
    assert np.mean(np.argmax(result["scores"], 1) == truth["scores"]) == \
        pytest.approx(val["accuracy"])
    assert sorted(os.listdir(".")) == before


def test_weights_that_do_not_fit_are_a_located_error(blobs, capsys):
    log = blobs / "log"
    path = blobs_kidfile(blobs, f"steps: 2\nlog: \"{log}\"", extra=f"""
        test:
          data: [numpy_dict: "{blobs}/val.npy"]
    """)
    assert kidfile.main(["train", path]) == 0
    capsys.readouterr()
    other = blobs_kidfile(blobs, f"steps: 2\nlog: \"{log}\"", classes=5, name="other.yml",
                          extra=f"""
        test:
          data: [numpy_dict: "{blobs}/val.npy"]
          weights: "{log}/model/ckpt-2"
    """)
    status, err = fails(["test", other], capsys)
    assert status == 2
    assert err.startswith(f"akid: error: {other}:") and "section 'test', weights: Kid: the " \
        "checkpoint" in err and "does not fit brain 'other'" in err, err
    status, err = fails(["train", other, "--set", f"train.log={blobs}/fresh", "--set",
                         f"train.weights={{initial: {log}/model/ckpt-2}}"], capsys)
    assert status == 2
    assert "section 'train', weights: the initial weights" in err and \
        "do not fit brain 'other'" in err, err


def test_labels_the_brain_cannot_take_are_a_located_error(blobs, capsys):
    path = blobs_kidfile(blobs, f"steps: 2\nlog: \"{blobs}/log\"", classes=2)
    status, err = fails(["train", path], capsys)
    assert status == 2
    assert err.startswith(f"akid: error: {path}:") and "section 'train': Kid: the train " \
        "labels" in err and "outside [0, 2)" in err, err
