"""DataParallelEngine: towers on one machine's GPUs, or on logical CPU devices without any."""
import tensorflow as tf

from akid.checks import check_positive_int
from akid.kids.engines.base import DistributedEngine


class DataParallelEngine(DistributedEngine):
    """`num_gpu` towers on one machine, on tf.distribute.MirroredStrategy.

    With GPUs, the towers are the first `num_gpu` GPUs. Without any, the
    engine splits the CPU into `num_gpu` logical devices, so the same code
    runs (and is tested) anywhere; those towers share the CPU's cores, so they
    show the engine's overhead, not a speedup.
    """

    name = "data_parallel"

    def __init__(self, num_gpu):
        check_positive_int("Kid: engine data_parallel", "num_gpu", num_gpu)
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
