"""Pictures: what an Observer drawing returns -- PNG paths with their figures -- and
how figures are shown: as PNG images in a notebook, nowhere otherwise.

The Observer's figures are made without pyplot (`matplotlib.figure.Figure`), and
IPython draws such a Figure as a picture only once matplotlib's inline support
is set up (`%matplotlib inline` or an import of pyplot); without it a notebook
gets the text `<Figure size ...>`. So a figure is shown here as an
`IPython.display.Image` of its PNG, which every frontend draws, exactly once,
with no pyplot and no `%matplotlib`. `html_table` is the HTML a notebook shows
for a Kid and for the tuner's results.

Importing it switches matplotlib to Agg when there is no display but a GUI
backend is configured (a notebook's inline backend is left alone).
"""
import html
import io
import os
import sys

import matplotlib


def use_agg_when_headless():
    """Switches matplotlib to Agg when there is no display but a GUI backend is configured.

    A notebook's inline backend, or any non-GUI backend, is left alone.
    """
    if not sys.platform.startswith("linux") or os.environ.get("DISPLAY") \
            or os.environ.get("WAYLAND_DISPLAY"):
        return
    from matplotlib.backends import BackendFilter, backend_registry
    gui = set(backend_registry.list_builtin(BackendFilter.INTERACTIVE))
    if matplotlib.get_backend().lower() in {b.lower() for b in gui}:
        matplotlib.use("Agg")


use_agg_when_headless()


class Pictures(list):
    """The paths of the PNGs one drawing wrote, plus `figures` (the matplotlib
    Figures, in the same order) and `info` (one dict a picture: what it shows,
    e.g. {"path": ..., "layer": "conv1/conv", "tiles": 32, "grid": (6, 6)})."""

    def __init__(self, paths=(), figures=(), info=()):
        super().__init__(paths)
        self.figures = list(figures)
        self.info = list(info)

    def add(self, path, figure, **info):
        self.append(path)
        self.figures.append(figure)
        self.info.append({"path": path, **info})


def in_notebook():
    """Whether this process is a Jupyter kernel (notebook, JupyterLab, VS Code, qtconsole):
    an IPython shell with a frontend that can draw pictures. A terminal IPython has none."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return getattr(shell, "kernel", None) is not None


def png_bytes(figure, dpi=100):
    """`figure` rendered as PNG bytes, on white, as `mosaics.save` writes it to a file."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def png_image(png):
    """An `IPython.display.Image` of PNG bytes: what a notebook shows as one `image/png`."""
    from IPython.display import Image
    return Image(data=png, format="png")


def show(pictures):
    """Displays each picture of `pictures` once, as an `image/png`, in a notebook; returns
    `pictures`. Outside a Jupyter kernel nothing is shown.

    The image shown is the PNG file the drawing wrote (its figure is rendered
    afresh only when the file is gone), so what a notebook shows is what was saved.
    """
    if not in_notebook():
        return pictures
    from IPython.display import display
    for path, figure in zip(pictures, pictures.figures):
        if os.path.isfile(path):
            with open(path, "rb") as f:
                png = f.read()
        else:
            png = png_bytes(figure)
        display(png_image(png))
    return pictures


def html_table(header, rows, caption=None):
    """An HTML table (for a `_repr_html_`): a row of `header` cells (None: no header row),
    then `rows`, every cell escaped; `caption` (plain text) above it."""
    def cells(row, tag):
        return "".join(f"<{tag}>{html.escape(str(cell))}</{tag}>" for cell in row)
    caption = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    head = f"<thead><tr>{cells(header, 'th')}</tr></thead>" if header is not None else ""
    body = "".join(f"<tr>{cells(row, 'td')}</tr>" for row in rows)
    return f"<table>{caption}{head}<tbody>{body}</tbody></table>"
