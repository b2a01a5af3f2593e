"""The tuner: a jinja2 template run for every combination, each in its own subprocess,
one record per instance; failures recorded, not spread; the device pool never doubles up."""
import csv
import math
import os
import signal
import threading
import time

import pytest

from akid.kids.tuner.device_pool import DevicePool, cpu_count, list_gpus
from akid.kids.tuner import plot_results, read_results, tune
from akid.kids.tuner.launcher import Launcher
from akid.kids.tuner.tuning import plan, render


def tiny_setup():
    """A two-layer classifier on 200 synthetic examples, trained 10 steps."""
    import os

    import numpy as np
    import tensorflow as tf

    from akid import (AccuracyLayer, ArraySource, Brain, FeedSensor, Kid, MomentumKongFu,
                      SoftmaxWithLossLayer, cnn_block)

    failure = {{ net_paras.get("fail") | repr }}
    if failure == "raise":
        raise RuntimeError("deliberate failure for net_paras={{ net_paras }}")
    if failure == "sleep":
        import time
        time.sleep(120)

    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 8)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int32")
    source = ArraySource(train=(x[:160], y[:160]), val=(x[160:], y[160:]))
    brain = Brain(name="tiny")
    activation = {{ net_paras.get("activation", {"type": "relu"}) }}
    brain.attach(cnn_block(out_channel_num=8, activation=activation, name="ip1"))
    brain.attach(cnn_block(out_channel_num=2, activation=None, name="ip2"))
    brain.attach(SoftmaxWithLossLayer(class_num=2, name="loss"))
    brain.attach(AccuracyLayer(name="accuracy"))
    lr = {{ opt_paras.get("lr", 0.1) }}
    kongfu = MomentumKongFu(lr_scheme={"name": "fixed", "base_lr": lr})
    print("threads", tf.config.threading.get_intra_op_parallelism_threads(),
          tf.config.threading.get_inter_op_parallelism_threads(),
          "devices", repr(os.environ["CUDA_VISIBLE_DEVICES"]))
    kid = Kid(FeedSensor(source, batch_size=32), brain, kongfu, max_steps=10, val_log_step=5,
              train_log_step=5, do_summary=False, save_chk_point=False, seed={{ repeat }},
              log_dir="{{ log_dir }}")
    if {{ repeat }} == 1:  # the template may set its Kid up itself
        kid.setup()
    return kid


OPT = [{"lr": 0.05}, {"lr": 0.2}]
NET = [{"activation": {"type": "relu"}}, {"activation": {"type": "tanh"}}]


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    work_dir = tmp_path_factory.mktemp("grid")
    return work_dir, tune(tiny_setup, OPT, NET, max_parallel=2, work_dir=str(work_dir),
                          devices=[])


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """One good combination and one that raises, twice each."""
    work_dir = tmp_path_factory.mktemp("mixed")
    return tune(tiny_setup, [{"lr": 0.1}], [{}, {"fail": "raise"}], repeat_times=2,
                gpu_num_per_instance=[1, 1, 1, 0], max_parallel=2, work_dir=str(work_dir),
                devices=[])


def test_a_2x2_grid_gives_4_ok_records_and_a_csv(grid):
    work_dir, results = grid
    assert [r["status"] for r in results] == ["ok"] * 4, [r["error"] for r in results]
    assert [(r["opt_paras"], r["net_paras"]) for r in results] == \
        [(o, n) for o in OPT for n in NET]
    for r in results:
        for key in ("final_train_loss", "final_val_loss", "best_val_loss"):
            assert math.isfinite(r[key]), (key, r)
        assert r["best_val_loss"] <= r["final_val_loss"]
        assert 0.0 <= r["final_val_metrics"]["accuracy"] <= 1.0
        assert r["steps"] == 10 and r["wall_time"] > 0 and r["error"] is None
        assert r["log_dir"] == os.path.join(r["instance_dir"], "log")
        assert os.path.isfile(os.path.join(r["log_dir"], "metrics.jsonl"))
        assert os.path.isfile(os.path.join(r["instance_dir"], "setup.py"))
    with open(work_dir / "results.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [row["status"] for row in rows] == ["ok"] * 4
    assert {float(row["opt_paras.lr"]) for row in rows} == {0.05, 0.2}
    assert all(math.isfinite(float(row["final_val_loss"])) for row in rows)
    assert "final_val_accuracy" in rows[0] and "best_val_accuracy" in rows[0]
    assert read_results(str(work_dir)) == results


def test_the_rendered_source_holds_the_parameters(grid):
    _, results = grid
    source = open(os.path.join(results[3]["instance_dir"], "setup.py")).read()
    assert "activation = {'type': 'tanh'}" in source and "lr = 0.2\n" in source
    assert f'log_dir="{results[3]["log_dir"]}"' in source and "{{" not in source


def test_cpu_instances_share_the_cores(grid):
    """CPU instances see no GPU and cores // max_parallel TensorFlow threads each."""
    _, results = grid
    threads = max(1, cpu_count() // 2)
    for r in results:
        stdout = open(os.path.join(r["instance_dir"], "stdout.txt")).read()
        assert f"threads {threads} {threads} devices ''" in stdout


def test_a_failing_combination_is_recorded_and_the_others_go_on(mixed):
    statuses = [(r["net_paras"].get("fail"), r["repeat"], r["status"]) for r in mixed]
    assert statuses == [(None, 0, "ok"), ("raise", 0, "failed"),
                        (None, 1, "ok"), ("raise", 1, "failed")]
    for r in mixed[1::2]:
        assert "RuntimeError: deliberate failure for net_paras={'fail': 'raise'}" in r["error"]
        assert "Traceback" in r["error"] and len(r["error"].splitlines()) <= 20
        assert r["returncode"] == 1 and r["final_val_loss"] is None


def test_a_killed_instance_is_recorded_as_failed(tmp_path):
    """An instance that dies without a word (SIGKILL, out of memory) is a failure
    with the tail of its stderr, read by the parent."""
    folder = tmp_path / "000_o0_n0_r0"
    (folder / "log").mkdir(parents=True)
    (folder / "stderr.txt").write_text("\n".join(f"line {i}" for i in range(30)))
    (folder / "log" / "metrics.jsonl").write_text(
        '{"step": 5, "split": "val", "loss": 0.5, "accuracy": 0.75}\n{"step": 7, "spl')
    instance = {"index": 0, "repeat": 0, "opt_paras": {}, "net_paras": {},
                "instance_dir": str(folder), "log_dir": str(folder / "log"), "gpu_num": 0}
    launcher = Launcher([instance], DevicePool([], 1), {}, str(tmp_path), debug=False)
    record = launcher._record(instance, [], -signal.SIGKILL, 3.0, None)
    launcher.progress.close()
    assert record["status"] == "failed" and record["returncode"] == -9
    assert record["error"].splitlines() == [f"line {i}" for i in range(10, 30)] + [
        "(the instance was killed by SIGKILL)"]
    assert record["best_val_loss"] == 0.5 and record["best_val_metrics"] == {"accuracy": 0.75}


def test_repeats_get_distinct_log_dirs(mixed):
    ok = [r for r in mixed if r["status"] == "ok"]
    assert len({r["log_dir"] for r in ok}) == 2
    assert all(r["log_dir"] == os.path.join(r["instance_dir"], "log") for r in ok)
    assert all(r["steps"] == 10 for r in ok)  # the second Kid came back set up
    assert all(math.isfinite(r["final_val_loss"]) for r in ok)


def test_plot_results_writes_a_png(grid, tmp_path):
    work_dir, results = grid
    path = plot_results(results)
    assert path == os.path.join(str(work_dir), "val_curves.png")
    assert os.path.getsize(path) > 1000 and open(path, "rb").read(4) == b"\x89PNG"
    other = plot_results(str(work_dir), save_to=str(tmp_path / "curves.png"))
    assert os.path.getsize(other) > 1000


def test_ctrl_c_stops_the_instances_and_keeps_the_results(tmp_path):
    """SIGINT in the parent: the running instance is terminated, the waiting ones never
    start; all are recorded as stopped and the results are written."""
    first_started = tmp_path / "000_o0_n0_r0" / "stderr.txt"

    def interrupt():
        deadline = time.time() + 60
        while not first_started.exists() and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=interrupt, daemon=True).start()
    started = time.time()
    results = tune(tiny_setup, [{}], [{"fail": "sleep"}], repeat_times=3, max_parallel=1,
                   work_dir=str(tmp_path), devices=[])
    assert time.time() - started < 60
    assert [r["status"] for r in results] == ["stopped"] * 3
    assert results[0]["returncode"] is not None and results[1]["returncode"] is None
    assert [r["status"] for r in read_results(str(tmp_path))] == ["stopped"] * 3


# -- planning and errors: nothing runs ---------------------------------------------

def test_a_wrong_gpu_num_list_length_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match=r"gpu_num_per_instance has 3 entries but there are "
                                         r"4 instances"):
        tune(tiny_setup, OPT, NET, gpu_num_per_instance=[1, 1, 1], work_dir=str(tmp_path),
             devices=[])
    assert not os.listdir(tmp_path)


def test_plan_orders_instances_repeat_then_opt_then_net():
    instances = plan([{"a": 1}, {"a": 2}], [{"b": 1}], 2, [0, 1, 2, 3])
    assert [(i["repeat"], i["opt_paras"]["a"], i["gpu_num"]) for i in instances] == \
        [(0, 1, 0), (0, 2, 1), (1, 1, 2), (1, 2, 3)]


def test_an_undefined_template_name_is_an_error_before_anything_runs(tmp_path):
    def setup():
        return {{ net_paras["missing"] }}  # noqa: F821

    with pytest.raises(ValueError, match=r"cannot render the template for instance 000.*"
                                         r"'dict object' has no attribute 'missing'"):
        tune(setup, work_dir=str(tmp_path), devices=[])
    assert render("x = {{ p | repr }}", p="adam") == "x = 'adam'"


def test_more_gpus_than_exist_is_an_error(tmp_path):
    with pytest.raises(ValueError, match=r"asks for 3 GPUs, but only 2 are available"):
        tune(tiny_setup, gpu_num_per_instance=3, work_dir=str(tmp_path), devices=["0", "1"])


# -- the device pool -----------------------------------------------------------------

@pytest.mark.parametrize("devices,per_worker,max_parallel", [
    (["0", "1", "2", "3"], 1, None), (["0", "1", "2", "3", "4", "5"], 2, None),
    (["5", "7", "9"], 1, None), ([], 0, 3)])
def test_the_pool_never_hands_a_gpu_to_two_holders(devices, per_worker, max_parallel):
    pool = DevicePool(devices, max_parallel)
    held, used, errors = set(), set(), []
    running, most_running = [0], [0]
    guard = threading.Lock()

    def worker(k):
        for _ in range(5):
            with pool.hold(per_worker) as gpus:
                with guard:
                    if held & set(gpus) or len(gpus) != per_worker:
                        errors.append((k, gpus, set(held)))
                    held.update(gpus)
                    used.update(gpus)
                    running[0] += 1
                    most_running[0] = max(most_running[0], running[0])
                time.sleep(0.002 * (k % 3 + 1))
                with guard:
                    held.difference_update(gpus)
                    running[0] -= 1

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors and not held
    assert used == set(devices)
    assert pool.free == devices
    assert most_running[0] <= pool.max_parallel
    if devices:
        assert most_running[0] <= len(devices) // per_worker


def test_the_pool_refuses_impossible_or_foreign_requests():
    pool = DevicePool(["0", "1"])
    with pytest.raises(ValueError, match=r"asks for 3 GPUs, but only 2 are available"):
        pool.acquire(3)
    assert pool.acquire(2) == ["0", "1"]
    assert pool.acquire(1, timeout=0.05) is None
    with pytest.raises(ValueError, match="cannot release"):
        pool.release(["7"])
    pool.release(["0", "1"])
    with pytest.raises(ValueError, match="max_parallel must be a positive int"):
        DevicePool([], max_parallel=0)


def test_list_gpus_follows_cuda_visible_devices(monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    assert list_gpus() == []
