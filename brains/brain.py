"""Brain: the data-processing engine, a GraphSystem that knows its loss and metrics."""
import collections
import warnings

import tensorflow as tf

from akid.blocks import recorder
from akid.blocks.layers import SoftmaxLayer, SoftmaxWithLossLayer
from akid.checks import describe
from akid.blocks.systems import SYSTEM_IN, GraphSystem, System, as_list

Outcome = collections.namedtuple(
    "Outcome", ["output", "loss", "evals", "data_loss", "regularization", "losses"])
Outcome.__doc__ = """One forward pass of a Brain: what it gave and what it costs.

output: the data output (of the last data block).
loss: data_loss + regularization, what training minimizes; None without loss
  blocks and weight decay.
evals: {block path: value} of the eval blocks.
data_loss: the sum of `losses` (None without loss blocks): what validation reports.
regularization: the sum of every layer's weight-decay term; 0.0 without any.
losses: {block path: output} of every loss block (the data loss terms), nested
  brains' as "inner/aux_loss"."""


class Brain(GraphSystem):
    """A DAG of blocks fed `[data, labels]`, giving an output, a loss and metrics.

    Subclass it and attach blocks in `__init__`, or attach them from outside.
    Loss blocks (SoftmaxWithLossLayer, ...) anywhere in the brain, nested brains
    included, add up to `loss` (each scaled by its `loss_weight`), together with
    every layer's weight decay; eval blocks (AccuracyLayer) fill `eval`.

    Several inputs and outputs: the input is akid's `system_in` list, nests
    flattened, so `[(xa, xb), (y1, y2)]` is `system_in` `[xa, xb, y1, y2]`;
    blocks take what they need with `inputs=[{"name": "system_in", "idxs":
    [k]}]` (without `inputs`, a loss block takes `system_in[1]`). The brain's
    outputs (`heads`) are the blocks its top-level loss blocks judge; with
    several, `infer` (and so `Kid.predict` and `Kid.export`) gives each.

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

    def __init__(self, name=None, inputs=None, **kwargs):
        super().__init__(name=name, inputs=inputs, **kwargs)
        self._last = None

    def compute(self, inputs, keep_activations=False, step=None):
        """Runs a forward pass and returns an Outcome (output, loss, evals, data_loss,
        regularization, losses).

        Use this inside a `tf.function`: it returns what a pass made instead of
        keeping it on the brain. `step`: the global step, given by a Kid's
        training step (batch norm warms its moving averages up on it).
        """
        with recorder.recording(keep_activations, step=step) as record:
            output = GraphSystem.forward(self, tf.nest.flatten(inputs))
        data_loss = tf.add_n(list(record.losses.values())) if record.losses else None
        regularization = tf.add_n(list(record.decays.values())) if record.decays else 0.0
        if data_loss is None:
            loss = regularization if record.decays else None
        else:
            loss = data_loss + regularization if record.decays else data_loss
        outcome = Outcome(output, loss, dict(record.evals), data_loss, regularization,
                          dict(record.losses))
        return (outcome, record.activations) if keep_activations else outcome

    def forward(self, inputs):
        if recorder.current() is not None:  # nested: report to the enclosing brain
            return super().forward(inputs)
        outcome = self.compute(inputs)
        self._last = outcome if tf.executing_eagerly() else None
        return outcome.output

    def infer(self, data, keep_activations=False):
        """The data output for `data` alone, without labels: the inference path.

        `data` is the input, or a tuple of them for several inputs. Loss and
        eval blocks are skipped; a data block that reads the labels cannot run
        here. Runs in the brain's current mode (use `brain.mode_as("val")` for
        inference). `Kid.export` serves this. With several `heads`, the output
        is the list of their outputs. With `keep_activations`, returns
        `(output, {block path: output})`.
        """
        heads = self.heads
        with recorder.recording(keep_activations or len(heads) > 1, data_only=True) as record:
            output = GraphSystem.forward(self, tf.nest.flatten(data))
        if len(heads) > 1:
            output = [t for name, idxs in heads for t in _pick(record.activations[name], idxs)]
        return (output, record.activations) if keep_activations else output

    @property
    def heads(self):
        """`[(block name, idxs)]`: the data blocks the top-level loss blocks judge (their
        first input that is not `system_in`), each once, in the loss blocks' order."""
        heads = []
        for block in self.blocks:
            if block.role != "loss":
                continue
            ref = next((r for r in self._wiring[block.name] if r[0] != SYSTEM_IN), None)
            if ref is not None and ref not in heads:
                heads.append(ref)
        return heads

    def system_in_idxs(self, name):
        """The `system_in` indexes top-level block `name` reads by index, in order."""
        return [i for source, idxs in self._wiring[name] if source == SYSTEM_IN
                for i in idxs or []]

    def attach(self, block):
        block = super().attach(block)
        if isinstance(block, SoftmaxWithLossLayer):
            _warn_double_softmax(self, block)
        return block

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

    def data_outputs(self, activations):
        """The data blocks' float outputs among `activations`: what is worth drawing.

        Systems (whose output repeats their last block's), loss and eval blocks
        and non-float outputs are left out; a block with several outputs gives
        `path:0`, `path:1`, ... The Observer and the training summaries draw these.

        Args:
          activations: {block path: output}, from `brain.activations(inputs)` or
            `brain.compute(inputs, keep_activations=True)`.

        Returns: {path: float tensor}.

        Example:
          outputs = brain.data_outputs(brain.activations([images, labels]))
          outputs["conv1/activation"].shape   # (N, 28, 28, 32)
        """
        outputs = {}
        for path, value in activations.items():
            block = self.get_layer_by_name(path)
            if isinstance(block, System) or block.role != "data":
                continue
            values = as_list(value)
            for i, tensor in enumerate(values):
                if tensor is not None and tf.as_dtype(tensor.dtype).is_floating:
                    outputs[path if len(values) == 1 else f"{path}:{i}"] = tensor
        return outputs

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
        header, rows, total = self._summary_rows()
        rows = [header, *rows]
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
        lines.insert(1, "-" * len(lines[0]))
        lines.append(f"trainable parameters: {total:,}")
        text = "\n".join(lines)
        print_fn(text)
        return text

    def _summary_rows(self):
        """(header, rows, trainable parameter count) of `summary()`: one row of text
        cells (block path, class, output shape, params) a block, nested ones included."""
        if not self.is_setup:
            raise ValueError(f"{describe(self)} has no shapes yet; call it on a batch "
                             f"first: `{self.name}([images, labels])`")
        rows = []
        for path, block in _walk_paths(self, ""):
            params = (sum(int(tf.size(v)) for v in block.trainable_variables)
                      if block.is_setup else 0)
            shape = block.output_shape
            rows.append((path, type(block).__name__, _format_shape(shape), f"{params:,}"))
        total = sum(int(tf.size(v)) for v in self.trainable_variables)
        return ("block", "class", "output shape", "params"), rows, total

    def _repr_html_(self):
        """A notebook shows a brain as its summary table (a short note until it is built)."""
        from html import escape
        what = escape(f"brain '{self.name}' ({type(self).__name__})")
        if not self.is_setup:
            return (f"<p>{what}: {len(self.blocks)} block(s), not built yet; "
                    f"call it on a batch to see its shapes: "
                    f"<code>{escape(self.name)}([images, labels])</code></p>")
        header, rows, total = self._summary_rows()

        def cells(row, tag):
            return "".join(f"<{tag}>{escape(cell)}</{tag}>" for cell in row)
        body = "".join(f"<tr>{cells(row, 'td')}</tr>" for row in rows)
        return (f"<table><caption>{what}: {total:,} trainable parameters"
                f"</caption><thead><tr>{cells(header, 'th')}</tr></thead>"
                f"<tbody>{body}</tbody></table>")


def _pick(outputs, idxs):
    """The outputs `idxs` selects (all for None), as a list."""
    outputs = as_list(outputs)
    return outputs if idxs is None else [outputs[i] for i in idxs]


def _warn_double_softmax(brain, loss):
    """Warns when `loss` (a SoftmaxWithLossLayer) is fed by a SoftmaxLayer: the loss applies
    softmax itself, so it would see softmax(softmax(logits)), which hardly trains."""
    ref = next((r for r in brain._wiring[loss.name] if r[0] != SYSTEM_IN), None)
    source = brain.get_layer_by_name(ref[0]) if ref else None
    while isinstance(source, System):  # a nested system gives its last data block's output
        source = next((b for b in reversed(source.blocks) if b.role == "data"), None)
    if isinstance(source, SoftmaxLayer):
        warnings.warn(f"{describe(loss)} in brain '{brain.name}' takes the output of "
                      f"{describe(source)}, a softmax; the loss applies softmax itself, so it "
                      f"would see softmax(softmax(logits)) and hardly train. Feed it the logits "
                      f"(the block before '{source.name}')", UserWarning, stacklevel=3)


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
