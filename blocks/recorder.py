"""What blocks report during one forward pass: losses, metrics, activations.

A Brain opens a recording around its forward pass; every block called inside
it (at any depth of nesting) reports to the innermost recording. The record
lives only as long as the call, so no graph tensor made inside a
`tf.function` stays on a Python object.
"""
import contextlib
import threading

_local = threading.local()


class Recording:
    """Losses, weight decays, evals and (when asked) activations of one forward pass.

    Each is a dict keyed by block path: `losses` holds the loss blocks'
    outputs (the data loss), `decays` the weight-decay term of each block
    that has one (the regularization).

    With `data_only`, systems call their data blocks alone: the inference
    path, which needs no labels. `step` is the global step of a Kid's
    training pass (a tensor), which blocks that warm up read (`training_step`).
    """

    def __init__(self, keep_activations=False, data_only=False, step=None):
        self.keep_activations = keep_activations
        self.data_only = data_only
        self.step = step
        self.losses = {}
        self.decays = {}
        self.evals = {}
        self.activations = {}
        self._path = []

    @contextlib.contextmanager
    def inside(self, name):
        """Makes names reported inside relative to `name` (nested systems)."""
        self._path.append(name)
        try:
            yield
        finally:
            self._path.pop()

    def path(self, name):
        """`name` relative to the system that opened the recording (the outermost scope)."""
        return "/".join(self._path[1:] + [name])

    def report(self, block, outputs):
        if not self._path:  # the system that opened the recording reports nothing itself
            return
        path = self.path(block.name)
        if block.role == "loss":
            self.losses[path] = outputs
        elif block.role == "eval":
            self.evals[path] = outputs
        if self.keep_activations:
            self.activations[path] = outputs


def data_only():
    """Whether the open recording calls data blocks alone (see `Recording`)."""
    record = current()
    return record is not None and record.data_only


def training_step():
    """The global step of the Kid's training pass under way (a tensor), or None outside one."""
    steps = [r.step for r in getattr(_local, "stack", []) if r.step is not None]
    return steps[-1] if steps else None


def current():
    """The innermost open recording, or None."""
    stack = getattr(_local, "stack", None)
    return stack[-1] if stack else None


@contextlib.contextmanager
def recording(keep_activations=False, data_only=False, step=None):
    """Opens a recording for the blocks called inside the `with`."""
    stack = _local.__dict__.setdefault("stack", [])
    record = Recording(keep_activations, data_only, step)
    stack.append(record)
    try:
        yield record
    finally:
        stack.pop()
