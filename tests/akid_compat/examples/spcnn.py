# Port of akid/examples/spcnn.py (shawnLeeZX/akid at cf82277), kept as the original code.
# Lines changed, and why (everything else is the original's):
#   - Cifar10FeedSource(...): `sha256=None` added: the tarball is the test's own small
#     CIFAR-10 (320 training images), not the official one; num_train 50000 -> 256,
#     num_val 10000 -> 64.
#   - sensor: batch_size 128 -> 32; Kid(...): max_steps 60000 -> 30 (a fast test).
#   - `xrange` -> `range`: the original is Python 2.
#   - readout: `activation={"type": "softmax"}` -> `activation=None`, then
#     `brain.attach(SoftmaxWithLossLayer(class_num=10, name="loss"))` (and its import), as
#     akid's block_mnist.py ends. Forced: the original has no loss block, so no Kid can
#     train it, and at cf82277 akid's own cnn_block did not run it either ("softmax
#     activation type has not been supported yet", then sys.exit(0)).
def setup(graph=None):

    from akid import Brain
    from akid.sugar import cnn_block
    from akid.layers import SoftmaxWithLossLayer
    from akid import AKID_DATA_PATH
    from akid import Cifar10FeedSource, FeedSensor, Kid
    from akid import MomentumKongFu

    brain = Brain(name="spcnn")

    out_channel_num_list = [64, 128, 256, 512]
    group_size_list = [2, 4, 8, 16]

    for i in range(0, 4):
        brain.attach(cnn_block(
            ksize=[3, 3],
            init_para={
                "name": "uniform",
                "range": 0.005},
            wd={"type": "l2", "scale": 0.005},
            out_channel_num=out_channel_num_list[i],
            pool_size=[2, 2],
            pool_stride=[2, 2],
            activation={"type": "linearize", "group_size": group_size_list[i]},
            keep_prob=0.5,
            bn={"gamma_init": 1, "fix_gamma": True}))

    brain.attach(cnn_block(
        init_para={
            "name": "uniform",
            "range": 0.005},
        wd={"type": "l2", "scale": 0.005},
        out_channel_num=10,
        activation=None,
        bn={"gamma_init": 1, "fix_gamma": True}))
    brain.attach(SoftmaxWithLossLayer(class_num=10, name="loss"))

    # Set up a sensor.
    # #########################################################################
    cifar_source = Cifar10FeedSource(
        name="CIFAR10",
        url='http://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz',
        work_dir=AKID_DATA_PATH + '/cifar10',
        use_zca=True,
        num_train=256,
        num_val=64,
        sha256=None)

    sensor = FeedSensor(source_in=cifar_source,
                        batch_size=32,
                        name='data')

    # Summon a survivor.
    # #########################################################################
    survivor = Kid(
        sensor,
        brain,
        MomentumKongFu(base_lr=1.0,
                       momentum=0.5,
                       decay_rate=0.1,
                       decay_epoch_num=25),
        max_steps=30,
        graph=graph,
    )

    survivor.setup()
    return survivor

kid = setup()
kid.practice()
