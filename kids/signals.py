"""What SIGINT and SIGTERM do to a Kid that is training: stop after the current step.

In a script, the Kid then saves a checkpoint, closes its logs and exits with
status 128 + the signal's number, as a killed program should. In an IPython
kernel (a notebook), SIGINT is the interrupt button: the Kid saves a
checkpoint and `practice()` returns normally, the Kid still set up, so the
cell ends and `kid.practice()` again resumes; SIGTERM still exits there.
"""
import contextlib
import signal
import sys
import threading

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def in_ipython():
    """Whether this process runs an IPython shell or kernel (a notebook)."""
    ipython = sys.modules.get("IPython")
    return ipython is not None and ipython.get_ipython() is not None


def exits_on(signal_name):
    """Whether a stop by `signal_name` ends the process (True) or returns from practice()."""
    return not (signal_name == "SIGINT" and in_ipython())


def exit_status(signal_name):
    """The exit status of a program stopped by `signal_name`: 128 + its number."""
    return 128 + int(getattr(signal, signal_name))


@contextlib.contextmanager
def stop_on_signals(kid):
    """While training, SIGINT/SIGTERM set `kid.stopped_by` instead of killing the step.

    A second signal of the same kind goes to the previous handler (so a
    second Ctrl+C still interrupts at once). Outside the main thread (where
    Python cannot set handlers) nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}

    def request_stop(signum, frame):
        kid.stopped_by = signal.Signals(signum).name
        kid.stop()
        signal.signal(signum, previous[signum])

    for sig in STOP_SIGNALS:
        signal.signal(sig, request_stop)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
