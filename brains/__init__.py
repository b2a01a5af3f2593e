"""Brains: the Brain, block templates and the model zoo."""
from akid.brains.brain import Brain, Outcome
from akid.brains.lenet import LeNet, OneLayerBrain
from akid.brains.templates import cnn_block
from akid.brains.alexnet import AlexNet
from akid.brains.maxout import MaxoutNet
from akid.brains.parallel import Parallel
from akid.brains.resnet import ResNet, residual_unit
from akid.brains.vgg import VGG
