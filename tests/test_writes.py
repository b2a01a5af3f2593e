"""What akid writes and removes: only its own files, by a rule each writer states; what it
did not write (a user's file beside, or at, its destination) it never deletes or overwrites."""
import glob
import json
import os

import pytest
import tensorflow as tf
from test_kids import make_kid
from test_tuner import tiny_setup

from akid.kids.observer import Observer
from akid.kids.tuner import tune
from akid.kids.tuner.runner import replace_file

USER_FILES = {"notes.txt": b"my notes", "ckpt-old-backup.txt": b"old weights, by hand"}


def put(folder, files=USER_FILES):
    """Writes the user's `files` into `folder` (made when missing)."""
    os.makedirs(folder, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(folder, name), "wb") as f:
            f.write(data)


def tree(folder):
    """{path relative to `folder`: bytes} of every file under it."""
    found = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                found[os.path.relpath(path, folder)] = f.read()
    return found


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A Kid trained 40 steps, saving at every 5 (8 saves) with max_to_keep=2, user files in
    its model/ and model/best/ from the start."""
    log_dir = tmp_path_factory.mktemp("run")
    put(log_dir / "model")
    put(log_dir / "model" / "best")
    kid = make_kid(log_dir, max_steps=40, val_log_step=5, train_log_step=5, max_to_keep=2)
    kid.practice()
    yield kid
    kid.teardown()


# -- checkpoints ---------------------------------------------------------------------

def test_checkpoint_rotation_removes_only_akids_own_checkpoints(trained):
    model = os.path.join(trained.log_dir, "model")
    for folder, kept in ((model, 2), (os.path.join(model, "best"), 1)):
        assert {name: tree(folder)[name] for name in USER_FILES} == USER_FILES
        assert len(glob.glob(os.path.join(folder, "ckpt-*.index"))) == kept, os.listdir(folder)
    assert tf.train.latest_checkpoint(model).endswith("ckpt-40")


def test_a_resumed_run_rotates_on_and_still_leaves_the_users_files(trained, tmp_path):
    log_dir = tmp_path / "resumed"
    make_kid(log_dir, max_steps=10, val_log_step=5, max_to_keep=1).practice()
    put(log_dir / "model")
    make_kid(log_dir, max_steps=20, val_log_step=5, max_to_keep=1,
             continue_from_chk_point=True).practice()
    assert {name: tree(log_dir / "model")[name] for name in USER_FILES} == USER_FILES
    assert [os.path.basename(p) for p in glob.glob(str(log_dir / "model" / "ckpt-*.index"))] \
        == ["ckpt-20.index"]


# -- export --------------------------------------------------------------------------

def test_export_replaces_only_a_previous_saved_model(trained, tmp_path):
    path = str(tmp_path / "served")
    trained.export(path)
    first = tree(path)
    assert "saved_model.pb" in first
    trained.export(path)  # a SavedModel is there: replaced
    assert "saved_model.pb" in tree(path) and os.listdir(tmp_path) == ["served"]  # no leftovers
    os.makedirs(tmp_path / "empty")
    trained.export(str(tmp_path / "empty"))
    assert os.path.isfile(tmp_path / "empty" / "saved_model.pb")


@pytest.mark.parametrize("kind", ["folder", "file"])
def test_export_refuses_a_path_holding_something_else(trained, tmp_path, kind):
    target = tmp_path / "mine"
    if kind == "folder":
        put(target)
    else:
        target.write_bytes(b"my file")
    before = tree(tmp_path)
    with pytest.raises(FileExistsError, match=rf"export: {target} is a (folder of other files "
                                              rf"\(no saved_model.pb in it\)|file); akid "
                                              rf"replaces only a previous SavedModel.*move"):
        trained.export(str(target))
    assert tree(tmp_path) == before and os.listdir(tmp_path) == ["mine"]


def test_an_interrupted_export_keeps_the_previous_model_and_no_temporary(trained, tmp_path,
                                                                        monkeypatch):
    path = tmp_path / "served"
    trained.export(str(path))
    before = tree(path)
    replace = os.replace

    def interrupted(src, dst):  # the new model's move into place is interrupted
        if os.path.basename(src).startswith(".export-") and \
                not os.path.basename(src).startswith(".export-old-"):
            raise KeyboardInterrupt
        return replace(src, dst)

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        trained.export(str(path))
    monkeypatch.undo()
    assert tree(path) == before and os.listdir(tmp_path) == ["served"]

    def failing(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(tf.saved_model, "save", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        trained.export(str(tmp_path / "new"))
    assert os.listdir(tmp_path) == ["served"]


# -- observer ------------------------------------------------------------------------

def test_observer_writes_only_its_own_names_into_save_to(trained, tmp_path):
    folder = tmp_path / "pictures"
    put(folder, {**USER_FILES, "my_plot.png": b"not a png of akid's"})
    observer = Observer(trained, save_to=str(folder))
    paths = list(observer.visualize_filters()) + list(observer.plot_training())
    assert {name: tree(folder)[name] for name in (*USER_FILES, "my_plot.png")} == \
        {**USER_FILES, "my_plot.png": b"not a png of akid's"}
    new = set(os.listdir(folder)) - {*USER_FILES, "my_plot.png"}
    assert new == {os.path.basename(p) for p in paths} and "training.png" in new
    assert all(n.startswith("filters_") for n in new - {"training.png"})


# -- tuner ---------------------------------------------------------------------------

def test_tune_writes_beside_other_files_and_refuses_a_second_study(tmp_path):
    work_dir = tmp_path / "study"
    put(work_dir)
    first = tune(tiny_setup, work_dir=str(work_dir), devices=[])
    assert [r["status"] for r in first] == ["ok"]
    assert {name: tree(work_dir)[name] for name in USER_FILES} == USER_FILES
    before = tree(work_dir)
    with pytest.raises(FileExistsError, match=rf"tune: work_dir {work_dir} already holds a "
                                              rf"study \(000_o0_n0_r0, results.csv, "
                                              rf"results.jsonl\).*give another work_dir, or "
                                              rf"move {work_dir} away"):
        tune(tiny_setup, [{"lr": 0.05}, {"lr": 0.2}], work_dir=str(work_dir), devices=[])
    assert tree(work_dir) == before


def test_tune_refuses_the_results_of_a_study_whose_instances_were_moved(tmp_path):
    put(tmp_path, {"results.jsonl": json.dumps({"index": 0}).encode() + b"\n"})
    with pytest.raises(FileExistsError, match=r"already holds a study \(results.jsonl\)"):
        tune(tiny_setup, work_dir=str(tmp_path), devices=[])
    assert os.listdir(tmp_path) == ["results.jsonl"]


def test_replace_file_is_atomic_and_cleans_its_temporary(tmp_path):
    path = tmp_path / "result.json"
    path.write_text("old")

    def broken(f):
        f.write("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        replace_file(str(path), broken)
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["result.json"]
    replace_file(str(path), lambda f: f.write("new"))
    assert path.read_text() == "new" and os.listdir(tmp_path) == ["result.json"]
