"""The tuner's launcher: starts the instances as the DevicePool allows, each a
subprocess `python -m akid.kids.tuner.runner <instance_dir>` watched by a thread,
and turns how each ended into its record. Ctrl+C stops them all."""
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time

from tqdm.auto import tqdm

from akid.kids.logs import logger
from akid.kids.tuner.results import metrics_summary, write_results
from akid.kids.tuner.runner import RESULT_JSON

STOP_GRACE_SECONDS = 15  # after SIGTERM, how long a child may take to save before SIGKILL
ERROR_TAIL_LINES = 20


class Launcher:
    """Starts `instances` in order as `pool` allows, one thread waiting on each.

    `run()` returns one record per instance, writing `work_dir/results.*` as
    each finishes.
    """

    def __init__(self, instances, pool, env, work_dir, debug):
        self.instances, self.pool, self.env = instances, pool, env
        self.work_dir, self.debug = work_dir, debug
        self.records = [None] * len(instances)
        self.processes = {}  # index -> Popen, while it runs
        self.lock = threading.Lock()
        self.stopping = False
        self.progress = tqdm(total=len(instances), unit="instance", desc="tune",
                             dynamic_ncols=True, disable=not sys.stderr.isatty())

    def run(self):
        threads = []
        try:
            with _sigterm_as_interrupt():
                self._start_all(threads)
        except KeyboardInterrupt:
            logger().warning("tune: interrupted; stopping the running instances")
            self._stop_all()
            for thread in threads:
                thread.join()
        self.progress.close()
        for i, instance in enumerate(self.instances):
            if self.records[i] is None:  # never started
                self.records[i] = self._record(instance, [], None, None, "stopped")
        return self.records

    def _start_all(self, threads):
        """Starts each instance when the pool gives it devices; waits for them all."""
        for instance in self.instances:
            gpus = None
            while gpus is None:  # short waits, so Ctrl+C is seen at once
                gpus = self.pool.acquire(instance["gpu_num"], timeout=0.5)
            thread = threading.Thread(target=self._run_one, args=(instance, gpus),
                                      name=f"tune-{instance['index']}", daemon=True)
            thread.start()
            threads.append(thread)
        for thread in threads:
            while thread.is_alive():
                thread.join(0.5)

    def _run_one(self, instance, gpus):
        started = time.time()
        try:
            with self.lock:
                if self.stopping:
                    return
                try:
                    process = self._start(instance, gpus)
                except OSError as error:
                    process = None
                    record = {**self._record(instance, gpus, None, 0.0, None),
                              "status": "failed", "error": f"cannot start the instance: {error}"}
                else:
                    self.processes[instance["index"]] = process
            if process is not None:
                returncode = process.wait()
                with self.lock:
                    del self.processes[instance["index"]]
                    stopped = self.stopping
                record = self._record(instance, gpus, returncode, time.time() - started,
                                      "stopped" if stopped else None)
        finally:
            self.pool.release(gpus)
        with self.lock:
            self.records[instance["index"]] = record
            write_results([r for r in self.records if r is not None], self.work_dir)
        self._report(record)

    def _start(self, instance, gpus):
        folder = instance["instance_dir"]
        env = dict(self.env, CUDA_VISIBLE_DEVICES=",".join(gpus))
        with open(os.path.join(folder, "stdout.txt"), "wb") as out, \
                open(os.path.join(folder, "stderr.txt"), "wb") as err:
            return subprocess.Popen([sys.executable, "-m", "akid.kids.tuner.runner", folder],
                                    stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)

    def _record(self, instance, gpus, returncode, wall_time, stopped):
        """The instance's record: its plan, what its result.json says, and the parent's view."""
        folder = instance["instance_dir"]
        record = {k: instance[k] for k in ("index", "repeat", "opt_paras", "net_paras")}
        record.update(status="stopped", final_train_loss=None, final_val_loss=None,
                      final_val_metrics={}, best_val_loss=None, best_val_metrics={},
                      best_val_step=None, steps=None, wall_time=wall_time,
                      log_dir=instance["log_dir"], instance_dir=folder, devices=gpus,
                      returncode=returncode, error=None)
        if returncode is None:
            return record
        result = _read_json(os.path.join(folder, RESULT_JSON))
        record.update({k: v for k, v in result.items() if k in record and k != "error"})
        if result.get("status") is None:  # died before writing: read what its log holds
            record.update(metrics_summary(record["log_dir"]))
        if result.get("status") == "ok" and returncode == 0:
            record["status"] = "ok"
        else:
            record["status"] = stopped or result.get("status") or "failed"
            record["error"] = _error_tail(folder, returncode, result.get("error"))
        return record

    def _report(self, record):
        with self.lock:
            done = [r for r in self.records if r is not None]
            self.progress.set_postfix(ok=sum(r["status"] == "ok" for r in done),
                                      failed=sum(r["status"] == "failed" for r in done),
                                      refresh=False)
            self.progress.update(1)
        if record["status"] == "failed":
            if self.debug:
                detail = _error_tail(record["instance_dir"], record["returncode"], None, None)
            else:
                lines = [line for line in (record["error"] or "").splitlines() if line.strip()]
                detail = (lines[-1].strip() if lines else "no error output") + \
                    f" (see {os.path.join(record['instance_dir'], 'stderr.txt')})"
            logger().warning("tune: instance %d (opt_paras=%s, net_paras=%s) failed: %s",
                             record["index"], record["opt_paras"], record["net_paras"], detail)

    def _stop_all(self):
        """SIGTERM to every running instance, then SIGKILL to those alive after the grace."""
        with self.lock:
            self.stopping = True
            running = list(self.processes.values())
        for process in running:
            _signal(process, signal.SIGTERM)
        deadline = time.time() + STOP_GRACE_SECONDS
        try:
            for process in running:
                try:
                    process.wait(max(0.0, deadline - time.time()))
                except subprocess.TimeoutExpired:
                    pass
        except KeyboardInterrupt:  # a second Ctrl+C: no more grace
            pass
        for process in running:
            if process.poll() is None:
                _signal(process, signal.SIGKILL)


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """SIGTERM to the tuner (a job scheduler ending it) stops the instances as Ctrl+C does."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"stopped by {signal.Signals(signum).name}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _signal(process, signum):
    try:
        process.send_signal(signum)
    except (ProcessLookupError, OSError):
        pass


def _read_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def _error_tail(folder, returncode, error, lines=ERROR_TAIL_LINES):
    """The last `lines` lines of the instance's stderr, and how it ended."""
    try:
        with open(os.path.join(folder, "stderr.txt"), encoding="utf-8", errors="replace") as f:
            text = f.read().rstrip().splitlines()
    except OSError:
        text = []
    tail = text[-lines:] if lines else text
    if returncode is not None and returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        tail.append(f"(the instance was killed by {name})")
    elif returncode and not error:
        tail.append(f"(the instance exited with status {returncode} and wrote no result)")
    return "\n".join(tail)
