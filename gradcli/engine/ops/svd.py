"""The singular value decomposition (torch.linalg.svd, svdvals) with PyTorch's backward."""

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


def _numpy_svd(a: np.ndarray, full_matrices: bool) -> tuple[np.ndarray, ...]:
    if not np.isfinite(a).all():
        raise value_error("linalg.svd: The algorithm failed to converge because the input "
                          "matrix contained non-finite values.")
    m, n = a.shape[-2:]
    if a.size == 0:  # LAPACK is not called: empty factors, or identities when full
        batch = a.shape[:-2]
        u = np.broadcast_to(np.eye(m, m if full_matrices else 0, dtype=a.dtype),
                            batch + (m, m if full_matrices else 0)).copy()
        vh = np.broadcast_to(np.eye(n if full_matrices else 0, n, dtype=a.dtype),
                             batch + (n if full_matrices else 0, n)).copy()
        return u, np.zeros(batch + (0,), a.dtype), vh
    u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
    return u.astype(a.dtype), s.astype(a.dtype), vh.astype(a.dtype)


def decompose(t: Tensor, full_matrices: bool = True) -> tuple[Tensor, Tensor, Tensor]:
    """U, S, Vh of ``t``, each recording LinalgSvdBackward0 (one node per output, each with
    PyTorch's svd_backward for the gradient of that output alone: their sum is PyTorch's)."""
    parts = _numpy_svd(t.data, full_matrices)
    return tuple(  # type: ignore[return-value]
        record("LinalgSvdBackward0", Tensor(p), (t,), _svd_vjp, (t,),
               ctx=(which, full_matrices, parts)) for which, p in enumerate(parts))


def _svd_vjp(g: Tensor, node: Node) -> One:
    which, full, parts = node.ctx
    if is_grad_enabled():  # create_graph: U, S and Vh as functions of the input, again
        (a,) = node.unpack()
        u, s, vh = decompose(a, full)
    else:
        u, s, vh = (Tensor(p) for p in parts)
    k = s.data.shape[-1]
    if full:  # PyTorch narrows full factors (and their gradients) to the k singular vectors
        from .shape import index

        if u.data.shape[-1] != k:
            u = index(u, (Ellipsis, slice(0, k)))
            g = index(g, (Ellipsis, slice(0, k))) if which == U_ else g
        if vh.data.shape[-2] != k:
            vh = index(vh, (Ellipsis, slice(0, k), slice(None)))
            g = index(g, (Ellipsis, slice(0, k), slice(None))) if which == VH else g
    grads: list[Tensor | None] = [None, None, None]
    grads[which] = g
    return (svd_backward(grads[U_], grads[S_], grads[VH], u, s, vh),)


def svd_backward(gu: Tensor | None, gs: Tensor | None, gvh: Tensor | None,
                 u: Tensor, s: Tensor, vh: Tensor) -> Tensor:
    """PyTorch's ``svd_backward`` (FunctionsManual.cpp), real case, in recorded ops."""
    from .linalg import matmul
    from .shape import transpose, unsqueeze

    def mT(x: Tensor) -> Tensor:
        return transpose(x, -1, -2)

    m, n = u.data.shape[-2], vh.data.shape[-1]
    if gu is None and gvh is None:
        assert gs is not None
        return (matmul(u, unsqueeze(gs, -1) * vh) if m >= n
                else matmul(u * unsqueeze(gs, -2), vh))
    k = s.data.shape[-1]
    eye = Tensor(np.eye(k, dtype=s.data.dtype))
    s2 = s * s
    e = unsqueeze(s2, -2) - unsqueeze(s2, -1) + eye  # the diagonal (zero) set to 1
    uhgu = vhgv = None
    if gu is not None:
        x = matmul(mT(u), gu)
        uhgu = x - mT(x)
    if gvh is not None:
        x = matmul(vh, mT(gvh))
        vhgv = x - mT(x)
    if uhgu is not None and vhgv is not None:
        ga = (uhgu * unsqueeze(s, -2) + unsqueeze(s, -1) * vhgv) / e
    elif uhgu is not None:
        ga = uhgu * (unsqueeze(s, -2) / e)
    else:
        assert vhgv is not None
        ga = unsqueeze(s, -1) * (vhgv / e)
    if gs is not None:
        ga = ga + unsqueeze(gs, -1) * eye
    if m > n and gu is not None:
        ga = matmul(u, ga)
        gusinv = gu / unsqueeze(s, -2)
        ga = ga + gusinv - matmul(u, matmul(mT(u), gusinv))
        return matmul(ga, vh)
    if m < n and gvh is not None:
        ga = matmul(ga, vh)
        sinvgvh = gvh / unsqueeze(s, -1)
        ga = ga + sinvgvh - matmul(matmul(sinvgvh, mT(vh)), vh)
        return matmul(u, ga)
    return matmul(u, matmul(ga, vh)) if m >= n else matmul(matmul(u, ga), vh)


@op("svdvals(A)", category="linear algebra",
    summary="singular values of a matrix (or batch), largest first (torch.linalg.svdvals)",
    example="torch.linalg.svdvals(A)", derivative="U @ diag(grad) @ Vh, of the reduced SVD",
    grad_fn="LinalgSvdBackward0", namespaces=L, method=False,
    checks=(GradCheck("svdvals(a)", {"a": (3, 4)}), GradCheck("svdvals(a)", {"a": (2, 4, 3)})))
def svdvals(A: Any) -> Tensor:
    t = unary_input(A, "linalg.svdvals")
    check_matrices(t, "linalg.svd")
    return decompose(t, False)[S_]
