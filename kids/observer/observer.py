"""Observer: pictures of what a kid learned -- filters, activations, predictions, curves, graph.

Every drawing method writes PNGs (by default under `log_dir/observer/`),
returns a `Pictures` list of their paths (which also carries the figures and
what each picture holds), keeps the figures in `observer.figures`, and shows
them when running under IPython (a notebook); nothing is shown otherwise.
"""
import os

import numpy as np
import tensorflow as tf

from akid.blocks.layers import ConvolutionLayer, InnerProductLayer
from akid.blocks.systems import SYSTEM_IN
from akid.kids.observer import brain_graph, charts, mosaics
from akid.kids.checkpoints import restore_newest
from akid.kids.logs import logger
from akid.kids.observer.display import Pictures, show
from akid.kids.callbacks.summaries import data_outputs


class Observer:
    """Draws what a kid's brain learned, and how its training went.

    Args:
      kid: a set-up or trained Kid: its brain (live weights), sensor and log_dir.
        (A path in its place is taken as `log_dir`.)
      log_dir: a finished run's folder, instead of `kid`.
      brain: with `log_dir`, a Brain of the same architecture; its weights are
        restored from `log_dir/model/` (built first on one batch of `sensor`;
        without a sensor the restore waits until the brain is first called).
        Without a brain only `plot_training` and `plot_distributions` work.
      sensor: with `log_dir`, where validation batches come from.
      checkpoint: "latest" (`log_dir/model/`) or "best" (`log_dir/model/best/`).
      save_to: the folder for the PNGs; default `log_dir/observer/`.

    Attributes:
      figures: {png path: matplotlib Figure} of every picture drawn (the latest
        drawing of each path).

    Example:
      kid.practice()
      observer = Observer(kid)
      paths = observer.visualize_filters(layout={"type": "square"})
      paths.info[0]["tiles"], paths.figures[0]
      Observer(log_dir="log/lenet", brain=LeNet(), sensor=sensor).visualize_activation()
    """

    def __init__(self, kid=None, log_dir=None, brain=None, sensor=None, checkpoint="latest",
                 save_to=None):
        if isinstance(kid, (str, os.PathLike)):  # Observer("log/lenet", brain=...)
            kid, log_dir = None, os.fspath(kid)
        if kid is not None and (log_dir, brain, sensor) != (None, None, None):
            raise ValueError("Observer: give a kid, or log_dir (with brain= and sensor=), "
                             "not both")
        if kid is None and log_dir is None:
            raise ValueError("Observer: give a kid, Observer(kid), or a finished run's "
                             "log_dir, Observer(log_dir=..., brain=..., sensor=...)")
        if checkpoint not in ("latest", "best"):
            raise ValueError(f"Observer: checkpoint must be 'latest' or 'best', got {checkpoint!r}")
        self.kid = kid
        self.log_dir = kid.log_dir if kid is not None else log_dir
        self.brain = kid.brain if kid is not None else brain
        self.sensor = kid.sensor if kid is not None else sensor
        if not os.path.isdir(self.log_dir):
            fix = "; call kid.setup() (or kid.practice()) first" if kid is not None else ""
            raise ValueError(f"Observer: log_dir {self.log_dir!r} is not a folder{fix}")
        self.save_to = save_to or os.path.join(self.log_dir, "observer")
        self.figures = {}
        self._batch = None
        self.restored_from = None
        if kid is None and brain is not None:
            self._restore(checkpoint)

    # -- weights and data ----------------------------------------------------------

    def _restore(self, which):
        directory = os.path.join(self.log_dir, "model", *(["best"] if which == "best" else []))
        if not self.brain.is_setup and self.sensor is not None:
            x, y = self.batch()
            with self.brain.mode_as("val"):
                self.brain.compute([x, y])
        self.restored_from = restore_newest(tf.train.Checkpoint(brain=self.brain), directory,
                                            partial=True)
        if self.restored_from is None:
            raise ValueError(f"Observer: no readable checkpoint in {directory}")
        if not self.brain.is_setup:
            logger().info("Observer: brain '%s' is not built; the weights of %s are restored "
                          "when it is first called", self.brain.name, self.restored_from)

    def _built_brain(self, method):
        if self.brain is None:
            raise ValueError(f"Observer.{method} needs the brain's weights; pass brain=, e.g. "
                             f"Observer(log_dir={self.log_dir!r}, brain=LeNet(), sensor=sensor)")
        if not self.brain.is_setup:
            how = ("call kid.setup() first" if self.kid is not None else
                   "pass sensor= to the Observer, or call it on a batch first: "
                   f"`{self.brain.name}([images, labels])`")
            raise ValueError(f"Observer.{method}: brain '{self.brain.name}' has no variables "
                             f"yet; {how}")
        return self.brain

    def batch(self):
        """One validation batch `(x, y)` (a training batch when there is no validation split)."""
        if self._batch is None:
            if self.sensor is None:
                raise ValueError("Observer: this drawing needs data; pass sensor= (or a kid)")
            split = "val" if self.sensor.num_examples("val") else "train"
            self._batch = next(iter(self.sensor.dataset(split).take(1)))
        return self._batch

    def _activations(self):
        x, y = self.batch()
        with self.brain.mode_as("val"):
            return self.brain.activations([x, y])

    def _sources(self, path):
        """The graph nodes that feed block `path`."""
        return [s for s, d in self.brain.graph()["edges"] if d == path]

    def _input_shape(self, path):
        """The per-example input shape of block `path` (its first source's output), or None."""
        sources = self._sources(path)
        if not sources:
            return None
        if sources[0] == SYSTEM_IN:
            return tuple(self.batch()[0].shape[1:]) if self.sensor is not None else None
        shape = self.brain.get_layer_by_name(sources[0]).output_shape
        return tuple(shape.as_list()[1:]) if isinstance(shape, tf.TensorShape) else None

    def _blocks(self, names, keep, what):
        """[(path, block)] of the brain's graph nodes that `keep(block)`, filtered by `names`."""
        found = [(p, self.brain.get_layer_by_name(p)) for p in self.brain.graph()["nodes"]
                 if p != SYSTEM_IN]
        found = [(p, b) for p, b in found if keep(b)]
        if names is None:
            return found
        names = [names] if isinstance(names, str) else list(names)
        chosen = [(p, b) for p, b in found if any(charts.matches(p, n) for n in names)]
        if not chosen:
            raise ValueError(f"Observer: none of {names} names a {what}; the {what}s are "
                             f"{[p for p, _ in found]}")
        return chosen

    # -- drawings --------------------------------------------------------------

    def visualize_filters(self, layout=None, layers=None, save_to=None, scale="filter",
                          max_filters=256):
        """Draws the weights of every convolution and inner-product layer as tiles, one a filter.

        First-layer filters are images (gray, or RGB scaled to [0, 1] per filter);
        deeper filters are their input channels on a small grid inside the tile;
        an inner product's units are reshaped to its input's (H, W[, C]) layout.

        Args:
          layout: {"type": "normal", "num": columns}, {"type": "square"} (the
            default; ceil(sqrt(n)) columns), {"type": "inverse", "num": filters
            a column}, or {"type": "dynamic"} (a grid close to a 4:3 figure).
          layers: block paths or names to draw ("conv1/conv", "conv1", "ip2"); None: all.
          save_to: folder for `filters_<layer>.png`; default the observer's.
          scale: "filter" (each filter divided by its largest |weight|, so weak
            filters show their shape too) or "layer" (one colour scale in weight
            units for the whole layer).
          max_filters: draw at most this many filters of a layer (the first
            ones); None: all. It keeps pictures of wide layers (VGG's 4096-unit
            inner products) to a sensible size.

        Returns: Pictures; `info[i]` has "layer", "filters" (the layer's filter
        count), "tiles" (how many were drawn: all, up to max_filters), "grid"
        (rows, cols), "tile_shape" and "style" ("image", "rgb", "channels" or "flat").
        """
        layout = mosaics.check_layout(layout)
        if scale not in ("filter", "layer"):
            raise ValueError(f"Observer.visualize_filters: scale must be 'filter' or 'layer', "
                             f"got {scale!r}")
        if max_filters is not None and (isinstance(max_filters, bool)
                                        or not isinstance(max_filters, int) or max_filters <= 0):
            raise ValueError(f"Observer.visualize_filters: max_filters must be a positive int "
                             f"or None, got {max_filters!r}")
        self._built_brain("visualize_filters")
        pictures = Pictures()
        for path, block in self._blocks(layers, _is_weighted, "convolution or inner-product layer"):
            filters = block.weights.shape[-1]
            weights = block.weights.numpy()[..., :max_filters or filters]
            fed_by_input = SYSTEM_IN in self._sources(path)
            input_shape = self._input_shape(path)
            tiles, style = mosaics.filter_tiles(weights, input_shape, fed_by_input, scale)
            count = f"{filters}" if len(tiles) == filters else f"first {len(tiles)} of {filters}"
            if isinstance(block, ConvolutionLayer):
                what = "filters of " + "x".join(str(d) for d in block.weights.shape[:-1])
            else:
                layout_of = "" if style == "flat" else f" ({'x'.join(map(str, input_shape))})"
                what = f"units over {block.weights.shape[0]} inputs{layout_of}"
            fig, grid = mosaics.tiles_figure(
                tiles, layout, f"{path} ({type(block).__name__}): {count} {what}\n"
                f"{_STYLES[style]}", signed=style != "rgb", nested=style == "channels",
                colorbar_label="weight / max |weight| of its filter" if scale == "filter"
                else "weight")
            self._keep(pictures, f"filters_{mosaics.safe_name(path)}.png", fig, save_to,
                       layer=path, filters=filters, tiles=len(tiles), grid=grid,
                       tile_shape=tuple(tiles[0].shape), style=style)
        return show(pictures)

    def visualize_activation(self, layers=None, example=0, save_to=None):
        """Draws the outputs of the brain's blocks on one validation batch.

        Image-like outputs (N, H, W, C) become one feature map a channel for
        `example`; vector outputs (N, U) become a bar chart of `example` above a
        heat map of the batch (examples x units).

        Args:
          layers: block paths or names to draw; None: every data block.
          example: which example of the batch the feature maps show.
          save_to: folder for `activation_<block>.png`.
        """
        brain = self._built_brain("visualize_activation")
        outputs = {p: v.numpy() for p, v in data_outputs(brain, self._activations()).items()}
        labels = np.asarray(self.batch()[1])
        keep = {p for p, _ in self._blocks(layers, lambda b: True, "block")}
        pictures = Pictures()
        for path, value in outputs.items():
            if path.split(":")[0] not in keep or value.ndim not in (2, 3, 4):
                continue
            if not 0 <= example < value.shape[0]:
                raise ValueError(f"Observer.visualize_activation: example must be in "
                                 f"[0, {value.shape[0]}), got {example}")
            block = brain.get_layer_by_name(path.split(":")[0])
            name = f"{path} ({type(block).__name__})"
            label = f" (label {labels[example]})" if labels.ndim == 1 else ""
            if value.ndim == 2:
                fig = charts.vector_activation_figure(value, example, name + label)
                tiles = value.shape[1]
            else:
                maps = value[example] if value.ndim == 4 else value[example][..., None]
                tiles = maps.shape[-1]
                title = (f"{name}\n{tiles} feature map{'s' if tiles > 1 else ''} of "
                         f"{'x'.join(map(str, maps.shape[:2]))}, validation example "
                         f"{example}{label}")
                fig, _ = mosaics.tiles_figure([maps[..., c] for c in range(tiles)],
                                              {"type": "dynamic"}, title,
                                              signed=bool(value.min() < 0),
                                              colorbar_label="activation", show_layout=False)
            self._keep(pictures, f"activation_{mosaics.safe_name(path)}.png", fig, save_to,
                       layer=path, tiles=tiles)
        return show(pictures)

    def visualize_classifying(self, name, idxs=None, top_k=3, save_to=None):
        """Draws validation inputs with their predicted and true labels and top-k probabilities.

        Args:
          name: the block whose output (N, classes) holds logits or probabilities, e.g. "ip2".
          idxs: which examples of the validation batch; default the first 16.
          top_k: how many of the most probable classes to list under each image.
        """
        self._built_brain("visualize_classifying")
        outputs = self._activations()
        if name not in outputs:
            raise ValueError(f"Observer.visualize_classifying: no block {name!r}; the blocks "
                             f"are {list(outputs)}")
        scores = np.asarray(outputs[name])
        if scores.ndim != 2:
            raise ValueError(f"Observer.visualize_classifying: block {name!r} gives shape "
                             f"{scores.shape}; it needs (N, classes) logits or probabilities")
        x, y = (np.asarray(t) for t in self.batch())
        idxs = list(range(min(16, len(x)))) if idxs is None else list(idxs)
        bad = [i for i in idxs if not 0 <= i < len(x)]
        if bad or not idxs:
            raise ValueError(f"Observer.visualize_classifying: idxs must be a non-empty list "
                             f"in [0, {len(x)}) (the validation batch), got {idxs}")
        probs = scores if _are_probabilities(scores) else tf.nn.softmax(scores).numpy()
        fig = charts.classifying_figure(x[idxs], y[idxs], probs[idxs], idxs, top_k, name)
        pictures = Pictures()
        correct = int(sum(np.argmax(probs[i]) == y[i] for i in idxs)) if y.ndim == 1 else None
        self._keep(pictures, f"classifying_{mosaics.safe_name(name)}.png", fig, save_to,
                   layer=name, tiles=len(idxs), correct=correct)
        return show(pictures)

    def plot_training(self, save_to=None):
        """Plots loss, eval metrics and learning rate per step from `metrics.jsonl` (train and
        val on the same axes); writes `training.png`."""
        fig, panels = charts.training_figure(self.log_dir)
        pictures = Pictures()
        self._keep(pictures, "training.png", fig, save_to, panels=panels)
        return show(pictures)

    def plot_distributions(self, tensors=None, save_to=None):
        """Plots the percentile bands (max/93/84/69/50/31/16/7/min) of weights, gradients and
        activations over training, from `distributions.jsonl` (written with do_summary=True);
        one `distributions_<kind>.png` a kind.

        Args:
          tensors: names (or prefixes, e.g. "conv1") of the tensors to plot; None: all.
        """
        pictures = Pictures()
        for kind, fig, names in charts.distribution_figures(self.log_dir, tensors):
            self._keep(pictures, f"distributions_{kind}.png", fig, save_to, kind=kind,
                       tensors=names, tiles=len(names))
        return show(pictures)

    def visualize_graph(self, save_to=None):
        """Draws the brain's block DAG (`brain.graph()`), with each block's class and output
        shape, top-down by depth; writes `graph.png` and Graphviz `graph.dot` (its path is
        `info[0]["dot"]`)."""
        if self.brain is None:
            self._built_brain("visualize_graph")
        shape = self.batch()[0].shape if self.sensor is not None else None
        graph, labels, roles = brain_graph.describe_brain(self.brain, shape)
        fig = brain_graph.draw_graph(graph["nodes"], graph["edges"], labels, roles,
                                       f"brain '{self.brain.name}': "
                                       f"{len(graph['nodes']) - 1} blocks")
        pictures = Pictures()
        path = self._keep(pictures, "graph.png", fig, save_to, tiles=len(graph["nodes"]))
        dot = os.path.join(os.path.dirname(path), "graph.dot")
        with open(dot, "w", encoding="utf-8") as f:
            f.write(brain_graph.to_dot(graph["nodes"], graph["edges"], labels, roles,
                                         self.brain.name))
        pictures.info[0]["dot"] = dot
        return show(pictures)

    # -- keeping and showing -------------------------------------------------------

    def _keep(self, pictures, file_name, fig, save_to, **info):
        path = mosaics.save(fig, os.path.join(save_to or self.save_to, file_name))
        self.figures[path] = fig
        pictures.add(path, fig, **info)
        return path


_STYLES = {"rgb": "RGB, each filter scaled to [0, 1]", "image": "one tile a filter",
           "channels": "one tile a filter (its input channels inside)",
           "flat": "weights of each unit on a square"}


def _is_weighted(block):
    return isinstance(block, (ConvolutionLayer, InnerProductLayer)) and block.is_setup


def _are_probabilities(scores):
    return bool(np.all(scores >= 0) and np.allclose(scores.sum(axis=1), 1.0, atol=1e-3))
