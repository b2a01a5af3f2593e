"""Engines: data-parallel towers and multi-worker training give the single-device
trajectory; the SavedModel export serves the brain's predictions without akid.

The training runs are subprocesses: a distributed engine configures
TensorFlow's devices for the whole process.
"""
import json
import os
import re
import subprocess
import sys
import time

import numpy as np
import pytest
import tensorflow as tf

from akid import ArraySource, Brain, FeedSensor, InnerProductLayer, Kid, LeNet, MomentumKongFu
from akid import ReLULayer, SoftmaxWithLossLayer
from akid.kids.engines import SingleEngine, local_workers, make_engine, set_tf_config
from akid.kids.logs import read_metrics

HERE = os.path.dirname(__file__)
STEPS = 20


def run_worker(script, *args, env=None):
    process = subprocess.run([sys.executable, os.path.join(HERE, script), *map(str, args)],
                             capture_output=True, text=True, timeout=300,
                             env={**os.environ, **(env or {})})
    assert process.returncode == 0, process.stderr[-3000:]
    return process.stdout


def train_losses(log_dir):
    return np.array([r["loss"] for r in read_metrics(log_dir) if r["split"] == "train"])


def assert_same_figures(got, expected):
    """Two dicts of figures with the same keys and values within 1e-5."""
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        np.testing.assert_allclose(got[key], value, rtol=0, atol=1e-5, err_msg=key)


def assert_same_validation(log_dir, expected_log_dir):
    """The last validation record of each log holds the same figures."""
    got, expected = ({k: v for k, v in [r for r in read_metrics(d) if r["split"] == "val"][-1]
                      .items() if k != "split"}
                     for d in (log_dir, expected_log_dir))
    assert "accuracy" in got
    assert_same_figures(got, expected)


def weights(path):
    with np.load(path) as data:
        return {k: data[k] for k in data.files if k.startswith("w")}


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    folder = tmp_path_factory.mktemp("single")
    run_worker("engine_worker.py", '"single"', folder / "log", folder / "w.npz",
               "--export", folder / "served")
    return folder


def test_data_parallel_follows_the_single_device_trajectory(single, tmp_path):
    run_worker("engine_worker.py", '{"name": "data_parallel", "num_gpu": 2}', tmp_path / "log",
               tmp_path / "w.npz")
    expected, got = train_losses(single / "log"), train_losses(tmp_path / "log")
    assert len(expected) == len(got) == STEPS
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-4)
    assert expected[-1] < expected[0] - 0.1  # it trained: the comparison is not of two flat lines
    for name, value in weights(single / "w.npz").items():
        np.testing.assert_allclose(weights(tmp_path / "w.npz")[name], value, rtol=0, atol=1e-5)
    assert_same_validation(tmp_path / "log", single / "log")  # the towers split validation too


def start_two_workers(tmp_path, *args, logs=("log", "log")):
    """Two engine_worker.py processes on multi_worker, with log_dirs tmp_path/logs[i]."""
    workers, processes = local_workers(2), []
    for index in range(2):
        config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
        processes.append(subprocess.Popen(
            [sys.executable, os.path.join(HERE, "engine_worker.py"), '{"name": "multi_worker"}',
             str(tmp_path / logs[index]), str(tmp_path / f"w{index}.npz"), *map(str, args)],
            env={**os.environ, "TF_CONFIG": json.dumps(config)},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    return processes


def test_two_workers_train_the_same_weights_as_one_device(single, tmp_path):
    processes = start_two_workers(tmp_path)
    for process in processes:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err[-3000:]
        assert "crashed" not in err  # no worker left while another still worked
    chief, other = weights(tmp_path / "w0.npz"), weights(tmp_path / "w1.npz")
    for name, value in chief.items():
        np.testing.assert_array_equal(other[name], value)
        np.testing.assert_allclose(value, weights(single / "w.npz")[name], rtol=0, atol=1e-5)
    # The chief alone writes log_dir; the other worker has its own folder, and no checkpoints.
    np.testing.assert_allclose(train_losses(tmp_path / "log"), train_losses(single / "log"),
                               rtol=0, atol=1e-4)
    own = tmp_path / "log" / "workers" / "worker-1"
    assert len(train_losses(own)) == STEPS
    assert_same_validation(tmp_path / "log", single / "log")
    assert_same_validation(own, tmp_path / "log")
    assert not (own / "model").exists()
    assert (tmp_path / "log" / "model" / "checkpoint").exists()


def test_a_lost_worker_stops_the_chief_with_a_checkpoint_of_its_last_step(tmp_path):
    chief, other = start_two_workers(tmp_path, "--steps", 100_000)
    metrics, deadline = tmp_path / "log" / "metrics.jsonl", time.monotonic() + 240
    while not (metrics.exists() and len(train_losses(tmp_path / "log")) >= 5):
        assert chief.poll() is None and time.monotonic() < deadline, chief.communicate()[1][-3000:]
        time.sleep(0.2)
    other.kill()  # preempted: no goodbye
    other.communicate()
    _, err = chief.communicate(timeout=240)
    assert chief.returncode != 0
    assert re.search(r"engine multi_worker lost a worker during step \d+ .*this worker \(chief\) "
                     r"stopped at step \d+ and saved .*continue_from_chk_point=True", err), err[-3000:]
    stopped_at = int(re.search(r"stopped at step (\d+)", err).group(1))
    latest = tf.train.latest_checkpoint(str(tmp_path / "log" / "model"))
    assert latest.endswith(f"ckpt-{stopped_at}") and stopped_at >= 5
    assert tf.train.load_checkpoint(latest).get_tensor("clock/step/.ATTRIBUTES/VARIABLE_VALUE") \
        == stopped_at
    assert train_losses(tmp_path / "log")[-1] > 0  # the log closed whole


def test_workers_that_resume_from_different_checkpoints_are_stopped(tmp_path):
    for process in start_two_workers(tmp_path, "--steps", 3):
        assert process.wait(timeout=300) == 0
    # The second worker does not see the chief's checkpoints: as if log_dir were not shared.
    processes = start_two_workers(tmp_path, "--steps", 6, "--resume", logs=("log", "elsewhere"))
    for process, own_step in zip(processes, (3, 0)):
        _, err = process.communicate(timeout=300)
        assert process.returncode != 0
        assert re.search(rf"engine multi_worker resumed at different steps \[0, 3\]; this worker "
                         rf"\(.*\) at step {own_step} from .*must read the chief's .*shared disk",
                         err), err[-3000:]
    assert len(train_losses(tmp_path / "log")) == 3  # nobody trained on


SERVE = """
import importlib.abc, sys
class NoAkid(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] == "akid":
            raise ImportError("akid is not installed here")
sys.meta_path.insert(0, NoAkid())
import numpy as np, tensorflow as tf
served = tf.saved_model.load(sys.argv[1])
with np.load(sys.argv[2]) as data:
    images = data["images"]
serve = served.signatures["serving_default"]
np.save(sys.argv[3], serve(data=tf.constant(images))["output"].numpy())
print(serve.structured_input_signature[1]["data"].shape)
"""


def test_exported_saved_model_serves_the_brains_predictions_without_akid(single, tmp_path):
    out = tmp_path / "served.npy"
    printed = subprocess.run([sys.executable, "-c", SERVE, str(single / "served"),
                              str(single / "w.npz"), str(out)],
                             capture_output=True, text=True, timeout=120,
                             env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert printed.returncode == 0, printed.stderr[-3000:]
    assert printed.stdout.strip() == "(None, 28, 28, 1)"  # the sensor's input, any batch size
    with np.load(single / "w.npz") as data:
        np.testing.assert_allclose(np.load(out), data["outputs"], rtol=0, atol=1e-6)


def test_towers_train_batch_norm_and_dropout_and_resume(tmp_path):
    report = json.loads(run_worker("towers_worker.py", tmp_path / "log").strip().splitlines()[-1])
    assert report["resumed_at"] == 10
    assert len(report["losses"]) == 20 and np.isfinite(report["losses"]).all()
    assert np.mean(report["losses"][-5:]) < 0.5 * np.mean(report["losses"][:3])
    assert report["moving_mean_moved"] and report["masks_differ"]
    assert_same_figures(report["val"], report["whole_val"])


OBJECTS_FIRST = """
import numpy as np
from akid import ArraySource, Brain, FeedSensor, InnerProductLayer, Kid, MomentumKongFu
from akid import SoftmaxWithLossLayer
from akid.kids.logs import read_metrics
schemes = [{"name": "fixed", "base_lr": 0.1}, {"name": "cosine", "base_lr": 0.1, "total_steps": 9},
           {"name": "step", "boundaries": [3], "values": [0.1, 0.01]}, {"name": "placeholder"},
           {"name": "exp_decay", "base_lr": 0.1, "decay_rate": 0.5, "num_batches_per_epoch": 2,
            "decay_epoch_num": 1}]
kongfus = [MomentumKongFu(lr_scheme=scheme) for scheme in schemes]
rng = np.random.default_rng(0)
y = rng.integers(0, 3, 64)
x = (3 * np.eye(3)[y] + rng.normal(0, 0.3, (64, 3))).astype("float32")
brain = Brain(name="net")
brain.attach(InnerProductLayer(out_channel_num=3, name="ip"))
brain.attach(SoftmaxWithLossLayer(class_num=3, name="loss"))
kid = Kid(FeedSensor(ArraySource(train=(x, y)), 16), brain, kongfus[3], max_steps=12,
          log_dir=sys.argv[1], train_log_step=1, skip_validation=True, do_summary=False, seed=0,
          engine={"name": "data_parallel", "num_gpu": 2})
kid.hooks.on_batch_begin.append(lambda k: k.kongfu.set_lr(0.1))
kid.practice()
print(json.dumps([[r["lr"], r["loss"]] for r in read_metrics(sys.argv[1])
                  if r["split"] == "train"]))
"""


def test_sensor_brain_and_kongfu_of_any_lr_scheme_can_be_made_before_the_engine(tmp_path):
    done = subprocess.run([sys.executable, "-c", "import json, sys\n" + OBJECTS_FIRST,
                           str(tmp_path / "log")], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr[-3000:]
    rates, losses = np.array(json.loads(done.stdout.strip().splitlines()[-1])).T
    assert len(losses) == 12
    np.testing.assert_allclose(rates, 0.1, rtol=1e-6)  # the placeholder, set from a hook
    assert np.mean(losses[-4:]) < 0.1 * np.mean(losses[:4])  # an epoch's batches each


# In process: nothing here may configure TensorFlow's devices.

def test_engine_arguments_are_checked():
    with pytest.raises(ValueError, match=r"engine data_parallel takes \['num_gpu'\], got \[\]"):
        make_engine({"name": "data_parallel"})
    with pytest.raises(ValueError,
                       match="Kid: engine data_parallel: num_gpu must be a positive int, got 0"):
        make_engine({"name": "data_parallel", "num_gpu": 0})
    with pytest.raises(ValueError, match=r"engine single takes no arguments, got \['num_gpu'\]"):
        make_engine({"name": "single", "num_gpu": 2})


def test_data_parallel_after_tensorflow_started_says_what_to_do():
    tf.constant(0)  # TensorFlow's runtime is up: its devices are fixed
    with pytest.raises(RuntimeError, match="needs 2 CPU devices, but TensorFlow already started "
                                           "with 1.*Make the Kid .* before anything creates"):
        make_engine({"name": "data_parallel", "num_gpu": 2})


def test_multi_worker_without_tf_config_says_how_to_set_it(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ValueError, match="multi_worker needs TF_CONFIG.*set_tf_config"):
        make_engine({"name": "multi_worker"})


def test_set_tf_config_writes_the_cluster(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    workers = local_workers(3)
    assert len(set(workers)) == 3 and all(w.startswith("127.0.0.1:") for w in workers)
    config = set_tf_config(["127.0.0.1:2222", "127.0.0.1:2223"], index=1)
    assert json.loads(os.environ["TF_CONFIG"]) == config == {
        "cluster": {"worker": ["127.0.0.1:2222", "127.0.0.1:2223"]},
        "task": {"type": "worker", "index": 1}}
    with pytest.raises(ValueError, match="index must be in \\[0, 2\\), got 2"):
        set_tf_config(["a:1", "b:2"], index=2)
    with pytest.raises(ValueError, match="'host:port' strings, got \\['nohost'\\]"):
        set_tf_config(["nohost"], index=0)


def small_kid(tmp_path, num_train=48, **kwargs):
    x = np.random.default_rng(0).normal(size=(num_train + 16, 6)).astype("float32")
    brain = Brain(name="net")
    brain.attach(InnerProductLayer(out_channel_num=8, name="ip1"))
    brain.attach(ReLULayer(name="relu"))
    brain.attach(InnerProductLayer(out_channel_num=3, name="ip2"))
    brain.attach(SoftmaxWithLossLayer(class_num=3, name="loss"))
    source = ArraySource(train=(x[:num_train], np.arange(num_train) % 3),
                         val=(x[num_train:], np.arange(16) % 3))
    return Kid(FeedSensor(source, 16), brain, MomentumKongFu(), max_steps=4,
               log_dir=str(tmp_path / "log"), **kwargs)


class TwoWorkers(SingleEngine):
    """A single engine that claims a second worker, to reach the Kid's multi-worker checks."""

    num_workers = 2


def test_workers_must_agree_on_the_data_order(tmp_path):
    with pytest.raises(ValueError, match="needs a seed .* all 2 workers draw the same batches"):
        small_kid(tmp_path, engine=TwoWorkers())


def test_a_kongfu_used_under_another_strategy_is_refused(tmp_path):
    kid = small_kid(tmp_path)
    kid.kongfu.optimizer  # made under the default strategy, before this one
    strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
    kid.engine.strategy = strategy
    with pytest.raises(ValueError, match="MomentumKongFu 'momentum_kong_fu' made its optimizer "
                                         "under another distribution strategy"):
        kid.setup()


def test_infer_runs_the_data_blocks_without_labels():
    brain = LeNet(keep_prob=1.0)
    images = tf.random.normal([3, 28, 28, 1])
    logits = brain([images, tf.constant([1, 2, 3])])
    np.testing.assert_allclose(brain.infer(images).numpy(), logits.numpy(), rtol=0, atol=1e-6)
    reads_labels = Brain(name="odd")
    reads_labels.attach(InnerProductLayer(out_channel_num=2, name="ip",
                                          inputs=[{"name": "system_in", "idxs": [1]}]))
    with pytest.raises(ValueError, match="'ip'.*asks for output 1 of 'system_in', which has 1"):
        reads_labels.infer(images)


def test_export_on_a_single_device_kid(tmp_path):
    kid = small_kid(tmp_path, seed=0)
    kid.practice()
    path = kid.export(str(tmp_path / "exported"))
    served = tf.saved_model.load(path)
    x = kid.sensor.source.arrays("val")[0]
    with kid.brain.mode_as("val"):
        expected = kid.brain.infer(tf.constant(x)).numpy()
    np.testing.assert_allclose(served.serve(x)["output"].numpy(), expected, rtol=0, atol=1e-6)
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".export-")]


class TwoTowers(SingleEngine):
    """A single engine that claims two towers, to reach the Kid's batch-split check."""

    num_replicas = 2


def test_a_batch_too_small_to_split_across_the_towers_is_refused(tmp_path):
    kid = small_kid(tmp_path, num_train=49, engine=TwoTowers())  # batches of 16, 16, 16, 1
    with pytest.raises(ValueError, match="splits every batch across 2 towers, but FeedSensor "
                                         "makes a training batch of 1 example"):
        kid.setup()


KIDFILE = """
settings: {{seed: 1}}
model:
  - input: points
  - inner_product: 16
  - relu: null
  - inner_product: 3
    name: scores
loss:
  - {{target: scores, name: categorical_crossentropy}}
train:
  data: [numpy_dict: "{data}"]
  provider: {{batch_size: 20}}
  steps: 12
  optimizer: {{name: sgd, momentum: 0.9, learning_rate: 0.1}}
  log: {{path: "{log}", batches: 1}}
  summary: no
  engine: {engine}
"""


def kidfile(tmp_path, engine):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 200)
    points = (rng.normal(0, 3, (3, 6))[labels] + rng.normal(0, 0.5, (200, 6))).astype("float32")
    np.save(tmp_path / "train.npy", {"points": points, "labels": labels})
    path = tmp_path / "blobs.yml"
    path.write_text(KIDFILE.format(data=tmp_path / "train.npy", log=tmp_path / "log",
                                   engine=engine))
    return str(path)


def test_a_kidfile_chooses_its_engine(tmp_path):
    done = subprocess.run([sys.executable, "-m", "akid.spec", "train",
                           kidfile(tmp_path, "{name: data_parallel, num_gpu: 2}")],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr[-3000:]
    log = (tmp_path / "log" / "training.log").read_text()
    assert "engine data_parallel: 2 tower(s) on 1 worker(s)" in log
    losses = train_losses(tmp_path / "log")
    assert losses[-1] < 0.5 * losses[0]


def test_a_kidfile_with_an_unknown_engine_names_where(tmp_path, capsys):
    from akid import spec
    assert spec.main(["train", kidfile(tmp_path, "warp")]) == 2
    assert "section 'train', engine: Kid: unknown engine 'warp'" in capsys.readouterr().err


@pytest.mark.slow
def test_dist_mnist_example_trains_lenet_with_two_local_workers(tmp_path):
    done = subprocess.run([sys.executable, os.path.join(HERE, "..", "examples", "dist_mnist.py"),
                           "--epochs", "2", "--log-dir", str(tmp_path / "log")],
                          capture_output=True, text=True, timeout=900, cwd=str(tmp_path),
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr[-3000:]
    accuracy = float(re.search(r"validation accuracy ([\d.]+)%", done.stdout).group(1))
    assert accuracy > 90, done.stdout
    assert "crashed" not in done.stderr  # the workers left together, after the chief's writes
    assert len(train_losses(tmp_path / "log" / "workers" / "worker-1")) > 0
