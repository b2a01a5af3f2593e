"""akid: everything is a Block.

Sources emit data; Sensors batch it and augment it with Jokers; Brains
compose blocks in a DAG; KongFu optimizers train them; a Kid runs the whole
on a global clock; an Observer draws what was learned.

The original akid's import paths (`akid.models.brains`, `akid.layers`,
`akid.core.kids`, ...) and `AKID_DATA_PATH` still work: see `akid.compat`.
"""
from akid import compat as _compat  # installs akid's old import paths
from akid.blocks import *  # noqa: F401,F403
from akid.brains import (VGG, AlexNet, Brain, LeNet, MaxoutNet, OneLayerBrain,  # noqa: F401
                         Outcome, Parallel, ResNet, cnn_block, residual_unit)
from akid.kids import Hooks, Kid, Observer, clock, plot_results, read_metrics, tune  # noqa: F401
from akid.kongfu import *  # noqa: F401,F403
from akid.sensors import (CropJoker, FeedSensor, FlipJoker, IntegratedSensor,  # noqa: F401
                          Joker, LightJoker, RescaleJoker, RotationJoker, Sensor, WhitenJoker)
from akid.sources import (ArraySource, Cifar10FeedSource, Cifar100FeedSource,  # noqa: F401
                          MNISTFeedSource, MNISTSubsetSource, Source)


def __getattr__(name):
    """akid's old top-level names: AKID_DATA_PATH, old module paths, names defined later."""
    return _compat.top_level(name)
