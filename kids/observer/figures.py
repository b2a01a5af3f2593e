"""The Observer's figure of one layer: its filters (weights) or its activations."""
import numpy as np

from akid.kids.observer import charts, mosaics

STYLES = {"rgb": "RGB, each filter scaled to [0, 1]", "image": "one tile a filter",
          "channels": "one tile a filter (its input channels inside)",
          "flat": "weights of each unit on a square"}


def filter_figure(name, weights, full_shape, input_shape, fed_by_input, layout, scale,
                  chosen=None):
    """The tiles figure of a weighted layer's filters (the last axis of its weights).

    Args:
      name: the layer as titles name it, e.g. "conv1 (ConvolutionLayer)".
      weights: the weights to draw (the first filters of the layer's, when cut).
      full_shape: the shape of all the layer's weights.
      input_shape: the layer's per-example input shape, or None.
      fed_by_input: the layer reads the brain's input (RGB filters are images).
      layout, scale: as for `Observer.visualize_filters`.
      chosen: the indices `weights` holds, when a block's bag chose them (see `bag_filters`).

    Returns: (figure, info): info holds "filters", "tiles", "grid", "tile_shape", "style"
    (and "chosen", the indices drawn, when the bag chose).
    """
    if weights.ndim not in (2, 4):  # a weighted layer of another kind: drawn as (D, out)
        weights = weights.reshape(-1, weights.shape[-1])
    filters = full_shape[-1]
    tiles, style = mosaics.filter_tiles(weights, input_shape, fed_by_input, scale)
    count = f"{filters}" if len(tiles) == filters else f"first {len(tiles)} of {filters}"
    if isinstance(chosen, list):
        count = f"{len(tiles)} (bag filters_to_visual) of {filters}"
    if weights.ndim == 4:
        what = "filters of " + "x".join(str(d) for d in full_shape[:-1])
    else:
        layout_of = "" if style == "flat" else f" ({'x'.join(map(str, input_shape))})"
        what = f"units over {weights.shape[0]} inputs{layout_of}"
    fig, grid = mosaics.tiles_figure(
        tiles, layout, f"{name}: {count} {what}\n{STYLES[style]}", signed=style != "rgb",
        nested=style == "channels",
        colorbar_label="weight / max |weight| of its filter" if scale == "filter" else "weight")
    info = {"filters": filters, "tiles": len(tiles), "grid": grid,
            "tile_shape": tuple(tiles[0].shape), "style": style}
    if isinstance(chosen, list):
        info["chosen"] = chosen[:len(tiles)]
    return fig, info


def akid_argument_order(layout, layers, save_to):
    """(layout, layers, save_to), taking akid's order `visualize_filters(layers, layout,
    big_resolution)` when the first argument names blocks (a str, list or tuple) and the
    second does not; akid's third argument, a bool, is then no folder."""
    names = (str, list, tuple)
    if isinstance(layout, names) and not isinstance(layers, names):
        return layers, layout, None if isinstance(save_to, bool) else save_to
    return layout, layers, save_to


def bag_filters(path, block, count):
    """Which of `block`'s `count` filters to draw: the list in its `bag["filters_to_visual"]`
    (akid's Block argument `bag`), else all of them (`slice(None)`)."""
    bag = getattr(block, "bag", None)
    chosen = bag.get("filters_to_visual") if isinstance(bag, dict) else None
    if chosen is None:
        return slice(None)
    given = list(chosen) if isinstance(chosen, (list, tuple)) else chosen  # not a ListWrapper
    indices = list(chosen) if isinstance(chosen, (list, tuple, range, np.ndarray)) else []
    if not indices or not all(isinstance(i, (int, np.integer)) and not isinstance(i, bool)
                              and 0 <= i < count for i in indices):
        raise ValueError(f"Observer.visualize_filters: block '{path}' "
                         f"({type(block).__name__}): bag['filters_to_visual'] must be a "
                         f"non-empty list of filter indices in [0, {count}), got {given!r}")
    return [int(i) for i in indices]


def activation_figure(name, value, example, label=""):
    """The figure of a block's output `value` on a batch, for `example`: feature maps for
    (N, H, W[, C]) outputs, a bar chart over a heat map for (N, U). Returns (figure, tiles)."""
    if value.ndim == 2:
        return charts.vector_activation_figure(value, example, name + label), value.shape[1]
    maps = value[example] if value.ndim == 4 else value[example][..., None]
    tiles = maps.shape[-1]
    title = (f"{name}\n{tiles} feature map{'s' if tiles > 1 else ''} of "
             f"{'x'.join(map(str, maps.shape[:2]))}, validation example {example}{label}")
    fig, _ = mosaics.tiles_figure([maps[..., c] for c in range(tiles)], {"type": "dynamic"},
                                  title, signed=bool(value.min() < 0),
                                  colorbar_label="activation", show_layout=False)
    return fig, tiles


def are_probabilities(scores):
    """Whether (N, classes) `scores` are probabilities already (else logits, to softmax)."""
    return bool(np.all(scores >= 0) and np.allclose(scores.sum(axis=1), 1.0, atol=1e-3))
