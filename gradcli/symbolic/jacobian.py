"""Jacobians in matrix form: the reverse pass run with a symbolic seed ``g`` gives ``J.T @ g``;
reading that linear expression of ``g`` as a matrix gives ``J``.

For vector (or scalar) outputs and variables: ``g`` is ``eye``, an element-wise factor ``v``
is ``diag(v)`` (written ``unsqueeze(v, 1)*M`` when it scales rows), ``M @ g`` is ``M``.
"""

from __future__ import annotations

from . import expr as X
from .differentiate import gradients
from .expr import Node
from .reader import Unsupported, call, transpose
from .simplify import simplify

SEED = "g__"


def jacobian(output: Node, v: Node) -> Node:
    """d(output)/d(v), of shape output.shape + v.shape, for outputs and v of at most 1-D."""
    if output.ndim > 1 or v.ndim > 1:
        raise Unsupported("diff writes Jacobians of vectors with respect to vectors only (and "
                          "element-wise ones of any shape)",
                          hint="gradcli jacobian gives its numbers")
    g = X.var(SEED, output.shape)
    linear = simplify(gradients(output, [v], g)[v.name])  # J.T @ g, of v's shape
    if _free(linear, g):  # no path from v to the output carries a gradient (round): J = 0
        import numpy as np

        shape = output.shape + v.shape
        return X.literal(f"zeros({', '.join(map(str, shape))})", np.zeros(shape))
    m = output.shape[0] if output.ndim else 1
    matrix = _matrix(linear, g, m)  # J.T, (n, m)
    result = simplify(_t(matrix))
    if output.ndim == 0:  # J is a row: the gradient
        return simplify(call("reshape", [result], {"shape": v.shape}))
    if v.ndim == 0:
        return simplify(call("reshape", [result], {"shape": output.shape}))
    return result


def _eye(m: int) -> Node:
    import numpy as np

    return X.literal(f"eye({m})", np.eye(m))


def _is_eye(node: Node) -> bool:
    return node.op == X.LITERAL and str(node.static("text")).startswith("eye(")


def _rows(v: Node, matrix: Node) -> Node:
    """diag(v) @ matrix: v scales the rows (diag(v) itself is written eye(m)*v)."""
    if v.ndim == 0:
        return call("mul", [v, matrix], {})
    if _is_eye(matrix):
        return call("mul", [matrix, v], {})
    if matrix.op in ("add", "sub") and any(_is_eye(a) or _is_diag(a) for a in matrix.args):
        return call(matrix.op, [_rows(v, a) for a in matrix.args], {})
    if _is_diag(matrix):
        return call("mul", [matrix.args[0], call("mul", [v, matrix.args[1]], {})], {})
    return call("mul", [call("unsqueeze", [v], {"dim": 1}), matrix], {})


def _is_rows(node: Node) -> bool:
    return node.op == "mul" and node.args[0].op == "unsqueeze" and node.args[0].static("dim") == 1


def _is_diag(node: Node) -> bool:
    return node.op == "mul" and _is_eye(node.args[0]) and node.args[1].ndim == 1


def _column_sums(matrix: Node, m: int) -> Node:
    """ones @ matrix, as a row (1, m)."""
    if _is_eye(matrix):
        return call("expand", [X.const(1)], {"sizes": (1, m)})
    if _is_diag(matrix):
        return call("unsqueeze", [matrix.args[1]], {"dim": 0})
    return call("sum", [matrix], {"dim": 0, "keepdim": True})


def _free(node: Node, g: Node) -> bool:
    return all(n is not g for n in X.topological(node))


def _matrix(node: Node, g: Node, m: int) -> Node:
    """The matrix L with node == L @ g (node linear in g)."""
    if node is g:
        return _eye(m)
    if node.ndim == 0 and g.ndim == 0:
        # A scalar linear in a scalar: its coefficient.
        return simplify(gradients(node, [g])[g.name]) if not _free(node, g) else X.const(0)
    op, args = node.op, node.args
    if op == "neg":
        return call("neg", [_matrix(args[0], g, m)], {})
    if op in ("add", "sub") and node.static("alpha", 1) == 1:
        a, b = (_matrix(x, g, m) if not _free(x, g) else None for x in args)
        if a is None or b is None:
            raise Unsupported("the derivative is not linear in its seed (a bug in diff)")
        return call(op, [a, b], {})
    if op == "mul":
        left, right = args
        if _free(left, g):
            return _rows(left, _matrix(right, g, m))
        if _free(right, g):
            return _rows(right, _matrix(left, g, m))
    if op == "div" and _free(args[1], g):
        return _rows(call("div", [X.const(1), args[1]], {}), _matrix(args[0], g, m))
    if op == "matmul":
        left, right = args
        if _free(left, g) and left.ndim == 2:
            return _mm(left, _matrix(right, g, m))
        if _free(right, g) and right.ndim == 2 and left.ndim == 1:
            return _mm(_t(right), _matrix(left, g, m))
    if op == "sum" and args[0].ndim == 1 and not _free(args[0], g):
        return _column_sums(_matrix(args[0], g, m), m)
    if op == "expand" and args[0].ndim == 0 and not _free(args[0], g):
        inner = _matrix(args[0], g, m)  # a row (1, m) or a number
        return call("expand", [inner], {"sizes": (node.shape[0], m) if node.ndim else (m,)})
    raise Unsupported("diff cannot write this Jacobian in matrix form yet",
                      hint="gradcli jacobian gives its numbers")


def _mm(a: Node, b: Node) -> Node:
    if _is_eye(b):
        return a
    if _is_eye(a):
        return b
    if _is_diag(b):  # A @ diag(v): v scales the columns
        return call("mul", [a, b.args[1]], {})
    if _is_rows(a):
        return _rows(a.args[0].args[0], _mm(a.args[1], b))
    return call("matmul", [a, b], {})


def _t(a: Node) -> Node:
    if _is_eye(a) or a.ndim < 2:
        return a
    if _is_diag(a):
        return a
    if a.op == X.TRANSPOSE:
        return a.args[0]
    if a.op == "matmul":
        return _mm(_t(a.args[1]), _t(a.args[0]))
    if _is_rows(a):  # (diag(v) M).T = M.T diag(v): v scales the columns
        return call("mul", [_t(a.args[1]), a.args[0].args[0]], {})
    if a.op == "mul" and a.args[1].ndim == 1:  # (M diag(v)).T = diag(v) M.T
        return _rows(a.args[1], _t(a.args[0]))
    if a.op in ("add", "sub") and a.static("alpha", 1) == 1:
        return call(a.op, [_t(a.args[0]), _t(a.args[1])], {})
    if a.op == "neg":
        return call("neg", [_t(a.args[0])], {})
    return transpose(a)
