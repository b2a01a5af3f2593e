"""The model zoo: each model builds, has the parameter count its architecture implies, and learns."""
import math
import os
import re
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from akid.brains import VGG, AlexNet, MaxoutNet, ResNet, residual_unit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# -- analytic parameter counts, from the papers' architectures ----------------------

def conv(k, c_in, c_out, bias=True):
    return k * k * c_in * c_out + (c_out if bias else 0)


def bn(c):
    return 2 * c  # gamma and beta (the moving statistics are not trainable)


def fc(d_in, d_out):
    return d_in * d_out + d_out


def resnet_params(depth, width=16, class_num=10, shortcut="padding", channels=3):
    n = (depth - 2) // 6
    total = conv(3, channels, width, bias=False) + bn(width)
    c_in = width
    for stage in range(3):
        c = width * 2 ** stage
        for unit in range(n):
            total += conv(3, c_in, c, bias=False) + bn(c) + conv(3, c, c, bias=False) + bn(c)
            if c_in != c and shortcut == "projection":
                total += conv(1, c_in, c, bias=False) + bn(c)
            c_in = c
    return total + fc(4 * width, class_num)


def vgg_params(depth, width, fc_units, class_num=10, size=32, bn_on=True):
    stages = {11: (1, 1, 2, 2, 2), 16: (2, 2, 3, 3, 3)}[depth]
    total, c_in = 0, 3
    for stage, convs in enumerate(stages):
        c = width * min(2 ** stage, 8)
        for _ in range(convs):
            total += conv(3, c_in, c, bias=not bn_on) + (bn(c) if bn_on else 0)
            c_in = c
    d = (size // 32) ** 2 * c_in
    for units in fc_units:
        total, d = total + fc(d, units), units
    return total + fc(d, class_num)


def alexnet_params(channels, fc_units, class_num=10, size=32):
    total, c_in = 0, 3
    for c, k in zip(channels, (5, 5, 3, 3, 3)):
        total, c_in = total + conv(k, c_in, c), c
    side = math.ceil(math.ceil(math.ceil(size / 2) / 2) / 2)  # three SAME 3x3/2 pools
    d = side * side * c_in
    for units in fc_units:
        total, d = total + fc(d, units), units
    return total + fc(d, class_num)


def maxout_params(channels, pieces, ksizes, strides, fc_units, fc_pieces, class_num=10,
                  size=32):
    total, c_in, side = 0, 3, size
    for c, k, s in zip(channels, ksizes, strides):
        total, c_in, side = total + conv(k, c_in, c * pieces), c, math.ceil(side / s)
    return total + fc(side * side * c_in, fc_units * fc_pieces) + fc(fc_units, class_num)


def reported_params(brain):
    """The count the brain's summary reports."""
    text = brain.summary(print_fn=lambda line: None)
    return int(re.search(r"trainable parameters: ([\d,]+)", text).group(1).replace(",", ""))


def build(brain, size):
    brain([tf.zeros([1, size, size, 3]), tf.zeros([1], tf.int32)])
    return reported_params(brain)


# -- the papers' sizes --------------------------------------------------------------

def test_resnet20_has_the_papers_parameter_count():
    assert build(ResNet(depth=20), 32) == resnet_params(20) == 269_722  # "0.27M" (table 6)
    assert build(ResNet(depth=20, shortcut="projection"), 32) == \
        resnet_params(20, shortcut="projection")


def test_default_vgg_alexnet_maxout_parameter_counts():
    assert build(VGG(depth=16), 32) == vgg_params(16, 64, (512,))
    assert build(AlexNet(), 32) == alexnet_params((64, 192, 384, 256, 256), (1024, 1024))
    assert build(MaxoutNet(), 32) == maxout_params((96, 192, 192), 2, (8, 8, 5), (2, 2, 2),
                                                   500, 5)


def test_resnet_depth_and_shortcut_are_checked():
    with pytest.raises(ValueError, match=r"depth must be 6n \+ 2 .* got 21"):
        ResNet(depth=21)
    with pytest.raises(ValueError, match=r"unknown shortcut 'zero'"):
        ResNet(shortcut="zero")
    with pytest.raises(ValueError, match=r"unknown depth 12; choose one of 11, 13, 16, 19"):
        VGG(depth=12)
    with pytest.raises(ValueError, match=r"channels must be 5 positive ints"):
        AlexNet(channels=(4, 4))


@pytest.mark.parametrize("make,error,match", [
    (lambda: ResNet(depth=20.0), TypeError,
     r"^Block 'resnet' \(ResNet\): depth must be 6n \+ 2 with n >= 1 .*, got 20.0 \(float\)$"),
    (lambda: ResNet(depth=2), ValueError, r"depth must be 6n \+ 2 with n >= 1 .*, got 2$"),
    (lambda: ResNet(width=True), TypeError, r"width must be a positive int, got True \(bool\)"),
    (lambda: residual_unit(4, shortcut="zero", name="unit"), ValueError,
     r"^Block 'unit' \(Brain\): unknown shortcut 'zero'; choose one of 'padding', 'projection'"),
    (lambda: residual_unit(4, in_channel_num=0, name="unit"), ValueError,
     r"in_channel_num must be a positive int, got 0"),
    (lambda: VGG(depth="16"), TypeError, r"^Block 'vgg' \(VGG\): depth must be an int, got '16'"),
    (lambda: VGG(fc_units=(512, 0)), ValueError,
     r"^Block 'vgg' \(VGG\): fc_units\[1\] must be a positive int, got 0$"),
    (lambda: VGG(fc_units=512), TypeError,
     r"fc_units must be a list of positive ints, got 512 \(int\)"),
    (lambda: AlexNet(channels="64"), TypeError, r"channels must be 5 positive ints, got '64'"),
    (lambda: AlexNet(fc_units=(1024, 2.5)), TypeError,
     r"^Block 'alexnet' \(AlexNet\): fc_units\[1\] must be a positive int, got 2.5 \(float\)$"),
    (lambda: MaxoutNet(channels=(96, -1, 192)), ValueError,
     r"^Block 'maxout_net' \(MaxoutNet\): channels\[1\] must be a positive int, got -1$"),
    (lambda: MaxoutNet(pools=4), TypeError, r"pools must be a list, got 4 \(int\)"),
    (lambda: MaxoutNet(ksizes=(8, 8)), ValueError,
     r"channels, ksizes and pools must be lists of one length"),
    (lambda: MaxoutNet(pieces=0), ValueError, r"pieces must be a positive int, got 0"),
])
def test_zoo_arguments_are_checked(make, error, match):
    with pytest.raises(error, match=match):
        make()


# -- small versions learn -----------------------------------------------------------

def train(brain, size, steps=8, batch=32):
    """Data losses (without weight decay) of `steps` Adam steps on one fixed, learnable
    synthetic batch."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, batch)
    x = rng.normal(0, 1, (batch, size, size, 3)).astype("float32")
    x += labels[:, None, None, None].astype("float32") / 5
    x, y = tf.constant(x), tf.constant(labels, tf.int32)
    brain.set_mode("train")
    brain.compute([x[:1], y[:1]])
    variables = brain.trainable_variables
    optimizer = keras.optimizers.Adam(3e-3)
    optimizer.build(variables)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            outcome = brain.compute([x, y])
        optimizer.apply_gradients(zip(tape.gradient(outcome.loss, variables), variables))
        return outcome.data_loss

    return [float(step()) for _ in range(steps)]


@pytest.mark.parametrize("name,make,size,expected", [
    ("resnet", lambda: ResNet(depth=8, width=4, shortcut="padding"), 16,
     resnet_params(8, width=4)),
    ("resnet_projection", lambda: ResNet(depth=8, width=4, shortcut="projection", wd=None), 16,
     resnet_params(8, width=4, shortcut="projection")),
    ("vgg", lambda: VGG(depth=11, width=4, fc_units=(16,), keep_prob=None), 32,
     vgg_params(11, 4, (16,))),
    ("alexnet", lambda: AlexNet(channels=(8, 8, 8, 8, 8), fc_units=(16, 16), keep_prob=None), 16,
     alexnet_params((8, 8, 8, 8, 8), (16, 16), size=16)),
    ("maxout", lambda: MaxoutNet(channels=(4, 4, 4), fc_units=8, fc_pieces=2, keep_prob=None,
                                 input_keep_prob=None), 16,
     maxout_params((4, 4, 4), 2, (8, 8, 5), (2, 2, 2), 8, 2, size=16)),
])
def test_small_models_count_and_learn(name, make, size, expected):
    brain = make()
    losses = train(brain, size)
    assert reported_params(brain) == expected
    assert all(math.isfinite(v) for v in losses)
    assert np.mean(losses[-2:]) < np.mean(losses[:2]), f"{name}: loss did not fall: {losses}"


# -- the example ------------------------------------------------------------------

def test_cifar10_resnet_example_runs_on_synthetic_data(tmp_path):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", AKID_DATA_PATH=str(tmp_path / "data"))
    result = subprocess.run(
        [sys.executable, os.path.join(ROOT, "examples", "cifar10_resnet.py"), "--steps", "3",
         "--depth", "8", "--batch-size", "32", "--synthetic-size", "500",
         "--log-dir", str(tmp_path / "log")],
        capture_output=True, text=True, timeout=300, env=env, cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "training on synthetic CIFAR-shaped data" in result.stdout
    assert re.search(r"ResNet-8 on 500 images of synthetic .* after 3 steps", result.stdout)
    assert os.path.isfile(tmp_path / "log" / "metrics.jsonl")


@pytest.mark.slow
def test_cifar10_resnet_example_learns_synthetic_data(tmp_path):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", AKID_DATA_PATH=str(tmp_path / "data"))
    result = subprocess.run(
        [sys.executable, os.path.join(ROOT, "examples", "cifar10_resnet.py"), "--data",
         "synthetic", "--steps", "150", "--depth", "8", "--batch-size", "64",
         "--synthetic-size", "2000", "--log-dir", str(tmp_path / "log")],
        capture_output=True, text=True, timeout=900, env=env, cwd=str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    accuracy = float(re.search(r"validation accuracy ([\d.]+)%", result.stdout).group(1))
    assert accuracy > 80, result.stdout
