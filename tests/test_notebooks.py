"""akid in a notebook, as its users run it: the notebooks of examples/notebooks/ executed
cell by cell in a fresh Jupyter kernel (nbclient + ipykernel), whose code never imports
pyplot nor runs %matplotlib; and the kernel's interrupt button during `kid.practice()`.

The quickstart runs in the default suite; the brains and tuner notebooks are slow.
"""
import asyncio
import base64
import glob
import os
import pathlib
import re
import threading
import time

import matplotlib.image
import pytest

from akid.kids.logs import read_metrics
from akid.kids.tuner import read_results

try:
    import ipykernel  # noqa: F401
    import ipywidgets  # noqa: F401
    import nbclient  # noqa: F401
    import nbformat
except ImportError as missing:
    pytest.skip(f"the notebook tests need nbclient, nbformat, ipykernel and ipywidgets "
                f"({missing}); install them with pip install -e '.[notebook]'",
                allow_module_level=True)

from notebook_kernel import (WIDGET, Client, assert_each_picture_shown_once,  # noqa: E402
                             assert_runs_as_users_run_it, cell_with, code_cells, copy_to_docs,
                             html_of_cells_ending_with, pngs, run_notebook, text_of,
                             write_kernel_spec)


@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory):
    folder = tmp_path_factory.mktemp("jupyter")
    name = write_kernel_spec(folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_PATH", os.pathsep.join(
            [str(folder)] + [p for p in [os.environ.get("JUPYTER_PATH")] if p]))
        yield name


# -- the quickstart (default suite) ------------------------------------------------

@pytest.fixture(scope="module")
def quickstart(tmp_path_factory, kernel_name):
    """The executed quickstart, its client, its run's log_dir and its wall time."""
    cwd = tmp_path_factory.mktemp("quickstart")
    nb, client, seconds = run_notebook("quickstart", cwd, kernel_name)
    log_dirs = glob.glob(str(cwd / "log" / "*"))
    assert len(log_dirs) == 1, log_dirs
    return nb, client, pathlib.Path(log_dirs[0]), seconds


def test_the_quickstart_runs_in_a_fresh_kernel_without_pyplot(quickstart):
    nb, _, _, seconds = quickstart
    assert_runs_as_users_run_it(nb)
    assert seconds < 300, f"the quickstart took {seconds:.0f} s; keep it to a couple of minutes"


def test_every_observer_figure_shows_once_as_a_png(quickstart):
    nb, _, log_dir, _ = quickstart
    assert_each_picture_shown_once(nb, glob.glob(str(log_dir / "observer" / "*.png")))
    _, filters = cell_with(nb, "visualize_filters")
    assert len(pngs(filters.outputs)) == 2  # conv1 and conv2
    copy_to_docs(pngs(filters.outputs)[0], "notebook_quickstart.png")


def test_the_progress_bar_is_a_widget_or_one_updating_line(quickstart):
    nb, _, _, _ = quickstart
    _, practice = cell_with(nb, "kid.practice()")
    widgets = [o for o in practice.outputs if WIDGET in o.get("data", {})]
    bar_lines = [o for o in practice.outputs if o["output_type"] == "stream"
                 and ("step/s" in o["text"] or "s/step" in o["text"])]
    assert len(widgets) == 1 or (len(bar_lines) == 1 and "\r" in bar_lines[0]["text"]), \
        ("kid.practice() in a notebook shows no progress bar (a kernel's stderr is not a "
         "tty, and ProgressBar shows only on one)")


def test_live_plot_redraws_one_picture_in_place(quickstart, tmp_path):
    nb, client, log_dir, _ = quickstart
    index, practice = cell_with(nb, "LivePlot()")
    shown = pngs(practice.outputs)
    assert len(shown) == 1, "LivePlot must keep one picture per practice() cell"
    updates = [base64.b64decode(data["image/png"]) for data in client.updates.get(index, [])]
    validations = [r for r in read_metrics(log_dir) if r["split"] == "val"]
    # practice() validated at steps 30, 60, ..., 150: drawn once, then updated 4 times.
    assert [r["step"] for r in validations][:5] == [30, 60, 90, 120, 150]
    assert len(updates) == 4 and updates[-1] == shown[0]
    assert all(a != b for a, b in zip(updates, updates[1:])), "each redraw adds points"
    middle = tmp_path / "live_plot_mid_training.png"
    middle.write_bytes(updates[1])  # after the validation at step 90 of 150
    height, width, _ = matplotlib.image.imread(middle).shape
    assert width > 600 and height > 200
    copy_to_docs(updates[1], "notebook_live_plot.png")


def test_a_kid_and_a_brain_show_html_tables(quickstart):
    nb, _, log_dir, _ = quickstart
    before, after = html_of_cells_ending_with(nb, "kid")
    assert "0 of 150" in before and "not set up" in before
    assert "150 of 150" in after and str(log_dir.name) in after and "single" in after
    _, brain = cell_with(nb, "kid.brain")
    table = brain.outputs[0]["data"]["text/html"]
    rows = re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td>", table)
    assert ("conv1/conv", "ConvolutionLayer", "(None, 28, 28, 32)") in rows
    assert [name for name, _, _ in rows][:3] == ["conv1", "conv1/conv", "conv1/activation"]
    assert re.search(r"[\d,]+ trainable parameters", table)


def test_the_last_cell_prints_the_kids_numbers(quickstart):
    nb, _, log_dir, _ = quickstart
    printed = text_of(code_cells(nb)[-1][1].outputs)
    found = re.search(r"step (\d+): validation loss ([\d.]+), accuracy ([\d.]+)%", printed)
    assert found, printed
    last_val = [r for r in read_metrics(log_dir) if r["split"] == "val"][-1]
    assert int(found[1]) == last_val["step"] == 150
    assert float(found[2]) == round(last_val["loss"], 4)
    assert float(found[3]) == round(100 * last_val["accuracy"], 2) and float(found[3]) > 50


# -- the interrupt button, and two Kids in one kernel ------------------------------

INTERRUPT_CELLS = ["""
import time
import tensorflow as tf
from akid import FeedSensor, Kid, MNISTSubsetSource, MomentumKongFu, OneLayerBrain

def make_kid(log_dir, max_steps):
    sensor = FeedSensor(MNISTSubsetSource(), batch_size=16, val_batch_size=500)
    return Kid(sensor, OneLayerBrain(), MomentumKongFu(lr_scheme={"name": "fixed",
               "base_lr": 0.01}), max_steps=max_steps, val_log_step=10_000,
               train_log_step=20, log_dir=log_dir, seed=0)

kid = make_kid("first", 200)""", """
def mark_and_pace(kid):  # says when training runs, and gives the interrupt time to land
    if kid.step == 3:
        open("training_started", "w").close()
    time.sleep(0.02)

kid.hooks.on_batch_end.append(mark_and_pace)
kid.practice()
print("stopped by", kid.stopped_by, "at step", kid.step, "checkpoint",
      tf.train.latest_checkpoint("first/model"))""", """
kid.hooks.on_batch_end.remove(mark_and_pace)
kid.practice()
print("resumed to step", kid.step, "stopped by", kid.stopped_by)""", """
other = make_kid("second", 20)
other.practice()
print("second kid at step", other.step)"""]


def interrupt_when_training(client, marker, done):
    """Presses the interrupt button (SIGINT to the kernel) once `marker` exists."""
    deadline = time.monotonic() + 300
    while not marker.exists() and time.monotonic() < deadline and not done.is_set():
        time.sleep(0.02)
    if marker.exists():
        asyncio.run(client.km.interrupt_kernel())


def test_the_interrupt_button_saves_returns_and_practice_resumes(tmp_path, kernel_name):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c.strip())
                                         for c in INTERRUPT_CELLS])
    client = Client(nb, tmp_path, kernel_name)
    done = threading.Event()
    with client.setup_kernel():
        client.execute_cell(nb.cells[0], 0)
        presser = threading.Thread(target=interrupt_when_training,
                                   args=(client, tmp_path / "training_started", done))
        presser.start()
        try:
            client.execute_cell(nb.cells[1], 1)  # raises if the cell ends in an error
        finally:
            done.set()
            presser.join()
        for i, cell in enumerate(nb.cells[2:], start=2):
            client.execute_cell(cell, i)
    assert_runs_as_users_run_it(nb)
    stopped = re.search(r"stopped by SIGINT at step (\d+) checkpoint (\S+)",
                        text_of(nb.cells[1].outputs))
    assert stopped, text_of(nb.cells[1].outputs)
    step = int(stopped[1])
    assert 3 <= step < 200 and stopped[2].endswith(f"model/ckpt-{step}")
    assert "resumed to step 200 stopped by None" in text_of(nb.cells[2].outputs)
    assert "second kid at step 20" in text_of(nb.cells[3].outputs)
    first, second = ((tmp_path / run / "training.log").read_text() for run in ("first", "second"))
    assert f"stopped by SIGINT at step {step}" in first and "train step 200" in first
    assert "train step 20:" in second and "SIGINT" not in second
    assert str(tmp_path / "second") not in first and str(tmp_path / "first") not in second


# -- the brains and tuner notebooks (slow) -----------------------------------------

@pytest.mark.slow
def test_the_brains_notebook(tmp_path, kernel_name):
    nb, _, _ = run_notebook("brains", tmp_path, kernel_name)
    assert_runs_as_users_run_it(nb)
    (log_dir,) = glob.glob(str(tmp_path / "log" / "*"))
    assert_each_picture_shown_once(nb, glob.glob(os.path.join(log_dir, "observer", "*.png")))
    unbuilt, built = html_of_cells_ending_with(nb, "net")
    assert "not built yet" in unbuilt and "<table>" not in unbuilt
    assert "unit1/merge" in built and "mix" in built and "MergeLayer" in built
    total = re.search(r"trainable parameters: ([\d,]+)",
                      text_of(cell_with(nb, "net.summary()")[1].outputs))[1]
    assert f"{total} trainable parameters" in built
    edges = cell_with(nb, 'net.graph()["edges"]')[1].outputs[0]["data"]["text/plain"]
    assert "('stem/pool', 'branch_3x3')" in edges and "('unit1/b/bn', 'unit1/merge')" in edges
    printed = text_of(code_cells(nb)[-1][1].outputs)
    numbers = re.search(r"net: (\d+) blocks, ([\d,]+) trainable parameters; after (\d+) steps "
                        r"validation loss ([\d.]+), accuracy ([\d.]+)%", printed)
    assert numbers, printed
    assert numbers[2] == total and int(numbers[3]) == 40
    last_val = [r for r in read_metrics(log_dir) if r["split"] == "val"][-1]
    assert float(numbers[4]) == round(last_val["loss"], 4)


@pytest.mark.slow
def test_the_tuner_notebook(tmp_path, kernel_name):
    nb, _, _ = run_notebook("tuner", tmp_path, kernel_name)
    assert_runs_as_users_run_it(nb)
    (work_dir,) = glob.glob(str(tmp_path / "tune" / "*"))
    records = read_results(work_dir)
    assert len(records) == 4 and all(r["status"] == "ok" for r in records), records
    table = cell_with(nb, "results = tune(")[1].outputs[-1]["data"]["text/html"]
    assert table.count("<tr><td>") == 4 and "activation=relu" in table
    curves = pngs(cell_with(nb, "plot_results(results)")[1].outputs)
    assert curves == [pathlib.Path(work_dir, "val_curves.png").read_bytes()]
    best = min(records, key=lambda r: r["final_val_loss"])
    printed = text_of(code_cells(nb)[-1][1].outputs)
    assert (f"4 of 4 instances ok; best: lr={best['opt_paras']['lr']}, activation="
            f"{best['net_paras']['activation']['type']}: validation loss "
            f"{best['final_val_loss']:.4f}") in printed, printed


# -- the same manners outside a kernel ---------------------------------------------

def test_outside_a_kernel_live_plot_draws_nothing_and_reprs_still_work(tmp_path):
    from test_kids import make_kid

    from akid import LeNet
    from akid.kids.callbacks import LivePlot
    from akid.kids.tuner.results import write_results
    kid = make_kid(tmp_path / "run", max_steps=4, val_log_step=2)
    live = kid.hooks.add(LivePlot())
    kid.practice()
    assert live.redraws == 0 and live.png is None
    assert "4 of 4" in kid._repr_html_() and str(tmp_path / "run") in kid._repr_html_()
    assert "not built yet" in LeNet(name="lenet")._repr_html_()
    records = [{"index": 0, "status": "ok", "final_val_loss": 0.7, "opt_paras": {"lr": 0.1}},
               {"index": 1, "status": "ok", "final_val_loss": 0.3, "opt_paras": {"lr": 0.01}}]
    write_results(records, str(tmp_path))
    results = read_results(str(tmp_path))
    assert results == records and isinstance(results, list)
    rows = re.findall(r"<tr><td>(\d)</td>", results._repr_html_())
    assert rows == ["1", "0"]  # best validation loss first
