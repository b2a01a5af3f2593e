"""Blocks from containers: the Brain a Kidfile's `model` and `loss` sections describe.

    brain = build_brain(load("examples/mnist.yml"))   # the same Brain as akid.brains.LeNet

A model that is a single brain (a zoo brain such as `res_net: {depth: 20}`,
with no loss section) is that Brain itself, named by the container or else
as the Kidfile's brain. Otherwise the brain is named `settings.brain_name`
or after the Kidfile, and containers are attached in an order where each
follows its inputs. A container taking the data block attached just before
it keeps akid's default wiring (`inputs=None`), so a Kidfile chain builds
exactly the Brain the Python API does; other wiring becomes akid's
`inputs=[...]`. A brain with loss blocks of its own (a zoo brain) is also
given the labels.
"""
import collections

from akid.blocks.systems import SYSTEM_IN
from akid.brains.brain import Brain
from akid.brains.parallel import Parallel
from akid.spec.errors import SpecError, located
from akid.spec.losses import loss_blocks, read_losses
from akid.spec.model import SECTION, read_model

Built = collections.namedtuple("Built", ["brain", "model", "losses"])
Built.__doc__ = """brain: the Brain; model: its top-level `akid.spec.model.Model`;
losses: the checked loss entries (`akid.spec.losses.Loss`)."""


def build_brain(spec, with_loss=True):
    """The Brain of `spec` (named after the Kidfile), with its loss blocks if `with_loss`."""
    return build(spec, with_loss).brain


def build(spec, with_loss=True):
    """The Brain of `spec` with the model and losses it was built from, as a `Built`."""
    model = read_model(spec)
    losses = read_losses(spec, model)
    if len(model.containers) == 1 and not losses:  # a model that is one brain is that brain
        only = model.containers[0]
        block = _make(only, spec.name if only.name.startswith("__") else only.name)
        if isinstance(block, Brain):
            return Built(block, model, losses)
    brain = Brain(name=spec.name)
    last = _attach_all(brain, model.containers, model.label_index)
    for block, where, entry in loss_blocks(losses, model, last) if with_loss else []:
        _attach(brain, block, where, "loss", entry)
    return Built(brain, model, losses)


def _attach_all(system, containers, label_index):
    """Attaches `containers` to `system`; returns the name of the last data block."""
    last = None
    for container in order(containers):
        block = _make(container)
        refs = list(container.refs)
        if getattr(block, "has_loss", False) and not container.explicit:
            refs.append((SYSTEM_IN, [label_index]))  # a zoo brain with its own loss: the labels
        default = [(last, None)] if last else [(SYSTEM_IN, [0])]
        if container.role != "data" and not container.explicit and last:
            default.append((SYSTEM_IN, [1]))  # akid's default for loss and eval blocks
        block.inputs = None if refs == default else \
            [name if idxs is None else {"name": name, "idxs": idxs} for name, idxs in refs]
        _attach(system, block, container.where, SECTION, container.entry)
        if container.role == "data":
            last = container.name
    return last


def _make(container, name=None):
    name = name or container.name
    if container.children is not None:
        system = (Parallel if container.key == "parallel" else Brain)(name=name)
        _attach_all(system, container.children, 1)
        return system
    with located(container.where, SECTION, container.entry):
        return container.kind.make(name=name, **container.args)


def _attach(system, block, where, section, entry):
    with located(where, section, entry):
        system.attach(block)


def order(containers):
    """`containers` with each after the ones it takes input from (file order where free);
    a cycle through `inputs` is a SpecError naming it."""
    by_name = {c.name: c for c in containers}
    state, ordered = {}, []

    def visit(container, trail):
        if state.get(container.name) == "done":
            return
        if state.get(container.name) == "visiting":
            cycle = trail[trail.index(container.name):] + [container.name]
            raise SpecError(f"cycle through inputs: {' <- '.join(cycle)} (each takes input "
                            f"from the next)", container.where, SECTION, container.entry)
        state[container.name] = "visiting"
        for source, _ in container.refs:
            if source in by_name:
                visit(by_name[source], trail + [container.name])
        state[container.name] = "done"
        ordered.append(container)

    for container in containers:
        visit(container, [])
    return ordered
