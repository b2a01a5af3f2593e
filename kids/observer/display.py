"""Pictures: what an Observer drawing returns -- PNG paths with their figures -- and
how figures are shown: in a notebook when running under IPython, nowhere otherwise.

Importing it switches matplotlib to Agg when there is no display but a GUI
backend is configured (a notebook's inline backend is left alone).
"""
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


def show(pictures):
    """Displays the figures of `pictures` when running under IPython; returns `pictures`."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return pictures
    if get_ipython() is not None:
        for fig in pictures.figures:
            display(fig)
    return pictures
