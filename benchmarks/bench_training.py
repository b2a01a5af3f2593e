"""Training speed of Kid.practice() against a hand-written loop and keras Model.fit.

All three train the same LeNet (conv5x5x32-pool, conv5x5x64-pool, fc512 +
dropout, fc10; momentum SGD) on the same MNIST-shaped tf.data input, in one
process, in interleaved rounds (a, b, c, a, b, c, ...), each round a fresh
iterator and a whole call (practice() / the loop / fit()). Prints medians and
same-round ratios and writes benchmarks/results/bench_training.json.

    python benchmarks/bench_training.py [--rounds 7] [--steps 60] [--batch-size 128]
    python benchmarks/bench_training.py --only a d --steps 100 --out bench_summaries
        (summaries' cost at the default train_log_step: one summary a round)
"""
import argparse
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(__file__))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from common import Segment, print_table, summarize, write_json  # noqa: E402

from akid import ArraySource, FeedSensor, Kid, LeNet, MomentumKongFu  # noqa: E402

LR = 0.01


def mnist_shaped(n=6000, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 28, 28, 1), dtype="float32"), rng.integers(0, 10, n)


def make_kid(sensor, steps, log_dir, do_summary, engine="single"):
    kid = Kid(sensor, LeNet(), MomentumKongFu(lr_scheme={"name": "fixed", "base_lr": LR}),
              engine=engine, max_steps=steps, log_dir=log_dir, save_chk_point=False,
              skip_validation=True, do_summary=do_summary, seed=0)
    kid.setup()
    return kid


class KidVariant:
    """(a) Kid.practice(): each round raises max_steps and practices on."""

    def __init__(self, sensor, steps, do_summary=False, engine="single"):
        self.kid = make_kid(sensor, 1, tempfile.mkdtemp(), do_summary, engine)
        self.steps = steps

    def first_step(self):
        self.kid.practice()

    def run(self):
        self.kid.max_steps += self.steps
        self.kid.practice()


class HandWrittenVariant:
    """(b) The same math as raw TensorFlow ops in one tf.function step."""

    def __init__(self, sensor, steps):
        glorot = keras.initializers.GlorotUniform(seed=0)
        shapes = {"w1": [5, 5, 1, 32], "w2": [5, 5, 32, 64], "w3": [7 * 7 * 64, 512],
                  "w4": [512, 10]}
        self.params = {k: tf.Variable(glorot(s)) for k, s in shapes.items()}
        self.params.update({f"b{i}": tf.Variable(tf.zeros([s[-1]]))
                            for i, s in enumerate(shapes.values(), 1)})
        self.optimizer = keras.optimizers.SGD(LR, momentum=0.9)
        self.variables = list(self.params.values())
        self.optimizer.build(self.variables)
        self.dataset, self.steps = sensor.dataset("train"), steps
        p = self.params

        @tf.function(input_signature=[tf.TensorSpec([None, 28, 28, 1]),
                                      tf.TensorSpec([None], tf.int64)])
        def step(x, y):
            with tf.GradientTape() as tape:
                h = tf.nn.max_pool2d(tf.nn.relu(tf.nn.conv2d(x, p["w1"], 1, "SAME") + p["b1"]),
                                     2, 2, "SAME")
                h = tf.nn.max_pool2d(tf.nn.relu(tf.nn.conv2d(h, p["w2"], 1, "SAME") + p["b2"]),
                                     2, 2, "SAME")
                h = tf.nn.relu(tf.matmul(tf.reshape(h, [-1, 7 * 7 * 64]), p["w3"]) + p["b3"])
                logits = tf.matmul(tf.nn.dropout(h, 0.5), p["w4"]) + p["b4"]
                loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits))
            self.optimizer.apply_gradients(zip(tape.gradient(loss, self.variables),
                                               self.variables))
            return loss

        self.step = step

    def first_step(self):
        x, y = next(iter(self.dataset))
        self.step(x, tf.cast(y, tf.int64))

    def run(self):
        for x, y in self.dataset.take(self.steps):
            loss = self.step(x, tf.cast(y, tf.int64))
        float(loss)


class KerasVariant:
    """(c) keras Model.fit on the same layers."""

    def __init__(self, sensor, steps):
        layers = keras.layers
        self.model = keras.Sequential([
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 5, padding="same", activation="relu"),
            layers.MaxPool2D(2, padding="same"),
            layers.Conv2D(64, 5, padding="same", activation="relu"),
            layers.MaxPool2D(2, padding="same"),
            layers.Flatten(), layers.Dense(512, activation="relu"), layers.Dropout(0.5),
            layers.Dense(10)])
        self.model.compile(keras.optimizers.SGD(LR, momentum=0.9),
                           keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                           metrics=["accuracy"])
        self.dataset, self.steps = sensor.dataset("train"), steps

    def first_step(self):
        self.model.fit(self.dataset, steps_per_epoch=1, epochs=1, verbose=0)

    def run(self):
        self.model.fit(self.dataset, steps_per_epoch=self.steps, epochs=1, verbose=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--only", nargs="*", help="variant keys to run, e.g. a b")
    parser.add_argument("--out", default="bench_training", help="results/<out>.json")
    args = parser.parse_args()

    sensor = FeedSensor(ArraySource(train=mnist_shaped()), batch_size=args.batch_size, seed=0)
    factories = {"a": ("Kid.practice()", lambda: KidVariant(sensor, args.steps)),
                 "b": ("hand-written tf.function loop", lambda: HandWrittenVariant(sensor, args.steps)),
                 "c": ("keras Model.fit", lambda: KerasVariant(sensor, args.steps)),
                 "d": ("Kid.practice(), do_summary=True",
                       lambda: KidVariant(sensor, args.steps, do_summary=True))}
    keys = args.only or list(factories)
    variants, first_step = {}, {}
    for key in keys:
        started = time.perf_counter()
        variants[key] = factories[key][1]()
        variants[key].first_step()
        first_step[key] = time.perf_counter() - started
    samples = {key: [] for key in keys}
    images = args.steps * args.batch_size
    for _ in range(args.rounds):
        for key in keys:
            with Segment() as segment:
                variants[key].run()
            samples[key].append({"value": images / segment.seconds,
                                 "other_cores": segment.other_cores})
    base = keys[1] if "b" not in keys else "b"
    rows, results = [], {}
    for key in keys:
        stats = summarize(samples[key])
        ratios = {other: statistics.median(s["value"] / o["value"] for s, o in
                                           zip(samples[key], samples[other]))
                  for other in keys if other != key}
        results[key] = dict(stats, name=factories[key][0], first_step_s=first_step[key],
                            same_round_ratio=ratios, samples=samples[key])
        rows.append([key, factories[key][0], f"{stats['median']:.0f}",
                     f"{stats['quiet_median']:.0f}" if stats["quiet_median"] else "-",
                     f"{ratios.get(base, 1.0):.3f}", f"{first_step[key]:.2f}"])
    print(f"\nLeNet, batch {args.batch_size}, {args.steps} steps a round, {args.rounds} rounds, "
          f"{os.cpu_count()} CPUs")
    print_table(["", "variant", "img/s median", "quiet median", f"ratio to {base}",
                 "first step s"], rows)
    for a, b in (("a", "b"), ("a", "c"), ("d", "a")):
        if a in results and b in results:
            print(f"{a}/{b} (same-round median): {results[a]['same_round_ratio'][b]:.3f}")
    print("wrote", write_json(args.out, {"args": vars(args), "results": results}))


if __name__ == "__main__":
    main()
