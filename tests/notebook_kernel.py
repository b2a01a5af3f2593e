"""Running notebooks in a real Jupyter kernel for the tests: a kernel spec for this
interpreter, a NotebookClient that keeps display updates, and what to read back from
an executed notebook (its PNGs, its printed text, its HTML)."""
import base64
import json
import os
import pathlib
import re
import sys
import time

import nbformat
from nbclient import NotebookClient

REPO = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "examples" / "notebooks"
WIDGET = "application/vnd.jupyter.widget-view+json"
OBSERVER_CALL = re.compile(r"\b(observer|Observer\(.*\))\.(visualize|plot)_\w+\(")


class Client(NotebookClient):
    """A NotebookClient that also keeps, per cell, the data of every display update
    (`update_display_data`: a display redrawn in place), which a notebook file does not."""

    def __init__(self, nb, cwd, kernel_name):
        super().__init__(nb, timeout=600, kernel_name=kernel_name,
                         resources={"metadata": {"path": str(cwd)}})
        self.updates = {}

    def process_message(self, msg, cell, cell_index):
        if msg["msg_type"] == "update_display_data":
            self.updates.setdefault(cell_index, []).append(msg["content"]["data"])
        return super().process_message(msg, cell, cell_index)


def run_notebook(name, cwd, kernel_name):
    """Executes examples/notebooks/<name>.ipynb in a fresh kernel working in `cwd`; a cell
    that raises fails the test with its traceback. Returns (notebook, client, seconds)."""
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    client = Client(nb, cwd, kernel_name)
    started = time.perf_counter()
    client.execute()
    return nb, client, time.perf_counter() - started


def code_cells(nb):
    return [(i, cell) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]


def pngs(outputs):
    return [base64.b64decode(o["data"]["image/png"]) for o in outputs
            if "image/png" in o.get("data", {})]


def text_of(outputs, name="stdout"):
    return "".join(o.get("text", "") for o in outputs
                   if o["output_type"] == "stream" and o["name"] == name)


def assert_runs_as_users_run_it(nb):
    """Every code cell ran, none errored, and none drew through pyplot or showed a
    figure as text."""
    for i, cell in code_cells(nb):
        assert cell.execution_count is not None, f"cell {i} did not run"
        assert "pyplot" not in cell.source and "%matplotlib" not in cell.source
        for output in cell.outputs:
            assert output["output_type"] != "error", f"cell {i}: {output.get('evalue')}"
            plain = output.get("data", {}).get("text/plain", "")
            assert not plain.startswith("<Figure size"), f"cell {i} shows a figure as text"
        assert "IProgress not found" not in text_of(cell.outputs, "stderr")


def assert_each_picture_shown_once(nb, png_files):
    """The cells that call the Observer show, between them, every PNG it wrote, each
    exactly once as an image/png (what a notebook shows is the file written)."""
    files = {pathlib.Path(p).read_bytes(): p for p in png_files}
    assert files, "the Observer wrote no PNG"
    shown = []
    for i, cell in code_cells(nb):
        if OBSERVER_CALL.search(cell.source):
            images = pngs(cell.outputs)
            assert images, f"cell {i} calls the Observer but shows no picture"
            shown += images
    unknown = [i for i, png in enumerate(shown) if png not in files]
    assert not unknown, f"pictures {unknown} shown are none of the PNGs written"
    assert sorted(map(files.get, shown)) == sorted(files.values()), \
        "each PNG written must be shown exactly once"


def cell_with(nb, source_part):
    found = [(i, c) for i, c in code_cells(nb) if source_part in c.source]
    assert len(found) == 1, f"{len(found)} code cells hold {source_part!r}"
    return found[0]


def html_of_cells_ending_with(nb, name):
    """The text/html shown by the cells whose last line is `name` (an object shown)."""
    return [c.outputs[-1]["data"]["text/html"] for _, c in code_cells(nb)
            if c.source.strip().split("\n")[-1] == name]


def copy_to_docs(png, name):
    """With AKID_WRITE_DOCS=1, keeps `png` as docs/<name> (the README shows it)."""
    if os.environ.get("AKID_WRITE_DOCS") == "1":
        (REPO / "docs" / name).write_bytes(png)


def write_kernel_spec(folder):
    """Writes `folder/kernels/akid-test/` (a kernel running this interpreter, the one
    with akid installed, whatever other "python3" kernels the machine has); returns
    its name. Put `folder` on JUPYTER_PATH."""
    spec = pathlib.Path(folder) / "kernels" / "akid-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "akid test", "language": "python", "interrupt_mode": "signal"}))
    return spec.name
