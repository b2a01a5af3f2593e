"""Checkpoints of a run: the latest few in model/, the best by validation loss in model/best/."""
import os

import tensorflow as tf

from akid.kids.logs import logger


class Checkpoints:
    """Saves and restores everything a run needs to continue.

    Args:
      directory: `log_dir/model`; readable by `tf.train.latest_checkpoint`.
      max_to_keep: how many recent checkpoints to keep.
      **objects: the trackables to save (brain, kongfu, clock, ...).
    """

    def __init__(self, directory, max_to_keep=5, **objects):
        self._best_loss = tf.Variable(float("inf"), trainable=False, name="best_val_loss")
        self.checkpoint = tf.train.Checkpoint(best_val_loss=self._best_loss, **objects)
        self.directory = directory
        self.latest = tf.train.CheckpointManager(self.checkpoint, directory, max_to_keep)
        self.best = tf.train.CheckpointManager(self.checkpoint, os.path.join(directory, "best"), 1)

    @property
    def best_loss(self):
        """The lowest validation loss saved to best/ (restored with the checkpoint)."""
        return float(self._best_loss.numpy())

    def save(self, step):
        """Writes a checkpoint for `step`; returns its path."""
        return self.latest.save(checkpoint_number=step)

    def save_if_best(self, step, val_loss):
        """Keeps a copy in best/ when `val_loss` is the lowest seen; returns whether it was."""
        if not val_loss < self.best_loss:
            return False
        self._best_loss.assign(val_loss)
        self.best.save(checkpoint_number=step)
        return True

    def restore_latest(self):
        """Restores the newest readable checkpoint; a corrupt one is reported and skipped.

        Returns the path restored, or None when there is none.
        """
        return restore_newest(self.checkpoint, self.directory)


def restore_newest(checkpoint, directory, partial=False):
    """Restores `checkpoint` from the newest readable checkpoint in `directory`.

    An unreadable one (torn, truncated, missing) is reported and the next
    older one tried. With `partial`, `checkpoint` may hold only part of what
    was saved (e.g. the brain alone). Returns the path restored, or None.
    """
    state = tf.train.get_checkpoint_state(directory)
    for path in reversed(list(state.all_model_checkpoint_paths) if state else []):
        try:
            status = checkpoint.read(path)
            if partial:
                status.expect_partial()
            status.assert_existing_objects_matched()
        except Exception as error:  # noqa: BLE001 -- any failure to read means unreadable
            logger().warning("checkpoint %s is unreadable (%s); trying an older one",
                             path, str(error).splitlines()[0])
            continue
        return path
    return None
