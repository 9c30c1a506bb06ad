"""Reverse mode over the expression DAG: one adjoint per node, the op table's rules applied."""

from __future__ import annotations

from . import expr as X
from .expr import Node
from .reader import call
from .rules import local_gradient


def sum_to(value: Node, shape: tuple[int, ...]) -> Node:
    """``value`` summed back over the dimensions that broadcasting added to ``shape``."""
    if value.shape == shape:
        return value
    lead = value.ndim - len(shape)
    if lead < 0:  # a rule gave fewer dimensions (a scalar gradient of a broadcast input)
        return call("expand", [value], {"sizes": shape})
    if lead:
        value = call("sum", [value], {"dim": tuple(range(lead)) if lead > 1 else 0})
    ones = tuple(i for i, (a, b) in enumerate(zip(value.shape, shape)) if b == 1 and a != 1)
    if ones:
        value = call("sum", [value], {"dim": ones if len(ones) > 1 else ones[0],
                                      "keepdim": True})
    if value.shape != shape:
        value = call("expand", [value], {"sizes": shape})
    return value


def chain_sum(terms: list[Node]) -> Node:
    out = terms[0]
    for term in terms[1:]:
        out = call("add", [out, term], {})
    return out


def gradients(output: Node, wrt: list[Node], seed: Node | None = None) -> dict[str, Node]:
    """The gradient of ``output`` (seeded with ``seed``, 1 by default) for each variable."""
    order = X.topological(output)
    targets = {id(v) for v in wrt}
    depends: set[int] = set()
    for node in order:
        if id(node) in targets or any(id(a) in depends for a in node.args):
            depends.add(id(node))
    # Contributions gathered per node and added once, after all of them arrived.
    parts: dict[int, list[Node]] = {id(output): [seed if seed is not None else X.const(1)]}
    adjoint: dict[int, Node] = {}
    for node in reversed(order):
        incoming = parts.pop(id(node), None)
        if incoming is None:
            continue
        grad = adjoint[id(node)] = chain_sum(incoming)
        if node.op == X.VAR:
            continue
        for i, arg in enumerate(node.args):
            if id(arg) in depends and arg.kind == "f":  # a condition carries no gradient
                part = sum_to(local_gradient(node, i, grad), arg.shape)
                parts.setdefault(id(arg), []).append(part)
    result = {}
    for v in wrt:
        grad = adjoint.get(id(v))
        if grad is None:
            grad = call("mul", [X.const(0.0), v], {})
        elif grad.shape != v.shape:
            grad = call("expand", [grad], {"sizes": v.shape})
        result[v.name] = grad
    return result


