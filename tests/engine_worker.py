"""A short LeNet run on a given engine, driven from a subprocess by the engine tests.

    python engine_worker.py ENGINE_JSON LOG_DIR OUT.npz [--steps N] [--export DIR] [--resume]

Trains the main job's LeNet (momentum, weight decay, gradient clipping) on
the shipped MNIST subset for N steps (default 20), logging the loss every
step, and writes the final weights to OUT.npz. With --export it also writes
the SavedModel to DIR and the brain's own outputs on the first validation
batch to OUT.npz ("images", "outputs"). With --resume it continues from
LOG_DIR's checkpoint. Each run is its own process because
a distributed engine configures TensorFlow's devices for the whole process.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from akid import FeedSensor, Kid, LeNet, MNISTSubsetSource, MomentumKongFu  # noqa: E402

KEEP_PROB = 1.0  # no dropout: towers draw other masks than one device, by design


def main(engine, log_dir, out, steps=20, export=None, resume=False):
    kid = Kid(FeedSensor(MNISTSubsetSource(), batch_size=64), LeNet(keep_prob=KEEP_PROB), MomentumKongFu(
        lr_scheme={"name": "fixed", "base_lr": 0.01}, clip_norm=1.0), engine=engine,
        max_steps=steps, log_dir=log_dir, train_log_step=1, val_log_step=steps, seed=3,
        do_summary=False, continue_from_chk_point=resume)
    kid.practice()
    arrays = {f"w{i}": v.numpy() for i, v in enumerate(kid.brain.var_list)}
    if export:
        kid.export(export)
        images, _ = next(iter(kid.sensor.dataset("val")))
        with kid.brain.mode_as("val"):
            arrays.update(images=images.numpy(), outputs=kid.brain.infer(images).numpy())
    np.savez(out, **arrays)
    print("done", kid.engine.worker_name, flush=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    options = {flag: args[args.index(flag) + 1] for flag in ("--steps", "--export") if flag in args}
    main(json.loads(args[0]), args[1], args[2], int(options.get("--steps", 20)),
         options.get("--export"), "--resume" in args)
