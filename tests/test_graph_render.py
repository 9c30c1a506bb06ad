"""gradcli/render/graph.py: the tree, DOT and Mermaid faces of hand-built graphs."""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest
from rich.console import Console

from gradcli.errors import GradcliError
from gradcli.render import graph as graph_render
from gradcli.render.graph import render_file, summarize, to_dot, to_mermaid, to_tree
from gradcli.results import GraphNode, GraphResult

HAVE_DOT = shutil.which("dot") is not None
f32 = np.float32


def dot_xx() -> GraphResult:
    """``2*dot(x,x)`` with ``x = arange(4.0)``: the constant 2 is not a node."""
    x = np.arange(4, dtype=f32)
    return GraphResult(
        expr="2*dot(x,x)",
        root="n0",
        nodes=[
            GraphNode("n0", "op", "MulBackward0", (), "float32", np.array(28, f32), np.array(1, f32),
                      ["n1"], "grad * other"),
            GraphNode("n1", "op", "DotBackward0", (), "float32", np.array(14, f32), np.array(2, f32),
                      ["n2", "n2"], "grad * other, grad * self"),
            GraphNode("n2", "leaf", "x", (4,), "float32", x, 4 * x),
        ],
    )


def mlp() -> GraphResult:
    """``sum(tanh(W @ x + b) * (W @ x + b)) + 0.5`` sharing ``z = W @ x + b``, with a constant
    node, a big leaf and a NaN gradient."""
    rng = np.random.default_rng(0)
    W = rng.standard_normal((2, 3)).astype(f32)
    x = rng.standard_normal(3).astype(f32)
    b = np.array([0.5, -0.5], f32)
    big = np.linspace(0, 1, 1000, dtype=f32)
    y = W @ x
    z = y + b
    t = np.tanh(z)
    m = t * z
    s = m.sum() + big.sum()
    dm = np.ones(2, f32)
    dt, dz_direct = dm * z, dm * t
    dz = dz_direct + dt * (1 - t * t)
    return GraphResult(
        expr="sum(tanh(W @ x + b) * (W @ x + b)) + sum(big) + half",
        root="n0",
        nodes=[
            GraphNode("n0", "op", "AddBackward0", (), "float32", s, np.array(1, f32), ["n1", "n8", "n9"],
                      "grad, grad"),
            GraphNode("n1", "op", "SumBackward0", (), "float32", m.sum(), np.array(1, f32), ["n2"],
                      "grad.expand(self.shape)"),
            GraphNode("n2", "op", "MulBackward0", (2,), "float32", m, dm, ["n3", "n4"],
                      "grad * other, grad * self"),
            GraphNode("n3", "op", "TanhBackward0", (2,), "float32", t, dt, ["n4"], "grad * (1 - result**2)"),
            GraphNode("n4", "op", "AddBackward0", (2,), "float32", z, dz, ["n5", "n7"], "grad, grad"),
            GraphNode("n5", "op", "MvBackward0", (2,), "float32", y, dz, ["n6", "n10"],
                      "grad.outer(vec), self.T @ grad"),
            GraphNode("n10", "leaf", "x", (3,), "float32", x, W.T @ dz),
            GraphNode("n6", "leaf", "W", (2, 3), "float32", W, np.outer(dz, x)),
            GraphNode("n7", "leaf", "b", (2,), "float32", b, dz),
            GraphNode("n8", "op", "SumBackward0", (), "float32", big.sum(), np.array(np.nan, f32), ["n11"],
                      "grad.expand(self.shape)"),
            GraphNode("n11", "leaf", "big", (1000,), "float32", big, np.full(1000, np.nan, f32)),
            GraphNode("n9", "constant", "half", (), "float32", np.array(0.5, f32), None),
        ],
    )


def awkward() -> GraphResult:
    """Labels full of quotes, backslashes, newlines, brackets and angle brackets."""
    return GraphResult(
        expr='f("a\\b")\n<end>',
        root="end",  # a Mermaid keyword and DOT-unsafe ids are remapped
        nodes=[
            GraphNode("end", "op", 'Weird"Backward\\0 <lambda> [1] {2} |a|#x;', (2,), "float64",
                      np.array([1.0, -2.5]), None, ["1 leaf"], 'grad * "other"\\n'),
            GraphNode("1 leaf", "leaf", 'x"\nnew\\line', (2,), "float64", np.array([1.0, 2.0]),
                      np.array([0.25, np.inf])),
        ],
    )


def tree_text(graph: GraphResult) -> str:
    console = Console(record=True, width=100, color_system=None)
    console.print(to_tree(graph))
    return console.export_text()


def dot_edges(text: str) -> list[tuple[str, str]]:
    return re.findall(r"^\s*(\w+) -> (\w+);$", text, re.M)


def mermaid_edges(text: str) -> list[tuple[str, str]]:
    return re.findall(r"^\s*(\w+) --> (\w+)$", text, re.M)


def run_dot(text: str) -> str:
    done = subprocess.run(["dot", "-Tsvg"], input=text.encode(), capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode()


# --- summarize -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (np.array(28, f32), "28."),
        (np.array(0.5, f32), "0.5000"),
        (np.arange(4, dtype=f32) * 4, "[0., 4., 8., 12.]"),
        (np.array([-1.5, 2.0], f32), "[-1.5000, 2.0000]"),
        (np.array([[1, 2], [3, 4]], f32), "[[1., 2.], [3., 4.]]"),
        (np.array([1, 2, 3]), "[1, 2, 3]"),
        (np.array([True, False]), "[True, False]"),
        (np.array([1.0, np.nan, np.inf, -np.inf]), "[1., nan, inf, -inf]"),
        (np.array(np.nan, f32), "nan"),
        (np.array(3, np.int32), "3"),
        (np.array([1, 2], np.float16), "[1., 2.]"),
        (np.zeros(0, f32), "[]"),
        (np.zeros((0, 3), f32), "[] (shape (0, 3))"),
        (2.5, "2.5000"),
        ([1.0, 2.0], "[1., 2.]"),
        (None, "—"),
    ],
)
def test_summarize_small(value, expected):
    assert summarize(value) == expected


def test_summarize_big_vector_shows_edges():
    assert summarize(np.arange(1000, dtype=f32)) == "[0., 1., 2., ..., 997., 998., 999.]"
    assert summarize(np.arange(10, dtype=f32), max_items=4) == "[0., 1., ..., 8., 9.]"
    # One formatting style for the items shown, as PyTorch does.
    assert summarize(np.linspace(0, 1, 7)) == "[0.0000, 0.1667, 0.3333, ..., 0.6667, 0.8333, 1.0000]"


def test_summarize_big_matrix_shows_stats():
    assert summarize(np.arange(12, dtype=f32).reshape(3, 4)) == "(min 0, mean 5.5, max 11)"
    a = np.arange(100, dtype=np.float64).reshape(10, 10)
    a[0, 0], a[0, 1], a[0, 2] = np.nan, np.inf, -np.inf
    assert summarize(a) == "(min 3, mean 51, max 99, 1 nan, 1 inf, 1 -inf)"
    assert summarize(np.full((3, 3), np.nan)) == "(9 nan)"
    assert summarize(np.eye(3, dtype=bool)) == "(3 of 9 True)"
    assert summarize(np.full((4, 4), 1 / 3)) == "(min 0.3333, mean 0.3333, max 0.3333)"


def test_summarize_big_vector_with_nan():
    v = np.full(50, np.nan, f32)
    v[-1] = 1.0
    assert summarize(v) == "[nan, nan, nan, ..., nan, nan, 1.]"


def test_summarize_is_one_line_for_wide_rows():
    # PyTorch wraps long rows; a summary never does.
    row = np.array([1e-8, 1.0, 123456.0, 2.0, 3.0, 4.0])
    assert "\n" not in summarize(row)


# --- tree ----------------------------------------------------------------------------------

def test_tree_dot_xx():
    text = tree_text(dot_xx())
    lines = text.rstrip("\n").splitlines()
    assert lines[0] == "MulBackward0  () float32  value=28.  grad=1."
    assert "rule: grad * other" in lines[1]
    assert "DotBackward0  () float32  value=14.  grad=2." in lines[2]
    assert "x  leaf  (4,) float32  value=[0., 1., 2., 3.]  grad=[0., 4., 8., 12.]" in text
    # x is an input twice: in full once, then as a reference.
    assert text.count("value=[0., 1., 2., 3.]") == 1
    assert lines[-1].endswith("x (see above)")
    assert lines[-2].lstrip("│ ├└─").startswith("x  leaf")


def test_tree_mlp_shared_op_is_numbered_and_referenced_once():
    text = tree_text(mlp())
    # z = W @ x + b feeds both tanh and the product: shown once in full, then referenced.
    assert text.count("AddBackward0 #1  (2,)") == 1
    assert text.count("AddBackward0 #1 (see above)") == 1
    assert text.count("MvBackward0") == 1
    for leaf in ("W  leaf  (2, 3) float32", "b  leaf  (2,)", "x  leaf  (3,)",
                 "big  leaf  (1000,) float32  value=[0.0000, 0.0010, 0.0020, ..., 0.9980, 0.9990, "):
        assert text.count(leaf) == 1, leaf
    assert "half  constant  () float32  value=0.5000" in text
    assert "grad=[nan, nan, nan, ..., nan, nan, nan]" in text
    assert "grad=nan" in text
    # The root's own add is not numbered: it is used once (by nobody).
    assert text.splitlines()[0].startswith("AddBackward0  () float32")
    # The first consumer expands the shared node: tanh comes before the reference.
    assert text.index("TanhBackward0") < text.index("AddBackward0 #1  (2,)") < text.index("(see above)")


def test_tree_no_markup_interpretation():
    text = tree_text(awkward())
    assert 'Weird"Backward\\0 <lambda> [1] {2} |a|#x;' in text
    assert "rule: grad * \"other\"\\n" in text


def test_tree_deep_graph_does_not_recurse():
    n = 3000
    nodes = [GraphNode(f"n{i}", "op", "NegBackward0", (), "float32", None, None, [f"n{i + 1}"])
             for i in range(n)]
    nodes.append(GraphNode(f"n{n}", "leaf", "x", (), "float32", np.array(1.0, f32), None))
    tree = to_tree(GraphResult("-" * n + "x", nodes, "n0"))
    depth, branch = 0, tree
    while branch.children:
        branch, depth = branch.children[0], depth + 1
    assert depth == n


def test_unknown_root_is_an_error():
    g = dot_xx()
    g.root = "nope"
    with pytest.raises(ValueError):
        to_tree(g)


# --- DOT -----------------------------------------------------------------------------------

def test_dot_xx_structure():
    text = to_dot(dot_xx())
    assert text.startswith("digraph gradcli {\n") and text.rstrip().endswith("}")
    assert "rankdir=TB" in text
    assert 'label="2*dot(x,x)"' in text
    assert dot_edges(text) == [("n2", "n1"), ("n2", "n1"), ("n1", "n0")]
    node_lines = {m.group(1): m.group(2) for m in re.finditer(r"^  (\w+) \[(.*)\];$", text, re.M)}
    assert set(node_lines) == {"n0", "n1", "n2", "graph", "node", "edge"}
    assert 'label="x\\n(4,) float32\\nvalue=[0., 1., 2., 3.]\\ngrad=[0., 4., 8., 12.]"' in node_lines["n2"]
    assert "shape=ellipse" in node_lines["n2"] and "filled" in node_lines["n2"]
    for op in ("n0", "n1"):
        assert "shape=box" in node_lines[op]
    assert 'label="DotBackward0\\n() float32\\nvalue=14.\\ngrad=2."' in node_lines["n1"]
    assert 'tooltip="grad * other, grad * self"' in node_lines["n1"]
    assert "penwidth=2" in node_lines["n0"] and "penwidth" not in node_lines["n1"]


def test_dot_mlp_every_edge_present():
    g = mlp()
    text = to_dot(g)
    expected = sorted((src, node.id) for node in g.nodes for src in node.inputs)
    assert sorted(dot_edges(text)) == expected
    assert re.search(r"^  n9 \[.*shape=note", text, re.M)  # constants look different again
    leaf_fill = re.search(r"^  n6 \[.*fillcolor=\"(#\w+)\"", text, re.M).group(1)
    op_fill = re.search(r"^  n3 \[.*fillcolor=\"(#\w+)\"", text, re.M).group(1)
    assert leaf_fill != op_fill


def test_dot_skips_inputs_that_are_not_nodes():
    g = dot_xx()
    g.nodes[0].inputs = ["n1", "const2"]
    assert dot_edges(to_dot(g)) == [("n2", "n1"), ("n2", "n1"), ("n1", "n0")]


def test_dot_escaping():
    text = to_dot(awkward())
    # Ids that are DOT keywords or not identifiers are replaced.
    assert dot_edges(text) == [("node_1", "node_0")]
    assert 'label="f(\\"a\\\\b\\")\\n<end>"' in text
    assert ('label="Weird\\"Backward\\\\0 <lambda> [1] {2} |a|#x;\\n(2,) float64'
            '\\nvalue=[1.0000, -2.5000]"') in text
    assert 'label="x\\"\\nnew\\\\line\\n(2,) float64\\nvalue=[1., 2.]\\ngrad=[0.2500, inf]"' in text
    assert 'tooltip="grad * \\"other\\"\\\\n"' in text
    # Every quoted string is closed: an even number of unescaped quotes on every line.
    for line in text.splitlines():
        assert len(re.findall(r'(?<!\\)(?:\\\\)*"', line)) % 2 == 0, line


@pytest.mark.skipif(not HAVE_DOT, reason="Graphviz dot is not installed")
@pytest.mark.parametrize("make", [dot_xx, mlp, awkward])
def test_dot_is_valid_graphviz(make):
    svg = run_dot(to_dot(make()))
    assert "<svg" in svg
    assert svg.count('class="node"') == len(make().nodes)


@pytest.mark.skipif(not HAVE_DOT, reason="Graphviz dot is not installed")
def test_dot_labels_survive_graphviz():
    svg = run_dot(to_dot(awkward()))
    # Graphviz writes the text back (XML-escaped) exactly: quotes and backslashes literal.
    assert "Weird&quot;Backward\\0 &lt;lambda&gt; [1] {2} |a|#x;" in svg
    assert "new\\line" in svg


# --- Mermaid -------------------------------------------------------------------------------

def mermaid_declarations(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in re.finditer(r'^  (\w+)(\(\[|\[/|\[)"', text, re.M)}


def test_mermaid_xx_shape():
    text = to_mermaid(dot_xx())
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    assert mermaid_edges(text) == [("n2", "n1"), ("n2", "n1"), ("n1", "n0")]
    assert ('  n2(["x<br/>#40;4,#41; float32<br/>value=#91;0., 1., 2., 3.#93;'
            '<br/>grad=#91;0., 4., 8., 12.#93;"])') in lines
    assert '  n1["DotBackward0<br/>#40;#41; float32<br/>value=14.<br/>grad=2."]' in lines
    decl = mermaid_declarations(text)
    assert decl == {"n0": "[", "n1": "[", "n2": "(["}
    assert sum(line.lstrip().startswith("classDef leaf ") for line in lines) == 1
    assert sum(line.lstrip().startswith("classDef op ") for line in lines) == 1
    assert "  class n1 op" in lines and "  class n2 leaf" in lines and "  class n0 result" in lines


def test_mermaid_mlp_every_node_declared_and_edge_present():
    g = mlp()
    text = to_mermaid(g)
    decl = mermaid_declarations(text)
    assert set(decl) == {n.id for n in g.nodes}
    assert decl["n9"] == "[/"  # constant
    assert all(decl[n.id] == "([" for n in g.nodes if n.kind == "leaf")
    expected = sorted((src, node.id) for node in g.nodes for src in node.inputs)
    assert sorted(mermaid_edges(text)) == expected
    # Every edge end is declared; every class statement names declared nodes.
    for src, dst in mermaid_edges(text):
        assert src in decl and dst in decl
    for m in re.finditer(r"^  class ([\w,]+) (\w+)$", text, re.M):
        assert set(m.group(1).split(",")) <= set(decl)
        assert f"classDef {m.group(2)} " in text


def test_mermaid_escaping():
    text = to_mermaid(awkward())
    lines = text.splitlines()
    assert mermaid_edges(text) == [("node_1", "node_0")]  # "end" would break the flowchart
    # The comment holds the expression on one line.
    assert lines[1].startswith("  %% ") and "\n" not in lines[1]
    # Inside every label: only the delimiting quotes and entity codes, no raw syntax characters.
    for line in lines[2:4]:
        m = re.fullmatch(r'  (\w+)(?:\(\[|\[)"(.*)"(?:\]\)|\])', line)
        assert m, line
        label = m.group(2)
        assert not set(label.replace("<br/>", "")) & set('"<>[](){}|`'), label
        assert not re.search(r"#(?!\w+;)", label), label
    assert "Weird#quot;Backward\\0 #lt;lambda#gt; #91;1#93; #123;2#125; #124;a#124;#35;x;" in text
    assert "x#quot; new\\line" in text


# --- render_file ---------------------------------------------------------------------------

def test_render_dot_file(tmp_path):
    out = tmp_path / "graph.dot"
    text = to_dot(dot_xx())
    render_file(text, str(out))
    assert out.read_text(encoding="utf-8") == text


def test_render_unknown_extension(tmp_path):
    with pytest.raises(GradcliError) as info:
        render_file(to_dot(dot_xx()), str(tmp_path / "graph.jpeg"))
    err = info.value
    assert err.kind == "usage" and err.exit_code == 2
    assert ".jpeg" in err.message
    for ext in (".dot", ".svg", ".png", ".pdf"):
        assert ext in err.hint


def test_render_without_dot_program(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    out = tmp_path / "graph.svg"
    with pytest.raises(GradcliError) as info:
        render_file(to_dot(dot_xx()), str(out))
    err = info.value
    assert err.kind == "io" and err.exit_code == 1
    assert "dot" in err.message and "Graphviz" in err.message
    assert "apt-get install graphviz" in err.hint and "--format dot" in err.hint
    assert not out.exists()
    # A .dot file needs no Graphviz.
    render_file(to_dot(dot_xx()), str(tmp_path / "graph.dot"))


def test_render_dot_vanishing_between_which_and_run(tmp_path, monkeypatch):
    monkeypatch.setattr(graph_render.shutil, "which", lambda name: str(tmp_path / "no-such-dot"))
    with pytest.raises(GradcliError) as info:
        render_file(to_dot(dot_xx()), str(tmp_path / "graph.png"))
    assert info.value.kind == "io" and "apt-get install graphviz" in info.value.hint


def test_render_missing_directory(tmp_path):
    with pytest.raises(GradcliError) as info:
        render_file(to_dot(dot_xx()), str(tmp_path / "nope" / "graph.dot"))
    assert info.value.kind == "io"
    if HAVE_DOT:
        with pytest.raises(GradcliError) as info:
            render_file(to_dot(dot_xx()), str(tmp_path / "nope" / "graph.svg"))
        assert info.value.kind == "io" and "no such directory" in info.value.message


@pytest.mark.skipif(not HAVE_DOT, reason="Graphviz dot is not installed")
def test_render_dot_failure_reports_stderr(tmp_path):
    with pytest.raises(GradcliError) as info:
        render_file("digraph { a -> ; }", str(tmp_path / "bad.svg"))
    assert info.value.kind == "io"
    assert "syntax error" in info.value.message


@pytest.mark.skipif(not HAVE_DOT, reason="Graphviz dot is not installed")
@pytest.mark.parametrize(("ext", "magic"), [(".svg", b"<svg"), (".png", b"\x89PNG"), (".pdf", b"%PDF")])
def test_render_through_graphviz(tmp_path, ext, magic):
    out = tmp_path / f"graph{ext.upper() if ext == '.png' else ext}"
    render_file(to_dot(mlp()), str(out))
    data = out.read_bytes()
    assert magic in data[:400]


def test_render_holds_none_of_dots_output(tmp_path, monkeypatch):
    """A `dot` that writes 20 MB to stdout and 20 MB of complaints, then fails: the error
    shows the end of the complaints and their size, and nothing was held in memory."""
    import tracemalloc

    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\nhead -c 20000000 /dev/zero\n"
                    "yes 'warning: something' | head -c 20000000 >&2\necho 'the real error' >&2\n"
                    "exit 3\n")
    fake.chmod(0o755)
    monkeypatch.setattr("shutil.which", lambda name: str(fake))
    tracemalloc.start()
    try:
        with pytest.raises(GradcliError) as info:
            render_file(to_dot(dot_xx()), str(tmp_path / "graph.svg"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.kind == "io"
    assert info.value.message.endswith("the real error (the last 2,000 of 20,000,015 bytes)")
    assert len(info.value.message) < 2200
    assert peak < 2_000_000
