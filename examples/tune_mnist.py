"""Tuning: 2 learning rates x 2 activations of a small LeNet on the MNIST subset.

Each of the 4 instances trains in its own subprocess (on its own GPU when there
are GPUs, else `--max-parallel` at a time on CPU) under `--work-dir` (default
tune/<timestamp>): the rendered setup.py, stdout/stderr, result.json and the
Kid's log/. The results go to results.csv / results.jsonl, a table sorted by
validation loss is logged, and val_curves.png shows every validation curve.

    python examples/tune_mnist.py [--max-parallel 2] [--epochs 1] [--work-dir DIR]
"""
import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from akid.kids.tuner import plot_results, tune  # noqa: E402

opt_paras_list = [{"lr": 0.02}, {"lr": 0.1}]
net_paras_list = [{"activation": {"type": "relu"}}, {"activation": {"type": "tanh"}}]


def setup():
    """The template: jinja2 fills in opt_paras, net_paras and the tuner's settings."""
    from akid import (AccuracyLayer, Brain, FeedSensor, InnerProductLayer, Kid,
                      MNISTSubsetSource, MomentumKongFu, SoftmaxWithLossLayer, cnn_block)

    brain = Brain(name="small_lenet")
    brain.attach(cnn_block(ksize=[5, 5], out_channel_num=16, pool_size=[2, 2],
                           activation={{ net_paras["activation"] }}, name="conv1"))
    brain.attach(cnn_block(ksize=[5, 5], out_channel_num=32, pool_size=[2, 2],
                           activation={{ net_paras["activation"] }}, name="conv2"))
    brain.attach(cnn_block(out_channel_num=128, activation={{ net_paras["activation"] }},
                           name="ip1"))
    brain.attach(InnerProductLayer(out_channel_num=10, name="ip2"))
    brain.attach(SoftmaxWithLossLayer(class_num=10, name="loss"))
    brain.attach(AccuracyLayer(name="accuracy"))

    sensor = FeedSensor(MNISTSubsetSource(), batch_size=64, val_batch_size=500)
    steps_per_epoch = sensor.num_batches_per_epoch
    kongfu = MomentumKongFu(momentum=0.9, lr_scheme={"name": "fixed",
                                                     "base_lr": {{ opt_paras["lr"] }}})
    return Kid(sensor, brain, kongfu, max_epoch={{ opt_paras["epochs"] }},
               val_log_step=max(1, steps_per_epoch // 4), train_log_step=steps_per_epoch // 8,
               do_summary=False, seed={{ repeat }})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-parallel", type=int, default=2,
                        help="instances at once on CPU (on GPUs: at most one a GPU)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--work-dir", default=None, help="default: tune/<timestamp>")
    args = parser.parse_args(argv)

    # Settings every instance shares can ride in the parameter dicts too.
    opts = [dict(o, epochs=args.epochs) for o in opt_paras_list]
    started = time.time()
    results = tune(setup, opts, net_paras_list, max_parallel=args.max_parallel,
                   work_dir=args.work_dir)
    seconds = time.time() - started
    ok = [r for r in results if r["status"] == "ok"]
    print(f"{len(ok)} of {len(results)} instances ok in {seconds:.0f} s "
          f"(max_parallel={args.max_parallel})")
    if ok:
        best = min(ok, key=lambda r: r["final_val_loss"])
        print(f"best: lr={best['opt_paras']['lr']} activation="
              f"{best['net_paras']['activation']['type']}: validation loss "
              f"{best['final_val_loss']:.4f}, accuracy {best['final_val_metrics']['accuracy']:.2%}")
        print("validation curves:", plot_results(results))
    print("results:", os.path.join(os.path.dirname(results[0]["instance_dir"]), "results.csv"))
    return results, seconds


if __name__ == "__main__":
    main()
