"""``diff --steps``: the chain rule as the seeds write it. Each intermediate is named
(``a = dot(x, w)``, ``b = a - y``, ``z = b**2``), each local derivative shown (``dz/db =
2*b``; a matrix one as the map it applies, ``da/dw: g -> X.T @ g``), then their product."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..engine import ops as E
from . import expr as X
from .differentiate import sum_to
from .expr import Node
from .rules import local_gradient
from .simplify import simplify

#: Names of the intermediates, in order; the output is z.
LETTERS = "abcdefghijklmnopqrtuv"


@dataclass
class Step:
    """One line: ``label``, then ``node`` (or the ``parts`` of a product) printed with the
    intermediates' names."""

    label: str
    node: Node | None = None
    #: The factors of a product line, printed joined by " * ".
    parts: list[Node] | None = None


@dataclass
class Steps:
    lines: list[Step] = field(default_factory=list)
    #: id(node) -> its name, for printing the lines.
    names: dict[int, str] = field(default_factory=dict)


def chain_rule(output: Node, v: Node, taken: set[str]) -> Steps:
    everything = X.topological(output)
    depends: set[int] = set()
    for n in everything:
        if n is v or any(id(a) in depends for a in n.args):
            depends.add(id(n))
    order = [n for n in everything if n.op not in (X.VAR, X.CONST, X.LITERAL)
             and id(n) in depends]
    steps = Steps()
    pool = [c for c in LETTERS if c not in taken]
    for i, node in enumerate(order):
        steps.names[id(node)] = "z" if node is output and "z" not in taken else (
            pool[i % len(pool)] + (str(i // len(pool)) if i >= len(pool) else ""))
    for node in order:
        steps.lines.append(Step(f"{steps.names[id(node)]} = ", node))
    path = _path(output, v, depends)
    heads: list[str] = []
    parts: list[Node] | None = []
    for node in order[::-1]:
        for i, arg in enumerate(node.args):
            if id(arg) not in depends:
                continue
            below = arg.name if arg.op == X.VAR else steps.names[id(arg)]
            head = f"d{steps.names[id(node)]}/d{below}"
            on_path = path is not None and (id(node), i) in path
            if on_path:
                heads.append(head)
            if _elementwise(node, arg):
                local = simplify(local_gradient(node, i, X.const(1)))
                steps.lines.append(Step(f"{head} = ", local))
                if on_path and parts is not None:
                    parts.append(local)
                continue
            g = X.var("g", node.shape)
            steps.lines.append(Step(f"{head}: g ↦ ",
                                    simplify(sum_to(local_gradient(node, i, g), arg.shape))))
            if on_path:
                parts = None  # a map, not a factor: the product is the chain of maps
    if path is not None and heads:
        steps.lines.append(Step(f"d{steps.names[id(output)]}/d{v.name} = " + " * ".join(heads)
                                + (" = " if parts else ""), parts=parts or None))
    return steps


def _elementwise(node: Node, arg: Node) -> bool:
    """Whether the local derivative is a number or an element-wise factor (not a map): a
    scalar's derivative is a gradient, of its argument's shape."""
    if node.ndim == 0:
        return True
    if node.op in X.ELEMENTWISE_BINARY or node.op == "neg":
        return node.shape == arg.shape
    spec = E.OPS.get(node.op)
    if spec is not None and spec.category == "element-wise":
        return node.shape == arg.shape
    return False


def _path(output: Node, v: Node, depends: set[int]) -> set[tuple[int, int]] | None:
    """The edges (id(node), argument) of the one path from ``output`` down to ``v``, or
    None when there are more."""
    edges: set[tuple[int, int]] = set()
    node = output
    while node is not v:
        below = [(i, a) for i, a in enumerate(node.args) if id(a) in depends]
        if len(below) != 1:
            return None
        edges.add((id(node), below[0][0]))
        node = below[0][1]
    return edges
