"""Batch norm, dropout and resume on two data-parallel towers, driven from a subprocess.

    python towers_worker.py LOG_DIR

Trains a small conv brain with batch norm and dropout for 10 steps on
{"name": "data_parallel", "num_gpu": 2}, then a fresh kid resumes from its
checkpoint and trains to step 20. Prints one JSON line: the losses, the
step the resumed kid started at, whether batch norm's moving mean moved,
whether the two towers drew different dropout masks, and the validation
figures the towers computed (49 examples in batches of 16: one tower gets
no example of the last batch) beside those of one pass over the whole split.
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from akid.kids.engines import make_engine  # noqa: E402

ENGINE = make_engine({"name": "data_parallel", "num_gpu": 2})  # before any tensor exists

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from akid import (ArraySource, Brain, FeedSensor, InnerProductLayer, Kid,  # noqa: E402
                  MomentumKongFu, SoftmaxWithLossLayer, cnn_block)
from akid.kids.logs import read_metrics  # noqa: E402


def brain():
    net = Brain(name="net")
    net.attach(cnn_block(ksize=[3, 3], init_para={"name": "he"}, wd=None, out_channel_num=8,
                         pool_size=[2, 2], pool_stride=[2, 2], keep_prob=0.5, bn=True,
                         name="block1"))
    net.attach(InnerProductLayer(out_channel_num=3, name="ip"))
    net.attach(SoftmaxWithLossLayer(class_num=3, name="loss"))
    return net


def kid(log_dir, steps, resume):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 241)
    x = (rng.normal(size=(241, 8, 8, 1)) + y[:, None, None, None]).astype("float32")
    return Kid(FeedSensor(ArraySource(train=(x[:192], y[:192]), val=(x[192:], y[192:])), 32,
                          val_batch_size=16),
               brain(), MomentumKongFu(lr_scheme={"name": "fixed", "base_lr": 0.05}),
               engine=ENGINE, max_steps=steps, log_dir=log_dir, train_log_step=1,
               val_log_step=10, seed=1, do_summary=False, continue_from_chk_point=resume)


def main(log_dir):
    first = kid(log_dir, 10, resume=False)
    first.practice()
    moving_mean = first.brain.get_layer_by_name("block1/bn").moving_mean
    dropout = first.brain.get_layer_by_name("block1/dropout")
    dropout.set_mode("train")
    ones = ENGINE.distribute(tf.data.Dataset.from_tensors(tf.ones([8, 16])))
    masks = ENGINE.local_results(ENGINE.strategy.run(dropout, (next(iter(ones)),)))
    second = kid(log_dir, 20, resume=True)
    second.setup()
    resumed_at = second.step
    second.practice()
    losses = [r["loss"] for r in read_metrics(log_dir) if r["split"] == "train"]
    val_loss, val_evals = second.validate()
    with second.brain.mode_as("val"):
        whole = second.brain.compute([tf.constant(a) for a in second.sensor.source.arrays("val")])
    print(json.dumps({"losses": losses, "resumed_at": resumed_at,
                      "moving_mean_moved": bool(np.abs(moving_mean.numpy()).max() > 0),
                      "masks_differ": bool((masks[0].numpy() != masks[1].numpy()).any()),
                      "val": {"loss": val_loss, **val_evals},
                      "whole_val": {"loss": float(whole.loss),
                                    **{k: float(v) for k, v in whole.evals.items()}}}))


if __name__ == "__main__":
    main(sys.argv[1])
