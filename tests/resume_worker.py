"""A training run for the resume tests, driven from a subprocess.

    python resume_worker.py LOG_DIR MAX_STEPS OUT.npz [--sleep S]

Trains a small brain with dropout deterministically, checkpointing every 4
steps, prints "step N" after each step (flushed, so a parent can kill it at a
chosen step), and writes the final weights to OUT.npz.
"""
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from akid import (AccuracyLayer, ArraySource, Brain, DropoutLayer, FeedSensor,  # noqa: E402
                  InnerProductLayer, Kid, MomentumKongFu, ReLULayer, SoftmaxWithLossLayer)


def brain():
    net = Brain(name="net")
    net.attach(InnerProductLayer(out_channel_num=32, name="ip1"))
    net.attach(ReLULayer(name="relu1"))
    net.attach(DropoutLayer(keep_prob=0.7, name="drop1"))
    net.attach(InnerProductLayer(out_channel_num=4, name="ip2"))
    net.attach(SoftmaxWithLossLayer(class_num=4, name="loss"))
    net.attach(AccuracyLayer(name="accuracy"))
    return net


def main(log_dir, max_steps, out, pause=0.0):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(230, 10)).astype("float32"), rng.integers(0, 4, 230)
    source = ArraySource(train=(x[:200], y[:200]), val=(x[200:], y[200:]))
    kongfu = MomentumKongFu(lr_scheme={"name": "exp_decay", "base_lr": 0.1, "decay_rate": 0.7,
                                       "num_batches_per_epoch": 7, "decay_epoch_num": 1})
    kid = Kid(FeedSensor(source, batch_size=32), brain(), kongfu, max_steps=max_steps,
              log_dir=log_dir, val_log_step=4, train_log_step=4, seed=7, deterministic=True,
              continue_from_chk_point=True, do_summary=False)

    def report(k):
        print(f"step {k.step}", flush=True)
        time.sleep(pause)

    kid.hooks.on_batch_end.append(report)
    kid.practice()
    np.savez(out, *[v.numpy() for v in kid.brain.var_list])
    print("done", flush=True)


if __name__ == "__main__":
    pause = float(sys.argv[sys.argv.index("--sleep") + 1]) if "--sleep" in sys.argv else 0.0
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3], pause)
