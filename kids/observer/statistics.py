"""The Observer's statistical drawings: training curves and percentile bands from the
run's logs, the sparsity of ReLU outputs over training, the L2 norms of a layer's
filters, and one input image as a 3-D stem plot.

`StatisticsDrawings` holds these Observer methods (akid's users call
`do_stat_on_filters`, `plot_relu_sparsity` and `stem3_data`); the Observer
inherits them, so they write PNGs, return `Pictures` and show in a notebook as
its other drawings do.
"""
import os

import numpy as np
import tensorflow as tf
from tensorboard.backend.event_processing import event_accumulator

from akid.blocks.layers.activations import ReLULayer
from akid.checks import check_int
from akid.kids.callbacks.summaries import SPARSITY_PREFIX
from akid.kids.observer import charts
from akid.kids.observer.display import Pictures, show
from akid.kids.observer.mosaics import new_figure, safe_name


class StatisticsDrawings:
    """The Observer's drawings of logs and statistics (it supplies `log_dir`, `brain`,
    `sensor`, `_keep`, `_blocks`, `_weighted` and `_built_brain`)."""

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

    def do_stat_on_filters(self, layers=None, save_to=None):
        """Draws a histogram (with a rug) of the L2 norm of each filter of a weighted layer;
        one `filter_norms_<layer>.png` a layer.

        As in akid, the layers built with `do_stat_on_norm=True` are drawn when
        some are; otherwise (or with `layers`) every weighted layer is.

        Args:
          layers: block paths or names to draw; None: as above.

        Returns: Pictures; `info[i]` has "layer" and "norms" (one float a filter).
        """
        self._built_brain("do_stat_on_filters")
        found = self._weighted(layers)
        flagged = [(p, b) for p, b in found if getattr(b, "do_stat_on_norm", False)]
        pictures = Pictures()
        for path, block in (flagged if layers is None and flagged else found):
            norms = filter_norms(block.weights.numpy())
            fig = norms_figure(norms, f"{path} ({type(block).__name__}): L2 norms of its "
                                      f"{len(norms)} filters")
            self._keep(pictures, f"filter_norms_{safe_name(path)}.png", fig, save_to,
                       layer=path, norms=norms.tolist(), tiles=len(norms))
        return show(pictures)

    def plot_relu_sparsity(self, event_file_path=None, layers=None, save_to=None):
        """Plots, per step, the fraction of zeros in the output of each ReLU block (the
        `sparsity/<block>` summaries a Kid with `do_summary=True` writes); `relu_sparsity.png`.

        Args:
          event_file_path: a TensorBoard event file or folder (akid's argument);
            default `log_dir/train/`.
          layers: block paths or names to plot; None: the ReLULayer blocks (every
            block when there is no brain to tell them).

        Returns: Pictures; `info[0]["series"]` is {block: [(step, sparsity), ...]}.
        """
        path = event_file_path or os.path.join(self.log_dir, "train")
        series = read_sparsity(path)
        if not series:
            raise ValueError(f"Observer.plot_relu_sparsity: no {SPARSITY_PREFIX}<block> "
                             f"summaries in {path}; train with Kid(do_summary=True) to "
                             f"record them")
        names = [layers] if isinstance(layers, str) else layers
        if names is None and self.brain is not None:
            names = [p for p, _ in self._blocks(None, lambda b: isinstance(b, ReLULayer),
                                                "block")]
        if names is not None:
            chosen = {k: v for k, v in series.items()
                      if any(charts.matches(k.split(":")[0], n) for n in names)}
            if not chosen:
                raise ValueError(f"Observer.plot_relu_sparsity: no summaries of "
                                 f"{names or 'a ReLULayer'} in {path}; it has "
                                 f"{sorted(series)}; pass layers=")
            series = chosen
        fig = sparsity_figure(series, "activation sparsity: fraction of zeros in each "
                                      "block's output")
        pictures = Pictures()
        self._keep(pictures, "relu_sparsity.png", fig, save_to, series=series,
                   tiles=len(series))
        return show(pictures)

    def stem3_data(self, example=0, split="train", save_to=None):
        """Draws one input image of a `split` batch as a 3-D stem plot (a stem a pixel, its
        height the pixel's value), one panel a channel; `stem3_<split>_<example>.png`.

        Args:
          example: which example of the first batch (akid drew the first).
          split: "train" (akid's) or "val"/"test".
        """
        if self.sensor is None:
            raise ValueError("Observer.stem3_data needs data; pass sensor= (or a kid)")
        if not self.sensor.num_examples(split):
            raise ValueError(f"Observer.stem3_data: the sensor has no {split!r} data")
        images = np.asarray(next(iter(self.sensor.dataset(split).take(1)))[0])
        check_int("Observer.stem3_data", "example", example, 0, len(images) - 1)
        image = images[example]
        if image.ndim == 2:
            image = image[..., None]
        if image.ndim != 3 or image.shape[-1] > 4:
            raise ValueError(f"Observer.stem3_data draws images (H, W) or (H, W, C) with at "
                             f"most 4 channels; the sensor gives examples of shape "
                             f"{images.shape[1:]}")
        fig = stem3_figure(image, f"{split} example {example}: "
                                  f"{'x'.join(map(str, image.shape))}")
        pictures = Pictures()
        self._keep(pictures, f"stem3_{split}_{example}.png", fig, save_to, tiles=image.shape[-1])
        return show(pictures)


def filter_norms(weights):
    """The L2 norm of each filter of `weights` (over every axis but the last)."""
    w = np.asarray(weights, dtype=np.float64)
    return np.sqrt((w.reshape(-1, w.shape[-1]) ** 2).sum(axis=0))


def norms_figure(norms, title):
    """A histogram of `norms` with a rug (one tick a filter) along the x axis."""
    fig = new_figure(6.4, 4.2)
    ax = fig.add_subplot()
    ax.hist(norms, bins=max(5, min(30, len(norms))), color="C0", alpha=0.8)
    ax.plot(norms, np.zeros_like(norms), "|", color="C3", markersize=14)
    ax.set_xlabel("L2 norm of a filter")
    ax.set_ylabel("filters")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    return fig


def read_sparsity(path):
    """{block: [(step, sparsity)]} from the `sparsity/<block>` summaries of the event file
    or folder `path`, as the Summarizer writes them."""
    if not os.path.exists(path):
        raise ValueError(f"Observer.plot_relu_sparsity: no event file or folder {path}")
    events = event_accumulator.EventAccumulator(
        path, size_guidance={event_accumulator.TENSORS: 0})
    events.Reload()
    series = {}
    for tag in events.Tags()["tensors"]:
        if tag.startswith(SPARSITY_PREFIX):
            series[tag[len(SPARSITY_PREFIX):]] = [
                (e.step, float(tf.make_ndarray(e.tensor_proto))) for e in events.Tensors(tag)]
    return series


def sparsity_figure(series, title):
    """One line a block of {block: [(step, value)]}, values in [0, 1]."""
    fig = new_figure(7.0, 4.4)
    ax = fig.add_subplot()
    for name, points in series.items():
        ax.plot(*zip(*sorted(points)), marker="o", markersize=3, label=name)
    ax.set_ylim(0, 1)
    ax.set_xlabel("step")
    ax.set_ylabel("fraction of zeros")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def stem3_figure(image, title):
    """An (H, W, C) image as C 3-D stem plots: the pixel (r, c) is a stem at (c, H-1-r), so
    the image stands upright as in akid's `_stem3`."""
    h, w, channels = image.shape
    cols, rows = np.meshgrid(np.arange(w), np.arange(h))
    fig = new_figure(5.0 * channels, 4.6)
    for c in range(channels):
        ax = fig.add_subplot(1, channels, c + 1, projection="3d")
        ax.stem(cols.ravel(), (h - 1 - rows).ravel(), image[..., c].ravel(), basefmt=" ",
                markerfmt=".")
        ax.set_xlim(0, w)
        ax.set_ylim(0, h)
        ax.set_title(f"channel {c}" if channels > 1 else "pixels", fontsize=9)
    fig.suptitle(title)
    return fig
