"""A section's `provider`: how its data is batched (Kur's batch_provider), as a Sensor.

    provider:
      batch_size: 64      # default 32
      num_batches: 10     # batches per epoch (default: all); drawn from the whole shuffled set
      randomize: yes      # shuffle every epoch (default yes)
      jokers:             # (train only) augmentation: an IntegratedSensor with these jokers
        - flip: {flip_left_right: yes}
        - padding: [4, 4]
          val: yes        # also applied (deterministically) to validation and test
        - crop: {height: 32, width: 32}
          val: yes        # random in training, the center in validation

A joker is on the training pipeline; `val: yes` puts it on the validation
(and test) pipeline too, `val: only` on that one alone, as akid's
`sensor.attach(joker, to_val=True)`. Without `num_batches`, `randomize: no` and
`jokers`, this is akid's FeedSensor itself. Jokers are named as their class (`FlipJoker`) or by it
without `Joker` in snake case (`flip`, `crop`, `rotation`, `light`,
`rescale`, `whiten`), or as a layer container (`padding`). In
validate/test/evaluate sections, `num_batches` keeps the first
num_batches * batch_size examples.
"""
from akid import sensors
from akid.checks import check_flag, check_positive_int
from akid.sensors import FeedSensor
from akid.spec import containers
from akid.spec.errors import SpecError, checked, located, source_of
from akid.spec.reflection import by_reflection

KEYS = ("name", "batch_size", "num_batches", "randomize", "jokers")


def read_provider(spec, section):
    """{batch_size, num_batches, randomize} of `section`'s provider, checked."""
    body = spec.section(section) or {}
    provider = body.get("provider") or {}
    where = source_of(provider, source_of(body, spec.path))
    if not isinstance(provider, dict):
        raise SpecError(f"provider is a mapping ({', '.join(KEYS)}), got {provider!r}",
                        where, section, "provider")
    unknown = set(provider) - set(KEYS)
    if unknown or provider.get("name", "batch_provider") != "batch_provider":
        raise SpecError(f"akid's provider is Kur's batch_provider with {', '.join(KEYS[1:])}; "
                        f"got {dict(provider)!r}", where, section, "provider")
    out = {"batch_size": provider.get("batch_size", 32),
           "num_batches": provider.get("num_batches"), "randomize": provider.get("randomize", True)}
    for key in ("batch_size", "num_batches"):
        checked(check_positive_int, key, out[key], where, section, f"provider.{key}",
                allow_none=key == "num_batches")
    checked(check_flag, "randomize", out["randomize"], where, section, "provider.randomize")
    out["jokers"] = _jokers(provider.get("jokers"), where, section)
    if out["jokers"] and (out["num_batches"] or not out["randomize"]):
        raise SpecError("jokers make an IntegratedSensor, which has no num_batches or "
                        "randomize: no", where, section, "provider")
    return out


def _jokers(value, where, section):
    """[(joker block, val)] from `jokers`, in order; val is False (training only), True
    (training and validation) or "only" (validation only)."""
    if value is None:
        return []
    known = by_reflection(sensors, sensors.Joker, "_joker")
    jokers = []
    for i, item in enumerate(value if isinstance(value, list) else [value]):
        entry = f"provider.jokers entry {i}"
        item = {item: None} if isinstance(item, str) else item
        keys = [k for k in item if k != "val"] if isinstance(item, dict) else []
        if len(keys) != 1:
            raise SpecError(f"a joker is `NAME: ARGS` with an optional `val: yes` (or `val: "
                            f"only`); got {item!r}", where, section, entry)
        val = item.get("val", False)
        if val != "only":
            checked(check_flag, "val", val, where, section, f"{entry}.val")
        key, args = keys[0], item[keys[0]]
        kind = containers.lookup(key)
        if key not in known and kind is None:
            raise SpecError(f"unknown joker {key!r}; known: {', '.join(known)}, or a layer",
                            where, section, f"{entry} ('{key}')")
        with located(where, section, f"{entry} ('{key}')"):
            joker = known[key](**(args or {})) if key in known else \
                kind.make(**containers.arguments(kind, args))
        jokers.append((joker, val))
    return jokers


def first_batches(arrays, provider):
    """`arrays` cut to the provider's first num_batches * batch_size examples."""
    if arrays is None or provider["num_batches"] is None:
        return arrays
    n = provider["num_batches"] * provider["batch_size"]
    return tuple(a[:n] for a in arrays)


def make_sensor(source, train, val_batch_size=None):
    """The Sensor for `source`: IntegratedSensor with `train`'s jokers, else FeedSensor
    (with the provider's num_batches and randomize)."""
    if train["jokers"]:
        sensor = sensors.IntegratedSensor(source, batch_size=train["batch_size"],
                                          val_batch_size=val_batch_size)
        for joker, val in train["jokers"]:
            if val != "only":
                sensor.attach(joker)
            if val:
                sensor.attach(joker, to_val=True)
        return sensor
    return FeedSensor(source, batch_size=train["batch_size"], val_batch_size=val_batch_size,
                      num_batches=train["num_batches"], shuffle=train["randomize"])
