"""Engine: a tf.distribute strategy and what a Kid asks of it; the base of every engine."""
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
        """The part of a distributed batch (a tensor, or a nest of them) this process
        holds, with the nest's structure."""
        def joined(leaf):
            parts = self.local_results(leaf)
            return parts[0] if len(parts) == 1 else tf.concat(parts, axis=0)
        return tf.nest.map_structure(joined, value)

    def global_batch_size(self, value):
        """How many examples a distributed batch (or the first tensor of a nest) holds over
        all workers."""
        leaf = tf.nest.flatten(value)[0]
        return sum(int(part.shape[0]) for part in self.local_results(leaf)) * self.num_workers

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


class DistributedEngine(Engine):
    """An engine whose towers each take a part of every global batch."""

    def distribute(self, dataset):
        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
        return self.strategy.experimental_distribute_dataset(dataset.with_options(options))


# What a cross-worker collective raises when another worker has gone (stopped,
# killed, preempted or unreachable).
WORKER_LOST = (tf.errors.UnavailableError, tf.errors.AbortedError,
               tf.errors.DeadlineExceededError)
