"""The code snippets of akid's documentation (/work/shared/seeds/003_643dc1ce65187a8a.txt),
run as an akid user would paste them, with only the data source and step counts changed.

Each test names the section it comes from and lists what it changed. Left out: the
tuner's fragment (`setup(graph)` whose `brain` is undefined; the full version is
examples/jinja2_maxout.py) and the "Graph"/"Session" sections (TensorFlow 1's
`with graph.as_default()` and `sess`, out of scope by DESIGN.md).
"""
import math
import textwrap

import numpy as np
import pytest

# The documentation's MNISTFeedSource, everywhere it appears: only num_train / num_val
# (50000 / 10000) shrunk and `sha256=None` added (the test's own copy of the files).
MNIST_SOURCE = """
source = MNISTFeedSource(name="Source",
                         url='http://yann.lecun.com/exdb/mnist/',
                         work_dir=AKID_DATA_PATH + '/mnist',
                         center=True,
                         scale=True,
                         num_train=2000,
                         num_val=200,
                         sha256=None)
"""


def doc_mnist_source():
    """The documentation's source (MNIST_SOURCE), built."""
    from akid import AKID_DATA_PATH, MNISTFeedSource
    scope = {"AKID_DATA_PATH": AKID_DATA_PATH, "MNISTFeedSource": MNISTFeedSource}
    exec(MNIST_SOURCE, scope)
    return scope["source"]


def holistic_example():
    """Introduction, "Neural network training -- A holistic example". Changed: the source
    (MNIST_SOURCE); max_steps 100 -> 20; `kid.setup()` / `kid.practice()` -> `s.setup()` /
    `s.practice()`: the documentation names its Kid `s`, then calls `kid` (a NameError)."""
    from akid import FeedSensor
    from akid import Kid
    from akid import MomentumKongFu

    from akid.models.brains import LeNet

    brain = LeNet(name="Brain")
    source = doc_mnist_source()

    sensor = FeedSensor(name='Sensor', source_in=source)
    s = Kid(sensor,
            brain,
            MomentumKongFu(name="Kongfu"),
            max_steps=20)
    s.setup()
    s.practice()
    return s


def test_the_holistic_example_trains_and_the_observer_draws_it(akid_env, kids_built,
                                                               loss_falls):
    """Then Introduction, "Visualization", unchanged, on the holistic example's Kid."""
    kid = holistic_example()
    assert kids_built == [kid] and kid.step == 20
    loss_falls(kid.recorded_losses)

    from akid import Observer

    o = Observer(kid)
    # Visualize filters as the following
    filters = o.visualize_filters()
    # Or visualize feature maps as the following
    activations = o.visualize_activation()
    assert filters and activations


def test_a_source_gives_numpy_batches(akid_env):
    """How To, "Source": the source, then `source.get_batch(100, get_val=False)`, "a tuple
    of numpy array of (images, labels)". Changed: the source (MNIST_SOURCE)."""
    source = doc_mnist_source()

    batch = source.get_batch(100, get_val=False)

    images, labels = batch
    assert isinstance(batch, tuple) and isinstance(images, np.ndarray)
    assert images.shape[0] == labels.shape[0] == 100


def one_layer_brain_class():
    """How To, "Brain" (also in Introduction, "Programming Paradigm"): unchanged."""
    from akid import Brain
    from akid.layers import (ConvolutionLayer, InnerProductLayer, PoolingLayer, ReLULayer,
                             SoftmaxWithLossLayer)

    class OneLayerBrain(Brain):
        def __init__(self, **kwargs):
            super(OneLayerBrain, self).__init__(**kwargs)
            self.attach(
                ConvolutionLayer(ksize=[5, 5],
                                 strides=[1, 1, 1, 1],
                                 padding="SAME",
                                 out_channel_num=32,
                                 name="conv1")
            )
            self.attach(ReLULayer(name="relu1"))
            self.attach(
                PoolingLayer(ksize=[1, 5, 5, 1],
                             strides=[1, 5, 5, 1],
                             padding="SAME",
                             name="pool1")
            )

            self.attach(InnerProductLayer(out_channel_num=10, name="ip1"))
            self.attach(SoftmaxWithLossLayer(
                class_num=10,
                inputs=[
                    {"name": "ip1", "idxs": [0]},
                    {"name": "system_in", "idxs": [1]}],
                name="loss"))

    return OneLayerBrain


def mnist_feed_sensor():
    """How To, "Sensor": `FeedSensor(name='data', source_in=source)`, on MNIST_SOURCE."""
    from akid import FeedSensor
    source = doc_mnist_source()
    sensor = FeedSensor(name='data', source_in=source)
    return sensor


@pytest.mark.parametrize("brain_from", ["the documentation's class", "akid.models"])
def test_a_brain_is_set_up_on_a_feed_sensors_tensors(akid_env, brain_from):
    """How To, "Brain" (and the akid part of "Distributed akid"): `sensor.setup()`, then
    `brain.setup([sensor.data(), sensor.labels()])` and `brain.loss`. Unchanged."""
    if brain_from == "akid.models":
        from akid.models import OneLayerBrain
    else:
        OneLayerBrain = one_layer_brain_class()
    sensor = mnist_feed_sensor()

    # ... first get a feed sensor
    sensor.setup()
    brain = OneLayerBrain(name="brain")
    input = [sensor.data(), sensor.labels()]
    brain.setup(input)

    loss = float(brain.loss)
    assert math.isfinite(loss) and 1.0 < loss < 10.0


def test_the_documentations_one_layer_brain_trains(akid_env, kids_built, loss_falls):
    """The documentation's OneLayerBrain on its FeedSensor, trained by a Kid (40 steps)."""
    from akid import Kid, MomentumKongFu
    kid = Kid(mnist_feed_sensor(), one_layer_brain_class()(name="brain"), MomentumKongFu(),
              max_steps=40)
    kid.setup()
    kid.practice()
    loss_falls(kid.recorded_losses)


def test_an_integrated_sensor_augments_with_jokers(akid_env):
    """How To, "Sensor": an IntegratedSensor on CIFAR-10 with a flip, a padding and a
    crop. Changed: `cifar_source` is made as akid's alex_net.py makes it, on the test's
    own small CIFAR-10 (num_train 256, num_val 64, sha256=None)."""
    from akid import AKID_DATA_PATH, Cifar10TFSource, CropJoker, FlipJoker, IntegratedSensor
    from akid.layers import PaddingLayer
    cifar_source = Cifar10TFSource(
        name="CIFAR10",
        url='http://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
        work_dir=AKID_DATA_PATH + '/cifar10',
        num_train=256,
        num_val=64,
        sha256=None)

    sensor = IntegratedSensor(source_in=cifar_source,
                              batch_size=128,
                              name='data')
    sensor.attach(FlipJoker(flip_left_right=True, name="left_right_flip"))
    sensor.attach(PaddingLayer(padding=[4, 4]))
    sensor.attach(CropJoker(height=32, width=32, name="crop"))

    images, labels = next(iter(sensor.dataset("train")))
    assert tuple(images.shape) == (128, 32, 32, 3) and tuple(labels.shape) == (128,)


def test_the_clock_starts_by_hand():
    """Architecture, "Kick start clock": unchanged."""
    from akid.common import init
    init()

    from akid.kids import clock
    assert clock.get_step() == 0


# Programming Paradigm, "Distributed Computation": the documentation's Kid, on the MNIST
# sensor and the zoo's OneLayerBrain (the snippet leaves both to the reader). Changed:
# max_epoch 200 -> 1 (20 steps).
DATA_PARALLEL = """
from akid import AKID_DATA_PATH, FeedSensor, MNISTFeedSource, MomentumKongFu
from akid import LearningRateScheme
from akid.core import kids
from akid.models.brains import OneLayerBrain
{source}
sensor = FeedSensor(name='data', source_in=source)
brain = OneLayerBrain(name="brain")

kid = kids.Kid(
    sensor,
    brain,
    MomentumKongFu(lr_scheme={{"name": LearningRateScheme.placeholder}}),
    engine={{"name": "data_parallel", "num_gpu": 2}},
    log_dir="log",
    max_epoch=1)
{hook}
kid.setup()
kid.practice()
"""
# akid's way to feed a placeholder schedule, from akid/examples/imagenet.py.
LR_HOOK = """
def update_lr(kid):
    kid.kongfu.lr_value = 0.1
kid.hooks.on_batch_begin.append(update_lr)
"""


def test_data_parallel_with_a_placeholder_lr_that_is_fed_trains(run_in_subprocess, akid_env,
                                                                loss_falls):
    script = akid_env / "data_parallel.py"
    script.write_text(DATA_PARALLEL.format(source=MNIST_SOURCE, hook=textwrap.dedent(LR_HOOK)))
    done, kids = run_in_subprocess(str(script))
    assert done.returncode == 0, done.stderr[-3000:]
    (batch_losses, _), = kids
    assert len(batch_losses) == 20
    loss_falls(batch_losses)


def test_data_parallel_with_a_placeholder_lr_never_fed_is_an_error(run_in_subprocess,
                                                                   akid_env):
    """The snippet as the documentation has it never sets the lr: akid's Kid raised; a
    silent lr of 0 would train nothing."""
    script = akid_env / "data_parallel.py"
    script.write_text(DATA_PARALLEL.format(source=MNIST_SOURCE, hook=""))
    done, kids = run_in_subprocess(str(script))
    assert done.returncode != 0 and "lr_value" in done.stderr, done.stderr[-3000:]
    (batch_losses, _), = kids
    assert batch_losses == []  # not one step made
