"""Running sums and products, diagonals and triangles, flips and rolls (cumsum, trace, diag,
diagonal, tril, triu, flip, roll), with PyTorch's grad_fn names."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..autograd import Node, is_grad_enabled, record
from ..errors import shape_error, type_error, value_error
from ..memory import check_allocation
from ..tensor import Tensor
from ._base import check_numel, unary_input
from .shape import normalize_dim, sizes_of
from .table import GradCheck, op

One = tuple["Tensor | None"]
_M = {"a": (3, 4)}


def _one_dim(dim: Any, ndim: int, name: str) -> int:
    if dim is None:
        raise type_error(f'{name}() missing 1 required positional arguments: "dim"',
                         hint=f"e.g. {name}(x, dim=0)")
    if isinstance(dim, (tuple, list)):
        raise type_error(f"{name}(): argument 'dim' (position 2) must be int, not "
                         f"{type(dim).__name__}")
    return normalize_dim(dim, ndim)


def _cumsum_vjp(g: Tensor, node: Node) -> One:
    axis = node.ctx
    return (flip(cumsum(flip(g, axis), axis), axis),)


@op("cumsum(input, dim, dtype=None)", category="reduction",
    summary="running sum along dim", example="cumsum(x, 0)",
    rules={"input": "flip(cumsum(flip(grad, dim), dim), dim)"},
    grad_fn="CumsumBackward0",
    checks=(GradCheck("cumsum(a, 1)", _M), GradCheck("a.cumsum(dim=0)", _M)))
def cumsum(input: Any, dim: Any = None, dtype: Any = None) -> Tensor:
    t, axis, out = _scan("cumsum", np.cumsum, input, dim, dtype)
    return record("CumsumBackward0", out, (t,), _cumsum_vjp, ctx=axis)


def _scan(name: str, running: Any, input: Any, dim: Any, dtype: Any
          ) -> tuple[Tensor, int, Tensor]:
    """cumsum's and cumprod's common part: the input, the axis, and the ``running`` sum or
    product along it, in ``dtype`` if given, else in int64 for integers and bools."""
    t = unary_input(input, name)
    axis = _one_dim(dim, t.data.ndim, name)
    data = t.data
    if dtype is not None:
        dt = dtypes.parse_dtype(dtype)
        if dt.kind == "b":
            raise type_error(f'"{name}_out_cpu" not implemented for \'Bool\'',
                             hint="use torch.int64 to count, or a floating dtype")
        data = data.astype(dt)
    elif data.dtype.kind in "bi":
        data = data.astype(np.int64)
    return t, axis, Tensor(running(data, axis=axis) if data.ndim else data.copy())


def _cumprod_vjp(g: Tensor, node: Node) -> One:
    x = node.unpack()[0]
    assert x is not None
    axis = node.ctx
    if not (x.data == 0).any():
        return (flip(cumsum(flip(g * node.output(), axis), axis), axis) / x,)
    if is_grad_enabled():  # create_graph: the same sums, recorded (they depend on g and x)
        return (_cumprod_grad_with_zeros_recorded(x, g, axis),)
    return (Tensor(_cumprod_grad_with_zeros(x.data, g.data, axis)),)


def _cumprod_grad_with_zeros_recorded(x: Tensor, g: Tensor, axis: int) -> Tensor:
    """``_cumprod_grad_with_zeros`` in recorded ops, for second derivatives: for each i, the
    running product of x with x_i taken as 1, times g, summed over j >= i (a reversed
    cumulative sum, read at i)."""
    from .elementwise import where
    from .shape import stack

    if x.data.ndim == 0:
        return g
    n = x.data.shape[axis]
    # n passes over the whole input, each keeping ~8 arrays of its size in the graph: within
    # --max-memory, or a limit error (a long dim would otherwise take gigabytes).
    check_allocation(8.0 * n * x.data.nbytes, "cumprod's gradient at zeros under create_graph")
    place = np.arange(n).reshape([n if k == axis else 1 for k in range(x.data.ndim)])
    parts = []
    for i in range(n):
        running = cumprod(where(Tensor(place == i), 1.0, x), axis)
        tails = flip(cumsum(flip(g * running, axis), axis), axis)
        parts.append(tails[(slice(None),) * axis + (i,)])
    return stack(parts, axis)


def _cumprod_grad_with_zeros(x: np.ndarray, g: np.ndarray, axis: int) -> np.ndarray:
    """sum over j >= i of g_j * (product of x_k, k <= j, k != i): no division by a zero."""
    if x.ndim == 0:
        return g.copy()
    xs, gs = np.moveaxis(x, axis, -1), np.moveaxis(g, axis, -1)
    out = np.zeros_like(xs)
    n = xs.shape[-1]
    for i in range(n):
        others = xs.copy()
        others[..., i] = 1
        out[..., i] = np.sum(gs[..., i:] * np.cumprod(others, axis=-1)[..., i:], axis=-1)
    return np.moveaxis(out, -1, axis)


@op("cumprod(input, dim, dtype=None)", category="reduction",
    summary="running product along dim", example="cumprod(x, 0)",
    rules={"input": "flip(cumsum(flip(grad * result, dim), dim), dim) / input"},
    grad_fn="CumprodBackward0",
    checks=(GradCheck("cumprod(a, 1)", _M, "positive"), GradCheck("a.cumprod(0)", _M)))
def cumprod(input: Any, dim: Any = None, dtype: Any = None) -> Tensor:
    t, axis, out = _scan("cumprod", np.cumprod, input, dim, dtype)
    return record("CumprodBackward0", out, (t,), _cumprod_vjp, (t,), ctx=axis, save_output=True)


def _trace_vjp(g: Tensor, node: Node) -> One:
    # PyTorch's: zeros with grad on the diagonal (+0 elsewhere), viewed as the matrix.
    from .elementwise import where
    from .shape import reshape

    n, m = node.ctx
    return (reshape(where(Tensor(np.eye(n, m, dtype=bool).ravel()), g, 0.0), (n, m)),)


@op("trace(input)", category="linear algebra", summary="sum of the main diagonal of a matrix",
    example="trace(A)", rules={"input": "grad * tril(triu(ones_like(input)))"},
    grad_fn="TraceBackward0", checks=(GradCheck("trace(a)", _M), GradCheck("a.trace()", {"a": (3, 3)})))
def trace(input: Any) -> Tensor:
    t = unary_input(input, "trace")
    if t.data.ndim != 2:
        raise shape_error(f"trace: expected a matrix, but got tensor with dim {t.data.ndim}")
    if t.data.dtype.kind == "b":
        raise type_error("\"trace\" not implemented for 'Bool'", hint="convert first, e.g. x.long()")
    data = t.data.astype(np.int64) if t.data.dtype.kind in "bi" else t.data
    out = Tensor(np.asarray(np.trace(data), dtype=data.dtype))
    return record("TraceBackward0", out, (t,), _trace_vjp, ctx=t.data.shape)


def _dims_of_diagonal(ndim: int, dim1: Any, dim2: Any) -> tuple[int, int]:
    d1, d2 = normalize_dim(dim1, ndim), normalize_dim(dim2, ndim)
    if d1 == d2:
        raise value_error(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def _diagonal_index(shape: tuple[int, ...], offset: int, d1: int, d2: int
                    ) -> tuple[np.ndarray, np.ndarray]:
    n1, n2 = shape[d1], shape[d2]
    start1, start2 = (0, offset) if offset >= 0 else (-offset, 0)
    length = max(0, min(n1 - start1, n2 - start2))
    i = np.arange(length)
    return i + start1, i + start2


def _diagonal_raw(x: np.ndarray, offset: int, d1: int, d2: int) -> np.ndarray:
    return np.diagonal(x, offset, d1, d2).copy()


def _diagonal_vjp(g: Tensor, node: Node) -> One:
    shape, offset, d1, d2 = node.ctx
    return (diagonal_scatter(g, shape, offset, d1, d2),)


def diagonal_scatter(g: Tensor, shape: tuple[int, ...], offset: int, d1: int, d2: int) -> Tensor:
    """Zeros of ``shape`` with ``g`` on the diagonal (the gradient of diagonal), as a node."""
    out = np.zeros(shape, dtype=g.data.dtype)
    rows, cols = _diagonal_index(shape, offset, d1, d2)
    moved = np.moveaxis(out, (d1, d2), (-2, -1))
    moved[..., rows, cols] = g.data
    return record("DiagonalBackwardBackward0", Tensor(out), (g,), _diagonal_scatter_vjp,
                  ctx=(offset, d1, d2))


def _diagonal_scatter_vjp(gg: Tensor, node: Node) -> One:
    offset, d1, d2 = node.ctx
    return (_diagonal(gg, offset, d1, d2, "DiagonalBackward0"),)


def _diagonal(t: Tensor, offset: int, d1: int, d2: int, name: str) -> Tensor:
    out = Tensor(_diagonal_raw(t.data, offset, d1, d2))
    return record(name, out, (t,), _diagonal_vjp, ctx=(t.data.shape, offset, d1, d2))


def _offset(value: Any, name: str) -> int:
    if isinstance(value, Tensor):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise type_error(f"{name}(): argument 'diagonal' must be int, not {type(value).__name__}")
    return int(value)


@op("diagonal(input, offset=0, dim1=0, dim2=1)", category="linear algebra",
    summary="the diagonal (offset above, below if negative) of dims dim1 and dim2",
    example="diagonal(A)", derivative="grad on the diagonal, zeros elsewhere",
    grad_fn="DiagonalBackward0",
    checks=(GradCheck("diagonal(a)", _M), GradCheck("diagonal(a, -1)", _M),
            GradCheck("diagonal(a, 1, 2, 0)", {"a": (3, 2, 4)})))
def diagonal(input: Any, offset: Any = 0, dim1: Any = 0, dim2: Any = 1) -> Tensor:
    t = unary_input(input, "diagonal")
    d1, d2 = _dims_of_diagonal(t.data.ndim, dim1, dim2)
    return _diagonal(t, _offset(offset, "diagonal"), d1, d2, "DiagonalBackward0")


def _diag_embed_vjp(g: Tensor, node: Node) -> One:
    return (_diagonal(g, node.ctx, 0, 1, "DiagonalBackward0"),)


@op("diag(input, diagonal=0)", category="linear algebra",
    summary="a vector's diagonal matrix, or a matrix's diagonal vector",
    example="diag(x)", derivative="diagonal(grad, diagonal) for a vector; for a matrix, grad "
    "on the diagonal, zeros elsewhere",
    grad_fn=(("DiagEmbedBackward0", "vector"), ("DiagonalBackward0_copy", "matrix")),
    checks=(GradCheck("diag(a)", {"a": (3,)}), GradCheck("diag(a, -1)", {"a": (3,)}),
            GradCheck("diag(a, 1)", _M)))
def diag(input: Any, diagonal: Any = 0) -> Tensor:
    t = unary_input(input, "diag")
    k = _offset(diagonal, "diag")
    if t.data.ndim == 2:
        return _diagonal(t, k, 0, 1, "DiagonalBackward0_copy")
    if t.data.ndim != 1:
        raise shape_error(f"diag(): Supports 1D or 2D tensors. Got {t.data.ndim}D")
    n = t.data.shape[0] + abs(k)
    check_numel((n, n), "diag")
    out = Tensor(np.diag(t.data, k))
    return record("DiagEmbedBackward0", out, (t,), _diag_embed_vjp, ctx=k)


def _triangle(name: str, npfn: Any) -> Any:
    grad_fn = name.capitalize() + "Backward0"

    def vjp(g: Tensor, node: Node) -> One:
        return (fn(g, node.ctx),)

    def fn(input: Any, diagonal: Any = 0) -> Tensor:
        t = unary_input(input, name)
        if t.data.ndim < 2:
            raise shape_error(f"{name}: input tensor must have at least 2 dimensions")
        k = _offset(diagonal, name)
        return record(grad_fn, Tensor(npfn(t.data, k)), (t,), vjp, ctx=k)

    fn.__name__ = name
    where = "on and below" if name == "tril" else "on and above"
    op(f"{name}(input, diagonal=0)", category="linear algebra",
       summary=f"the elements {where} the diagonal (offset by diagonal), zeros elsewhere",
       example=f"{name}(A)", rules={"input": f"{name}(grad, diagonal)"}, grad_fn=grad_fn,
       checks=(GradCheck(f"{name}(a)", _M), GradCheck(f"a.{name}(diagonal=-1)", _M)))(fn)
    return fn


tril = _triangle("tril", np.tril)
triu = _triangle("triu", np.triu)


def _dims(dims: Any, ndim: int, name: str) -> tuple[int, ...]:
    axes = tuple(normalize_dim(d, ndim) for d in sizes_of(dims, name))
    if len(set(axes)) != len(axes):
        raise value_error(f"dims {axes} has duplicates: {name}() needs distinct dims")
    return axes


def _flip_vjp(g: Tensor, node: Node) -> One:
    return (flip(g, node.ctx),)


@op("flip(input, *dims)", category="shape", summary="reverse the order along dims",
    example="flip(x, 0)", rules={"input": "flip(grad, dims)"}, grad_fn="FlipBackward0",
    checks=(GradCheck("flip(a, 0)", _M), GradCheck("a.flip((0, 1))", _M)))
def flip(input: Any, *dims: Any) -> Tensor:
    t = unary_input(input, "flip")
    axes = _dims(dims, t.data.ndim, "flip")
    out = Tensor(np.flip(t.data, axes).copy() if t.data.ndim else t.data.copy())
    return record("FlipBackward0", out, (t,), _flip_vjp, ctx=axes)


def _roll_vjp(g: Tensor, node: Node) -> One:
    shifts, axes = node.ctx
    return (roll(g, tuple(-s for s in shifts), axes if axes else None),)


@op("roll(input, shifts, dims=None)", category="shape",
    summary="shift elements along dims, wrapping around (of the flattened input without dims)",
    example="roll(x, 1)", rules={
        "input": "flip(roll(flip(grad, dims), shifts, dims), dims) if dims is not None else "
                 "reshape(flip(roll(flip(reshape(grad, (-1,)), 0), shifts), 0), input.shape)"},
    grad_fn="RollBackward0",
    checks=(GradCheck("roll(a, 1)", _M), GradCheck("roll(a, (1, -2), (0, 1))", _M)))
def roll(input: Any, shifts: Any, dims: Any = None) -> Tensor:
    t = unary_input(input, "roll")
    steps = sizes_of((shifts,), "roll")
    if dims is None:
        if len(steps) != 1:
            raise value_error(f"shifts and dimensions must align. shifts: {len(steps)}, dims:0")
        axes: tuple[int, ...] = ()
        data = np.roll(t.data.reshape(-1), steps[0]).reshape(t.data.shape)
    else:
        axes = _dims((dims,), t.data.ndim, "roll")
        if len(axes) != len(steps):
            raise value_error(f"shifts and dimensions must align. shifts: {len(steps)}, "
                              f"dims:{len(axes)}")
        data = np.roll(t.data, steps, axes)
    return record("RollBackward0", Tensor(data), (t,), _roll_vjp, ctx=(steps, axes))
