"""Multi-input, multi-output training: sources, sensors, system_in, weighted losses, the Kid."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from akid import (AccuracyLayer, ArraySource, Brain, FeedSensor, InnerProductLayer, Kid,
                  MergeLayer, MomentumKongFu, ReLULayer, SoftmaxWithLossLayer)
from akid.sensors import IntegratedSensor

N_TRAIN, N_VAL = 240, 60


def two_tasks(n, seed=0):
    """Two inputs, two labels: y1 (3 classes) is told by xa alone, y2 (2 classes) by xb alone."""
    rng = np.random.default_rng(seed)
    centers = np.random.default_rng(7).normal(0, 3, (3, 6))
    y1, y2 = rng.integers(0, 3, n), rng.integers(0, 2, n)
    xa = (centers[y1] + rng.normal(0, 0.5, (n, 6))).astype("float32")
    xb = (np.where(y2[:, None] == 1, 2.0, -2.0) + rng.normal(0, 0.7, (n, 4))).astype("float32")
    return (xa, xb), (y1, y2)


def two_task_source():
    (xa, xb), (y1, y2) = two_tasks(N_TRAIN + N_VAL)
    cut = N_TRAIN
    return ArraySource(train=((xa[:cut], xb[:cut]), (y1[:cut], y2[:cut])),
                       val=((xa[cut:], xb[cut:]), (y1[cut:], y2[cut:])))


def system_in(*idxs):
    return {"name": "system_in", "idxs": list(idxs)}


class TwoHeads(Brain):
    """system_in [xa, xb, y1, y2]: a trunk over both inputs, a head (loss, accuracy) per label."""

    def __init__(self, weight=0.5, **kwargs):
        super().__init__(**kwargs)
        self.attach(InnerProductLayer(out_channel_num=8, name="ip_a", inputs=[system_in(0)]))
        self.attach(InnerProductLayer(out_channel_num=8, name="ip_b", inputs=[system_in(1)]))
        self.attach(MergeLayer(mode="concat", name="merge", inputs=["ip_a", "ip_b"]))
        self.attach(ReLULayer(name="relu"))
        self.attach(InnerProductLayer(out_channel_num=3, name="head_1", inputs=["relu"]))
        self.attach(InnerProductLayer(out_channel_num=2, name="head_2", inputs=["relu"]))
        for k, (head, classes) in enumerate((("head_1", 3), ("head_2", 2)), start=1):
            wiring = [head, system_in(1 + k)]
            self.attach(SoftmaxWithLossLayer(class_num=classes, name=f"loss_{k}", inputs=wiring,
                                             loss_weight=weight if k == 2 else 1.0))
            self.attach(AccuracyLayer(name=f"accuracy_{k}", inputs=wiring))


def log_softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


# -- sources and sensors ------------------------------------------------------------------

def test_sources_and_sensors_carry_tuples_and_dicts_of_arrays():
    (xa, xb), (y1, y2) = two_tasks(10)
    source = ArraySource(train=({"a": xa, "b": xb}, (y1, y2.astype("int64"))))
    assert source.input_names == ("a", "b") and source.label_names is None
    assert source.shape == ((6,), (4,)) and source.num_train == 10 and source.num_classes == 3
    (ba, bb), (b1, b2) = source.get_batch(4)
    np.testing.assert_array_equal(bb, xb[:4])
    assert b2.dtype == np.int32 and b1.tolist() == y1[:4].tolist()
    sensor = FeedSensor(source, batch_size=4, shuffle=False)
    (da, db), (l1, l2) = next(iter(sensor.dataset("train")))
    np.testing.assert_array_equal(da, xa[:4])
    np.testing.assert_array_equal(l2, y2[:4])
    sensor.setup()
    assert [a.shape for a in sensor.data()] == [(4, 6), (4, 4)] and len(sensor.labels()) == 2
    with pytest.raises(ValueError, match=r"has 10 examples in x\[0\] but 9 in y\[1\]"):
        ArraySource(train=((xa, xb), (y1, y2[:9])))


# -- the brain ------------------------------------------------------------------------------

def test_system_in_is_the_flattened_inputs_and_weighted_losses_add_up():
    (xa, xb), (y1, y2) = two_tasks(16)
    brain = TwoHeads(weight=0.25, name="two")
    nested = brain.compute([(xa, xb), (y1, y2)])
    flat = brain.compute([xa, xb, y1, y2])  # akid's system_in list
    assert float(nested.loss) == float(flat.loss)
    acts = brain.activations([(xa, xb), (y1, y2)])
    ce = [-log_softmax(acts[f"head_{k}"].numpy().astype(np.float64))[np.arange(16), y].mean()
          for k, y in ((1, y1), (2, y2))]
    assert float(nested.loss) == pytest.approx(ce[0] + 0.25 * ce[1], rel=1e-5)
    assert float(nested.losses["loss_2"]) == pytest.approx(0.25 * ce[1], rel=1e-5)
    assert set(nested.evals) == {"accuracy_1", "accuracy_2"}
    assert brain.heads == [("head_1", None), ("head_2", None)]
    with brain.mode_as("val"):
        logits_1, logits_2 = brain.infer((xa, xb))  # one output a head
    np.testing.assert_allclose(logits_2, acts["head_2"], rtol=1e-6)
    assert logits_1.shape == (16, 3)


def test_loss_weight_is_checked():
    with pytest.raises(ValueError, match=r"Block 'loss' \(SoftmaxWithLossLayer\): loss_weight "
                                         r"must be a finite number >= 0, got -1.0"):
        SoftmaxWithLossLayer(class_num=2, loss_weight=-1, name="loss")
    with pytest.raises(TypeError, match="loss_weight must be a number, got 'high'"):
        SoftmaxWithLossLayer(class_num=2, loss_weight="high", name="loss")


# -- the Kid ------------------------------------------------------------------------------

def make_kid(log_dir, max_steps, sensor=None, **kwargs):
    return Kid(sensor or FeedSensor(two_task_source(), batch_size=24, val_batch_size=30),
               TwoHeads(name="two"), MomentumKongFu(lr_scheme={"name": "fixed", "base_lr": 0.05}),
               max_steps=max_steps, log_dir=str(log_dir), seed=1, val_log_step=30,
               train_log_step=10, do_summary=False, **kwargs)


def test_a_two_input_two_output_brain_trains_validates_resumes_and_exports(tmp_path):
    kid = make_kid(tmp_path, max_steps=60)
    loss = kid.practice()
    assert loss < 0.3, loss  # from ln 3 + 0.5 ln 2 = 1.45 at the start
    val_loss, evals = kid.validate()
    assert val_loss < 0.3 and evals["accuracy_1"] > 0.9 and evals["accuracy_2"] > 0.9, evals
    assert evals["loss/loss_1"] + evals["loss/loss_2"] == pytest.approx(val_loss, rel=1e-4)
    with open(os.path.join(tmp_path, "metrics.jsonl")) as f:
        records = [json.loads(line) for line in f]
    for split in ("train", "val"):
        last = [r for r in records if r["split"] == split][-1]
        assert {"accuracy_1", "accuracy_2", "loss/loss_1", "loss/loss_2"} <= set(last), last
    (xa, xb), _ = two_task_source().arrays("val")
    logits_1, logits_2 = kid.predict((xa, xb))
    assert logits_1.shape == (N_VAL, 3) and logits_2.shape == (N_VAL, 2)
    with pytest.raises(ValueError, match=r"Kid.predict: the brain takes 2 input array\(s\), "
                                         r"got 1"):
        kid.predict(xa)
    served = tf.saved_model.load(kid.export(str(tmp_path / "served")))
    out = served.signatures["serving_default"](data_0=tf.constant(xa), data_1=tf.constant(xb))
    np.testing.assert_allclose(out["output_0"], logits_1, atol=1e-5)
    np.testing.assert_allclose(out["output_1"], logits_2, atol=1e-5)
    kid.teardown()

    resumed = make_kid(tmp_path, max_steps=70, continue_from_chk_point=True)
    resumed.setup()
    assert resumed.step == 60
    assert resumed.validate()[0] == pytest.approx(val_loss, rel=1e-5)
    assert resumed.practice() < 0.3 and resumed.step == 70
    resumed.teardown()


def test_an_integrated_sensor_feeds_several_inputs_to_the_kid(tmp_path):
    sensor = IntegratedSensor(two_task_source(), batch_size=24, val_batch_size=30)
    kid = make_kid(tmp_path, max_steps=30, sensor=sensor)
    assert kid.practice() < 0.6
    kid.teardown()


DATA_PARALLEL = """
import sys
sys.path.insert(0, sys.argv[1])
from akid.kids.engines import make_engine
engine = make_engine({"name": "data_parallel", "num_gpu": 2})
from test_multi_io import make_kid
kid = make_kid(sys.argv[2], max_steps=40, engine=engine)
loss = kid.practice()
val_loss, evals = kid.validate()
print(loss, val_loss, evals["accuracy_1"], evals["accuracy_2"])
"""


@pytest.mark.slow
def test_two_towers_train_the_two_input_two_output_brain(tmp_path):
    done = subprocess.run([sys.executable, "-c", DATA_PARALLEL, os.path.dirname(__file__),
                           str(tmp_path)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr[-3000:]
    loss, val_loss, accuracy_1, accuracy_2 = map(float, done.stdout.split())
    assert loss < 0.5 and val_loss < 0.5 and min(accuracy_1, accuracy_2) > 0.85
