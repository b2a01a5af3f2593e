"""MultiWorkerEngine: towers on every worker of a TF_CONFIG cluster."""
import os

import tensorflow as tf

from akid.kids.engines.base import DistributedEngine


class MultiWorkerEngine(DistributedEngine):
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
