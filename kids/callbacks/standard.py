"""The Kid's own behaviours that hang on its hooks: checkpoints, summaries, the progress bar."""
import sys

from tqdm.auto import tqdm

from akid.kids.callbacks import summaries
from akid.kids.logs import logger


def install(kid):
    """Hangs checkpointing, summaries and the progress bar on `kid.hooks`, once."""
    if open_progress_bar in kid.hooks.on_train_begin:  # set up again after teardown
        return
    if kid.writes_checkpoints:
        kid.hooks.on_val_log_step.append(save_checkpoint)
    kid.hooks.on_train_begin.append(open_progress_bar)
    kid.hooks.on_batch_end.append(advance_progress_bar)
    kid.hooks.on_train_log_step.append(show_loss)
    kid.hooks.on_train_end.append(close_progress_bar)
    if kid.do_summary and kid.engine.is_chief:
        summaries.install(kid)


def save_checkpoint(kid):
    """Saves at every validation; keeps a copy in best/ when validation loss improved."""
    path = kid.checkpoints.save(kid.step)
    best = kid.val_loss is not None and kid.checkpoints.save_if_best(kid.step, kid.val_loss)
    logger().info("saved checkpoint %s%s", path, " (best so far)" if best else "")


def open_progress_bar(kid):
    kid.progress_bar = tqdm(total=kid.max_steps, initial=kid.step, unit="step", leave=False,
                            dynamic_ncols=True, disable=not sys.stderr.isatty())


def advance_progress_bar(kid):
    kid.progress_bar.update(1)


def show_loss(kid):
    kid.progress_bar.set_postfix(loss=f"{kid.train_loss:.4f}", refresh=False)


def close_progress_bar(kid):
    kid.progress_bar.close()
