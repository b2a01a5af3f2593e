"""Checkpoints of a run: the latest few in model/, the best by validation loss in model/best/."""
import os

import tensorflow as tf

from akid.kids.logs import logger


class Checkpoints:
    """Saves and restores everything a run needs to continue.

    What it writes: `directory/ckpt-<step>.index` and `.data-*`, and the
    `checkpoint` state file; the same in `directory/best/`. What it removes:
    only the oldest of the checkpoints that state file lists (this log_dir's
    own, the run's and the runs it resumes), beyond `max_to_keep` (1 in
    best/). Any other file there (`notes.txt`, `ckpt-old-backup.txt`) is left.

    Args:
      directory: `log_dir/model`; readable by `tf.train.latest_checkpoint`.
      max_to_keep: how many recent checkpoints to keep.
      **objects: the trackables to save (brain, kongfu, clock, ...); None ones are left out.
    """

    def __init__(self, directory, max_to_keep=5, **objects):
        self._best_loss = tf.Variable(float("inf"), trainable=False, name="best_val_loss")
        self.checkpoint = tf.train.Checkpoint(
            best_val_loss=self._best_loss,
            **{name: value for name, value in objects.items() if value is not None})
        self.directory = directory
        self.latest = tf.train.CheckpointManager(self.checkpoint, directory, max_to_keep)
        self.best = tf.train.CheckpointManager(self.checkpoint, os.path.join(directory, "best"), 1)
        self.last_saved = None  # (step, path) of the last save

    @property
    def best_loss(self):
        """The lowest validation loss saved to best/ (restored with the checkpoint)."""
        return float(self._best_loss.numpy())

    def save(self, step):
        """Writes a checkpoint for `step` and returns its path (a step saved already is not
        written again: its checkpoint is returned)."""
        if self.last_saved is None or self.last_saved[0] != step:
            self.last_saved = (step, self.latest.save(checkpoint_number=step))
        return self.last_saved[1]

    def save_if_best(self, step, val_loss):
        """Keeps a copy in best/ when `val_loss` is the lowest seen; returns whether it was."""
        if not val_loss < self.best_loss:
            return False
        self._best_loss.assign(val_loss)
        self.best.save(checkpoint_number=step)
        return True

    def restore(self, path):
        """Restores from `path` (a prefix, or a folder's newest readable checkpoint) the brain,
        and the rest of the run (optimizer, clock, data position) when the checkpoint holds
        it; a brain-only checkpoint restores the brain alone. Returns the prefix restored.
        """
        path = os.fspath(path)
        brain = self.checkpoint.brain
        try:
            found = restore_from(tf.train.Checkpoint(brain=brain), path, partial=True)
            if found is not None and any(name.startswith("clock/")
                                         for name, _ in tf.train.list_variables(found)):
                self.checkpoint.read(found).expect_partial()
        except (AssertionError, ValueError, tf.errors.OpError) as error:
            raise ValueError(f"Kid: the checkpoint {path} does not fit brain '{brain.name}': "
                             f"{str(error).splitlines()[0]}") from None
        if found is None:
            raise ValueError(f"Kid: no readable checkpoint of brain '{brain.name}' at {path}")
        return found

    def restore_latest(self):
        """Restores the newest readable checkpoint; a corrupt one is reported and skipped.

        Returns the path restored, or None when there is none.
        """
        return restore_newest(self.checkpoint, self.directory)


def restore_from(checkpoint, path, partial=False):
    """Restores `checkpoint` from `path`: a checkpoint prefix, or a folder (its newest
    readable checkpoint, see `restore_newest`). Returns the prefix restored, or None when
    there is no checkpoint there; raises when one is there but does not fit `checkpoint`.
    """
    if os.path.isdir(path):
        return restore_newest(checkpoint, path, partial)
    if not tf.io.gfile.exists(path + ".index"):
        return None
    status = checkpoint.read(path)
    if partial:
        status.expect_partial()
    status.assert_existing_objects_matched()
    return path


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
