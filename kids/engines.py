"""Engines: where a Kid's computation runs, on TensorFlow's distribution strategies.

The model code never changes with the engine; only `Kid(engine=...)` does:

    "single"                                    one device (the default strategy)
    {"name": "data_parallel", "num_gpu": N}     N towers on one machine (MirroredStrategy)
    {"name": "multi_worker"}                    towers on many machines (MultiWorkerMirroredStrategy,
                                                configured by TF_CONFIG; see `set_tf_config`)

The sensor's batch is the global batch: every step splits it across all
towers of all workers, and the gradients are summed back, so a step sees
the same examples and makes the same update whatever the engine.

TensorFlow fixes its devices when its runtime starts, so a distributed engine
must be made before the first TensorFlow tensor or variable exists: make the
Kid (or the engine, `make_engine(spec)`) before anything else that touches
TensorFlow.
"""
import json
import os
import socket

import tensorflow as tf


class Engine:
    """A tf.distribute strategy, and what a Kid asks of it."""

    name = None

    def __init__(self, strategy):
        self.strategy = strategy

    @property
    def num_replicas(self):
        """How many towers share each global batch."""
        return self.strategy.num_replicas_in_sync

    @property
    def num_workers(self):
        """How many processes (machines) train together."""
        return 1

    @property
    def is_chief(self):
        """Whether this process writes checkpoints, logs and summaries."""
        return True

    @property
    def worker_name(self):
        """A name for this process among the workers ("chief" for the one that writes)."""
        return "chief"

    def scope(self):
        """Variables created inside are placed (and mirrored) by the strategy."""
        return self.strategy.scope()

    def distribute(self, dataset):
        """`dataset`'s global batches, each split across the towers."""
        return dataset

    def local_results(self, value):
        """The per-tower parts of a distributed value held by this process, as a tuple."""
        return self.strategy.experimental_local_results(value)

    def local_batch(self, value):
        """The part of a distributed batch this process holds, as one tensor."""
        parts = self.local_results(value)
        return parts[0] if len(parts) == 1 else tf.concat(parts, axis=0)

    def global_batch_size(self, value):
        """How many examples a distributed batch holds over all workers."""
        return sum(int(part.shape[0]) for part in self.local_results(value)) * self.num_workers

    def barrier(self):
        """Returns once every worker has called it (at once on one worker), so that no
        worker leaves while the chief still writes: TensorFlow reports a worker that
        exits early as crashed."""
        if self.num_workers > 1:
            self._gather(tf.constant(0, tf.int64))

    def gather(self, value):
        """The int `value` of every tower of every worker, in order; every worker must call it."""
        if self.num_workers == 1:
            return [value] * self.num_replicas
        return [int(v) for v in self._gather(tf.constant(value, tf.int64))]

    @tf.function
    def _gather(self, value):
        def tower():
            return tf.distribute.get_replica_context().all_gather(
                tf.reshape(value, [1]), axis=0)
        return self.local_results(self.strategy.run(tower))[0]

    def __repr__(self):
        return f"{type(self).__name__}(num_replicas={self.num_replicas})"


class SingleEngine(Engine):
    """One device: TensorFlow's default strategy."""

    name = "single"

    def __init__(self):
        super().__init__(tf.distribute.get_strategy())


class _DistributedEngine(Engine):
    """An engine whose towers each take a part of every global batch."""

    def distribute(self, dataset):
        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
        return self.strategy.experimental_distribute_dataset(dataset.with_options(options))


class DataParallelEngine(_DistributedEngine):
    """`num_gpu` towers on one machine, on tf.distribute.MirroredStrategy.

    With GPUs, the towers are the first `num_gpu` GPUs. Without any, the
    engine splits the CPU into `num_gpu` logical devices, so the same code
    runs (and is tested) anywhere; those towers share the CPU's cores, so they
    show the engine's overhead, not a speedup.
    """

    name = "data_parallel"

    def __init__(self, num_gpu):
        if not isinstance(num_gpu, int) or isinstance(num_gpu, bool) or num_gpu < 1:
            raise ValueError(f"Kid: engine data_parallel needs num_gpu, a positive int, got "
                             f"{num_gpu!r}")
        gpus = tf.config.list_physical_devices("GPU")
        if gpus and len(gpus) < num_gpu:
            raise ValueError(f"Kid: engine data_parallel asks for num_gpu={num_gpu}, but this "
                             f"machine has {len(gpus)} GPU(s)")
        if not gpus:
            _split_cpu(num_gpu)
        kind = "gpu" if gpus else "cpu"
        super().__init__(tf.distribute.MirroredStrategy(
            [f"/{kind}:{i}" for i in range(num_gpu)]))


def _split_cpu(n):
    """Makes the CPU appear as (at least) `n` logical devices."""
    cpu = tf.config.list_physical_devices("CPU")[0]
    configured = tf.config.get_logical_device_configuration(cpu)
    if configured and len(configured) >= n:
        return
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(n)])
    except RuntimeError as error:
        have = len(configured) if configured else 1
        raise RuntimeError(
            f"Kid: engine data_parallel needs {n} CPU devices, but TensorFlow already started "
            f"with {have}, and devices cannot change once it has. Make the Kid (or "
            f"akid.kids.engines.make_engine({{'name': 'data_parallel', 'num_gpu': {n}}})) "
            f"before anything creates a TensorFlow tensor or variable") from error


class MultiWorkerEngine(_DistributedEngine):
    """Towers on every worker listed in TF_CONFIG, on tf.distribute.MultiWorkerMirroredStrategy.

    Every worker runs the same script; the chief (the "chief" task, else
    worker 0) writes checkpoints, logs and summaries in `log_dir`, the others
    write their own training.log and metrics under `log_dir/workers/<name>`.
    """

    name = "multi_worker"
    _strategy = None  # TensorFlow allows one collective setup per process

    def __init__(self):
        if "TF_CONFIG" not in os.environ:
            raise ValueError("Kid: engine multi_worker needs TF_CONFIG, the cluster and this "
                             "worker's place in it; set it with akid.kids.engines."
                             "set_tf_config(['host1:port', 'host2:port'], index)")
        if MultiWorkerEngine._strategy is None:
            MultiWorkerEngine._strategy = tf.distribute.MultiWorkerMirroredStrategy()
        super().__init__(MultiWorkerEngine._strategy)

    @property
    def _task(self):
        resolver = self.strategy.cluster_resolver
        return resolver.task_type, resolver.task_id

    @property
    def num_workers(self):
        cluster = self.strategy.cluster_resolver.cluster_spec().as_dict()
        return len(cluster.get("chief", [])) + len(cluster.get("worker", []))

    @property
    def is_chief(self):
        task_type, task_id = self._task
        has_chief = "chief" in self.strategy.cluster_resolver.cluster_spec().as_dict()
        return task_type == "chief" or (task_type == "worker" and task_id == 0 and not has_chief)

    @property
    def worker_name(self):
        return "chief" if self.is_chief else "{}-{}".format(*self._task)


# What a cross-worker collective raises when another worker has gone (stopped,
# killed, preempted or unreachable).
WORKER_LOST = (tf.errors.UnavailableError, tf.errors.AbortedError,
               tf.errors.DeadlineExceededError)

# Each engine's name, class and the arguments its spec takes.
ENGINES = {
    "single": (SingleEngine, ()),
    "data_parallel": (DataParallelEngine, ("num_gpu",)),
    "multi_worker": (MultiWorkerEngine, ()),
}


def make_engine(spec):
    """The engine `spec` names: "single", {"name": ..., **args}, or an Engine (returned as is)."""
    if isinstance(spec, Engine):
        return spec
    given = {"name": spec} if isinstance(spec, str) else spec
    name = given.get("name") if isinstance(given, dict) else None
    if not isinstance(name, str) or name not in ENGINES:
        raise ValueError(f"Kid: unknown engine {spec!r}; known engines: {', '.join(ENGINES)}")
    engine_class, expected = ENGINES[name]
    args = {key: value for key, value in given.items() if key != "name"}
    if set(args) != set(expected):
        raise ValueError(f"Kid: engine {name} takes {list(expected) or 'no arguments'}, "
                         f"got {sorted(args)}")
    return engine_class(**args)


def set_tf_config(workers, index):
    """Sets TF_CONFIG for the `index`-th of `workers` ("host:port" strings); returns it as a dict.

    Run the same script on every machine, each with its own `index`; worker
    0 is the chief. Call it before making the Kid.

    Example:
      set_tf_config(["10.0.0.1:2222", "10.0.0.2:2222"], index=int(sys.argv[1]))
    """
    workers = list(workers)
    if not workers or not all(isinstance(w, str) and w.rpartition(":")[2].isdigit()
                              for w in workers):
        raise ValueError(f"set_tf_config: workers must be 'host:port' strings, got {workers!r}")
    if not isinstance(index, int) or not 0 <= index < len(workers):
        raise ValueError(f"set_tf_config: index must be in [0, {len(workers)}), got {index!r}")
    config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
    os.environ["TF_CONFIG"] = json.dumps(config)
    return config


def local_workers(n):
    """`n` "127.0.0.1:port" addresses on free ports: a cluster of workers on this machine."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [f"127.0.0.1:{s.getsockname()[1]}" for s in sockets]
    finally:
        for s in sockets:
            s.close()
