"""ResNet on CIFAR-10 with the standard augmentation: flip, pad 4, random crop 32, whiten.

Data (`--data`):
  auto       (default) the real CIFAR-10 if cifar-10-python.tar.gz is already in
             $AKID_DATA_PATH/cifar10 (default ~/.akid/data/cifar10), else synthetic;
             auto never downloads, so the script runs anywhere, offline.
  cifar10    the real CIFAR-10, downloaded once (170 MB, checked by SHA-256).
  synthetic  CIFAR-shaped uint8 images made here: each class a smooth random
             colour pattern, each image its class's pattern shifted, mirrored and
             noised, so the task is learnable and the augmentation is meaningful.

The images stay uint8 in the source; the IntegratedSensor flips, pads and crops
the training images as uint8 and whitens them per image (which makes them
float32), one batch at a time; validation images are whitened only. The
learning rate follows a cosine (or `--schedule step`: /10 at 50% and 75% of
the steps) scheme with momentum 0.9, as He et al. (2016).

    python examples/cifar10_resnet.py [--data auto|cifar10|synthetic] [--steps 500]
        [--depth 20] [--batch-size 128] [--lr 0.1] [--schedule cosine|step] [--log-dir DIR]
        [--synthetic-size 5000]
"""
import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from akid.blocks import PaddingLayer  # noqa: E402
from akid.brains import ResNet  # noqa: E402
from akid.kids import Kid  # noqa: E402
from akid.kongfu import MomentumKongFu  # noqa: E402
from akid.sensors import CropJoker, FlipJoker, IntegratedSensor, WhitenJoker  # noqa: E402
from akid.sources import ArraySource, Cifar10FeedSource, data_path  # noqa: E402
from akid.sources.cifar import CIFAR10_FILE  # noqa: E402


def synthetic_cifar(num_train=5000, num_val=1000, seed=0):
    """A learnable CIFAR-shaped ArraySource: (N, 32, 32, 3) uint8 images, 10 classes."""
    rng = np.random.default_rng(seed)
    coarse = rng.normal(0.0, 1.0, (10, 4, 4, 3))
    patterns = np.repeat(np.repeat(coarse, 8, axis=1), 8, axis=2)  # smooth 32x32 patterns
    n = num_train + num_val
    labels = rng.integers(0, 10, n)
    images = patterns[labels]
    shifts = rng.integers(-3, 4, (n, 2))
    images = np.stack([np.roll(im, tuple(s), axis=(0, 1)) for im, s in zip(images, shifts)])
    mirrored = rng.random(n) < 0.5
    images[mirrored] = images[mirrored, :, ::-1]
    images = images + rng.normal(0.0, 2.0, images.shape)
    pixels = np.clip(128 + 40 * images, 0, 255).astype(np.uint8)
    return ArraySource(train=(pixels[:num_train], labels[:num_train]),
                       val=(pixels[num_train:], labels[num_train:]), num_classes=10,
                       name="synthetic_cifar")


def make_source(data, synthetic_size=5000):
    """The source `--data` asks for, and what it is."""
    have_real = os.path.isfile(os.path.join(data_path("cifar10"), CIFAR10_FILE))
    if data == "cifar10" or (data == "auto" and have_real):
        return Cifar10FeedSource(scale=False), "CIFAR-10"
    if data == "auto":
        print(f"no {CIFAR10_FILE} in {data_path('cifar10')}: training on synthetic "
              f"CIFAR-shaped data (use --data cifar10 to download the real one)")
    return (synthetic_cifar(synthetic_size, max(1, synthetic_size // 5)),
            "synthetic CIFAR-shaped data")


def make_sensor(source, batch_size, seed):
    """Training: flip, pad 4 and crop a random 32x32 window, whiten; validation: whiten.

    As in akid, `attach(joker)` is the training pipeline and `to_val=True` the
    validation one alone, so a joker for both is attached twice.
    """
    sensor = IntegratedSensor(source, batch_size=batch_size, val_batch_size=500, seed=seed)
    sensor.attach(FlipJoker(flip_left_right=True))
    sensor.attach(PaddingLayer([4, 4]))
    sensor.attach(CropJoker(32, 32))
    sensor.attach(WhitenJoker(name="whiten"))
    sensor.attach(WhitenJoker(name="whiten"), to_val=True)
    return sensor


def lr_scheme(schedule, lr, steps):
    if schedule == "cosine":
        return {"name": "cosine", "base_lr": lr, "total_steps": steps}
    return {"name": "step", "boundaries": [steps // 2, steps * 3 // 4],
            "values": [lr, lr / 10, lr / 100]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=["auto", "cifar10", "synthetic"], default="auto")
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--depth", type=int, default=20, help="6n + 2: 20, 32, 44, 56, 110")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--schedule", choices=["cosine", "step"], default="cosine")
    parser.add_argument("--log-dir", default=None, help="default: log/<timestamp>")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--synthetic-size", type=int, default=5000,
                        help="training images of the synthetic data (and a fifth as many "
                             "for validation)")
    args = parser.parse_args(argv)

    source, what = make_source(args.data, args.synthetic_size)
    sensor = make_sensor(source, args.batch_size, args.seed)
    kongfu = MomentumKongFu(momentum=0.9,
                            lr_scheme=lr_scheme(args.schedule, args.lr, args.steps))
    log_every = max(1, min(100, args.steps // 5))
    kid = Kid(sensor, ResNet(depth=args.depth, class_num=10), kongfu, max_steps=args.steps,
              log_dir=args.log_dir, val_log_step=max(log_every, args.steps // 2),
              train_log_step=log_every, do_summary=False, seed=args.seed)

    started = time.time()
    kid.setup()
    loss = kid.practice()
    seconds = time.time() - started
    print(f"ResNet-{args.depth} on {source.num_train} images of {what}: training loss "
          f"{loss:.4f}, validation accuracy {kid.evals['accuracy']:.2%} on {source.num_val} "
          f"images (loss {kid.val_loss:.4f}) after {kid.step} steps in {seconds:.0f} s")
    print("logs, metrics and checkpoints:", kid.log_dir)
    kid.teardown()
    return kid.evals["accuracy"]


if __name__ == "__main__":
    main()
