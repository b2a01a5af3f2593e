"""Checkpoint cost (save time, size) for LeNet and ResNet-20, and the per-step NaN guard's cost.

The guard is what the Kid adds to every step: `tf.cond` on the loss being
finite (no update otherwise) and reading the loss back to Python. It is timed
against the same step without it, interleaved, on LeNet (MNIST-shaped) and
ResNet-20 (CIFAR-shaped). Writes benchmarks/results/bench_checkpoint.json.

    python benchmarks/bench_checkpoint.py [--rounds 7] [--steps 20]
"""
import argparse
import glob
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from common import Segment, print_table, summarize, write_json  # noqa: E402

from akid import ArraySource, FeedSensor, Kid, LeNet, MomentumKongFu  # noqa: E402
from akid.brains import ResNet  # noqa: E402


def make_kid(brain, shape, batch_size):
    rng = np.random.default_rng(0)
    x = rng.random((512, *shape), dtype="float32")
    kid = Kid(FeedSensor(ArraySource(train=(x, rng.integers(0, 10, 512))), batch_size=batch_size),
              brain, MomentumKongFu(), max_steps=1, log_dir=tempfile.mkdtemp(),
              do_summary=False, skip_validation=True, seed=0)
    kid.setup()
    kid.practice()  # one step: the optimizer slots exist
    return kid


def unguarded_step(kid):
    """The Kid's training step without the finite check."""
    brain, kongfu, variables = kid.brain, kid.kongfu, kid.brain.trainable_variables

    @tf.function(input_signature=kid._train_step.input_signature)
    def step(x, y):
        with tf.GradientTape() as tape:
            outcome = brain.compute([x, y])
        kongfu.apply_gradients(tape.gradient(outcome.loss, variables), variables)
        return outcome.loss, outcome.evals, kid.clock.tick()

    return step


def time_steps(step, batch, steps, read_loss):
    with Segment() as segment:
        for _ in range(steps):
            loss = step(*batch)[0]
            if read_loss:
                float(loss)
        float(loss)
    return {"value": segment.seconds / steps, "other_cores": segment.other_cores}


def checkpoint_size(path):
    return sum(os.path.getsize(f) for f in glob.glob(path + ".*"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    models = {"LeNet": make_kid(LeNet(), (28, 28, 1), 128),
              "ResNet-20": make_kid(ResNet(depth=20), (32, 32, 3), 128)}
    batches = {name: next(iter(kid.sensor.dataset("train"))) for name, kid in models.items()}
    plain = {name: unguarded_step(kid) for name, kid in models.items()}
    saves = {name: [] for name in models}
    guarded = {name: [] for name in models}
    unguarded = {name: [] for name in models}
    for name in models:  # trace both steps before timing
        plain[name](*batches[name]), models[name]._train_step(*batches[name])
    for _ in range(args.rounds):
        for name, kid in models.items():
            with Segment() as segment:
                path = kid.checkpoints.save(kid.step)
            saves[name].append({"value": segment.seconds, "other_cores": segment.other_cores})
            guarded[name].append(time_steps(kid._train_step, batches[name], args.steps, True))
            unguarded[name].append(time_steps(plain[name], batches[name], args.steps, False))
    results, rows = {}, []
    for name, kid in models.items():
        path = tf.train.latest_checkpoint(kid.checkpoints.directory)
        overhead = statistics.median(g["value"] / u["value"] - 1
                                     for g, u in zip(guarded[name], unguarded[name]))
        params = sum(int(np.prod(v.shape)) for v in kid.brain.trainable_variables)
        results[name] = {"parameters": params, "checkpoint_bytes": checkpoint_size(path),
                         "save_s": summarize(saves[name]),
                         "step_s_guarded": summarize(guarded[name]),
                         "step_s_unguarded": summarize(unguarded[name]),
                         "nan_guard_overhead": overhead}
        rows.append([name, f"{params:,}", f"{checkpoint_size(path) / 1e6:.2f} MB",
                     f"{results[name]['save_s']['median'] * 1e3:.1f} ms",
                     f"{results[name]['step_s_unguarded']['median'] * 1e3:.1f} ms",
                     f"{overhead:+.2%}"])
    print(f"\n{args.rounds} rounds, {args.steps} steps a round, batch 128, {os.cpu_count()} CPUs")
    print_table(["model", "params", "checkpoint", "save", "step", "NaN guard cost"], rows)
    print("wrote", write_json("bench_checkpoint", {"args": vars(args), "results": results}))


if __name__ == "__main__":
    main()
