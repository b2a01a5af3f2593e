"""The main job's LeNet, trained by two workers: akid's distributed tutorial on tf.distribute.

Run on one machine, it starts the two workers itself, as two processes on
127.0.0.1 ports, and waits for them:

    python examples/dist_mnist.py [--epochs 12] [--log-dir DIR]

Across machines, run the same command on each, naming all workers and this
one's place among them (worker 0 is the chief, which writes log_dir):

    python examples/dist_mnist.py --workers host1:2222,host2:2222 --index 0   # on host1
    python examples/dist_mnist.py --workers host1:2222,host2:2222 --index 1   # on host2

The model code is the main job's (examples/mnist_lenet.py); only
`engine={"name": "multi_worker"}` differs. The sensor's batch is the global
batch: each step splits it between the workers, so the run makes the same
updates as the single-device main job.
"""
import logging
import os
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from mnist_lenet import make_kid, make_parser, report  # noqa: E402

from akid.kids.engines import local_workers, set_tf_config  # noqa: E402
from akid.kids.logs import set_verbosity  # noqa: E402


def train(args):
    """One worker: joins the cluster named by --workers and trains its share."""
    set_tf_config(args.workers.split(","), args.index)
    if args.index:  # the others' progress is the chief's; their own log is in log_dir/workers/
        set_verbosity(logging.WARNING)
    kid = make_kid(args, engine={"name": "multi_worker"})
    started = time.time()
    kid.practice()
    if kid.engine.is_chief:
        report(kid, time.time() - started)
        print("logs, metrics and checkpoints:", kid.log_dir)


def launch_local_workers(args, n=2):
    """Starts `n` workers on 127.0.0.1, each with its share of this machine's cores."""
    workers = ",".join(local_workers(n))
    log_dir = args.log_dir or os.path.join("log", time.strftime("dist-%Y%m%d-%H%M%S"))
    threads = str(max(1, (os.cpu_count() or n) // n))
    env = dict(os.environ, TF_NUM_INTRAOP_THREADS=threads, TF_NUM_INTEROP_THREADS=threads)
    children = [subprocess.Popen([sys.executable, __file__, *sys.argv[1:], "--workers", workers,
                                  "--index", str(index), "--log-dir", log_dir], env=env)
                for index in range(n)]
    codes = [child.wait() for child in children]
    if any(codes):
        sys.exit(f"dist_mnist: a worker failed (exit codes {codes})")


def main(argv=None):
    parser = make_parser(__doc__)
    parser.add_argument("--workers", help="all workers, host:port,host:port,...")
    parser.add_argument("--index", type=int, help="this worker's place in --workers")
    args = parser.parse_args(argv)
    if args.workers is None:
        launch_local_workers(args)
    else:
        train(args)


if __name__ == "__main__":
    main()
