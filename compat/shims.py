"""Stand-ins for the few akid functions whose work is done elsewhere today.

`akid.utils.glog` (akid's logging wrapper) is this module: its functions log
to the `akid` logger, which writes to stderr and to each run's training.log.
`akid.sugar.init` (it reset the counter that numbered cnn_block's layers) has
nothing left to do: layers are numbered within each brain.
"""
import logging
import os
import sys

from akid.kids.logs import logger, set_verbosity

DEBUG, INFO, WARNING, ERROR, FATAL = (logging.DEBUG, logging.INFO, logging.WARNING,
                                      logging.ERROR, logging.FATAL)
WARN = WARNING


def _log(level):
    def log(message, *args, **kwargs):
        logger().log(level, message, *args, **kwargs)
    log.__name__ = logging.getLevelName(level).lower()
    log.__doc__ = f"Logs `message` at {logging.getLevelName(level)} to the akid logger."
    return log


debug, info, warning, error, fatal = (_log(level) for level in (DEBUG, INFO, WARNING, ERROR,
                                                                   FATAL))
warn = warning


def exception(message, *args, **kwargs):
    """Logs `message` at ERROR with the current exception's traceback."""
    logger().exception(message, *args, **kwargs)


def setLevel(level):  # noqa: N802 -- akid's glog name
    """What reaches the terminal, e.g. `setLevel(WARNING)` (training.log always gets INFO)."""
    set_verbosity(level)


def init(filename=None):
    """akid's `glog.init(filename)` and `sugar.init()`: also log to `filename` when given.

    With no argument (or "stderr"), nothing to do: the akid logger writes to
    stderr already; "stdout" or a path adds a handler for it, once.
    """
    if filename in (None, "stderr"):
        return
    log = logger()
    if filename == "stdout":
        if any(getattr(h, "stream", None) is sys.stdout for h in log.handlers):
            return
    elif any(getattr(h, "baseFilename", None) == os.path.abspath(filename)
             for h in log.handlers):
        return
    handler = (logging.StreamHandler(sys.stdout) if filename == "stdout"
               else logging.FileHandler(filename))
    handler.setFormatter(log.handlers[0].formatter if log.handlers else None)
    log.addHandler(handler)
