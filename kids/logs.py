"""Where a run writes what happened: training.log, metrics.jsonl, TensorBoard scalars."""
import json
import logging
import math
import os

import tensorflow as tf

LOGGER_NAME = "akid"


_terminal = logging.StreamHandler()
_terminal.setFormatter(logging.Formatter("akid %(levelname).1s %(asctime)s] %(message)s",
                                         "%H:%M:%S"))


def logger():
    """The `akid` logger: INFO and above to stderr, and to each open run's training.log."""
    log = logging.getLogger(LOGGER_NAME)
    if _terminal not in log.handlers:
        log.setLevel(logging.DEBUG)
        log.propagate = False
        _terminal.setLevel(logging.INFO)
        log.addHandler(_terminal)
    return log


def set_verbosity(level):
    """What reaches the terminal (e.g. logging.WARNING); training.log always gets INFO."""
    logger()
    _terminal.setLevel(level)


_active = None  # the RunLog of the run at work now: the only one whose training.log writes


class RunLog:
    """Appends one JSON record per log step to metrics.jsonl, text to training.log,
    and scalars to TensorBoard under train/ and val/.

    Each record is written and flushed whole, so a crash loses at most the
    record being written, never an earlier one. Each run's training.log holds
    only its own lines: several runs may be open in one process (a notebook),
    and the `akid` logger's lines go to the file of the run at work, the one
    that called `activate()` last (a Kid does at setup, practice and validation).
    """

    def __init__(self, log_dir, tensorboard=True):
        self.log_dir = log_dir
        self.metrics_path = os.path.join(log_dir, "metrics.jsonl")
        self._metrics = open(self.metrics_path, "a", encoding="utf-8")
        self._text = logging.FileHandler(os.path.join(log_dir, "training.log"), encoding="utf-8")
        self._text.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        self._text.setLevel(logging.INFO)
        self._text.addFilter(lambda record: _active is self)
        logger().addHandler(self._text)
        self.writers = ({split: tf.summary.create_file_writer(os.path.join(log_dir, split))
                         for split in ("train", "val")} if tensorboard else {})
        self.activate()

    def activate(self):
        """Makes this run the one whose training.log receives the `akid` logger's lines."""
        global _active
        _active = self

    def record(self, step, split, **values):
        """Writes one record: `step`, `split` and scalar `values` (evals flattened in)."""
        record = {"step": int(step), "split": split}
        record.update({k: _plain(v) for k, v in values.items()})
        self._metrics.write(json.dumps(record) + "\n")
        self._metrics.flush()
        writer = self.writers.get(split)
        if writer is not None:
            with writer.as_default(step=int(step)):
                for key, value in record.items():
                    if key not in ("step", "split", "epoch") and isinstance(value, float):
                        tf.summary.scalar(key, value)
        logger().info("%s step %d: %s", split, step, ", ".join(
            f"{k} {_fmt(v)}" for k, v in record.items() if k not in ("step", "split")))

    def close(self):
        global _active
        if _active is self:
            _active = None
        self._metrics.close()
        logger().removeHandler(self._text)
        self._text.close()
        for writer in self.writers.values():
            writer.close()


def _plain(value):
    value = float(value) if not isinstance(value, (str, int)) else value
    return value if not isinstance(value, float) or math.isfinite(value) else str(value)


def _fmt(value):
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def read_metrics(log_dir):
    """The records of `log_dir/metrics.jsonl` as dicts (a torn last line is skipped)."""
    records = []
    with open(os.path.join(log_dir, "metrics.jsonl"), encoding="utf-8") as f:
        for line in f:
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return records
