"""Shared measuring tools for the benchmarks: CPU noise from other processes, medians, JSON."""
import json
import os
import platform
import statistics
import time

TICKS = os.sysconf("SC_CLK_TCK")


def _busy_ticks():
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    return sum(fields) - fields[3] - fields[4]  # all but idle and iowait


def _own_ticks():
    with open("/proc/self/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


class Segment:
    """Times a block and measures the CPU (in cores) other processes used meanwhile."""

    def __enter__(self):
        self.busy, self.own, self.start = _busy_ticks(), _own_ticks(), time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        others = (_busy_ticks() - self.busy) - (_own_ticks() - self.own)
        self.other_cores = max(0.0, others / TICKS / self.seconds)
        return False


def summarize(samples, quiet_cores=0.25):
    """Median of all samples and of the quiet ones (others used < quiet_cores)."""
    values = [s["value"] for s in samples]
    quiet = [s["value"] for s in samples if s["other_cores"] < quiet_cores]
    return {"median": statistics.median(values),
            "quiet_median": statistics.median(quiet) if quiet else None,
            "quiet_rounds": len(quiet), "rounds": len(values),
            "other_cores_median": statistics.median(s["other_cores"] for s in samples)}


def write_json(name, payload):
    """Writes benchmarks/results/<name>.json with the machine facts; returns the path."""
    import tensorflow as tf
    payload = dict(payload, machine={"cpus": os.cpu_count(), "python": platform.python_version(),
                                     "tensorflow": tf.__version__,
                                     "processor": platform.processor() or platform.machine()})
    path = os.path.join(os.path.dirname(__file__), "results", f"{name}.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(payload, f, indent=2)
    return path


def print_table(headers, rows):
    widths = [max(len(str(r[i])) for r in [headers] + rows) for i in range(len(headers))]
    for row in [headers, ["-" * w for w in widths]] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)))
