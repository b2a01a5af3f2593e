"""Exact resume: a run SIGKILLed at any step and resumed ends with the weights of an
uninterrupted run, bit for bit; a torn newest checkpoint falls back to the previous one."""
import glob
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

WORKER = os.path.join(os.path.dirname(__file__), "resume_worker.py")
MAX_STEPS = 22


def run(log_dir, out, kill_at=None):
    """Runs the worker; with kill_at, SIGKILLs it once it reports that step."""
    args = [sys.executable, WORKER, str(log_dir), str(MAX_STEPS), str(out)]
    if kill_at is not None:
        args += ["--sleep", "0.2"]  # room to kill before the next step
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in process.stdout:
        if kill_at is not None and line.strip() == f"step {kill_at}":
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=120)
    if kill_at is None:
        assert process.returncode == 0, process.stderr.read()
    else:
        assert process.returncode == -signal.SIGKILL
    return process


def weights(path):
    with np.load(path) as data:
        return [data[k] for k in sorted(data.files, key=lambda k: int(k.split("_")[1]))]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("straight")
    run(folder / "log", folder / "w.npz")
    return weights(folder / "w.npz")


def assert_same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def resume_after_kill(tmp_path, kill_at):
    run(tmp_path / "log", tmp_path / "unused.npz", kill_at=kill_at)
    assert not (tmp_path / "unused.npz").exists()
    run(tmp_path / "log", tmp_path / "w.npz")
    return weights(tmp_path / "w.npz")


def test_killed_and_resumed_equals_uninterrupted(tmp_path, uninterrupted):
    assert_same(resume_after_kill(tmp_path, kill_at=10), uninterrupted)


@pytest.mark.slow
@pytest.mark.parametrize("kill_at", [3, 4, 13, 21])
def test_killed_at_other_steps(tmp_path, uninterrupted, kill_at):
    assert_same(resume_after_kill(tmp_path, kill_at), uninterrupted)


def test_torn_newest_checkpoint_falls_back_to_the_previous(tmp_path, uninterrupted):
    run(tmp_path / "log", tmp_path / "unused.npz", kill_at=13)  # checkpoints at 4, 8, 12
    newest = sorted(glob.glob(str(tmp_path / "log" / "model" / "ckpt-12.data*")))[0]
    with open(newest, "r+b") as f:
        f.truncate(os.path.getsize(newest) // 2)
    process = run(tmp_path / "log", tmp_path / "w.npz")
    log = process.stderr.read()
    assert "ckpt-12 is unreadable" in log and "resumed from" in log and "ckpt-8" in log
    assert_same(weights(tmp_path / "w.npz"), uninterrupted)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_and_sigint_save_and_exit_non_zero(tmp_path, sig):
    args = [sys.executable, WORKER, str(tmp_path / "log"), str(MAX_STEPS), str(tmp_path / "w.npz"),
            "--sleep", "0.3"]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in process.stdout:
        if line.strip() == "step 6":
            process.send_signal(sig)
            break
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 128 + sig
    checkpoint = str(tmp_path / "log" / "model" / "ckpt-6")
    assert f"stopped by {signal.Signals(sig).name} at step 6; checkpoint: {checkpoint}" in stderr
    metrics = (tmp_path / "log" / "metrics.jsonl").read_text().splitlines()
    assert metrics and metrics[-1].endswith("}")  # logs closed whole
