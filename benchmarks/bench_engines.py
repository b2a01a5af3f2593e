"""Steps/s of the single engine against data_parallel on 2 logical CPU devices.

Both kids train the same LeNet on the same MNIST-shaped batches in one
process, in interleaved rounds (single, data_parallel, single, ...). The two
CPU "towers" share this machine's cores, so the ratio measures the engine's
overhead (splitting the batch, two half-size passes, summing gradients), not
a speedup. keras Model.fit on the same layers, with and without the same
MirroredStrategy, runs in the same rounds: its ratio is TensorFlow's own
overhead, which akid's should match. Also prints each zoo model's all-reduce
volume per step (its gradients: 4 bytes a trainable parameter), the figure
that sets how well data parallelism scales on real GPUs. Writes
benchmarks/results/bench_engines.json.

    python benchmarks/bench_engines.py [--rounds 7] [--steps 40] [--batch-size 128]
"""
import argparse
import os
import statistics
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(__file__))

from akid.kids.engines import make_engine  # noqa: E402

DATA_PARALLEL = make_engine({"name": "data_parallel", "num_gpu": 2})  # before any tensor exists

import tensorflow as tf  # noqa: E402
from bench_training import KerasVariant, KidVariant, mnist_shaped  # noqa: E402
from common import Segment, print_table, summarize, write_json  # noqa: E402

from akid import VGG, AlexNet, ArraySource, FeedSensor, LeNet, MaxoutNet, ResNet  # noqa: E402

ZOO = {"LeNet (MNIST)": (LeNet, [28, 28, 1]), "ResNet-20 (CIFAR)": (ResNet, [32, 32, 3]),
       "VGG-16 (CIFAR)": (VGG, [32, 32, 3]), "AlexNet (CIFAR)": (AlexNet, [32, 32, 3]),
       "MaxoutNet (CIFAR)": (MaxoutNet, [32, 32, 3])}


def all_reduce_megabytes():
    """{model: MB of gradients summed over the towers each step}."""
    sizes = {}
    for name, (model, shape) in ZOO.items():
        brain = model()
        brain.set_mode("val")
        brain([tf.zeros([2, *shape]), tf.zeros([2], tf.int64)])
        sizes[name] = sum(int(tf.size(v)) for v in brain.trainable_variables) * 4 / 1e6
    return sizes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args()

    sensor = FeedSensor(ArraySource(train=mnist_shaped()), batch_size=args.batch_size, seed=0)
    variants = {"single": KidVariant(sensor, args.steps),
                "data_parallel": KidVariant(sensor, args.steps, engine=DATA_PARALLEL),
                "keras single": KerasVariant(sensor, args.steps)}
    with DATA_PARALLEL.strategy.scope():
        variants["keras data_parallel"] = KerasVariant(sensor, args.steps)
    for variant in variants.values():
        variant.first_step()
    samples = {key: [] for key in variants}
    for _ in range(args.rounds):
        for key, variant in variants.items():
            with Segment() as segment:
                variant.run()
            samples[key].append({"value": args.steps / segment.seconds,
                                 "other_cores": segment.other_cores})
    results = {key: summarize(samples[key]) for key in variants}
    ratios = {f"{a} / {b}": statistics.median(x["value"] / y["value"]
                                              for x, y in zip(samples[a], samples[b]))
              for a, b in (("data_parallel", "single"), ("keras data_parallel", "keras single"),
                           ("data_parallel", "keras data_parallel"))}
    print(f"\nLeNet, global batch {args.batch_size}, {args.steps} steps a round, {args.rounds} "
          f"rounds, {os.cpu_count()} CPUs shared by both towers (data_parallel: 2 CPU towers)")
    print_table(["engine", "steps/s median", "quiet median"],
                [[key, f"{r['median']:.2f}",
                  f"{r['quiet_median']:.2f}" if r["quiet_median"] else "-"]
                 for key, r in results.items()])
    for name, ratio in ratios.items():
        print(f"{name} (same-round median): {ratio:.3f}")
    volumes = all_reduce_megabytes()
    print_table(["model", "all-reduce MB/step"], [[k, f"{v:.2f}"] for k, v in volumes.items()])
    print("wrote", write_json("bench_engines", {
        "args": vars(args), "results": results, "samples": samples,
        "same_round_ratios": ratios, "all_reduce_mb_per_step": volumes}))


if __name__ == "__main__":
    main()
