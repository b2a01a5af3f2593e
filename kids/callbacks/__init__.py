"""The Kid's own callbacks: every optional behaviour of training hangs on the Kid's hooks.

`standard(kid)` lists the ones a Kid installs at its first `setup()`, in the
order they run at each event (before any hook a user added):

- NanGuard: a non-finite loss stops training with an error naming the step;
- MetricsLog: training lines of metrics.jsonl (loss, metrics, lr, images/s);
- Checkpointing: every validation, every `checkpoint_minutes`, on interrupt;
- Summarizer: TensorBoard histograms and distributions (`do_summary`);
- ProgressBar: a tqdm bar on a terminal.
"""
from akid.kids.callbacks.checkpointing import Checkpointing
from akid.kids.callbacks.live_plot import LivePlot  # noqa: F401  (opt-in)
from akid.kids.callbacks.metrics_log import MetricsLog
from akid.kids.callbacks.nan_guard import NanGuard
from akid.kids.callbacks.progress import ProgressBar
from akid.kids.callbacks.summaries import Summarizer


def standard(kid):
    """The callbacks `kid`'s options ask for, in the order they run."""
    callbacks = [NanGuard(), MetricsLog()]
    if kid.writes_checkpoints:
        callbacks.append(Checkpointing(kid.checkpoint_minutes))
    if kid.do_summary and kid.engine.is_chief:
        callbacks.append(Summarizer())
    callbacks.append(ProgressBar())
    return callbacks
