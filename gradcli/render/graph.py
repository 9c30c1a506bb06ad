"""The faces of a ``GraphResult`` (``gradcli graph``): a Rich tree, Graphviz DOT and Mermaid.

Every node shows what torchviz shows (the grad_fn name, or the variable's name for a leaf,
and the output shape) and also what it does not: the value computed there and the gradient
that flows into it during the backward pass, both summarised on one line by ``summarize``.

Direction: DOT and Mermaid draw edges from each input to the node that consumes it, so the
arrows follow the data, and lay the graph out top to bottom (``rankdir=TB``,
``flowchart TD``): the leaves sit at the top and the result at the bottom, as in torchviz.
The tree is the other way round: rooted at the result, each node's children are its inputs.

``render_file`` turns DOT text into a ``.dot`` file itself and into ``.svg``, ``.png`` or
``.pdf`` through Graphviz's ``dot`` program.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import GradcliError
from ..results import GraphNode, GraphResult
from .torch_repr import tensor_repr

if TYPE_CHECKING:
    from rich.tree import Tree

__all__ = ["DOT_TIMEOUT", "RENDER_FORMATS", "render_file", "summarize", "to_dot", "to_mermaid",
           "to_tree"]

#: File extensions ``render_file`` accepts and the ``dot -T`` format of each (None: DOT text).
RENDER_FORMATS: dict[str, str | None] = {".dot": None, ".gv": None, ".svg": "svg", ".png": "png",
                                         ".pdf": "pdf"}
#: Seconds the ``dot`` program may take before the rendering is abandoned.
DOT_TIMEOUT = 60.0

INSTALL_HINT = ("install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install "
                "graphviz), or use --format dot and render it elsewhere")

# Fill colours shared by DOT and Mermaid: ops blue, leaves green, constants grey, result orange.
_OP_FILL, _OP_STROKE = "#dbe9f6", "#4a78a8"
_LEAF_FILL, _LEAF_STROKE = "#c7e9c0", "#3b8a3b"
_CONST_FILL, _CONST_STROKE = "#eeeeee", "#999999"
_ROOT_FILL, _ROOT_STROKE = "#fdd9a9", "#c0701a"


# --- summaries -----------------------------------------------------------------------------

def _as_array(value: Any) -> np.ndarray:
    """A numpy view of a value: arrays as they are, tensors by their ``.data``, others via numpy."""
    if isinstance(value, np.ndarray):
        return value
    data = getattr(value, "data", None)
    if isinstance(data, np.ndarray):
        return data
    return np.asarray(value)


def _repr_dtype(array: np.ndarray) -> tuple[np.ndarray, str]:
    """The array in a dtype ``tensor_repr`` prints without a ``dtype=`` suffix, and that dtype."""
    kind = array.dtype.kind
    if kind == "b":
        return array, "bool"
    if kind in "iu":
        return array.astype(np.int64), "int64"
    if array.dtype == np.float64:
        return array, "float64"
    return array.astype(np.float32), "float32"


def _values_text(array: np.ndarray) -> str:
    """PyTorch's text of the elements on one line: ``[0., 4., 8., 12.]``, ``28.``, ``nan``."""
    array, dtype = _repr_dtype(array)
    text = tensor_repr(array, dtype, default_float=dtype if dtype.startswith("float") else "float32",
                       full=True)
    body = text[len("tensor("):-1]
    # PyTorch pads elements to a common width and wraps long rows: squeeze that to one line.
    body = re.sub(r"\s+", " ", body)
    return re.sub(r"\[ +", "[", body)


def _number(v: float) -> str:
    """A statistic, short: four significant digits."""
    if float(v).is_integer() and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.4g}"


def _stats_text(array: np.ndarray) -> str:
    """``(min 0, mean 4.5, max 9, 2 nan)``: a big array in a few numbers."""
    if array.dtype.kind == "b":
        return f"({int(np.count_nonzero(array))} of {array.size} True)"
    flat = array.astype(np.float64).ravel()
    finite = flat[np.isfinite(flat)]
    parts = []
    if finite.size:
        parts = [f"min {_number(finite.min())}", f"mean {_number(finite.mean())}",
                 f"max {_number(finite.max())}"]
    for name, count in (("nan", np.isnan(flat).sum()), ("inf", np.isposinf(flat).sum()),
                        ("-inf", np.isneginf(flat).sum())):
        if count:
            parts.append(f"{int(count)} {name}")
    return "(" + ", ".join(parts) + ")"


def summarize(arr: Any, max_items: int = 6) -> str:
    """A value or gradient on one short line.

    ``None`` gives ``"—"``; a scalar its PyTorch text (``28.``); an array of at most
    ``max_items`` elements all of them (``[0., 4., 8., 12.]``); a longer vector its first and
    last items around ``...``; a bigger array of two or more dimensions its minimum, mean and
    maximum over the finite elements plus a count of each non-finite kind
    (``(min 0, mean 4.5, max 9, 2 nan)``). NaN and infinities print as ``nan``, ``inf``.
    """
    if arr is None:
        return "—"
    array = _as_array(arr)
    if array.dtype.kind not in "biuf":
        text = " ".join(str(arr).split())
        return text if len(text) <= 60 else text[:57] + "..."
    if array.size == 0:
        return "[]" if array.ndim == 1 else f"[] (shape {tuple(array.shape)})"
    if array.ndim == 0 or array.size <= max_items:
        return _values_text(array)
    if array.ndim == 1:
        edge = max(1, max_items // 2)
        items = _values_text(np.concatenate((array[:edge], array[-edge:])))[1:-1].split(", ")
        return "[" + ", ".join(items[:edge] + ["..."] + items[edge:]) + "]"
    return _stats_text(array)


# --- shared helpers ------------------------------------------------------------------------

def _shape_text(shape: tuple[int, ...] | list[int]) -> str:
    return str(tuple(int(n) for n in shape))


def _by_id(graph: GraphResult) -> dict[str, GraphNode]:
    nodes = {node.id: node for node in graph.nodes}
    if graph.root not in nodes:
        raise ValueError(f"graph root {graph.root!r} is not one of its nodes")
    return nodes


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Words that cannot be node ids in DOT (any case) or that break a Mermaid flowchart.
_RESERVED = frozenset({"node", "edge", "graph", "digraph", "subgraph", "strict", "end",
                       "flowchart", "class", "classdef", "style", "linkstyle", "click",
                       "direction", "default"})


def _output_ids(graph: GraphResult) -> dict[str, str]:
    """The id each node gets in DOT and Mermaid: its own when safe, else ``node_<i>``."""
    ids: dict[str, str] = {}
    used = {n.id for n in graph.nodes}
    for i, node in enumerate(graph.nodes):
        if _IDENT.match(node.id) and node.id.lower() not in _RESERVED:
            ids[node.id] = node.id
            continue
        candidate = f"node_{i}"
        while candidate in used:
            candidate += "_"
        used.add(candidate)
        ids[node.id] = candidate
    return ids


def _label_lines(node: GraphNode, max_items: int) -> list[str]:
    """A node's label for DOT and Mermaid: name, shape and dtype, value, grad."""
    lines = [node.label, f"{_shape_text(node.shape)} {node.dtype}".strip()]
    if node.value is not None:
        lines.append(f"value={summarize(node.value, max_items)}")
    if node.grad is not None:
        lines.append(f"grad={summarize(node.grad, max_items)}")
    return lines


def _edges(graph: GraphResult, nodes: dict[str, GraphNode]) -> list[tuple[str, str]]:
    """(input, consumer) for every input of every node that is in the graph, in order.

    An input used twice (``dot(x, x)``) gives two edges; inputs that are not nodes of the
    graph (constants left out) give none.
    """
    edges = []
    for node in reversed(graph.nodes):  # leaves first: the order data flows
        for source in node.inputs:
            if source in nodes:
                edges.append((source, node.id))
    return edges


# --- Rich tree -----------------------------------------------------------------------------

_STYLES = {"op": "bold cyan", "leaf": "bold green", "constant": "dim"}


def to_tree(graph: GraphResult, max_items: int = 6) -> Tree:
    """A ``rich.tree.Tree`` rooted at the result; each node's children are its inputs.

    Each line is ``MulBackward0  () float32  value=28.  grad=1.`` followed, for ops, by the
    local derivative rule on a second, dim line. A node reached a second time (a shared
    subexpression) is written in full once and afterwards as ``x (see above)``; shared ops are
    numbered (``MulBackward0 #1``) so that the reference is unambiguous.
    """
    from rich.text import Text
    from rich.tree import Tree

    nodes = _by_id(graph)
    consumers: dict[str, int] = {}
    for node in graph.nodes:
        for source in node.inputs:
            consumers[source] = consumers.get(source, 0) + 1
    tags: dict[str, str] = {}
    for node in graph.nodes:
        if node.kind != "leaf" and consumers.get(node.id, 0) > 1:
            tags[node.id] = f" #{len(tags) + 1}"

    def line(node: GraphNode) -> Text:
        text = Text(node.label + tags.get(node.id, ""), style=_STYLES.get(node.kind, ""))
        if node.kind == "leaf":
            text.append("  leaf", style="green")
        elif node.kind == "constant":
            text.append("  constant", style="dim")
        text.append(f"  {_shape_text(node.shape)} {node.dtype}", style="dim")
        if node.value is not None:
            text.append(f"  value={summarize(node.value, max_items)}")
        if node.grad is not None:
            text.append("  grad=")
            text.append(summarize(node.grad, max_items), style="yellow")
        if node.derivative and node.kind == "op":
            text.append(f"\nrule: {node.derivative}", style="dim italic")
        return text

    def reference(node: GraphNode) -> Text:
        return Text(f"{node.label}{tags.get(node.id, '')} (see above)", style="dim italic")

    root = nodes[graph.root]
    tree = Tree(line(root), guide_style="dim")
    shown = {root.id}
    # Depth first in print order, inputs in argument order, so that the first time a node is
    # printed it is printed in full; iterative so that deep graphs do not recurse.
    stack: list[tuple[Tree, str]] = [(tree, source) for source in reversed(root.inputs)]
    while stack:
        branch, source = stack.pop()
        child = nodes.get(source)
        if child is None:
            continue
        if child.id in shown:
            branch.add(reference(child))
            continue
        shown.add(child.id)
        sub = branch.add(line(child))
        stack.extend((sub, s) for s in reversed(child.inputs))
    return tree


# --- Graphviz DOT ----------------------------------------------------------------------------

def _dot_string(text: str) -> str:
    """``text`` as a double-quoted DOT string: backslashes and quotes escaped, newlines ``\\n``."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return f'"{text}"'


def to_dot(graph: GraphResult, max_items: int = 6) -> str:
    """A Graphviz ``digraph``: ops are rounded boxes, leaves filled green ellipses, constants
    grey notes, the result drawn with a thicker orange border; edges run input -> consumer and
    the layout is top to bottom. An op's derivative rule is its tooltip (shown by SVG viewers).
    """
    nodes = _by_id(graph)
    ids = _output_ids(graph)
    out = [
        "digraph gradcli {",
        f"  graph [rankdir=TB, label={_dot_string(graph.expr)}, labelloc=t, fontname=\"Helvetica\"];",
        '  node [fontname="Helvetica", fontsize=10];',
        "  edge [arrowsize=0.7];",
    ]
    for node in graph.nodes:
        attrs = {"label": _dot_string("\n".join(_label_lines(node, max_items)))}
        if node.kind == "leaf":
            fill, stroke = _LEAF_FILL, _LEAF_STROKE
            attrs.update(shape="ellipse", style='"filled"')
        elif node.kind == "constant":
            fill, stroke = _CONST_FILL, _CONST_STROKE
            attrs.update(shape="note", style='"filled"')
        else:
            fill, stroke = _OP_FILL, _OP_STROKE
            attrs.update(shape="box", style='"rounded,filled"')
            if node.derivative:
                attrs["tooltip"] = _dot_string(node.derivative)
        if node.id == graph.root:
            fill, stroke = _ROOT_FILL, _ROOT_STROKE
            attrs["penwidth"] = "2"
        attrs.update(fillcolor=f'"{fill}"', color=f'"{stroke}"')
        body = ", ".join(f"{key}={value}" for key, value in attrs.items())
        out.append(f"  {ids[node.id]} [{body}];")
    for source, target in _edges(graph, nodes):
        out.append(f"  {ids[source]} -> {ids[target]};")
    out.append("}")
    return "\n".join(out) + "\n"


# --- Mermaid -------------------------------------------------------------------------------

# Characters that Mermaid or the HTML it renders to would read as syntax, as entity codes.
_MERMAID_ESCAPES = str.maketrans({
    "#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;", "`": "#96;",
    "[": "#91;", "]": "#93;", "(": "#40;", ")": "#41;", "{": "#123;", "}": "#125;", "|": "#124;",
})


def _mermaid_text(text: str) -> str:
    return " ".join(text.splitlines()).translate(_MERMAID_ESCAPES)


def to_mermaid(graph: GraphResult, max_items: int = 6) -> str:
    """A Mermaid ``flowchart TD`` as GitHub renders it in a ```` ```mermaid ```` block.

    Ops are rectangles, leaves stadiums (``([...])``), constants parallelograms; a ``classDef``
    colours each kind and the result. Labels are quoted with every character Mermaid could read
    as syntax written as an entity code (``#quot;``, ``#91;``...), lines joined by ``<br/>``.
    """
    nodes = _by_id(graph)
    ids = _output_ids(graph)
    out = ["flowchart TD", f"  %% {' '.join(graph.expr.split())}"]
    classes: dict[str, list[str]] = {"op": [], "leaf": [], "const": [], "result": []}
    for node in graph.nodes:
        label = '"' + "<br/>".join(_mermaid_text(s) for s in _label_lines(node, max_items)) + '"'
        if node.kind == "leaf":
            shape, kind = f"([{label}])", "leaf"
        elif node.kind == "constant":
            shape, kind = f"[/{label}/]", "const"
        else:
            shape, kind = f"[{label}]", "op"
        out.append(f"  {ids[node.id]}{shape}")
        classes["result" if node.id == graph.root else kind].append(ids[node.id])
    for source, target in _edges(graph, nodes):
        out.append(f"  {ids[source]} --> {ids[target]}")
    out += [
        f"  classDef op fill:{_OP_FILL},stroke:{_OP_STROKE},color:#000",
        f"  classDef leaf fill:{_LEAF_FILL},stroke:{_LEAF_STROKE},color:#000",
        f"  classDef const fill:{_CONST_FILL},stroke:{_CONST_STROKE},color:#000",
        f"  classDef result fill:{_ROOT_FILL},stroke:{_ROOT_STROKE},stroke-width:2px,color:#000",
    ]
    for name, members in classes.items():
        if members:
            out.append(f"  class {','.join(members)} {name}")
    return "\n".join(out) + "\n"


# --- files ---------------------------------------------------------------------------------

def render_file(dot_text: str, path: str) -> None:
    """Write a graph to ``path``: DOT text for ``.dot``/``.gv``; ``.svg``, ``.png`` or ``.pdf``
    rendered by Graphviz's ``dot`` program (the text on its stdin).

    Raises ``GradcliError`` kind ``usage`` for another extension, kind ``io`` when ``dot`` is
    not installed (the hint says how to install it), fails, times out, or the file cannot be
    written.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in RENDER_FORMATS:
        supported = ", ".join(RENDER_FORMATS)
        raise GradcliError(
            kind="usage",
            message=f"cannot write a graph to {path!r}: unknown file extension "
                    f"{suffix or '(none)'!r}",
            hint=f"name the file with one of {supported}")
    fmt = RENDER_FORMATS[suffix]
    if fmt is None:
        try:
            Path(path).write_text(dot_text, encoding="utf-8")
        except OSError as exc:
            raise GradcliError(kind="io", message=f"cannot write {path}: {exc.strerror or exc}") from exc
        return
    missing = GradcliError(
        kind="io",
        message=f"rendering {Path(path).name} needs Graphviz's `dot` program, which is not "
                "installed (or not on PATH)",
        hint=INSTALL_HINT)
    program = shutil.which("dot")
    if program is None:
        raise missing
    parent = Path(path).parent
    if not parent.is_dir():
        raise GradcliError(kind="io", message=f"cannot write {path}: no such directory {str(parent)!r}")
    import tempfile

    # dot writes the picture to the file itself; what it says on stderr goes to a temporary
    # file, of which the error shows the end: nothing of dot's output is held in memory.
    try:
        with tempfile.TemporaryFile() as said:
            done = subprocess.run([program, f"-T{fmt}", "-o", path],
                                  input=dot_text.encode("utf-8"), stdout=subprocess.DEVNULL,
                                  stderr=said, timeout=DOT_TIMEOUT, check=False)
            stderr = _end_of(said) if done.returncode != 0 else ""
    except FileNotFoundError as exc:
        raise missing from exc
    except subprocess.TimeoutExpired as exc:
        raise GradcliError(kind="io", message=f"Graphviz's dot took more than {DOT_TIMEOUT:g} s "
                                              f"to render {path}; gave up") from exc
    except OSError as exc:
        raise GradcliError(kind="io", message=f"cannot run Graphviz's dot: {exc}") from exc
    if done.returncode != 0:
        detail = f": {stderr}" if stderr else f" (exit status {done.returncode})"
        raise GradcliError(kind="io", message=f"Graphviz's dot could not render {path}{detail}")


#: The most of dot's complaints an error repeats (its last bytes: the error comes last).
_SAID = 2000


def _end_of(said: Any) -> str:
    """The last _SAID bytes of what dot wrote to the temporary file ``said``, as text."""
    size = said.seek(0, os.SEEK_END)
    said.seek(max(0, size - _SAID))
    text = said.read().decode("utf-8", "replace").strip()
    return text if size <= _SAID else f"…{text} (the last {_SAID:,} of {size:,} bytes)"
