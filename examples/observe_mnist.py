"""Train LeNet briefly on the shipped MNIST subset, then draw what it learned.

Writes under log_dir/observer/: first- and second-layer filters, feature maps
of a validation image, predictions with their top-3 probabilities, training
curves, the distributions of weights, gradients and activations over
training, and the block graph (PNG and Graphviz .dot); prints their paths.

    python examples/observe_mnist.py [--epochs 3] [--log-dir DIR]
"""
import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from akid import FeedSensor, Kid, LeNet, MNISTSubsetSource, MomentumKongFu  # noqa: E402
from akid.kids.observer import Observer  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--log-dir", default=None, help="default: log/<timestamp>")
    args = parser.parse_args(argv)

    source = MNISTSubsetSource()
    sensor = FeedSensor(source, batch_size=64)
    steps_per_epoch = sensor.num_batches_per_epoch
    kid = Kid(sensor, LeNet(), MomentumKongFu(lr_scheme={"name": "fixed", "base_lr": 0.05}),
              max_epoch=args.epochs, log_dir=args.log_dir, val_log_step=steps_per_epoch // 2,
              train_log_step=max(1, steps_per_epoch // 8), seed=0)
    started = time.time()
    kid.setup()
    kid.practice()
    print(f"trained {kid.step} steps in {time.time() - started:.0f} s; validation accuracy "
          f"{kid.evals['accuracy']:.2%}")

    observer = Observer(kid)
    drawings = {
        "filters": observer.visualize_filters(layout={"type": "normal", "num": 8}),
        "activations": observer.visualize_activation(layers=["conv1", "conv2", "ip1/ip", "ip2"]),
        "predictions": observer.visualize_classifying("ip2", idxs=range(12)),
        "training curves": observer.plot_training(),
        "distributions": observer.plot_distributions(),
        "graph": observer.visualize_graph(),
    }
    for what, paths in drawings.items():
        print(f"{what}:")
        for path in paths:
            print("  ", path)
    print("graphviz:", drawings["graph"].info[0]["dot"])
    kid.teardown()
    return drawings


if __name__ == "__main__":
    main()
