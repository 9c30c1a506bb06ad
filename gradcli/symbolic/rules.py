"""The op table's symbolic derivative rules, read once into ASTs and applied to nodes."""

from __future__ import annotations

from typing import Any

from ..engine import ops as E
from ..syntax import nodes as n
from ..syntax import parse_expression
from . import expr as X
from .expr import Node
from .reader import Unsupported, call, convert, transpose

_PARSED: dict[tuple[str, str], n.Expr] = {}


def rule_text(op: str, param: str) -> str | None:
    spec = E.OPS.get(op)
    return None if spec is None else dict(spec.rules).get(param)


def _ast(op: str, param: str) -> n.Expr:
    key = (op, param)
    found = _PARSED.get(key)
    if found is None:
        text = rule_text(op, param)
        if text is None:
            raise Unsupported(f"{op} has no symbolic derivative rule for its argument {param}",
                              hint="gradcli eval and jacobian differentiate it numerically")
        found = _PARSED[key] = parse_expression(text)
    return found


def local_gradient(node: Node, index: int, grad: Node) -> Node:
    """The gradient flowing to ``node.args[index]`` when ``grad`` flows into ``node``
    (the rule's value, which may still have the broadcast shape)."""
    if node.op == X.TRANSPOSE:
        return grad if grad.ndim < 2 else transpose(grad)
    if node.op == X.INDEX:
        return _index_gradient(node, grad)
    if node.op not in E.OPS:
        raise Unsupported(f"{node.op} has no symbolic derivative rule")
    env: dict[str, Any] = dict(zip(node.params, node.args))
    env.update(node.statics)
    env["grad"], env["result"] = grad, node
    return convert(_ast(node.op, node.params[index]), env)


def _index_gradient(node: Node, grad: Node) -> Node:
    """x[key] is S @ x with S = eye(n)[key]: the gradient is S.T @ grad (an outer product
    for a number key of a matrix, a scaled row of eye for one of a vector)."""
    import numpy as np

    key = node.static("key")
    n_rows = node.args[0].shape[0]
    s = X.literal(f"eye({n_rows})[{X.index_text(key)}]", np.eye(n_rows)[X.index_key(key)])
    if key[0] == "int":
        return call("mul", [grad, s], {}) if grad.ndim == 0 else call("outer", [s, grad], {})
    return call("matmul", [transpose(s), grad], {})
