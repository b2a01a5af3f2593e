# Port of akid/examples/alex_net.py (shawnLeeZX/akid at cf82277), kept as the original code.
# Lines changed, and why (everything else is the original's):
#   - Cifar10TFSource(...): `sha256=None` added: the tarball is the test's own small
#     CIFAR-10 (320 training images), not the official one; num_train 50000 -> 256,
#     num_val 10000 -> 64.
#   - sensor: batch_size 128 -> 32; Kid(...): max_steps 510000 -> 300 (a fast test).
def setup():
    from akid import AKID_DATA_PATH
    from akid import Kid
    from akid import LearningRateScheme, GradientDescentKongFu
    from akid import Cifar10TFSource
    from akid import IntegratedSensor
    from akid import (
        CropJoker,
        WhitenJoker,
        FlipJoker,
        LightJoker
    )

    from akid.models.brains import AlexNet

    # Set up brain
    # #########################################################################
    brain = AlexNet(name='alex_net')

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
                              batch_size=32,
                              name='data')
    sensor.attach(CropJoker(height=24, width=24, center=True, name="crop"),
                  to_val=True)
    sensor.attach(WhitenJoker(name="per_image_whitening"), to_val=True)

    sensor.attach(CropJoker(height=24, width=24, center=True, name="crop"))
    sensor.attach(FlipJoker(name="left_right_flip"))
    sensor.attach(LightJoker(name="brightness_contrast"))
    sensor.attach(WhitenJoker(name="per_image_whitening"))

    # Summon a survivor.
    # #########################################################################
    kid = Kid(
        sensor,
        brain,
        GradientDescentKongFu(
            lr_scheme={
                "name": LearningRateScheme.exp_decay,
                "base_lr": 0.1,
                "decay_rate": 0.1,
                "num_batches_per_epoch": 391,
                "decay_epoch_num": 350}),
        max_steps=300)
    kid.setup()

    return kid

# Start training
# #######################################################################
if __name__ == "__main__":
    kid = setup()
    kid.practice(continue_from_chk_point=False)
