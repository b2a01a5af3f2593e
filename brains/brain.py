"""Brain: the data-processing engine, a GraphSystem that knows its loss and metrics."""
import collections

import tensorflow as tf

from akid.blocks import recorder
from akid.checks import describe
from akid.blocks.systems import SYSTEM_IN, GraphSystem, System

Outcome = collections.namedtuple("Outcome", ["output", "loss", "evals", "loss_terms"])
Outcome.__doc__ = """One forward pass of a Brain.

output: the data output (of the last data block); loss: the sum of every loss
block's output plus weight decay, or None without any; evals: {name: value}
of the eval blocks; loss_terms: {name: value} of what `loss` sums."""


class Brain(GraphSystem):
    """A DAG of blocks fed `[data, labels]`, giving an output, a loss and metrics.

    Subclass it and attach blocks in `__init__`, or attach them from outside.
    Loss blocks (SoftmaxWithLossLayer, ...) anywhere in the brain, nested brains
    included, add up to `loss`, together with every layer's weight decay; eval
    blocks (AccuracyLayer) fill `eval`.

    Example:
      class OneLayerBrain(Brain):
          def __init__(self, **kwargs):
              super().__init__(**kwargs)
              self.attach(ConvolutionLayer(ksize=[5, 5], strides=[1, 1], padding="SAME",
                                           out_channel_num=32, name="conv1"))
              self.attach(ReLULayer(name="relu1"))
              self.attach(PoolingLayer(ksize=[5, 5], strides=[5, 5], padding="SAME", name="pool1"))
              self.attach(InnerProductLayer(out_channel_num=10, name="ip1"))
              self.attach(SoftmaxWithLossLayer(class_num=10, name="loss"))
              self.attach(AccuracyLayer(name="accuracy"))

      brain = OneLayerBrain(name="brain")
      logits = brain([images, labels])
      brain.loss, brain.eval["accuracy"]
    """

    def __init__(self, name=None, inputs=None):
        super().__init__(name=name, inputs=inputs)
        self._last = None

    def compute(self, inputs, keep_activations=False):
        """Runs a forward pass and returns an Outcome (output, loss, evals).

        Use this inside a `tf.function`: it returns what a pass made instead of
        keeping it on the brain.
        """
        with recorder.recording(keep_activations) as record:
            output = GraphSystem.forward(self, inputs)
        loss = tf.add_n(list(record.losses.values())) if record.losses else None
        outcome = Outcome(output, loss, dict(record.evals), dict(record.losses))
        return (outcome, record.activations) if keep_activations else outcome

    def forward(self, inputs):
        if recorder.current() is not None:  # nested: report to the enclosing brain
            return super().forward(inputs)
        outcome = self.compute(inputs)
        self._last = outcome if tf.executing_eagerly() else None
        return outcome.output

    def infer(self, data, keep_activations=False):
        """The data output for `data` alone, without labels: the inference path.

        Loss and eval blocks are skipped; a data block that reads the labels
        (`system_in[1]`) cannot run here. Runs in the brain's current mode
        (use `brain.mode_as("val")` for inference). `Kid.export` serves this.
        With `keep_activations`, returns `(output, {block path: output})`.
        """
        with recorder.recording(keep_activations, data_only=True) as record:
            output = GraphSystem.forward(self, [data])
        return (output, record.activations) if keep_activations else output

    def _last_outcome(self, what):
        if self._last is None:
            raise ValueError(f"{describe(self)} has no {what} to show: run it eagerly on a "
                             f"batch first, `{self.name}([images, labels])`; inside a "
                             f"tf.function use `{self.name}.compute(inputs).{what}`")
        return self._last

    @property
    def loss(self):
        """The loss of the last eager forward pass (loss blocks + weight decay)."""
        return self._last_outcome("loss").loss

    @property
    def eval(self):
        """{metric name: value} of the last eager forward pass."""
        return self._last_outcome("evals").evals

    def activations(self, inputs):
        """{block path: output} of every block for `inputs` (`[data, labels]`)."""
        _, activations = self.compute(inputs, keep_activations=True)
        return activations

    @property
    def has_loss(self):
        """Whether a loss block is attached anywhere in the brain."""
        return any(b.role == "loss" for b in self.descendants())

    def graph(self):
        """The block DAG: {"nodes": [...], "edges": [(src, dst), ...]}, nested systems flattened.

        A nested system appears as its own nodes, named "<system>/<block>", with
        edges into its first blocks and out of its last data block.
        """
        nodes, edges = [SYSTEM_IN], []
        _flatten_graph(self, "", [SYSTEM_IN], nodes, edges)
        return {"nodes": nodes, "edges": edges}

    def summary(self, print_fn=print):
        """Prints a table of blocks, output shapes and parameter counts; returns it as text."""
        if not self.is_setup:
            raise ValueError(f"{describe(self)} has no shapes yet; call it on a batch "
                             f"first: `{self.name}([images, labels])`")
        rows = [("block", "class", "output shape", "params")]
        for path, block in _walk_paths(self, ""):
            params = sum(int(tf.size(v)) for v in block.trainable_variables) if block.is_setup else 0
            shape = block.output_shape
            rows.append((path, type(block).__name__, _format_shape(shape), f"{params:,}"))
        total = sum(int(tf.size(v)) for v in self.trainable_variables)
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
        lines.insert(1, "-" * len(lines[0]))
        lines.append(f"trainable parameters: {total:,}")
        text = "\n".join(lines)
        print_fn(text)
        return text


def _format_shape(shape):
    if isinstance(shape, list):
        return ", ".join(_format_shape(s) for s in shape)
    return str(tuple(shape.as_list())) if shape is not None else "-"


def _walk_paths(system, prefix):
    for block in system.blocks:
        path = prefix + block.name
        yield path, block
        if isinstance(block, System):
            yield from _walk_paths(block, path + "/")


def _flatten_graph(system, prefix, entry, nodes, edges):
    """Adds `system`'s blocks as nodes fed from `entry` (the nodes behind
    system_in, by index); returns the node that carries the system's output."""
    produced = {}
    output = previous = entry[0]
    wiring = getattr(system, "_wiring", None)
    for block in system.blocks:
        sources = [previous] if wiring is None else []
        for source, idxs in (wiring or {}).get(block.name, []):
            if source == SYSTEM_IN:
                picked = idxs if idxs is not None else range(len(entry))
                sources += [entry[min(i, len(entry) - 1)] for i in picked]
            else:
                sources.append(produced[source])
        sources = list(dict.fromkeys(sources))
        path = prefix + block.name
        if isinstance(block, System):
            out = _flatten_graph(block, path + "/", sources, nodes, edges)
        else:
            nodes.append(path)
            edges.extend((s, path) for s in sources)
            out = path
        produced[block.name] = previous = out
        if block.role == "data":
            output = out
    return output
