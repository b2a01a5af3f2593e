"""LivePlot: the training curves of a Kid, redrawn in place in a notebook at every validation."""
from akid.kids.hooks import Callback


class LivePlot(Callback):
    """Shows loss, eval metrics and learning rate against step (as `Observer.plot_training()`
    draws them, from `metrics.jsonl`) under the cell that runs `kid.practice()`, and
    redraws that one picture at every validation (`on_val_log_step`).

    Opt-in: `kid.hooks.add(LivePlot())`. Each `practice()` call shows its own
    picture (a resumed run draws the whole history again, under its own cell),
    updated through one display handle, so a cell holds one picture, not one a
    validation. Outside a Jupyter kernel (a script, a terminal), and on an
    engine's non-chief workers, it does nothing.

    Args:
      dpi: resolution of the picture (100 is what the Observer's PNG files use).

    Attributes:
      png: the PNG bytes last drawn (None before the first validation).
      redraws: how many times the picture was drawn in this process.

    Example:
      kid.hooks.add(LivePlot())
      kid.practice()
    """

    def __init__(self, dpi=100):
        self.dpi = dpi
        self.png = None
        self.redraws = 0
        self._handle = None

    def on_train_begin(self, kid):
        self._handle = None  # a new practice() (a new cell): a new picture

    def on_val_log_step(self, kid):
        # Imported here: scripts never pay for matplotlib or IPython, and the observer
        # package, which imports the callbacks, can be imported first.
        from akid.kids.observer.display import in_notebook, png_bytes, png_image
        if not in_notebook() or not kid.engine.is_chief:
            return
        from akid.kids.observer.charts import training_figure
        try:
            figure, _ = training_figure(kid.log_dir)
        except ValueError:  # nothing logged yet (skip_validation, no training line so far)
            return
        self.png = png_bytes(figure, self.dpi)
        self.redraws += 1
        if self._handle is None:
            from IPython.display import display
            self._handle = display(png_image(self.png), display_id=True)
        else:
            self._handle.update(png_image(self.png))
