"""Matrix inverse, determinants, linear solves and torch.linalg's vector and matrix norms."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..autograd import Node, is_grad_enabled, record
from ..errors import EngineError, shape_error, type_error, value_error
from ..tensor import Tensor
from ._base import unary_input
from .table import GradCheck, op

One = tuple["Tensor | None"]
Pair = tuple["Tensor | None", "Tensor | None"]
_SQ = {"a": (3, 3)}
L = ("torch.linalg",)


def _mT(x: Tensor) -> Tensor:
    from .shape import transpose

    return transpose(x, -1, -2)


def _square(t: Tensor, name: str) -> None:
    if not dtypes.is_float(t.data.dtype):
        raise type_error(f"{name}: Expected a floating point or complex tensor as input. Got "
                         f"{_torch_name(t.data.dtype)}", hint="make it floating, e.g. A.float()")
    if t.data.ndim < 2:
        raise shape_error(f"{name}: The input tensor A must have at least 2 dimensions.")
    n, m = t.data.shape[-2:]
    if n != m:
        raise shape_error(f"{name}: A must be batches of square matrices, but they are {n} by {m} "
                          "matrices")


def _torch_name(dt: np.dtype[Any]) -> str:
    return {"int64": "Long", "int32": "Int", "bool": "Bool"}.get(dt.name, dt.name)


def _inv_vjp(g: Tensor, node: Node) -> One:
    y = _mT(node.output())
    return (-(y @ g @ y),)


def _inverse(input: Any, name: str) -> Tensor:
    t = unary_input(input, name)
    _square(t, name)
    try:
        with np.errstate(all="ignore"):
            data = np.linalg.inv(t.data)
    except np.linalg.LinAlgError:
        data = None
    if data is None or not np.isfinite(data).all() and np.isfinite(t.data).all():
        raise value_error(f"{name}: the input matrix is singular, so it has no inverse",
                          hint="check the matrix; solve or pinv-like methods need it invertible")
    return record("LinalgInvExBackward0", Tensor(data.astype(t.data.dtype)), (t,), _inv_vjp,
                  save_output=True)


@op("inverse(input)", category="linear algebra", summary="inverse of a square matrix (or batch)",
    example="inverse(A)", rules={"input": "-(transpose(inverse(input), -1, -2) @ grad @ "
                    "transpose(inverse(input), -1, -2))"},
    grad_fn="LinalgInvExBackward0",
    checks=(GradCheck("inverse(a)", _SQ),))
def inverse(input: Any) -> Tensor:
    return _inverse(input, "linalg.inv")


@op("inv(A)", category="linear algebra", summary="inverse of a square matrix (torch.linalg.inv)",
    example="torch.linalg.inv(A)",
    rules={"A": "-(transpose(inv(A), -1, -2) @ grad @ transpose(inv(A), -1, -2))"},
    grad_fn="LinalgInvExBackward0", namespaces=L, method=False,
    checks=(GradCheck("inv(a)", _SQ),))
def inv(A: Any) -> Tensor:
    return _inverse(A, "linalg.inv")


def _det_vjp(g: Tensor, node: Node) -> One:
    from .elementwise import where
    from .shape import unsqueeze

    a = node.unpack()[0]
    assert a is not None
    d = node.output()
    scale = unsqueeze(unsqueeze(g * d, -1), -1)
    if is_grad_enabled():
        # create_graph: PyTorch's linalg_det_backward takes the SVD formula for a matrix
        # whose |det| is under 100 eps (measured against torch 2.13: the switch lies there
        # for float32 and float64, whatever the matrix's scale), solve(A.mT, grad * det * I)
        # for the others.
        singular = np.abs(d.data) < 100 * np.finfo(a.data.dtype).eps
        if singular.all():
            return (_det_singular_grad(g, a),)
    else:
        # PyTorch's: grad * det solved through the LU with its zero pivots made eps, so zeros
        # for a matrix whose det is 0.
        singular = d.data == 0
    if not singular.any():
        try:
            return (_times_inverse_T(scale, a),)
        except EngineError as e:
            if is_grad_enabled() or "singular" not in str(e):
                raise
            # det(A) is not 0, but A.mT's LU met an exact zero pivot (a numerically singular
            # matrix): the cofactors through the SVD, which PyTorch's LU with its zero pivots
            # made eps approximates.
            return (_det_singular_grad(g, a),)
    eye = np.broadcast_to(np.eye(a.data.shape[-1], dtype=a.data.dtype), a.data.shape)
    mask = Tensor(singular[..., None, None])
    regular = _times_inverse_T(scale, where(mask, Tensor(eye.copy()), a))
    if not is_grad_enabled():
        return (regular,)
    return (where(mask, _det_singular_grad(g, a), regular),)


def _det_singular_grad(g: Tensor, a: Tensor) -> Tensor:
    """PyTorch's gradient of det for singular matrices (its create_graph formula): with
    A = U S Vh, U diag(D) Vh, D_i = grad * det(U) det(Vh) * prod of the S_j but S_i (taken
    without a division, so exact where singular values are 0), recorded when grad mode is on."""
    from .linalg import matmul
    from .matrix import cumprod, flip
    from .shape import cat, unsqueeze
    from .svd import decompose

    u, s, vh = decompose(a)
    k = s.data.shape[-1]
    weighted = unsqueeze(g * (det(u) * det(vh)), -1)
    if k == 1:
        return matmul(u * unsqueeze(weighted, -2), vh)
    ones = Tensor(np.ones(s.data.shape[:-1] + (1,), dtype=s.data.dtype))
    before = cumprod(cat([ones, s[..., :k - 1]], -1), -1)
    after = flip(cumprod(cat([ones, flip(s[..., 1:], -1)], -1), -1), -1)
    return matmul(u * unsqueeze(weighted * (before * after), -2), vh)


def _times_inverse_T(scale: Tensor, a: Tensor) -> Tensor:
    """``scale * inverse(a).mT``, solved as PyTorch does under create_graph,
    ``solve(a.mT, scale * I)`` (its node: LinalgSolveExBackward0)."""
    return solve(_mT(a), scale * Tensor(np.eye(a.data.shape[-1], dtype=a.data.dtype)))


@op("det(input)", category="linear algebra", summary="determinant of a square matrix (or batch)",
    example="det(A)", rules={"input": "unsqueeze(unsqueeze(grad * det(input), -1), -1) * "
                    "transpose(inverse(input), -1, -2)"},
    grad_fn="LinalgDetBackward0", namespaces=("torch", "torch.linalg"),
    checks=(GradCheck("det(a)", _SQ), GradCheck("det(a)", {"a": (2, 2, 2)})))
def det(input: Any) -> Tensor:
    t = unary_input(input, "linalg.det")
    _square(t, "linalg.det")
    out = Tensor(np.asarray(np.linalg.det(t.data), dtype=t.data.dtype))
    return record("LinalgDetBackward0", out, (t,), _det_vjp, (t,), save_output=True)


def _logabsdet_vjp(g: Tensor, node: Node) -> One:
    from .shape import unsqueeze

    a = node.unpack()[0]
    assert a is not None
    return (_times_inverse_T(unsqueeze(unsqueeze(g, -1), -1), a),)


def _sign_vjp(g: Tensor, node: Node) -> One:
    return (None,)  # the sign is piecewise constant: PyTorch sends no gradient


@op("logdet(input)", category="linear algebra",
    summary="log of the determinant (nan if negative, -inf if zero)", example="logdet(A)",
    rules={"input": "unsqueeze(unsqueeze(grad * (det(input) >= 0), -1), -1) * "
                    "transpose(inverse(input), -1, -2)"},
    grad_fn="WhereBackward0",
    checks=(GradCheck("logdet(a)", {"a": (1, 1)}, "positive"),))
def logdet(input: Any) -> Tensor:
    t = unary_input(input, "logdet")
    _square(t, "linalg.slogdet")
    sign, logabs = np.linalg.slogdet(t.data)
    value = np.where(sign < 0, np.nan, np.where(sign == 0, -np.inf, logabs))
    out = Tensor(np.asarray(value, dtype=t.data.dtype))
    return record("WhereBackward0", out, (t,), _logdet_vjp, (t,), ctx=np.asarray(sign) >= 0)


def _logdet_vjp(g: Tensor, node: Node) -> One:
    """PyTorch's where(sign < 0, nan, logabsdet): a negative determinant gets no gradient."""
    (d,) = _logabsdet_vjp(g, node)
    assert d is not None
    keep = node.ctx
    return (d if keep.all() else d * Tensor(keep[..., None, None].astype(d.data.dtype)),)


@op("slogdet(input)", category="linear algebra",
    summary="(sign, logabsdet): the determinant's sign and the log of its absolute value",
    example="slogdet(A)", grad_fn="LinalgSlogdetBackward0", namespaces=("torch", "torch.linalg"),
    derivative="of logabsdet: grad * inverse(input).T; of sign: 0",
    checks=(GradCheck("slogdet(a)[1]", _SQ),))
def slogdet(input: Any) -> Any:
    from .reductions import return_types

    t = unary_input(input, "slogdet")
    _square(t, "linalg.slogdet")
    sign, logabs = np.linalg.slogdet(t.data)
    s = record("LinalgSlogdetBackward0", Tensor(np.asarray(sign, dtype=t.data.dtype)), (t,),
               _sign_vjp)
    la = record("LinalgSlogdetBackward0", Tensor(np.asarray(logabs, dtype=t.data.dtype)), (t,),
                _logabsdet_vjp, (t,))
    return return_types("slogdet", s, la, ("sign", "logabsdet"))


def _solve_vjp(g: Tensor, node: Node) -> Pair:
    from .shape import squeeze, unsqueeze

    a = node.unpack()[0]
    x = node.output()
    vector = x.data.ndim == a.data.ndim - 1
    # A vector right-hand side is solved as one column, as PyTorch does (SqueezeBackward1).
    gb = squeeze(solve(_mT(a), unsqueeze(g, -1)), -1) if vector else solve(_mT(a), g)
    if not node.needs(0):
        return None, gb
    ga = -(unsqueeze(gb, -1) * unsqueeze(x, -2)) if vector else -(gb @ _mT(x))
    return ga, (gb if node.needs(1) else None)


@op("solve(A, B)", category="linear algebra",
    summary="X with A @ X = B (torch.linalg.solve), B a vector or matrices",
    example="torch.linalg.solve(A, b)",
    rules={"A": "-(unsqueeze(solve(transpose(A, -1, -2), grad), -1) * unsqueeze(solve(A, B), -2))"
                " if B.ndim == 1 or B.ndim == A.ndim - 1 and B.shape[0] == A.shape[0] and "
                "B.shape[-1] == A.shape[-1] else -(solve(transpose(A, -1, -2), "
                "grad) @ transpose(solve(A, B), -1, -2))",
           "B": "solve(transpose(A, -1, -2), grad)"},
    grad_fn="LinalgSolveExBackward0", namespaces=L, method=False,
    checks=(GradCheck("solve(a, b)", {"a": (3, 3), "b": (3,)}),
            GradCheck("solve(a, b)", {"a": (3, 3), "b": (3, 2)})))
def solve(A: Any, B: Any) -> Tensor:
    a, b = unary_input(A, "linalg.solve"), unary_input(B, "linalg.solve")
    _square(a, "linalg.solve")
    if a.data.dtype != b.data.dtype:
        raise type_error(f"linalg.solve: Expected A and B to have the same dtype, but found "
                         f"A of type {a.data.dtype.name} and B of type {b.data.dtype.name} instead")
    if b.data.ndim == 0:
        raise shape_error("linalg.solve: The input tensor B must have at least 2 dimensions.",
                          hint="B is a vector (n,) or a matrix (n, k), e.g. solve(A, b)")
    vector = b.data.ndim == 1 or (b.data.ndim == a.data.ndim - 1
                                  and b.data.shape == a.data.shape[:-1])
    rhs = b.data[..., None] if vector else b.data
    if rhs.shape[-2] != a.data.shape[-1]:
        raise shape_error(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                          f"({a.data.shape[-2]}x{a.data.shape[-1]} and "
                          f"{rhs.shape[-2]}x{rhs.shape[-1]})")
    try:
        x = np.linalg.solve(a.data, rhs)
    except np.linalg.LinAlgError:
        raise value_error("torch.linalg.solve: The solver failed because the input matrix is "
                          "singular.") from None
    out = Tensor((x[..., 0] if vector else x).astype(a.data.dtype))
    return record("LinalgSolveExBackward0", out, (a, b), _solve_vjp, (a, b), save_output=True)


@op("vector_norm(x, ord=2, dim=None, keepdim=False)", category="reduction",
    summary="vector ord-norm over all or along dim (torch.linalg.vector_norm)",
    example="torch.linalg.vector_norm(x)",
    rules={"x": "grad * where(result == 0, 0.0, x / result) if dim is None and ord == 2 else "
                "reshape(grad, vector_norm(x, ord, dim, True).shape) * sign(x) * abs(x)**(ord - 1)"
                " / vector_norm(x, ord, dim, True)**(ord - 1)"},
    grad_fn="LinalgVectorNormBackward0", namespaces=L, method=False,
    checks=(GradCheck("vector_norm(a)", _SQ), GradCheck("vector_norm(a, 3, dim=(0, 1))", _SQ),
            GradCheck("vector_norm(a, 1, 0, True)", _SQ, "distinct")))
def vector_norm(x: Any, ord: Any = 2, dim: Any = None, keepdim: bool = False) -> Tensor:
    from .reductions import norm

    return norm(x, ord, dim, keepdim)


@op("matrix_norm(A, ord='fro', dim=(-2, -1), keepdim=False)", category="reduction",
    summary="matrix norm of the last two dims: 'fro', 'nuc' (sum of singular values), 2/-2 "
            "(largest/smallest), 1/-1 (column sums), inf/-inf (row sums)",
    example="torch.linalg.matrix_norm(A)",
    grad_fn=(("LinalgVectorNormBackward0", "'fro'"), ("AmaxBackward0", "1, inf, 2"),
             ("AminBackward0", "-1, -inf, -2"), ("SumBackward1", "'nuc'"),
             ("PermuteBackward0", "'nuc', 2, -2 with keepdim")),
    namespaces=L, method=False,
    derivative="of the vector norm for 'fro'; of the largest (smallest) abs row or column sum; "
               "of the sum, largest or smallest singular value",
    checks=(GradCheck("matrix_norm(a)", _SQ), GradCheck("matrix_norm(a, 1)", _SQ, "distinct"),
            GradCheck("matrix_norm(a, float('-inf'))", _SQ, "distinct"),
            GradCheck("matrix_norm(a, 'nuc')", {"a": (3, 4)}),
            GradCheck("matrix_norm(a, 2, dim=(0, 2), keepdim=True)", {"a": (2, 3, 2)}),
            GradCheck("matrix_norm(a, -2)", {"a": (2, 4, 3)})))
def matrix_norm(A: Any, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False) -> Tensor:
    from .elementwise import abs
    from .reductions import amax, amin, norm, sum

    t = unary_input(A, "linalg.matrix_norm")
    if t.data.ndim < 2:
        raise shape_error("linalg.matrix_norm: The input tensor A must have at least 2 "
                          "dimensions.")
    if not dtypes.is_float(t.data.dtype):
        raise type_error("linalg.matrix_norm: Expected a floating point or complex tensor as "
                         f"input. Got {_torch_name(t.data.dtype)}")
    d = _matrix_dims(dim, t.data.ndim)
    if ord == "fro":
        return norm(t, 2, list(d), keepdim)
    if ord in ("nuc", 2, -2):
        return _singular_norm(t, ord, d, keepdim)
    if ord in (1, -1, float("inf"), float("-inf")):
        along, over = (d[0], d[1]) if ord in (1, -1) else (d[1], d[0])
        sums = sum(abs(t), along, True)
        return (amax if ord > 0 else amin)(sums, [along, over], keepdim)
    shown = ord if isinstance(ord, str) or ord != int(ord) else int(ord)
    raise value_error(f"linalg.matrix_norm: Order {shown} not supported.",
                      hint="the orders are 'fro', 'nuc', 2, -2, 1, -1, inf and -inf")


def _matrix_dims(dim: Any, ndim: int) -> tuple[int, int]:
    from .shape import normalize_dim

    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    if len(dims) != 2:
        raise shape_error("linalg.matrix_norm: dim must be a 2-tuple. Got "
                          + " ".join(str(x) for x in dims))
    d0, d1 = (normalize_dim(x, ndim) for x in dims)
    if d0 == d1:
        raise shape_error(f"linalg.matrix_norm: dims must be different. Got ({d0}, {d1})")
    return d0, d1


def _singular_norm(t: Tensor, ord: Any, d: tuple[int, int], keepdim: bool) -> Tensor:
    """PyTorch's: the two dims moved last (a permute, always recorded), the singular values,
    then their sum ('nuc'), amax (2) or amin (-2); with keepdim put back where they were."""
    from .reductions import amax, amin, sum
    from .shape import permute, unsqueeze
    from .svd import decompose

    order = [i for i in range(t.data.ndim) if i not in d] + list(d)
    s = decompose(permute(t, order))[1]
    if ord == "nuc":
        out = sum(s, -1, keepdim)
    elif s.data.shape[-1] == 0 and ord == 2:  # no singular values: PyTorch's norm is 0
        out = Tensor(np.zeros(s.data.shape[:-1] + (1,) * keepdim, s.data.dtype))
    elif s.data.shape[-1] == 0:
        raise value_error("amin(): Expected reduction dim -1 to have non-zero size.",
                          hint="a matrix with a dimension of size 0 has no smallest singular value")
    else:
        out = (amax if ord == 2 else amin)(s, -1, keepdim)
    if not keepdim:
        return out
    return permute(unsqueeze(out, -1), [order.index(i) for i in range(t.data.ndim)])
