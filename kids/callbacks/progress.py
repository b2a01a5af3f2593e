"""ProgressBar: a tqdm bar of training steps, with the last logged loss beside it."""
import sys

from tqdm.auto import tqdm

from akid.kids.hooks import Callback
from akid.kids.signals import in_ipython


class ProgressBar(Callback):
    """Shows steps done out of `kid.max_steps` on a terminal; nothing when stderr is not one."""

    def __init__(self):
        self.bar = None

    def on_train_begin(self, kid):
        self.bar = tqdm(total=kid.max_steps, initial=kid.step, unit="step", leave=False,
                        dynamic_ncols=True,
                        disable=not (sys.stderr.isatty() or in_ipython()))

    def on_batch_end(self, kid):
        self.bar.update(1)

    def on_train_log_step(self, kid):
        self.bar.set_postfix(loss=f"{kid.train_loss:.4f}", refresh=False)

    def on_train_exit(self, kid):
        if self.bar is not None:
            self.bar.close()
            self.bar = None
