"""NanGuard: stops training at the first non-finite loss, naming the step (and the block)."""
import math

import numpy as np
import tensorflow as tf

from akid.blocks.systems import as_list
from akid.kids.hooks import Callback


class NanGuard(Callback):
    """Raises FloatingPointError when a step's loss is NaN or Inf.

    The compiled step applies no update for such a batch, so the brain keeps
    the weights of the step before. With `kid.debug`, the error also names the
    first block whose output on that batch is not finite.
    """

    def on_batch_end(self, kid):
        if math.isfinite(kid.batch_loss):
            return
        culprit = ""
        if kid.debug:
            x, y = (kid.engine.local_batch(part) for part in kid.batch)
            with kid.brain.mode_as("val"):
                activations = kid.brain.activations([x, y])
            for name, output in activations.items():
                if not all(np.isfinite(t).all() for t in as_list(output)):
                    culprit = f"; the first block whose output is not finite is '{name}'"
                    break
        latest = tf.train.latest_checkpoint(kid.checkpoints.directory)
        raise FloatingPointError(
            f"Kid: the training loss became {kid.batch_loss} at step {kid.step + 1}{culprit}; "
            f"the step was not applied, the brain keeps its step-{kid.step} weights; the last "
            f"good checkpoint is {latest}")
