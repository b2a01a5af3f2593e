"""Checkpointing: saves at every validation (the best in best/), every N minutes, and on
an interrupt, so a stopped run loses nothing it finished."""
import time

from akid.kids.hooks import Callback
from akid.kids.logs import logger


class Checkpointing(Callback):
    """Saves the Kid's checkpoint (brain, optimizer, clock, data position).

    Args:
      minutes: also validate and save every this many minutes of training
        (the clock restarts at every save); None: only every `val_log_step`.
    """

    def __init__(self, minutes=None):
        self.minutes = minutes
        self._last = None

    def on_train_begin(self, kid):
        self._last = time.monotonic()

    def on_batch_end(self, kid):
        if self.minutes and time.monotonic() - self._last >= self.minutes * 60:
            kid.request_validation()

    def on_val_log_step(self, kid):
        path = kid.checkpoints.save(kid.step)
        best = kid.val_loss is not None and kid.checkpoints.save_if_best(kid.step, kid.val_loss)
        logger().info("saved checkpoint %s%s", path, " (best so far)" if best else "")
        self._last = time.monotonic()

    def on_interrupt(self, kid):
        path = kid.checkpoints.save(kid.step)
        logger().info("saved checkpoint %s", path)
