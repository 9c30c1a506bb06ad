"""Singular values (torch.linalg.svdvals) from an SVD that has PyTorch's backward."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..autograd import Node, is_grad_enabled, record
from ..errors import shape_error, type_error, value_error
from ..tensor import Tensor
from ._base import unary_input
from .table import GradCheck, op

One = tuple["Tensor | None"]
L = ("torch.linalg",)
#: Which output of the decomposition a node stands for.
U_, S_, VH = 0, 1, 2


def check_matrices(t: Tensor, name: str) -> None:
    """PyTorch's checks of a (batch of) matrices given to an SVD-based function."""
    if t.data.ndim < 2:
        raise shape_error(f"{name}: The input tensor A must have at least 2 dimensions.")
    if not dtypes.is_float(t.data.dtype):
        kind = {"int64": "Long", "int32": "Int", "bool": "Bool"}.get(t.data.dtype.name,
                                                                      t.data.dtype.name)
        raise type_error(f"{name}: Expected a floating point or complex tensor as input. Got "
                         f"{kind}", hint="make it floating, e.g. A.float()")


def _numpy_svd(a: np.ndarray) -> tuple[np.ndarray, ...]:
    """The reduced SVD: U (..., m, k), S (..., k), Vh (..., k, n), k = min(m, n)."""
    if not np.isfinite(a).all():
        raise value_error("linalg.svd: The algorithm failed to converge because the input "
                          "matrix contained non-finite values.")
    m, n = a.shape[-2:]
    if a.size == 0:  # no singular values: LAPACK is not called
        batch = a.shape[:-2]
        k = min(m, n)
        return (np.zeros(batch + (m, k), a.dtype), np.zeros(batch + (k,), a.dtype),
                np.zeros(batch + (k, n), a.dtype))
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return u.astype(a.dtype), s.astype(a.dtype), vh.astype(a.dtype)


def decompose(t: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """U, S, Vh of ``t`` (reduced), each recording LinalgSvdBackward0: one node per output,
    each with PyTorch's svd_backward for the gradient of that output alone (their sum is
    PyTorch's). svdvals' gradient reads U and Vh, so its own gradient goes through theirs.
    The language has no ``svd``: the signs of U's and Vh's columns are LAPACK's choice, and
    numpy's LAPACK and PyTorch's (MKL) choose differently; S and the norms do not depend on them."""
    parts = _numpy_svd(t.data)
    return tuple(  # type: ignore[return-value]
        record("LinalgSvdBackward0", Tensor(p), (t,), _svd_vjp, (t,), ctx=(which, parts))
        for which, p in enumerate(parts))


def _svd_vjp(g: Tensor, node: Node) -> One:
    which, parts = node.ctx
    if is_grad_enabled():  # create_graph: U, S and Vh as functions of the input, again
        (a,) = node.unpack()
        u, s, vh = decompose(a)
    else:
        u, s, vh = (Tensor(p) for p in parts)
    return (svd_backward(which, g, u, s, vh),)


def svd_backward(which: int, g: Tensor, u: Tensor, s: Tensor, vh: Tensor) -> Tensor:
    """PyTorch's ``svd_backward`` (FunctionsManual.cpp), real case, in recorded ops, for the
    gradient ``g`` of one output (``which``: U, S or Vh) with the others' undefined."""
    from .linalg import matmul
    from .shape import transpose, unsqueeze

    def mT(x: Tensor) -> Tensor:
        return transpose(x, -1, -2)

    m, n = u.data.shape[-2], vh.data.shape[-1]
    if which == S_:
        return (matmul(u, unsqueeze(g, -1) * vh) if m >= n
                else matmul(u * unsqueeze(g, -2), vh))
    eye = Tensor(np.eye(s.data.shape[-1], dtype=s.data.dtype))
    s2 = s * s
    e = unsqueeze(s2, -2) - unsqueeze(s2, -1) + eye  # the diagonal (zero) set to 1
    if which == U_:
        x = matmul(mT(u), g)
        ga = (x - mT(x)) * (unsqueeze(s, -2) / e)
        if m > n:  # the part of g outside U's columns
            ga = matmul(u, ga)
            gusinv = g / unsqueeze(s, -2)
            return matmul(ga + gusinv - matmul(u, matmul(mT(u), gusinv)), vh)
    else:
        x = matmul(vh, mT(g))
        ga = unsqueeze(s, -1) * ((x - mT(x)) / e)
        if m < n:  # the part of g outside Vh's rows
            ga = matmul(ga, vh)
            sinvgvh = g / unsqueeze(s, -1)
            return matmul(u, ga + sinvgvh - matmul(matmul(sinvgvh, mT(vh)), vh))
    return matmul(u, matmul(ga, vh)) if m >= n else matmul(matmul(u, ga), vh)


@op("svdvals(A)", category="linear algebra",
    summary="singular values of a matrix (or batch), largest first (torch.linalg.svdvals)",
    example="torch.linalg.svdvals(A)", derivative="U @ diag(grad) @ Vh, of the reduced SVD",
    grad_fn="LinalgSvdBackward0", namespaces=L, method=False,
    checks=(GradCheck("svdvals(a)", {"a": (3, 4)}), GradCheck("svdvals(a)", {"a": (2, 4, 3)})))
def svdvals(A: Any) -> Tensor:
    t = unary_input(A, "linalg.svdvals")
    check_matrices(t, "linalg.svd")
    return decompose(t)[S_]
