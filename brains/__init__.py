"""Brains: the Brain, block templates and the model zoo (today's nets and akid's own)."""
from akid.brains.brain import Brain, Outcome
from akid.brains.lenet import LeNet, OneLayerBrain
from akid.brains.templates import cnn_block
from akid.brains.alexnet import AlexNet
from akid.brains.akid_nets import AkidAlexNet, AkidLeNet, MnistTfTutorialNet
from akid.brains.maxout import MaxoutNet
from akid.brains.parallel import Parallel
from akid.brains.preact_resnet import CifarResNet, ImagenetResNet, PreActResNet
from akid.brains.resnet import ResNet, residual_unit
from akid.brains.vgg import VGG, VGGNet
