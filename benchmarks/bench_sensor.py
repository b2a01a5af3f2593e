"""Input-pipeline speed: IntegratedSensor against hand-written tf.data, and against ResNet's appetite.

Four variants on the same CIFAR-shaped uint8 data, in one process, in
interleaved rounds (a, b, c, d, a, b, c, d, ...), each pipeline round a fresh
iterator:

  a. sensor        IntegratedSensor + FlipJoker, PaddingLayer([4, 4]),
                   CropJoker(32, 32), WhitenJoker (float32 batches out);
  b. per-example   hand-written tf.data: shuffle, map(flip, pad, random crop,
                   per-image standardization) one image at a time, batch;
  c. vectorized    hand-written tf.data: shuffled index batches, gather, then
                   the same four ops on the whole batch;
  d. model         the compiled ResNet-20 train step (brain.compute, momentum
                   SGD) on batches of the same size: what training consumes.

The pipelines have the same tf.data settings as the sensor (parallel map,
prefetch(2), autotune off: PERFORMANCE.md, "Deleting a tf.data iterator can
stall"); `--autotune` turns it on for the hand-written ones. Iterator creation
plus the first batch (and the model's first, tracing step) are timed apart.
Prints medians, quiet medians (rounds in which other processes used < 0.25
cores), the CPU this process spent per 1,000 images (all its threads: a
figure other processes disturb less than wall time) and same-round ratios;
writes benchmarks/results/bench_sensor.json.

    python benchmarks/bench_sensor.py [--rounds 7] [--batches 200] [--batch-size 128]
        [--model-steps 4] [--autotune]
"""
import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(__file__))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from common import Segment, print_table, summarize, write_json  # noqa: E402

from akid.blocks import PaddingLayer  # noqa: E402
from akid.brains import ResNet  # noqa: E402
from akid.sensors import CropJoker, FlipJoker, IntegratedSensor, WhitenJoker  # noqa: E402
from akid.sources import ArraySource  # noqa: E402

PAD, SIZE = 4, 32


def cifar_shaped(n, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 256, (n, SIZE, SIZE, 3), dtype=np.uint8),
            rng.integers(0, 10, n).astype(np.int32))


def options(autotune):
    result = tf.data.Options()
    result.autotune.enabled = autotune
    return result


class SensorVariant:
    """(a) akid's IntegratedSensor with the four jokers."""

    name = "sensor"

    def __init__(self, x, y, batch_size):
        self.sensor = IntegratedSensor(ArraySource(train=(x, y)), batch_size=batch_size, seed=0)
        self.sensor.attach(FlipJoker())
        self.sensor.attach(PaddingLayer([PAD, PAD]), to_val=True)
        self.sensor.attach(CropJoker(SIZE, SIZE), to_val=True)
        self.sensor.attach(WhitenJoker(), to_val=True)

    def dataset(self):
        return self.sensor.dataset("train")


class PerExampleVariant:
    """(b) The textbook pipeline: augment each image in a parallel map, then batch."""

    name = "per-example"

    def __init__(self, x, y, batch_size, autotune=False):
        self.x, self.y, self.batch_size, self.autotune = x, y, batch_size, autotune

    def dataset(self):
        def augment(image, label):
            image = tf.image.random_flip_left_right(image)
            image = tf.pad(image, [[PAD, PAD], [PAD, PAD], [0, 0]])
            image = tf.image.random_crop(image, [SIZE, SIZE, 3])
            return tf.image.per_image_standardization(image), label

        data = tf.data.Dataset.from_tensor_slices((self.x, self.y))
        data = data.shuffle(len(self.x), seed=0, reshuffle_each_iteration=True).repeat()
        data = data.map(augment, num_parallel_calls=tf.data.AUTOTUNE).batch(self.batch_size)
        return data.prefetch(tf.data.AUTOTUNE if self.autotune else 2).with_options(
            options(self.autotune))


class VectorizedVariant:
    """(c) Batch the indices, gather, and augment the whole batch at once."""

    name = "vectorized"

    def __init__(self, x, y, batch_size, autotune=False):
        self.x, self.y = tf.constant(x), tf.constant(y)
        self.n, self.batch_size, self.autotune = len(x), batch_size, autotune

    def dataset(self):
        x, y = self.x, self.y
        side = SIZE + 2 * PAD

        def augment(idx):
            images = tf.image.random_flip_left_right(tf.gather(x, idx))  # per image
            images = tf.pad(images, [[0, 0], [PAD, PAD], [PAD, PAD], [0, 0]])
            n = tf.shape(images)[0]
            top = tf.random.uniform([n], 0, 2 * PAD + 1, tf.int32)
            left = tf.random.uniform([n], 0, 2 * PAD + 1, tf.int32)
            rows = top[:, None, None] + tf.range(SIZE)[None, :, None]
            cols = left[:, None, None] + tf.range(SIZE)[None, None, :]
            flat = (tf.range(n)[:, None, None] * side + rows) * side + cols
            images = tf.gather(tf.reshape(images, [-1, 3]), flat)  # (n, 32, 32, 3)
            return tf.image.per_image_standardization(images), tf.gather(y, idx)

        data = tf.data.Dataset.range(self.n).shuffle(self.n, seed=0,
                                                     reshuffle_each_iteration=True).repeat()
        data = data.batch(self.batch_size).map(augment, num_parallel_calls=tf.data.AUTOTUNE)
        return data.prefetch(tf.data.AUTOTUNE if self.autotune else 2).with_options(
            options(self.autotune))


class ModelVariant:
    """(d) The compiled ResNet-20 train step, on a fixed augmented batch."""

    name = "model"

    def __init__(self, batch):
        self.x, self.y = batch
        self.brain = ResNet(depth=20)
        self.brain.set_mode("train")
        self.brain.compute([self.x[:2], self.y[:2]])
        variables = self.brain.trainable_variables
        self.optimizer = keras.optimizers.SGD(0.1, momentum=0.9)
        self.optimizer.build(variables)
        brain, optimizer = self.brain, self.optimizer

        @tf.function
        def step(x, y):
            with tf.GradientTape() as tape:
                loss = brain.compute([x, y]).loss
            optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
            return loss

        self.step = step

    def first(self):
        self.step(self.x, self.y).numpy()

    def run(self, steps):
        for _ in range(steps):
            loss = self.step(self.x, self.y)
        loss.numpy()


def make_sample(images, timed, cpu_seconds):
    """One round's images/s, with the CPU this process spent per 1,000 images (all threads)."""
    return {"value": images / timed.seconds, "other_cores": timed.other_cores,
            "cpu_ms_per_1k": 1e6 * cpu_seconds / images}


def time_pipeline(variant, batches, batch_size):
    """(first-batch seconds, sample) of one round on a fresh iterator."""
    with Segment() as first:
        iterator = iter(variant.dataset())
        next(iterator)
    cpu = time.process_time()
    with Segment() as timed:
        for _ in range(batches):
            images, _ = next(iterator)
        images.numpy()
    cpu = time.process_time() - cpu
    del iterator
    return first.seconds, make_sample(batches * batch_size, timed, cpu)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--batches", type=int, default=200, help="timed batches per round")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--model-steps", type=int, default=4, help="timed steps per round")
    parser.add_argument("--examples", type=int, default=10000)
    parser.add_argument("--autotune", action="store_true",
                        help="tf.data autotuning on for the hand-written pipelines")
    args = parser.parse_args(argv)

    x, y = cifar_shaped(args.examples)
    pipelines = [SensorVariant(x, y, args.batch_size),
                 PerExampleVariant(x, y, args.batch_size, args.autotune),
                 VectorizedVariant(x, y, args.batch_size, args.autotune)]
    batch = next(iter(pipelines[0].dataset()))
    model = ModelVariant(batch)
    with Segment() as trace:
        model.first()
    samples = {v.name: [] for v in pipelines + [model]}
    firsts = {v.name: [] for v in pipelines}
    for round_ in range(args.rounds):
        for variant in pipelines:
            first, sample = time_pipeline(variant, args.batches, args.batch_size)
            firsts[variant.name].append(first)
            samples[variant.name].append(sample)
        cpu = time.process_time()
        with Segment() as timed:
            model.run(args.model_steps)
        cpu = time.process_time() - cpu
        samples["model"].append(make_sample(args.model_steps * args.batch_size, timed, cpu))
        print(f"round {round_ + 1}/{args.rounds}: " + ", ".join(
            f"{name} {s[-1]['value']:,.0f}" for name, s in samples.items()) + " img/s",
              flush=True)

    def ratios(a, b, cpu=False):
        values = [(sb["cpu_ms_per_1k"] / sa["cpu_ms_per_1k"]) if cpu else
                  (sa["value"] / sb["value"]) for sa, sb in zip(samples[a], samples[b])]
        quiet = [v for v, sa, sb in zip(values, samples[a], samples[b])
                 if max(sa["other_cores"], sb["other_cores"]) < 0.25]
        return {"median": statistics.median(values),
                "quiet_median": statistics.median(quiet) if quiet else None,
                "per_round": values}

    results = {name: summarize(s) for name, s in samples.items()}
    same_round = {"sensor / per-example": ratios("sensor", "per-example"),
                  "sensor / vectorized": ratios("sensor", "vectorized"),
                  "sensor / model": ratios("sensor", "model"),
                  "CPU per image: vectorized / sensor": ratios("sensor", "vectorized", cpu=True)}
    rows = []
    for name, r in results.items():
        quiet = f"{r['quiet_median']:,.0f}" if r["quiet_median"] else "-"
        first = (f"{statistics.median(firsts[name]):.2f}" if name in firsts
                 else f"{trace.seconds:.2f} (trace)")
        cpu = statistics.median(s["cpu_ms_per_1k"] for s in samples[name])
        rows.append([name, f"{r['median']:,.0f}", quiet, f"{r['quiet_rounds']}/{r['rounds']}",
                     f"{r['other_cores_median']:.2f}", f"{cpu:,.1f}", first])
    print()
    print_table(["variant", "img/s (median)", "quiet median", "quiet rounds", "others (cores)",
                 "CPU ms / 1k img", "first batch s"], rows)
    print()
    print_table(["same-round ratio", "median", "quiet median", "target"],
                [[k, f"{v['median']:.2f}",
                  f"{v['quiet_median']:.2f}" if v["quiet_median"] else "-",
                  {"sensor / model": ">= 3", "CPU per image: vectorized / sensor": "-"}.get(
                      k, ">= 0.95")] for k, v in same_round.items()])
    path = write_json("bench_sensor", {
        "args": vars(args), "images_per_s": results, "same_round_ratios": same_round,
        "first_batch_seconds": {k: statistics.median(v) for k, v in firsts.items()},
        "model_trace_seconds": trace.seconds,
        "samples": samples})
    print("\nwrote", path)
    return results, same_round


if __name__ == "__main__":
    main()
