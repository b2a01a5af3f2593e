"""The `train` section's settings, read into the Kid's arguments; and the keys every
section of a run takes.

train:
  epochs: 12                 # or {number: 12}; or `steps: N` (akid: exactly one of them)
  log: log/mnist             # the Kid's log_dir; or {path: DIR, epochs: 0.5 | batches: N}
                             #   (a training log line every that many; default 100 batches)
  checkpoint: {epochs: 2}    # validate + save every epochs/batches/samples (default: 1 epoch),
                             #   and/or every `minutes` (the Kid's checkpoint_minutes);
                             #   `validation: no` skips validating
  summary: yes               # the Kid's do_summary (histograms, sparsity)
  engine: {name: data_parallel, num_gpu: 2}   # the Kid's engine; default single
"""
from akid.checks import check_flag, check_number, check_positive_int
from akid.kids.engines import make_engine
from akid.spec.errors import SpecError, checked, source_of
from akid.spec.loader import expand_path

KEYS = {"train": ("data", "provider", "epochs", "steps", "optimizer", "checkpoint", "log",
                  "weights", "hooks", "summary", "engine"),
        "validate": ("data", "provider", "weights"),
        "test": ("data", "provider", "weights"),
        "evaluate": ("data", "provider", "weights", "hooks", "destination")}
SECTION = "train"


def section(spec, name):
    """The section `name`, its keys checked (Kur's validate/test hooks are not supported)."""
    body = spec.require(name)
    unknown = [key for key in body if key not in KEYS[name]]
    if unknown:
        raise SpecError(f"unknown key(s) {', '.join(map(repr, unknown))}; a {name} section "
                        f"takes {', '.join(KEYS[name])}", source_of(body, spec.path), name)
    return body


def engine(spec, body):
    """The Kid's engine from `train.engine` (a name or {name: ..., num_gpu: N})."""
    try:
        return make_engine(body.get("engine", "single"))
    except (ValueError, RuntimeError) as error:
        raise SpecError(str(error), source_of(body, spec.path), SECTION, "engine") from None


def length(spec, body):
    """(epochs, steps): exactly one is set."""
    epochs, steps = body.get("epochs"), body.get("steps")
    where = source_of(body, spec.path)
    if isinstance(epochs, dict):
        if set(epochs) - {"number", "mode"} or epochs.get("mode", "total") != "total":
            raise SpecError(f"epochs is N or {{number: N}}; akid counts epochs in total over "
                            f"resumed runs (mode: total), got {dict(epochs)!r}",
                            where, SECTION, "epochs")
        epochs = epochs.get("number")
    epochs = checked(check_positive_int, "epochs", epochs, where, SECTION, allow_none=True)
    steps = checked(check_positive_int, "steps", steps, where, SECTION, allow_none=True)
    if (epochs is None) == (steps is None):
        raise SpecError(f"give exactly one of epochs and steps (akid does not train forever), "
                        f"got epochs={epochs!r}, steps={steps!r}", where, SECTION)
    return epochs, steps


def log(spec, body, per_epoch):
    """(log_dir or None, train_log_step) from `log`."""
    value = body.get("log")
    where = source_of(value, source_of(body, spec.path))
    if value is None or isinstance(value, str):
        return (expand_path(value) if value else None), 100
    if not isinstance(value, dict) or not isinstance(value.get("path"), str) \
            or set(value) - {"path", "epochs", "batches"}:
        raise SpecError(f"log is a folder or {{path: DIR, epochs: E | batches: N}}, got "
                        f"{value!r}", where, SECTION, "log")
    every = _every(value, where, "log", per_epoch)
    return expand_path(value["path"]), min(every) if every else 100


def checkpoint(spec, body, per_epoch, max_steps, batch_size):
    """(val_log_step, minutes or None, validation) from `checkpoint`."""
    value = body.get("checkpoint")
    where = source_of(value, source_of(body, spec.path))
    value = {"epochs": 1} if value is None else value
    keys = {"epochs", "batches", "samples", "minutes", "validation"}
    if not isinstance(value, dict) or set(value) - keys:
        moved = isinstance(value, str) or (isinstance(value, dict) and "path" in value)
        hint = "; checkpoints go to <log>/model: set `log`" if moved else ""
        raise SpecError(f"checkpoint is a mapping of {', '.join(sorted(keys))}, got "
                        f"{value!r}{hint}", where, SECTION, "checkpoint")
    steps = _every(value, where, "checkpoint", per_epoch, batch_size)
    minutes = checked(check_number, "minutes", value.get("minutes"), where, SECTION,
                      "checkpoint.minutes", low=0, low_open=True, allow_none=True)
    validation = checked(check_flag, "validation", value.get("validation", True), where,
                         SECTION, "checkpoint.validation")
    return (min(steps) if steps else max_steps), minutes, validation


def _every(value, where, key, per_epoch, batch_size=None):
    """The steps that `value`'s epochs, batches (and samples, with a batch_size) come to,
    each checked and at least 1."""
    def get(name, check, **options):
        return checked(check, name, value.get(name), where, SECTION, f"{key}.{name}",
                       allow_none=True, **options)

    epochs = get("epochs", check_number, low=0, low_open=True)
    batches = get("batches", check_positive_int)
    samples = get("samples", check_positive_int) if batch_size else None
    steps = [epochs and int(epochs * per_epoch), batches, samples and -(-samples // batch_size)]
    return [max(1, s) for s in steps if s is not None]


def flag(spec, body, key, default):
    """The flag `key` of the train section (`default` when absent)."""
    return checked(check_flag, key, body.get(key, default), source_of(body, spec.path),
                   SECTION, key)
