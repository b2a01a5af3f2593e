"""The `loss` section: a loss block for each model output (`target`), and an
AccuracyLayer beside each classification loss.

    loss:
      - target: ip2                      # a container (or tag) of the model
        name: categorical_crossentropy   # SoftmaxWithLossLayer; class_num: ip2's out_channel_num
        weight: 1.0                      # optional; scales this loss in the brain's total
        accuracy: yes                    # optional; default yes for classification losses

Names: a loss block of akid.blocks.layers as a container names it
(`softmax_with_loss`, `mse_loss`, `hinge_loss`) or by its class name, or Kur's
names: categorical_crossentropy (softmax_cross_entropy), mean_squared_error
(mse), hinge. Other keys are the loss block's arguments. One loss: blocks
`loss` and `accuracy`; several: `<target>_loss`, `<target>_accuracy`. The
truth for the j-th loss is `system_in[<number of inputs> + j]`.
"""
import dataclasses
import logging

from akid.blocks import layers
from akid.blocks.block import Block
from akid.blocks.layers import AccuracyLayer, HingeLossLayer, SoftmaxWithLossLayer
from akid.blocks.systems import SYSTEM_IN
from akid.checks import check_flag, check_number
from akid.spec.errors import SpecError, checked, located, source_of
from akid.spec.reflection import by_reflection

SECTION = "loss"
LOSSES = by_reflection(layers, Block, "_layer", keep=lambda cls: cls.role == "loss",
                       exclude=(layers.LossLayer,), aliases={
                           "categorical_crossentropy": "softmax_with_loss",
                           "softmax_cross_entropy": "softmax_with_loss",
                           "mean_squared_error": "mse_loss", "mse": "mse_loss",
                           "hinge": "hinge_loss"})
CLASSIFIERS = (SoftmaxWithLossLayer, HingeLossLayer)


@dataclasses.dataclass
class Loss:
    """One entry of the loss section, checked: target is a container name."""

    target: str
    cls: type
    params: dict
    weight: float
    accuracy: bool
    where: str
    entry: str


def read_losses(spec, model):
    """The checked entries of `spec`'s loss section ([] without one), against `model`."""
    entries = spec.section(SECTION)
    if entries is None:
        return []
    where = source_of(entries, spec.path)
    entries = entries if isinstance(entries, list) else [entries]
    losses = {}
    for j, raw in enumerate(entries):
        entry = f"entry {j}"
        at = source_of(raw, where)
        if not isinstance(raw, dict):
            raise SpecError(f"a loss is a mapping {{target, name, ...}}, got {raw!r}",
                            at, SECTION, entry)
        raw = dict(raw)
        if raw.get("target") is None:
            raise SpecError(f"missing 'target': the name of the model output this loss is for "
                            f"({model.known()})", at, SECTION, entry)
        target = raw.pop("target")
        entry = f"entry {j} (target '{target}')"
        found = model.resolve(target) if isinstance(target, str) else None
        if found is None or found[0] == SYSTEM_IN:
            raise SpecError(f"target {target!r} is not a container of the model "
                            f"({model.known()})", at, SECTION, entry)
        name = raw.pop("name", None)
        if name not in LOSSES:
            raise SpecError(f"unknown loss name {name!r}; known: {', '.join(LOSSES)}",
                            at, SECTION, entry)
        cls = LOSSES[name]
        weight = raw.pop("weight", 1.0)
        accuracy = raw.pop("accuracy", cls in CLASSIFIERS)
        weight = checked(check_number, "weight", weight, at, SECTION, entry, low=0)
        accuracy = checked(check_flag, "accuracy", accuracy, at, SECTION, entry)
        if cls is SoftmaxWithLossLayer and "class_num" not in raw:
            raw["class_num"] = _class_num(model, found[0], at, entry)
        if found[0] in losses:
            logging.getLogger("akid").warning("%s: a second loss for '%s' replaces the first "
                                              "(one loss per target)", at, found[0])
        losses[found[0]] = Loss(found[0], cls, raw, weight, accuracy, at, entry)
    return list(losses.values())


def _class_num(model, target, where, entry):
    container = next(c for c in model.containers if c.name == target)
    class_num = container.args.get("out_channel_num")
    if not isinstance(class_num, int):
        raise SpecError(f"give class_num: the number of classes cannot be read from "
                        f"'{target}' ({container.key})", where, SECTION, entry)
    return class_num


def loss_blocks(losses, model, last_data):
    """[(block, where, entry)] for `losses`: loss blocks and accuracy blocks, wired.

    `last_data` is the brain's last data block; a single loss on it, with the
    labels at system_in[1], keeps akid's default wiring (inputs=None).
    """
    blocks = []
    for j, loss in enumerate(losses):
        labels = model.label_index + j
        inputs = None if (loss.target == last_data and labels == 1 and len(losses) == 1) else \
            [loss.target, {"name": SYSTEM_IN, "idxs": [labels]}]
        prefix = "" if len(losses) == 1 else f"{loss.target}_"
        cls = loss.cls if loss.weight == 1.0 else weighted(loss.cls, loss.weight)
        with located(loss.where, SECTION, loss.entry):
            blocks.append((cls(name=f"{prefix}loss", inputs=inputs, **loss.params),
                           loss.where, loss.entry))
        if loss.accuracy:
            blocks.append((AccuracyLayer(name=f"{prefix}accuracy", inputs=inputs),
                           loss.where, loss.entry))
    return blocks


def weighted(cls, weight):
    """A subclass of the loss class `cls` whose output is scaled by `weight`."""

    def _forward(self, inputs):
        return weight * cls._forward(self, inputs)

    return type(f"Weighted{cls.__name__}", (cls,), {
        "_forward": _forward, "__doc__": f"{cls.__name__} scaled by {weight}."})
