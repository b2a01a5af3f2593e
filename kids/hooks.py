"""Hooks: the lists of `f(kid)` the Kid calls at each point of training, and the Callback
base that bundles several of them into one object."""
import dataclasses


@dataclasses.dataclass(repr=False)
class Hooks:
    """One list of callables `f(kid)` per event; the Kid calls each list in order.

    Events, in the order a run meets them:
      on_train_begin: `practice()` starts (also when it resumes).
      on_batch_begin / on_batch_end: around each training step; at on_batch_end
        `kid.step` is the step just made, `kid.batch_loss` its loss and
        `kid.batch` its `(x, y)`.
      on_train_log_step: every `train_log_step` steps, after `kid.train_loss` and
        `kid.train_evals` were updated.
      on_val_log_step: every `val_log_step` steps (and at the end), after validation.
      on_epoch_end: after the last step of each epoch.
      on_train_end: training reached its end (max_steps or `kid.stop()`).
      on_interrupt: training was cut short by a signal, Ctrl+C or a lost worker;
        `kid.stopped_by` names the reason; the brain holds the last finished step.
      on_train_exit: `practice()` is leaving, whatever the reason (last of all).

    akid's names `on_training_log` and `on_val_log` are the same lists as
    `on_train_log_step` and `on_val_log_step` (a Callback's methods take today's).

    Example:
      val_losses = []
      kid.hooks.on_val_log_step.append(lambda kid: val_losses.append(kid.val_loss))
    """

    on_train_begin: list = dataclasses.field(default_factory=list)
    on_batch_begin: list = dataclasses.field(default_factory=list)
    on_batch_end: list = dataclasses.field(default_factory=list)
    on_train_log_step: list = dataclasses.field(default_factory=list)
    on_val_log_step: list = dataclasses.field(default_factory=list)
    on_epoch_end: list = dataclasses.field(default_factory=list)
    on_train_end: list = dataclasses.field(default_factory=list)
    on_interrupt: list = dataclasses.field(default_factory=list)
    on_train_exit: list = dataclasses.field(default_factory=list)
    _builtins: dict = dataclasses.field(default_factory=dict)

    def fire(self, event, kid):
        for hook in list(getattr(self, event)):
            hook(kid)

    def add(self, callback, builtin=False):
        """Hangs every method of `callback` named after an event on its list; returns `callback`.

        With `builtin`, the methods go before the hooks users added (but after
        earlier built-ins), so a user's hook sees what the Kid's own callbacks
        did at that event (e.g. `kid.train_loss` already updated). A method
        named like an event that does not exist (`on_val_log`) is an error.
        """
        unknown = [name for name in dir(callback) if name.startswith("on_")
                   and name not in EVENTS and callable(getattr(callback, name))]
        if unknown:
            akid = "".join(f"; akid's hook list {name} is {AKID_EVENTS[name]} as a method"
                           for name in unknown if name in AKID_EVENTS)
            raise ValueError(f"{type(callback).__name__} has method(s) {unknown} named like "
                             f"events, but the Kid's events are {', '.join(EVENTS)}{akid}")
        for event in EVENTS:
            if not callable(getattr(callback, event, None)):
                continue
            hooks = getattr(self, event)
            if builtin:
                position = self._builtins.get(event, 0)
                hooks.insert(position, getattr(callback, event))
                self._builtins[event] = position + 1
            else:
                hooks.append(getattr(callback, event))
        return callback

    def __repr__(self):
        counts = ", ".join(f"{event}={len(getattr(self, event))}" for event in EVENTS)
        return f"Hooks({counts})"


EVENTS = tuple(field.name for field in dataclasses.fields(Hooks) if field.name.startswith("on_"))
# akid's names of two events: the same lists under another name.
AKID_EVENTS = {"on_training_log": "on_train_log_step", "on_val_log": "on_val_log_step"}


def _same_list(event):
    return property(lambda hooks: getattr(hooks, event),
                    lambda hooks, value: setattr(hooks, event, value),
                    doc=f"akid's name of `{event}` (the same list).")


for _akid_name, _event in AKID_EVENTS.items():
    setattr(Hooks, _akid_name, _same_list(_event))


class Callback:
    """An object whose methods named after events (see `Hooks`) are hooks:
    `kid.hooks.add(callback)` hangs each such method on its event's list.

    Example:
      class KeepLosses(Callback):
          def __init__(self):
              self.losses = []

          def on_train_log_step(self, kid):
              self.losses.append((kid.step, kid.train_loss))
      kid.hooks.add(KeepLosses())
    """
