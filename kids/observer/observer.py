"""Observer: pictures of what a kid learned -- filters, activations, predictions, curves, graph.

Every drawing method writes PNGs (by default under `log_dir/observer/`),
returns a `Pictures` list of their paths (which also carries the figures and
what each picture holds), keeps the figures in `observer.figures`, and shows
them when running under IPython (a notebook); nothing is shown otherwise.
"""
import os

import numpy as np
import tensorflow as tf

from akid.blocks.layers.weighted import WeightedLayer
from akid.blocks.systems import SYSTEM_IN
from akid.checks import check_choice, check_int, check_positive_int
from akid.kids.observer import brain_graph, charts, figures, mosaics
from akid.kids.checkpoints import restore_newest
from akid.kids.logs import logger
from akid.kids.observer.display import Pictures, show
from akid.kids.observer.statistics import StatisticsDrawings


class Observer(StatisticsDrawings):
    """Draws what a kid's brain learned, and how its training went.

    Args:
      kid: a set-up or trained Kid: its brain (live weights), sensor and log_dir.
        A Kid not set up whose log_dir holds a run (akid's way: build the Kid
        again, then observe it) gets that run's weights restored into its brain.
        (A path in its place is taken as `log_dir`.)
      log_dir: a finished run's folder, instead of `kid`.
      brain: with `log_dir`, a Brain of the same architecture; its weights are
        restored from `log_dir/model/` (built first on one batch of `sensor`;
        without a sensor the restore waits until the brain is first called).
        Without a brain only `plot_training` and `plot_distributions` work.
      sensor: with `log_dir`, where validation batches come from.
      checkpoint: "latest" (`log_dir/model/`) or "best" (`log_dir/model/best/`).
      save_to: the PNGs' folder (other files in it stay); default `log_dir/observer/`.

    Attributes:
      figures: {png path: matplotlib Figure} of every picture drawn (the latest
        drawing of each path).

    The drawings of the run's logs (`plot_training`, `plot_distributions`,
    `plot_relu_sparsity`) and akid's `do_stat_on_filters` and `stem3_data` are in
    `akid.kids.observer.statistics`.

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
        check_choice("Observer", "checkpoint", checkpoint, ("latest", "best"))
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
        fresh = kid is not None and not kid.is_setup  # akid's: a Kid built to observe its run
        if (kid is None and brain is not None) or (
                fresh and os.path.isdir(self._checkpoint_dir(checkpoint))):
            self._restore(checkpoint)

    # -- weights and data ----------------------------------------------------------

    def _checkpoint_dir(self, which):
        return os.path.join(self.log_dir, "model", *(["best"] if which == "best" else []))

    def _restore(self, which):
        directory = self._checkpoint_dir(which)
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

    def _weighted(self, names):
        """[(path, block)] of the built weighted layers, filtered by `names`."""
        return self._blocks(names, lambda b: isinstance(b, WeightedLayer) and b.is_setup,
                            "weighted layer")

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
                          max_filters=256, big_resolution=None):
        """Draws the weights of every weighted layer (convolution, inner product, recurrent,
        any WeightedLayer subclass) as tiles, one a filter (the weights' last axis).

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
          big_resolution: akid's; accepted and unused (figures are sized to their tiles).

        As in akid, `layers` may come first (`visualize_filters(["conv1"])`), and a
        block's `bag={"filters_to_visual": [i, ...]}` draws only those filters.

        Returns: Pictures; `info[i]` has "layer", "filters" (the layer's filter
        count), "tiles" (how many were drawn: all, up to max_filters), "grid"
        (rows, cols), "tile_shape" and "style" ("image", "rgb", "channels" or "flat").
        """
        layout, layers, save_to = figures.akid_argument_order(layout, layers, save_to)
        layout = mosaics.check_layout(layout)
        check_choice("Observer.visualize_filters", "scale", scale, ("filter", "layer"))
        check_positive_int("Observer.visualize_filters", "max_filters", max_filters,
                           allow_none=True)
        self._built_brain("visualize_filters")
        pictures = Pictures()
        for path, block in self._weighted(layers):
            weights = block.weights.numpy()
            chosen = figures.bag_filters(path, block, weights.shape[-1])
            fig, info = figures.filter_figure(
                f"{path} ({type(block).__name__})", weights[..., chosen][..., :max_filters],
                weights.shape, self._input_shape(path), SYSTEM_IN in self._sources(path),
                layout, scale, chosen)
            self._keep(pictures, f"filters_{mosaics.safe_name(path)}.png", fig, save_to,
                       layer=path, **info)
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
        outputs = {p: v.numpy() for p, v in brain.data_outputs(self._activations()).items()}
        labels = np.asarray(self.batch()[1])
        keep = {p for p, _ in self._blocks(layers, lambda b: True, "block")}
        pictures = Pictures()
        for path, value in outputs.items():
            if path.split(":")[0] not in keep or value.ndim not in (2, 3, 4):
                continue
            check_int("Observer.visualize_activation", "example", example, 0, len(value) - 1)
            block = brain.get_layer_by_name(path.split(":")[0])
            label = f" (label {labels[example]})" if labels.ndim == 1 else ""
            fig, tiles = figures.activation_figure(f"{path} ({type(block).__name__})", value,
                                                   example, label)
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
        probs = scores if figures.are_probabilities(scores) else tf.nn.softmax(scores).numpy()
        fig = charts.classifying_figure(x[idxs], y[idxs], probs[idxs], idxs, top_k, name)
        pictures = Pictures()
        correct = int(sum(np.argmax(probs[i]) == y[i] for i in idxs)) if y.ndim == 1 else None
        self._keep(pictures, f"classifying_{mosaics.safe_name(name)}.png", fig, save_to,
                   layer=name, tiles=len(idxs), correct=correct)
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
