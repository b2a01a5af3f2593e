"""Hooks: the lists of `f(kid)` the Kid calls at each point of training."""

EVENTS = ("on_train_begin", "on_batch_begin", "on_batch_end", "on_train_log_step",
          "on_val_log_step", "on_epoch_end", "on_train_end")


class Hooks:
    """One list of callables `f(kid)` per event; the Kid calls them in order.

    Example:
      kid.hooks.on_val_log_step.append(lambda kid: print(kid.val_loss))
    """

    def __init__(self):
        for event in EVENTS:
            setattr(self, event, [])

    def fire(self, event, kid):
        for hook in getattr(self, event):
            hook(kid)
