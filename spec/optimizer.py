"""`train.optimizer`: a KongFu by name, with its arguments and learning rate.

    optimizer: adam                            # a name alone: its defaults
    optimizer:
      name: momentum                           # a KongFu in snake case without kong_fu (adam,
      momentum: 0.9                            #   gradient_descent or sgd, rms_prop or rmsprop,
                                               #   adagrad, adadelta, momentum) or its class name
      lr_scheme: {name: cosine, base_lr: 0.05} # total_steps defaults to the run's steps
      clip: {norm: 5.0}                        # Kur's clip: the gradients' global norm

`learning_rate: X` (Kur) is `lr_scheme: {name: fixed, base_lr: X}`; an
exp_decay scheme's `num_batches_per_epoch` defaults to the sensor's. Other
keys are the KongFu's own arguments (`nesterov` is `use_nesterov`; Kur's
`sgd` with a `momentum` is MomentumKongFu). Without an optimizer: adam.
"""
from akid import kongfu as kongfus
from akid.spec.errors import SpecError, source_of
from akid.spec.reflection import by_reflection

OPTIMIZERS = by_reflection(kongfus, kongfus.KongFu, "_kong_fu",
                           aliases={"sgd": "gradient_descent", "rmsprop": "rms_prop"})


def make_kongfu(spec, max_steps, steps_per_epoch):
    """The KongFu `spec`'s train section asks for (adam without one), its schedule filled
    in for this run."""
    body = spec.section("train") or {}
    value = body.get("optimizer") or "adam"
    where = source_of(value, source_of(body, spec.path))
    args = {"name": value} if isinstance(value, str) else dict(value) \
        if isinstance(value, dict) else None

    def fail(message):
        return SpecError(message, where, "train", "optimizer")

    if args is None:
        raise fail(f"optimizer is a name or a mapping with a name, got {value!r}")
    name = args.pop("name", "adam")
    if name not in OPTIMIZERS:
        raise fail(f"unknown optimizer {name!r}; known: {', '.join(OPTIMIZERS)}")
    cls = OPTIMIZERS[name]
    if cls is kongfus.GradientDescentKongFu and args.get("momentum"):
        cls = kongfus.MomentumKongFu
    elif cls is kongfus.GradientDescentKongFu:
        args.pop("momentum", None)
    if "nesterov" in args:
        args["use_nesterov"] = args.pop("nesterov")
    if "learning_rate" in args:
        if "lr_scheme" in args:
            raise fail("give learning_rate or lr_scheme, not both")
        args["lr_scheme"] = {"name": "fixed", "base_lr": args.pop("learning_rate")}
    if isinstance(args.get("lr_scheme"), dict):
        scheme = args["lr_scheme"] = dict(args["lr_scheme"])
        if scheme.get("name") == "cosine":
            scheme.setdefault("total_steps", max_steps)
        if scheme.get("name") == "exp_decay":
            scheme.setdefault("num_batches_per_epoch", steps_per_epoch)
    clip = args.pop("clip", None)
    if clip is not None:
        if not (isinstance(clip, dict) and set(clip) == {"norm"}):
            raise fail(f"clip is {{norm: X}} (the gradients' global norm), got {clip!r}")
        args["clip_norm"] = clip["norm"]
    try:
        return cls(**args)
    except (TypeError, ValueError) as error:
        raise fail(f"{cls.__name__}: {error}") from None
