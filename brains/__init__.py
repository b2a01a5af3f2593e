"""Brains: the Brain, block templates and the model zoo."""
from akid.brains.brain import Brain, Outcome
from akid.brains.lenet import LeNet, OneLayerBrain
from akid.brains.templates import cnn_block
