"""akid: everything is a Block.

Sources emit data; Sensors batch it; Brains compose blocks in a DAG; KongFu
optimizers train them; a Kid runs the whole with a global clock; an Observer
draws what it learned.
"""
from akid.blocks import *  # noqa: F401,F403
from akid.brains import Brain, LeNet, OneLayerBrain, Outcome, cnn_block  # noqa: F401
from akid.kids import Hooks, Kid, clock, read_metrics  # noqa: F401
from akid.kongfu import *  # noqa: F401,F403
from akid.sensors import FeedSensor, Sensor  # noqa: F401
from akid.sources import ArraySource, MNISTFeedSource, MNISTSubsetSource, Source  # noqa: F401
