# Port of akid/examples/maxout/cifar10/maxout_relu.py
# (shawnLeeZX/akid at cf82277), kept as the original code.
# Lines changed, and why (everything else is the original's):
#   - Cifar10TFSource(...): `sha256=None` added: the tarball is the test's own small
#     CIFAR-10 (320 training images), not the official one; num_train 50000 -> 256,
#     num_val 10000 -> 64.
#   - the 5 weighted layers' `stddev=X, weight_decay=Y` -> `init_para={"name":
#     "truncated_normal", "stddev": X}, wd={"type": "l2", "scale": Y}`: the example predates
#     akid's first commit, whose layers (as at cf82277) take only these and raised
#     `TypeError: __init__() got an unexpected keyword argument 'stddev'`.
#   - sensor: batch_size 128 -> 16; Kid(...): max_steps 510000 -> 20 (a fast test).
from akid import AKID_DATA_PATH
from akid.core import kids, kongfus
from akid import Cifar10TFSource
from akid import IntegratedSensor
from akid import WhitenJoker
from akid import Brain
from akid.layers import (
    ConvolutionLayer,
    PoolingLayer,
    ReLULayer,
    InnerProductLayer,
    SoftmaxWithLossLayer,
    BatchNormalizationLayer,
    DropoutLayer
)

# Set up brain
# #########################################################################
brain = Brain(moving_average_decay=0.99, name='maxout-relu-cifar10')

brain.attach(ConvolutionLayer([8, 8],
                              [1, 1, 1, 1],
                              'SAME',
                              init_para={"name": "truncated_normal", "stddev": 0.005},
                              wd={"type": "l2", "scale": 0.0005},
                              out_channel_num=192,
                              name='conv1'))
brain.attach(PoolingLayer([1, 4, 4, 1],
                          [1, 2, 2, 1],
                          'SAME',
                          name='pool1'))
brain.attach(ReLULayer(name='relu1'))
brain.attach(DropoutLayer(keep_prob=0.8, name='dropout1'))

brain.attach(ConvolutionLayer([8, 8],
                              [1, 1, 1, 1],
                              'SAME',
                              init_para={"name": "truncated_normal", "stddev": 0.005},
                              wd={"type": "l2", "scale": 0.0005},
                              out_channel_num=384,
                              name='conv2'))
brain.attach(PoolingLayer([1, 4, 4, 1],
                          [1, 2, 2, 1],
                          'SAME',
                          name='pool2'))
brain.attach(ReLULayer(name='relu2'))
brain.attach(DropoutLayer(keep_prob=0.5, name='dropout2'))

brain.attach(ConvolutionLayer([5, 5],
                              [1, 1, 1, 1],
                              'SAME',
                              init_para={"name": "truncated_normal", "stddev": 0.005},
                              wd={"type": "l2", "scale": 0.0005},
                              out_channel_num=384,
                              name='conv3'))
brain.attach(PoolingLayer([1, 2, 2, 1],
                          [1, 2, 2, 1],
                          'SAME',
                          name='pool3'))
brain.attach(ReLULayer(name='relu3'))
brain.attach(DropoutLayer(keep_prob=0.5, name='dropout3'))

brain.attach(InnerProductLayer(init_para={"name": "truncated_normal", "stddev": 0.005},
                               wd={"type": "l2", "scale": 0.004},
                               out_channel_num=2500,
                               name='ip1'))
brain.attach(ReLULayer(name='relu4'))
brain.attach(DropoutLayer(keep_prob=0.3, name='dropout3'))

brain.attach(InnerProductLayer(init_para={"name": "truncated_normal", "stddev": 1/2500.0},
                               wd={"type": "l2", "scale": 0},
                               out_channel_num=10,
                               name='softmax_linear'))

brain.attach(SoftmaxWithLossLayer(class_num=10, name='loss'))

# Set up a sensor.
# #########################################################################
cifar_source = Cifar10TFSource(
    name="CIFAR10",
    url='http://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
    work_dir=AKID_DATA_PATH + '/cifar10',
    num_train=256,
    num_val=64,
    sha256=None)


sensor = IntegratedSensor(source_in=cifar_source,
                          batch_size=16,
                          name='data')
sensor.attach(WhitenJoker(name="per_image_whitening"), to_val=True)
sensor.attach(WhitenJoker(name="per_image_whitening"))

# Summon a survivor.
# #########################################################################
survivor = kids.Kid(
    sensor,
    brain,
    kongfus.MomentumKongFu(base_lr=0.01,
                           momentum=0.5,
                           decay_rate=0.1,
                           decay_epoch_num=50),
    max_steps=20)
survivor.setup()

# Start training
# #######################################################################
survivor.practice(continue_from_chk_point=False)
