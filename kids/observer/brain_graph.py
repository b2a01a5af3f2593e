"""Graph drawing: a block DAG top-down by depth, with matplotlib and as Graphviz text.

No graphviz dependency: the layout is layered (a node's row is its longest-path
depth from the input), which is all a brain's mostly-chain DAG needs.
"""
import tensorflow as tf
from matplotlib.patches import Patch

from akid.blocks.systems import SYSTEM_IN
from akid.kids.observer.mosaics import new_figure

ROLE_COLOURS = {"input": "#d9d9d9", "data": "#cfe2f3", "weighted": "#fce5cd",
                "loss": "#f4cccc", "eval": "#d9ead3"}
LEGEND = {"input": "input", "data": "data block", "weighted": "block with weights",
          "loss": "loss", "eval": "metric"}


def describe_brain(brain, input_shape=None):
    """(graph, labels, roles) of `brain.graph()`: each node labelled with its path, class
    and output shape, and given a role for its colour ("weighted" for blocks with
    variables). `input_shape`: the batch's shape, to label the input with."""
    graph = brain.graph()
    labels, roles = {}, {}
    for node in graph["nodes"]:
        if node == SYSTEM_IN:
            shape = tf.TensorShape(input_shape) if input_shape is not None else None
            labels[node] = f"{SYSTEM_IN}\n[data, labels]\n{format_shape(shape)}"
            roles[node] = "input"
            continue
        block = brain.get_layer_by_name(node)
        labels[node] = f"{node}\n{type(block).__name__}\n{format_shape(block.output_shape)}"
        roles[node] = "weighted" if block.is_setup and block.var_list else block.role
    return graph, labels, roles


def format_shape(shape):
    """A block's output shape (batch first) as "(N, 28, 28, 32)", "scalar" or "shape ?"."""
    if isinstance(shape, list):
        return ", ".join(format_shape(s) for s in shape)
    if shape is None or shape.rank is None:
        return "shape ?"
    if shape.rank == 0:
        return "scalar"
    return "(N, " + ", ".join(str(d) for d in shape.as_list()[1:]) + ")"


def layered_layout(nodes, edges):
    """{node: (row, col)}: the row is the longest-path depth from a source; rows are
    centred on col 0, nodes keep their order within a row."""
    depth = {node: 0 for node in nodes}
    for _ in nodes:  # relax until stable: at most len(nodes) passes on a DAG
        changed = False
        for src, dst in edges:
            if depth[dst] < depth[src] + 1:
                depth[dst], changed = depth[src] + 1, True
        if not changed:
            break
    rows = {}
    for node in nodes:
        rows.setdefault(depth[node], []).append(node)
    return {node: (row, i - (len(members) - 1) / 2)
            for row, members in rows.items() for i, node in enumerate(members)}


def draw_graph(nodes, edges, labels, roles, title):
    """A top-down drawing of the DAG: boxes (coloured by role) joined by arrows."""
    position = layered_layout(nodes, edges)
    rows = max(r for r, _ in position.values()) + 1
    width = max(sum(1 for r, _ in position.values() if r == row) for row in range(rows))
    fig = new_figure(max(5.0, 3.2 * width + 1.5), max(3.0, 0.95 * rows + 0.8))
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(title)
    boxes = {}
    for node in nodes:
        row, col = position[node]
        boxes[node] = ax.text(col * 3.2, -row, labels[node], ha="center", va="center",
                              fontsize=8, zorder=2,
                              bbox=dict(boxstyle="round,pad=0.35",
                                        fc=ROLE_COLOURS[roles[node]], ec="#555555"))
    for src, dst in edges:
        (r0, c0), (r1, c1) = position[src], position[dst]
        # an edge that skips rows bends outwards, away from the boxes in between
        bend = 0.0 if 0 < r1 - r0 <= 1 else (0.3 if c1 < c0 or (c1 == c0 and c0 <= 0) else -0.3)
        ax.annotate("", xy=(c1 * 3.2, -r1), xytext=(c0 * 3.2, -r0), zorder=1,
                    arrowprops=dict(arrowstyle="-|>", color="#555555", lw=1,
                                    patchA=boxes[src].get_bbox_patch(),
                                    patchB=boxes[dst].get_bbox_patch(),
                                    connectionstyle=f"arc3,rad={bend}"))
    handles = [Patch(fc=ROLE_COLOURS[r], ec="#555555", label=LEGEND[r])
               for r in ROLE_COLOURS if r in roles.values()]
    ax.legend(handles=handles, loc="upper left", fontsize=7, frameon=False)
    half = (width - 1) / 2 * 3.2 + 1.8
    ax.set_xlim(-half - 0.8, half + 0.8)
    ax.set_ylim(-(rows - 1) - 0.6, 0.6)
    return fig


def to_dot(nodes, edges, labels, roles, name):
    """The DAG as Graphviz `.dot` text (render with `dot -Tpng graph.dot -o graph.png`)."""
    def quote(text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    lines = [f"digraph {quote(name)} {{", "  rankdir=TB;",
             '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];']
    lines += [f"  {quote(n)} [label={quote(labels[n])}, fillcolor={quote(ROLE_COLOURS[roles[n]])}];"
              for n in nodes]
    lines += [f"  {quote(src)} -> {quote(dst)};" for src, dst in edges]
    return "\n".join(lines + ["}"]) + "\n"
