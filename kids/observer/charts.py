"""Plots: the Observer's line and bar figures -- training curves, percentile bands over
training, predictions with their top-k probabilities, and vector activations."""
import math
import os

import numpy as np
from matplotlib.ticker import MaxNLocator

from akid.kids.observer.mosaics import draw_image, near_square, new_figure
from akid.kids.logs import read_metrics
from akid.kids.callbacks.summaries import DISTRIBUTIONS_FILE, KINDS, read_distributions

NOT_METRICS = ("step", "epoch", "split", "loss", "lr", "images_per_s")
SPLIT_STYLE = {"train": dict(color="C0", linewidth=1.4, label="train"),
               "val": dict(color="C1", linewidth=1.4, marker="o", markersize=4, label="val")}
BAND_ALPHAS = (0.15, 0.25, 0.35, 0.45)  # outer (max..min) to inner (69%..31%)


def matches(path, name):
    """Whether `path` ("conv1/conv/weights") is picked by `name`: the path itself, a
    prefix ("conv1", "conv1/conv"), or its last part."""
    return path == name or path.startswith(name + "/") or path.rsplit("/", 1)[-1] == name


# -- training curves ----------------------------------------------------------------

def training_figure(log_dir):
    """(Figure, panel names): loss, each eval metric and lr against step, train and val
    on the same axes, from `log_dir/metrics.jsonl`; epochs on the top axis."""
    if not os.path.isfile(os.path.join(log_dir, "metrics.jsonl")):
        raise ValueError(f"Observer.plot_training: no metrics.jsonl in {log_dir}; "
                         f"train a Kid with log_dir={log_dir!r} first")
    records = [r for r in read_metrics(log_dir) if r.get("split") in SPLIT_STYLE]
    if not records:
        raise ValueError(f"Observer.plot_training: {log_dir}/metrics.jsonl has no records yet")
    metrics = list(dict.fromkeys(k for r in records for k in r if k not in NOT_METRICS
                                 and isinstance(r[k], (int, float))))
    panels = ["loss", *metrics] + (["lr"] if any("lr" in r for r in records) else [])
    cols = min(3, len(panels))
    rows = math.ceil(len(panels) / cols)
    fig = new_figure(4.6 * cols, 3.4 * rows)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    per_epoch = next((r["step"] / r["epoch"] for r in records if r.get("epoch")), None)
    for ax, key in zip(axes, panels):
        for split, style in SPLIT_STYLE.items():
            points = sorted((r["step"], r[key]) for r in records
                            if r["split"] == split and isinstance(r.get(key), (int, float)))
            if points:
                ax.plot(*zip(*points), **style)
        values = [r[key] for r in records if isinstance(r.get(key), (int, float))]
        if key in ("loss", "lr") and values and min(values) > 0 and max(values) > 10 * min(values):
            ax.set_yscale("log")
        ax.set_title("learning rate" if key == "lr" else key)
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
        if key != "lr":
            ax.legend(fontsize=8)
        if per_epoch:
            top = ax.secondary_xaxis("top", functions=(lambda s: s / per_epoch,
                                                       lambda e: e * per_epoch))
            top.set_xlabel("epoch", fontsize=8)
            top.tick_params(labelsize=7)
    for ax in axes[len(panels):]:
        ax.set_axis_off()
    fig.suptitle(f"training of {os.path.basename(os.path.normpath(log_dir))}")
    return fig, panels


# -- distributions -----------------------------------------------------------------

def distribution_figures(log_dir, tensors=None):
    """[(kind, Figure, tensor names)]: one figure a kind (weights, gradients, activations)
    with a panel of percentile bands over training for each tensor."""
    if not os.path.isfile(os.path.join(log_dir, DISTRIBUTIONS_FILE)):
        raise ValueError(f"Observer.plot_distributions: no {DISTRIBUTIONS_FILE} in {log_dir}; "
                         f"train with Kid(do_summary=True) to record it")
    records = read_distributions(log_dir)
    steps = [r["step"] for r in records]
    wanted = None if tensors is None else ([tensors] if isinstance(tensors, str) else tensors)
    figures = []
    for kind in KINDS:
        names = list(dict.fromkeys(n for r in records for n in r.get(kind, {})))
        if wanted is not None:
            names = [n for n in names if any(matches(n, w) for w in wanted)]
        if not names:
            continue
        cols = min(4, len(names))
        rows = math.ceil(len(names) / cols)
        fig = new_figure(3.6 * cols, 2.5 * rows + 0.6)
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        for i, (ax, name) in enumerate(zip(axes, names)):
            bands = [r.get(kind, {}).get(name, [np.nan] * 9) for r in records]
            draw_bands(ax, steps, bands, name, colour=f"C{KINDS.index(kind)}")
            if i >= len(names) - cols:
                ax.set_xlabel("step", fontsize=8)
        for ax in axes[len(names):]:
            ax.set_axis_off()
        fig.suptitle(f"{kind} over training: bands max-min, 93-7%, 84-16%, 69-31%, "
                     f"line median")
        figures.append((kind, fig, names))
    if not figures:
        raise ValueError(f"Observer.plot_distributions: no tensor matches {tensors!r}")
    return figures


def draw_bands(ax, steps, bands, title, colour="C0"):
    """TensorBoard-style distribution: nested bands max..min, 93..7, 84..16, 69..31 and
    the median line, of `bands` (steps x 9, from max down to min) over `steps`.

    The y range follows the 93..7 band (with a margin) when max/min would squash it;
    the title then says so."""
    bands = np.asarray(bands, dtype=np.float64)
    for k, alpha in enumerate(BAND_ALPHAS):
        ax.fill_between(steps, bands[:, k], bands[:, -1 - k], color=colour, alpha=alpha,
                        linewidth=0)
    ax.plot(steps, bands[:, 4], color=colour, linewidth=1.2)
    if np.isfinite(bands).any():
        low, high = np.nanmin(bands[:, 7]), np.nanmax(bands[:, 1])
        bottom, top = np.nanmin(bands[:, 8]), np.nanmax(bands[:, 0])
        margin = 0.6 * (high - low)
        if margin > 0 and (low - margin > bottom or high + margin < top):
            ax.set_ylim(max(bottom, low - margin), min(top, high + margin))
            title += "  (max/min off scale)"
    ax.set_title(title, fontsize=9)
    ax.tick_params(labelsize=7)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(alpha=0.3)


# -- predictions and vectors -------------------------------------------------------

def classifying_figure(images, labels, probs, idxs, top_k, name):
    """A grid of inputs, each titled "pred p / true t" (green when right, red when
    wrong) above a bar chart of its `top_k` class probabilities."""
    n = len(images)
    cols = min(n, 4) if n <= 8 else math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    top_k = min(top_k, probs.shape[1])
    fig = new_figure(2.3 * cols, 3.3 * rows + 0.4)
    cells = fig.subfigures(rows, cols, squeeze=False).ravel()
    for cell, image, label, p, idx in zip(cells, images, labels, probs, idxs):
        top, bars = cell.subplots(2, 1, height_ratios=[3, 1.4])
        predicted = int(np.argmax(p))
        right = np.ndim(label) == 0 and predicted == int(label)
        top.imshow(_as_picture(image), cmap="gray", interpolation="nearest")
        top.set_axis_off()
        true = label if np.ndim(label) == 0 else "?"
        top.set_title(f"#{idx}: pred {predicted} / true {true}", fontsize=9,
                      color="tab:green" if right else "tab:red")
        order = np.argsort(p)[::-1][:top_k]
        first = "C2" if right else "C3"
        bars.barh(range(top_k), p[order][::-1],
                  color=[first if k == 0 else "C0" for k in range(top_k)][::-1])
        bars.set_yticks(range(top_k), [str(c) for c in order[::-1]], fontsize=8)
        bars.set_xlim(0, 1)
        bars.tick_params(axis="x", labelsize=7)
        for k, c in enumerate(order[::-1]):
            bars.text(min(p[c] + 0.02, 0.75), k, f"{p[c]:.2f}", va="center", fontsize=7)
    for cell in cells[n:]:
        cell.set_facecolor("white")
    fig.suptitle(f"predictions of '{name}' on validation examples (top {top_k} probabilities)")
    return fig


def _as_picture(image):
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 3 and image.shape[-1] == 1:
        return image[..., 0]
    if image.ndim == 3 and image.shape[-1] == 3:
        return (image - image.min()) / max(float(image.max() - image.min()), 1e-12)
    if image.ndim == 2:
        return image
    return near_square(image.ravel())


def vector_activation_figure(value, example, title, max_examples=32):
    """(N, U) outputs: a bar chart of `example`'s U units above a heat map of up to
    `max_examples` examples x U units."""
    units = value.shape[1]
    fig = new_figure(min(14.0, max(6.0, units * 0.05 + 4)), 6.0)
    bars, heat = fig.subplots(2, 1, height_ratios=[1, 1.6])
    bars.bar(range(units), value[example], width=1.0 if units > 64 else 0.8, color="C0")
    bars.set_xlim(-0.5, units - 0.5)
    bars.set_title(f"{title}: example {example}, {units} units", fontsize=10)
    bars.set_ylabel("activation")
    bars.grid(alpha=0.3, axis="y")
    batch = value[:max_examples]
    draw_image(fig, heat, batch, f"{len(batch)} validation examples x {units} units",
               signed=bool(batch.min() < 0), colorbar_label="activation")
    heat.set_axis_on()
    heat.set_aspect("auto")
    heat.set_xlabel("unit")
    heat.set_ylabel("example")
    return fig
