"""DevicePool: hands out GPUs (or CPU slots) to the tuner's instances, never one GPU to two.

The parent process never initializes TensorFlow's devices (that would grab the
GPUs it hands out): `list_gpus()` asks a short subprocess, or `nvidia-smi -L`.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import threading

from akid.checks import check_count, check_positive_int

_LIST_GPUS = ("import tensorflow as tf; "
              "print(len(tf.config.list_physical_devices('GPU')))")


def cpu_count():
    """The cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def list_gpus(timeout=120):
    """The GPU ids to put in CUDA_VISIBLE_DEVICES, e.g. ["0", "1"]; [] when there are none.

    Counts them with tf.config.list_physical_devices("GPU") in a subprocess (so
    this process never touches a GPU), falling back to `nvidia-smi -L`. When
    CUDA_VISIBLE_DEVICES is set, the ids come from it: "2,3" gives ["2", "3"].
    On Linux with neither a GPU device file (/dev/nvidia*, /dev/kfd, /dev/dxg) nor
    nvidia-smi, it answers [] at once, sparing the subprocess its TensorFlow import.
    """
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if (visible is not None and not visible.strip()) or not _may_have_gpus():
        return []
    count = _count_with_tensorflow(timeout)
    if count is None:
        count = _count_with_nvidia_smi(timeout)
    if visible is not None:
        ids = [v.strip() for v in visible.split(",") if v.strip()]
        return ids[:count] if count is not None else ids
    return [str(i) for i in range(count or 0)]


def _may_have_gpus():
    if not sys.platform.startswith("linux"):
        return True
    return bool(shutil.which("nvidia-smi") or glob.glob("/dev/nvidia*")
                or os.path.exists("/dev/kfd") or os.path.exists("/dev/dxg"))


def _count_with_tensorflow(timeout):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    try:
        done = subprocess.run([sys.executable, "-c", _LIST_GPUS], capture_output=True,
                              text=True, timeout=timeout, env=env)
        return int(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else None
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None


def _count_with_nvidia_smi(timeout):
    try:
        done = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True,
                              timeout=timeout)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return len(re.findall(r"^GPU \d+:", done.stdout, flags=re.MULTILINE))


class DevicePool:
    """Slots for at most `max_parallel` running instances, and a set of GPUs to share.

    `acquire(n)` blocks until a slot and `n` free GPUs are both available, then
    takes them together (so a waiting instance holds nothing) and returns the
    GPU ids; `release(ids)` gives them back. Thread-safe (one Condition guards
    both), so worker threads may share a pool.

    Args:
      devices: GPU ids, e.g. ["0", "1"]; [] for a CPU-only machine.
      max_parallel: how many instances may hold a slot at once; default: the
        number of GPUs, or the number of cores without GPUs.

    Example:
      pool = DevicePool(["0", "1"])
      with pool.hold(1) as gpus:    # gpus == ["0"]
          ...
    """

    def __init__(self, devices, max_parallel=None):
        self.devices = [str(d) for d in devices]
        if len(set(self.devices)) != len(self.devices):
            raise ValueError(f"DevicePool: devices must be distinct, got {self.devices}")
        if max_parallel is None:
            max_parallel = len(self.devices) or cpu_count()
        self.max_parallel = check_positive_int("DevicePool", "max_parallel", max_parallel)
        self._free = list(self.devices)
        self._slots = max_parallel
        self._changed = threading.Condition()

    def check(self, n):
        """Raises ValueError when `n` GPUs could never be had from this pool."""
        check_count("DevicePool", "a GPU count", n)
        if n > len(self.devices):
            raise ValueError(f"DevicePool: an instance asks for {n} GPUs, but only "
                             f"{len(self.devices)} are available ({self.devices})")

    def acquire(self, n, timeout=None):
        """Takes a slot and `n` GPUs, waiting up to `timeout` s (None: forever).

        Returns the GPU ids taken ([] for n=0), or None when the wait timed out.
        """
        self.check(n)
        with self._changed:
            if not self._changed.wait_for(lambda: self._slots and len(self._free) >= n,
                                          timeout):
                return None
            self._slots -= 1
            taken, self._free = self._free[:n], self._free[n:]
            return taken

    def release(self, taken):
        """Gives back a slot and the GPU ids `acquire` returned."""
        with self._changed:
            if any(d in self._free or d not in self.devices for d in taken):
                raise ValueError(f"DevicePool: cannot release {taken}: not all are held "
                                 f"(free: {self._free})")
            self._free.extend(taken)
            self._free.sort(key=self.devices.index)
            self._slots += 1
            self._changed.notify_all()

    def hold(self, n):
        """A context manager: `with pool.hold(n) as ids:` acquires and later releases."""
        return _Held(self, n)

    @property
    def free(self):
        """The GPU ids not held now."""
        with self._changed:
            return list(self._free)


class _Held:
    def __init__(self, pool, n):
        self.pool, self.n, self.taken = pool, n, None

    def __enter__(self):
        self.taken = self.pool.acquire(self.n)
        return self.taken

    def __exit__(self, *exc):
        self.pool.release(self.taken)
        return False
