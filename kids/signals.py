"""Turns SIGINT and SIGTERM into a request to stop after the current step."""
import contextlib
import signal
import threading

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def stop_on_signals(kid):
    """While training, SIGINT/SIGTERM set `kid.stopped_by` instead of killing the step.

    The Kid finishes the step it is in, saves, closes its logs and then exits
    non-zero. A second signal of the same kind goes to the previous handler
    (so a second Ctrl+C still interrupts at once). Outside the main thread
    (where Python cannot set handlers) nothing changes.
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
