"""Drawing: tiles on a grid -- filters and feature maps as matplotlib pictures.

Weights become tiles (one a filter), tiles become a mosaic in one of akid's
four layouts, and a mosaic becomes a heat map with a colour bar. Figures are
`matplotlib.figure.Figure` objects made without pyplot, so they never pile up
in pyplot's figure manager (no "too many figures" warning, nothing to close):
a figure lives as long as someone holds it.
"""
import math
import os

import matplotlib
import numpy as np
from matplotlib.figure import Figure

LAYOUTS = ("normal", "square", "inverse", "dynamic")
GAP_COLOUR = "#8c8c8c"  # gaps on a diverging map: gray, apart from white (zero) weights


# -- layouts and mosaics ---------------------------------------------------------

def check_layout(layout):
    """Returns `layout` as {"type": ..., "num": ...}, checked; None means {"type": "square"}."""
    layout = dict(layout or {"type": "square"})
    kind = layout.get("type")
    if kind not in LAYOUTS or set(layout) - {"type", "num"}:
        raise ValueError(f"Observer: layout must be {{'type': one of {LAYOUTS}, 'num': k}}, "
                         f"got {layout!r}")
    num = layout.get("num")
    if kind in ("normal", "inverse") and (isinstance(num, bool) or not isinstance(num, int)
                                          or num <= 0):
        what = "a column count" if kind == "normal" else "a count of filters per column"
        raise ValueError(f"Observer: layout {kind!r} needs 'num', {what} (a positive int), "
                         f"got {num!r}")
    return layout


def grid_shape(n, layout, tile_shape=(1, 1), aspect=4 / 3):
    """(rows, cols) of a grid of `n` tiles of `tile_shape` (h, w) pixels.

    normal: `num` columns; square: ceil(sqrt(n)) columns; inverse: `num` tiles
    a column; dynamic: the column count whose grid is closest to `aspect`
    (width / height, by default matplotlib's 4:3 figure).
    """
    layout = check_layout(layout)
    kind, num = layout["type"], layout.get("num")
    if kind == "inverse":
        rows = min(num, n)
        return rows, math.ceil(n / rows)
    if kind == "normal":
        cols = min(num, n)
    elif kind == "square":
        cols = math.ceil(math.sqrt(n))
    else:
        h, w = tile_shape[0] + 1, tile_shape[1] + 1

        def misfit(c):
            return (abs(math.log(c * w / (math.ceil(n / c) * h) / aspect)),
                    math.ceil(n / c) * c - n)
        cols = min(range(1, n + 1), key=misfit)
    return math.ceil(n / cols), cols


def mosaic(tiles, rows, cols, pad=1, column_major=False):
    """One image of `tiles` (equal (h, w) or (h, w, 3) arrays) on a rows x cols grid.

    Gaps and empty cells are NaN (drawn in the gap colour); RGB tiles get white gaps.
    """
    return framed_mosaic(tiles, rows, cols, pad, column_major)[0]


def framed_mosaic(tiles, rows, cols, pad=1, column_major=False):
    """(mosaic, between, empty): boolean masks of the gaps between tiles plus the empty
    cells, and of the empty cells alone, so a drawing can paint them apart from gaps
    inside a tile (see `draw_image(white=...)`)."""
    tiles = [np.asarray(t, dtype=np.float32) for t in tiles]
    h, w = tiles[0].shape[:2]
    colour = tiles[0].shape[2:]
    size = (rows * (h + pad) - pad, cols * (w + pad) - pad)
    image = np.full((*size, *colour), 1.0 if colour else np.nan, dtype=np.float32)
    between = np.ones(size, dtype=bool)
    empty = np.zeros(size, dtype=bool)
    for i in range(rows * cols):
        r, c = (i % rows, i // rows) if column_major else divmod(i, cols)
        cell = np.s_[r * (h + pad):r * (h + pad) + h, c * (w + pad):c * (w + pad) + w]
        if i < len(tiles):
            image[cell] = tiles[i]
            between[cell] = False
        else:  # the empty cell and the gaps around it
            empty[max(r * (h + pad) - pad, 0):(r + 1) * (h + pad),
                  max(c * (w + pad) - pad, 0):(c + 1) * (w + pad)] = True
    return image, between, empty


def compact_grid(n):
    """(rows, cols) for `n` cells with no empty cell when a factorization is no wider
    than 2:1 (32 -> 4 x 8), else ceil(sqrt(n)) columns."""
    cols = math.ceil(math.sqrt(n))
    exact = next((c for c in range(cols, 2 * cols + 1) if n % c == 0), None)
    if exact is not None and exact <= 2 * (n // exact):
        cols = exact
    return math.ceil(n / cols), cols


def channel_grid(array):
    """An (H, W, C) array as one 2-D image: its C channels on a compact grid."""
    channels = [array[..., c] for c in range(array.shape[-1])]
    if len(channels) == 1:
        return channels[0]
    return mosaic(channels, *compact_grid(len(channels)))


def near_square(vector):
    """A 1-D vector as a near-square 2-D image (NaN-padded when n has no close factors)."""
    n = vector.size
    rows, cols = compact_grid(n)
    image = np.full(rows * cols, np.nan, dtype=np.float32)
    image[:n] = vector
    return image.reshape(rows, cols)


# -- figures -----------------------------------------------------------------

def new_figure(width, height):
    """A Figure of `width` x `height` inches with constrained layout (no pyplot)."""
    return Figure(figsize=(width, height), layout="constrained")


def image_figure_size(image_shape, extra_width=1.4, extra_height=0.9):
    """Inches that show an image of `image_shape` pixels at 2 figure pixels a pixel (at
    100 dpi), its long side within 7 to 18 inches; room for a title and colour bar."""
    h, w = image_shape[:2]
    scale = min(max(0.02, 7.0 / max(h, w)), 18.0 / max(h, w))
    return max(w * scale + extra_width, 5.5), h * scale + extra_height


def draw_image(fig, ax, image, title, signed=True, colorbar_label=None, white=None):
    """Shows a 2-D image (a heat map with a colour bar) or an RGB image on `ax`.

    signed: a diverging map centred on zero (weights), gaps gray; otherwise
    viridis from the minimum (activations), gaps white. The limits are robust:
    the 99.5th percentile of |x| (of x when unsigned). `white`: a mask painted
    white over the image (empty cells; the gaps between tiles made of sub-tiles).
    """
    ax.set_axis_off()
    ax.set_title(title)
    if image.ndim == 3:
        return ax.imshow(np.clip(image, 0, 1), interpolation="nearest")
    finite = image[np.isfinite(image)]
    if signed:
        top = float(np.percentile(np.abs(finite), 99.5)) if finite.size else 1.0
        limits = dict(vmin=-(top or 1.0), vmax=top or 1.0)
        colours = matplotlib.colormaps["RdBu_r"].with_extremes(bad=GAP_COLOUR)
    else:
        low = float(finite.min()) if finite.size else 0.0
        top = float(np.percentile(finite, 99.5)) if finite.size else 1.0
        limits = dict(vmin=low, vmax=top if top > low else low + 1.0)
        colours = matplotlib.colormaps["viridis"].with_extremes(bad="white")
    shown = ax.imshow(image, cmap=colours, interpolation="nearest", **limits)
    if white is not None and white.any():
        overlay = np.zeros((*white.shape, 4), dtype=np.float32)
        overlay[white] = 1.0
        ax.imshow(overlay, interpolation="nearest")
    bar = fig.colorbar(shown, ax=ax, shrink=0.8, extend="both" if signed else "max")
    if colorbar_label:
        bar.set_label(colorbar_label)
    return shown


def save(fig, path, dpi=100):
    """Writes `fig` as a PNG at `path` (making its folder), and nothing else; returns the path."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=dpi, facecolor="white")
    return path


def safe_name(path):
    """`conv1/conv` -> `conv1_conv`: a block path as a file name."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in path)


def tiles_figure(tiles, layout, title, signed=True, colorbar_label=None, nested=False,
                 show_layout=True):
    """(Figure, (rows, cols)): `tiles` laid out on a grid as one picture.

    nested: the tiles are grids themselves (a filter's input channels); the gaps
    between tiles are then wider and white, those inside a tile gray.
    """
    layout = check_layout(layout)
    rows, cols = grid_shape(len(tiles), layout, tiles[0].shape)
    image, between, empty = framed_mosaic(tiles, rows, cols, pad=3 if nested else 1,
                                          column_major=layout["type"] == "inverse")
    if show_layout:
        title += f"\nlayout '{layout['type']}': {rows} rows x {cols} cols"
    fig = new_figure(*image_figure_size(image.shape))
    draw_image(fig, fig.add_subplot(), image, title, signed=signed,
               colorbar_label=colorbar_label, white=between if nested else empty)
    return fig, (rows, cols)


def filter_tiles(weights, input_shape=None, rgb_input=False, scale="filter"):
    """One tile a filter (the last axis of `weights`), and how they look.

    Args:
      weights: (kh, kw, in, out) convolution or (D, out) inner-product weights.
      input_shape: an inner product's per-example input shape; (H, W) or (H, W, C)
        of D elements gives each unit an image of that layout.
      rgb_input: the layer reads the images themselves, so 3 channels are RGB.
      scale: "filter" divides each filter by its largest |weight|; "layer" keeps weights.

    Returns: (tiles, style), style one of "image" (one channel), "rgb" (scaled to
    [0, 1] per filter), "channels" (the input channels on a grid inside the tile)
    or "flat" (a unit's weights on a near-square).
    """
    w = np.asarray(weights, dtype=np.float32)
    if scale == "filter":
        w = w / np.maximum(np.abs(w).max(axis=tuple(range(w.ndim - 1))), 1e-12)
    if w.ndim == 4:
        spatial = np.moveaxis(w, -1, 0)  # (out, kh, kw, in)
    elif input_shape is not None and len(input_shape) in (2, 3) \
            and int(np.prod(input_shape)) == w.shape[0]:
        spatial = w.T.reshape(-1, *input_shape[:2], input_shape[2] if len(input_shape) == 3 else 1)
    else:
        return [near_square(w[:, j]) for j in range(w.shape[-1])], "flat"
    if spatial.shape[-1] == 3 and rgb_input:
        low = spatial.min(axis=(1, 2, 3), keepdims=True)
        high = spatial.max(axis=(1, 2, 3), keepdims=True)
        return list((spatial - low) / np.maximum(high - low, 1e-12)), "rgb"
    return [channel_grid(f) for f in spatial], "channels" if spatial.shape[-1] > 1 else "image"
