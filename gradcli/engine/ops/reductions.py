"""Reductions over all elements or along ``dim`` (alias ``axis``), and softmax/log_softmax."""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

from .. import dtypes, summation, torchmath
from ..autograd import Node, is_grad_enabled, record
from ..errors import shape_error, type_error, value_error
from ..tensor import Tensor
from ._base import is_scalar, unary_input
from .table import OPS, GradCheck, op

One = tuple["Tensor | None"]
_M = {"a": (3, 4)}


class ReturnTypes(tuple):  # type: ignore[type-arg]
    """``torch.return_types.max(values=..., indices=...)``: a named pair."""

    __slots__ = ()
    fn: str = ""
    #: The names of the two members (``sign`` and ``logabsdet`` for slogdet).
    fields: tuple[str, str] = ("values", "indices")

    @property
    def values(self) -> Any:
        return self[0]

    @property
    def indices(self) -> Any:
        return self[1]


def return_types(fn: str, values: Tensor, indices: Tensor,
                 fields: tuple[str, str] = ("values", "indices")) -> ReturnTypes:
    cls = type(fn, (ReturnTypes,), {"__slots__": (), "fn": fn, "fields": fields})
    return cls((values, indices))


def axes_of(dim: Any, ndim: int, name: str) -> tuple[int, ...] | None:
    """``dim`` as a sorted tuple of non-negative axes; None (or no dims, as PyTorch's
    ``sum(x, [])``) means all of them."""
    if dim is None:
        return None
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    if not dims:
        return None
    out = []
    for d in dims:
        if isinstance(d, Tensor):
            d = d.item()
        if not isinstance(d, (int, np.integer)) or isinstance(d, bool):
            raise type_error(f"{name}(): dim must be an int or a tuple of ints, not {d!r}")
        lim = ndim if ndim > 0 else 1
        if not -lim <= d < lim:
            raise shape_error(
                f"{name}(): Dimension out of range (expected to be in range of [{-lim}, {lim - 1}], "
                f"but got {d})")
        out.append(int(d) % lim)
    seen = set()
    for d in out:
        if d in seen:
            raise value_error(f"{name}(): dim {d} appears multiple times in the list of dims")
        seen.add(d)
    return tuple(sorted(out))


def _kept_shape(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> tuple[int, ...]:
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def expand_reduced(g: Tensor, shape: tuple[int, ...], axes: tuple[int, ...] | None,
                   keepdim: bool) -> Tensor:
    """Bring a reduced gradient back to the input's shape (differentiably)."""
    from .shape import expand, reshape

    kept = _kept_shape(shape, axes)
    if g.data.shape != kept:
        g = reshape(g, kept)
    return expand(g, shape)


#: What np.sum calls, without its Python wrapper (~1 us of 2). (Any: numpy's stubs type
#: ``keepdims`` as a literal.)
_add_reduce: Any = np.add.reduce


def float_sum(data: np.ndarray, axes: tuple[int, ...] | None, keepdim: bool) -> Any:
    """``np.add.reduce`` over ``axes``, with floats added in PyTorch's order (engine/summation)
    so that the last bit agrees; integers sum exactly either way."""
    if data.dtype.kind == "f":
        return summation.float_sum(data, axes, keepdim)
    return _add_reduce(data, axis=axes, keepdims=keepdim)


def _np_axis(axes: tuple[int, ...] | None, ndim: int) -> tuple[int, ...] | None:
    return None if axes is None or ndim == 0 else axes


def _nonempty(t: Tensor, axes: tuple[int, ...] | None, name: str, specify: bool = True) -> None:
    """Reductions without an identity (max, argmax, ...) refuse to reduce nothing, as PyTorch."""
    if axes is None or not t.data.ndim:
        if t.data.size == 0:
            more = " Specify the reduction dim with the 'dim' argument." if specify else ""
            raise value_error(f"{name}(): Expected reduction dim to be specified for "
                              f"input.numel() == 0.{more}")
        return
    for axis in axes:
        if t.data.shape[axis] == 0:
            raise value_error(f"{name}(): Expected reduction dim {axis} to have non-zero size.")


def _reduce_args(input: Any, dim: Any, name: str) -> tuple[Tensor, tuple[int, ...] | None]:
    t = unary_input(input, name)
    return t, axes_of(dim, t.data.ndim, name)


def _sum_vjp(g: Tensor, node: Node) -> One:
    shape, axes, keepdim = node.ctx
    return (expand_reduced(g, shape, axes, keepdim),)


def _expand_raw(g: np.ndarray, shape: tuple[int, ...], axes: tuple[int, ...] | None,
                dense: bool) -> np.ndarray:
    """A reduced gradient back at the input's shape, laid out as PyTorch's: sum's backward
    is a broadcast view (strides 0, read-only), mean's a buffer of its own (its expand divided
    by the count). The layout decides the order in which a later sum_to adds it up."""
    if not dense and g.size == 1 and g.flags.c_contiguous:
        # One value viewed at every place (broadcast_to's result, in a quarter of its time)
        out = np.ndarray(shape, g.dtype, g, 0, (0,) * len(shape))
        out.flags.writeable = False
        return out
    kept = _kept_shape(shape, axes)
    if g.shape != kept:
        g = g.reshape(kept)
    if dense:
        out = np.empty(shape, g.dtype)
        np.copyto(out, g)
        return out
    return np.broadcast_to(g, shape)


def _sum_fast(g: np.ndarray, node: Node, owned: bool) -> tuple[np.ndarray]:
    shape, axes, keepdim = node.ctx
    return (_expand_raw(g, shape, axes, False),)


def _mean_fast(g: np.ndarray, node: Node, owned: bool) -> tuple[np.ndarray]:
    shape, axes, keepdim, count = node.ctx
    return (_expand_raw(np.asarray(g / count), shape, axes, True),)


@op("sum(input, dim=None, keepdim=False, dtype=None)", category="reduction",
    summary="sum of elements, over all or along dim", example="sum(x)",
    rules={
        "input": (
            "expand(grad, input.shape) if dim is None or keepdim else "
            "expand(reshape(grad, sum(input, dim, True).shape), input.shape)"),
    },
    grad_fn=(("SumBackward0", "all"), ("SumBackward1", "dim")),
    checks=(GradCheck("sum(a)", _M), GradCheck("sum(a, dim=1, keepdim=True)", _M),
            GradCheck("a.sum(axis=0)", _M), GradCheck("a.sum(axis=[0, 1])", _M)))
def sum(input: Any, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    t, axes = _reduce_args(input, dim, "sum")
    data = t.data
    if dtype is not None:
        data = data.astype(dtypes.parse_dtype(dtype))
    elif data.dtype.kind in "bi":
        data = data.astype(np.int64)
    out = Tensor(np.asarray(float_sum(data, _np_axis(axes, t.data.ndim), keepdim)))
    name = "SumBackward0" if dim is None else "SumBackward1"
    return record(name, out, (t,), _sum_vjp, ctx=(t.data.shape, axes, keepdim), fast=_sum_fast)


@op("mean(input, dim=None, keepdim=False)", category="reduction",
    summary="arithmetic mean, over all or along dim", example="mean(x)",
    rules={
        "input": (
            "(expand(grad, input.shape) if dim is None or keepdim else "
            "expand(reshape(grad, mean(input, dim, True).shape), input.shape)) * numel(result) / "
            "numel(input)"),
    },
    grad_fn=(("MeanBackward0", "all"), ("MeanBackward1", "dim")),
    checks=(GradCheck("mean(a)", _M), GradCheck("mean(a, 0)", _M),
            GradCheck("mean(a, [0, 1], keepdim=True)", _M)))
def mean(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor:
    t, axes = _reduce_args(input, dim, "mean")
    if not dtypes.is_float(t.data.dtype):
        raise type_error(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {_torch_name(t.data.dtype)}",
            hint="make the tensor floating first, e.g. x.float() or arange(4.0)")
    count = t.data.size if axes is None or not t.data.ndim else math.prod(
        t.data.shape[a] for a in axes)
    out = Tensor(_mean_of(t.data, _np_axis(axes, t.data.ndim), keepdim, count))
    name = "MeanBackward0" if dim is None else "MeanBackward1"
    return record(name, out, (t,), _mean_vjp, ctx=(t.data.shape, axes, keepdim, count),
                  fast=_mean_fast)


def _mean_of(data: np.ndarray, axis: Any, keepdim: bool, count: int) -> np.ndarray:
    """The mean of float32 or float64 data (the only floating dtypes of a tensor), in its
    dtype, as PyTorch's CPU mean: its sum, then one division by the count. The mean of
    nothing is NaN, as in PyTorch, and silent (numpy would warn "Mean of empty slice")."""
    total = float_sum(data, axis, keepdim)
    if not count:
        with np.errstate(invalid="ignore"):
            return np.asarray(np.true_divide(total, count), dtype=data.dtype)
    if type(total) is np.ndarray:
        return np.true_divide(total, count, out=total, casting="unsafe")
    return np.asarray(total / count, dtype=data.dtype)


def _mean_vjp(g: Tensor, node: Node) -> One:
    from .linalg import rename_grad_fn

    # PyTorch's order: the gradient expanded, then divided by the count (a Scalar division:
    # DivBackward1). Only the recorded backward runs this (the raw one runs _mean_fast).
    shape, axes, keepdim, count = node.ctx
    return (rename_grad_fn(expand_reduced(g, shape, axes, keepdim) / count, "DivBackward1"),)


def _torch_name(dt: np.dtype[Any]) -> str:
    return {"int64": "Long", "int32": "Int", "bool": "Bool", "float32": "Float",
            "float64": "Double"}[dt.name]


def _prod_vjp(g: Tensor, node: Node) -> One:
    x = node.unpack()[0]
    assert x is not None
    shape, axes, keepdim = node.ctx
    ge = expand_reduced(g, shape, axes, keepdim)
    ans = expand_reduced(node.output(), shape, axes, keepdim)
    if not (x.data == 0).any():
        return (ge * (ans / x),)  # PyTorch's order: grad * (result / input)
    # With zeros, input / output is undefined: use the product of the other elements.
    if is_grad_enabled():  # create_graph: it depends on x too (PyTorch's differentiable ops)
        return (ge * _prod_of_others_recorded(x, axes),)
    return (ge * Tensor(_prod_of_others(x.data, axes)),)


def _prod_of_others_recorded(x: Tensor, axes: tuple[int, ...] | None) -> Tensor:
    """``_prod_of_others`` in recorded ops, as PyTorch's prod_safe_zeros_backward: the
    exclusive cumulative products from either end (cat, cumprod, flip), multiplied."""
    from .matrix import cumprod, flip
    from .shape import cat, reshape

    if x.data.ndim == 0:
        return Tensor(np.ones_like(x.data))
    work, dim = (reshape(x, (-1,)), 0) if axes is None else (x, axes[0])
    n = work.data.shape[dim]
    if n == 1:  # no other element: 1, a constant (PyTorch's second derivative is None there)
        return Tensor(np.ones_like(x.data))
    ones = Tensor(np.ones(work.data.shape[:dim] + (1,) + work.data.shape[dim + 1:],
                          dtype=x.data.dtype))
    head = work[(slice(None),) * dim + (slice(0, n - 1),)]
    tail = work[(slice(None),) * dim + (slice(1, n),)]
    before = cumprod(cat([ones, head], dim), dim)
    after = flip(cumprod(cat([ones, flip(tail, dim)], dim), dim), dim)
    others = before * after
    return reshape(others, x.data.shape) if axes is None else others


def _prod_of_others(x: np.ndarray, axes: tuple[int, ...] | None) -> np.ndarray:
    if x.ndim == 0:
        return np.ones_like(x)
    work = np.moveaxis(x, axes, range(len(axes))) if axes else x
    lead = len(axes) if axes else x.ndim
    flat = work.reshape((-1,) + work.shape[lead:])
    ones = np.ones((1,) + flat.shape[1:], dtype=x.dtype)
    left = np.cumprod(np.concatenate([ones, flat[:-1]]), axis=0)
    right = np.cumprod(np.concatenate([ones, flat[::-1][:-1]]), axis=0)[::-1]
    others = (left * right).reshape(work.shape)
    return np.moveaxis(others, range(len(axes)), axes) if axes else others


@op("prod(input, dim=None, keepdim=False)", category="reduction",
    summary="product of elements, over all or along dim", example="prod(x)",
    rules={
        "input": (
            "grad * where(input == 0, prod(where(input == 0, 1, input)) * (sum(input == 0) == 1),"
            " result / input) if dim is None else "
            "grad * where(input == 0, prod(where(input == 0, 1, input), dim, True) * "
            "(sum(input == 0, dim, True) == 1), result / input) if keepdim else "
            "reshape(grad, prod(input, dim, True).shape) * where(input == 0, prod(where(input == "
            "0, 1, input), dim, True) * (sum(input == 0, dim, True) == 1), reshape(result, "
            "prod(input, dim, True).shape) / input)"),
    },
    grad_fn=(("ProdBackward0", "all"), ("ProdBackward1", "dim")),
    checks=(GradCheck("prod(a)", {"a": (5,)}), GradCheck("prod(a, 1)", _M)))
def prod(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor:
    t, axes = _reduce_args(input, dim, "prod")
    if axes is not None and len(axes) > 1:
        raise type_error("prod(): dim must be a single int")
    data = t.data.astype(np.int64) if t.data.dtype.kind in "bi" else t.data
    out = Tensor(np.asarray(np.prod(data, axis=_np_axis(axes, t.data.ndim), keepdims=keepdim)))
    name = "ProdBackward0" if dim is None else "ProdBackward1"
    return record(name, out, (t,), _prod_vjp, (t,), ctx=(t.data.shape, axes, keepdim),
                  save_output=True)


def _even_vjp(g: Tensor, node: Node) -> One:
    """max(x) and min(x) (PyTorch's evenly_distribute_backward): ties share the gradient
    evenly; a NaN result sends it to the NaNs."""
    from .elementwise import where
    from .linalg import rename_grad_fn

    x = node.unpack()[0]
    assert x is not None
    ans = node.output().data
    mask = np.isnan(x.data) if np.isnan(ans) else x.data == ans
    # zeros.masked_fill_(mask, grad / count): +0 elsewhere, MaskedFillBackward1.
    return (rename_grad_fn(where(Tensor(mask), g / int(np.sum(mask)), 0.0),
                           "MaskedFillBackward1"),)


def _amax_vjp(g: Tensor, node: Node) -> One:
    """amax and amin (PyTorch's scale_grad_by_count): the gradient divided by the number of
    elements equal to the result, on them; a NaN result equals nothing, so 0/0 gives NaN."""
    x = node.unpack()[0]
    assert x is not None
    shape, axes, keepdim = node.ctx
    mask = x.data == expand_reduced(node.output(), shape, axes, keepdim).data
    dt = g.data.dtype
    count = np.sum(mask, axis=_np_axis(axes, x.data.ndim), keepdims=True).astype(dt)
    return ((expand_reduced(g, shape, axes, keepdim) / Tensor(count)) * Tensor(mask.astype(dt)),)


def _select_vjp(g: Tensor, node: Node) -> One:
    # max/min along a dim: the gradient goes to the element that was selected.
    shape, axis, keepdim, idx = node.ctx
    if not shape:  # a 0-d input: its one element was selected
        return (g,)
    from .elementwise import where
    from .linalg import rename_grad_fn

    onehot = np.arange(shape[axis]).reshape([-1 if i == axis else 1 for i in range(len(shape))])
    mask = onehot == (idx if keepdim else np.expand_dims(idx, axis))
    # zeros.scatter(dim, indices, grad): +0 elsewhere, ScatterBackward0.
    return (rename_grad_fn(where(Tensor(mask), expand_reduced(g, shape, (axis,), keepdim), 0.0),
                           "ScatterBackward0"),)


def _int_dim(dim: Any, name: str) -> None:
    """PyTorch's words for a dim that is not one int, where an op takes one (max, argmax)."""
    if dim is not None and (isinstance(dim, bool) or not isinstance(dim, (int, np.integer))):
        raise type_error(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}",
                         hint=f"{name} takes one dim; reshape or flatten first for several")


def _extreme(input: Any, dim: Any, keepdim: bool, other: Any, name: str) -> Any:
    from .elementwise import maximum, minimum

    if isinstance(dim, Tensor) or (other is not None):
        # max(x, y) is the element-wise maximum.
        return (maximum if name == "max" else minimum)(input, other if other is not None else dim)
    t = unary_input(input, name)
    _int_dim(dim, name)
    _nonempty(t, None if dim is None else axes_of(dim, t.data.ndim, name), name)
    npfn = np.max if name == "max" else np.min
    argfn = np.argmax if name == "max" else np.argmin
    if dim is None:
        out = Tensor(np.asarray(npfn(t.data)))
        return record(name.capitalize() + "Backward1", out, (t,), _even_vjp, (t,),
                      ctx=(t.data.shape, None, False), save_output=True)
    (axis,) = axes_of(dim, t.data.ndim, name) or (0,)
    if t.data.ndim == 0:
        values, idx = t.data.copy(), np.asarray(0)
    else:
        idx = argfn(t.data, axis=axis, keepdims=keepdim)
        values = npfn(t.data, axis=axis, keepdims=keepdim)
    out = record(name.capitalize() + "Backward0", Tensor(np.asarray(values)), (t,), _select_vjp,
                 ctx=(t.data.shape, axis, keepdim, idx))
    return return_types(name, out, Tensor(np.asarray(idx, dtype=np.int64)))


@op("max(input, dim=None, keepdim=False)", category="reduction",
    summary="largest element; with dim, (values, indices); max(x, y) is maximum",
    example="max(x)", rules={
        "input": "grad * (input == result) / sum(input == result)",
    },
    grad_fn=(("MaxBackward1", "all"), ("MaxBackward0", "dim")),
    checks=(GradCheck("max(a)", _M, "distinct"), GradCheck("max(a, 1)[0]", _M, "distinct")))
def max(input: Any, dim: Any = None, keepdim: bool = False, other: Any = None) -> Any:
    return _extreme(input, dim, keepdim, other, "max")


@op("min(input, dim=None, keepdim=False)", category="reduction",
    summary="smallest element; with dim, (values, indices); min(x, y) is minimum",
    example="min(x)", rules={
        "input": "grad * (input == result) / sum(input == result)",
    },
    grad_fn=(("MinBackward1", "all"), ("MinBackward0", "dim")),
    checks=(GradCheck("min(a)", _M, "distinct"), GradCheck("min(a, 0)[0]", _M, "distinct")))
def min(input: Any, dim: Any = None, keepdim: bool = False, other: Any = None) -> Any:
    return _extreme(input, dim, keepdim, other, "min")


def _amax_like(name: str, npfn: Any) -> Any:
    def fn(input: Any, dim: Any = (), keepdim: bool = False) -> Tensor:
        t = unary_input(input, name)
        axes = None if dim in ((), []) else axes_of(dim, t.data.ndim, name)
        _nonempty(t, axes, name)
        out = Tensor(np.asarray(npfn(t.data, axis=_np_axis(axes, t.data.ndim), keepdims=keepdim)))
        return record(name.capitalize() + "Backward0", out, (t,), _amax_vjp, (t,),
                      ctx=(t.data.shape, axes, keepdim), save_output=True)

    fn.__name__ = name
    word = "largest" if name == "amax" else "smallest"
    op(f"{name}(input, dim=(), keepdim=False)", category="reduction",
       summary=f"{word} value over all or along dim (no indices)", example=f"{name}(x, 0)",
       rules={"input": f"reshape(grad, {name}(input, dim, True).shape) "
              f"* (input == {name}(input, dim, True)) "
              f"/ sum(input == {name}(input, dim, True), dim if dim else None, True)"},
       grad_fn=name.capitalize() + "Backward0",
       checks=(GradCheck(f"{name}(a, 1)", _M, "distinct"),
               GradCheck(f"a.{name}(dim=[0, 1])", _M, "distinct")))(fn)
    return fn


amax = _amax_like("amax", np.max)
amin = _amax_like("amin", np.min)


def _norm_vjp(g: Tensor, node: Node) -> One:
    """PyTorch's norm_backward, case by case: no gradient for p = 0; where the norm is 0 the
    gradient is 0 (not NaN) for p = 2 and p > 1, and for p < 1 entries that are 0 get 0."""
    from .elementwise import abs, sign, where

    if node.ctx[3] == 0:
        return (None,)
    x = node.unpack()[0]
    assert x is not None
    shape, axes, keepdim, p = node.ctx
    ge = expand_reduced(g, shape, axes, keepdim)
    n = expand_reduced(node.output(), shape, axes, keepdim)
    if p == 1:
        return (sign(x) * ge,)
    if p == 2:
        return (ge * where(n == 0, 0.0, x / n),)
    if np.isinf(p):
        a = np.abs(x.data)
        mask = (a == n.data) | np.isnan(a)
        dt = g.data.dtype
        count = np.sum(mask, axis=_np_axis(axes, x.data.ndim), keepdims=True).astype(dt)
        return (sign(x) * ((ge / Tensor(count)) * Tensor(mask.astype(dt))),)
    if p < 1:
        scaled = sign(x) * where(x == 0, 0.0, abs(x) ** (p - 1))
        return (scaled * ge * n ** (1 - p),)
    scaled = sign(x) * abs(x) ** (p - 1) if p < 2 else x * abs(x) ** (p - 2)
    return (scaled * where(n == 0, 0.0, ge / n ** (p - 1)),)


@op("norm(input, p=2, dim=None, keepdim=False)", category="reduction",
    summary="vector p-norm (2 by default) over all or along dim", example="norm(x)",
    rules={
        "input": (
            "grad * where(result == 0, 0.0, input / result) if dim is None and p == 2 else "
            "grad * sign(input) if dim is None and p == 1 else "
            "grad * sign(input) * abs(input)**(p - 1) / result**(p - 1) if dim is None else "
            "reshape(grad, norm(input, p, dim, True).shape) * where(norm(input, p, dim, True) == "
            "0, 0.0, input / norm(input, p, dim, True)) if p == 2 else "
            "reshape(grad, norm(input, p, dim, True).shape) * sign(input) * abs(input)**(p - 1) / "
            "norm(input, p, dim, True)**(p - 1)"),
    }, grad_fn="LinalgVectorNormBackward0",
    checks=(GradCheck("norm(a)", _M), GradCheck("norm(a, dim=1)", _M),
            GradCheck("norm(a, p=1)", _M, "distinct"), GradCheck("norm(a, p=3)", _M),
            GradCheck("norm(a, dim=[0, 1])", _M), GradCheck("norm(a, 0.5, 1)", _M, "positive"),
            GradCheck("norm(a, 1.5)", _M)))
def norm(input: Any, p: Any = 2, dim: Any = None, keepdim: bool = False) -> Tensor:
    if p == "nuc":  # PyTorch's: the nuclear matrix norm over dim, or over all (two) dims
        t = unary_input(input, "norm")
        matrix_norm = OPS["matrix_norm"].impl  # through the table: inverse.py imports this one
        return matrix_norm(t, "nuc", tuple(range(t.data.ndim)) if dim is None else dim, keepdim)
    t, axes = _reduce_args(input, dim, "norm")
    if not dtypes.is_float(t.data.dtype):
        raise type_error(
            f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
            f"{_torch_name(t.data.dtype)}", hint="make it floating first, e.g. x.float()")
    if p == "fro":
        p = 2
    if not is_scalar(p):
        raise type_error(f"norm(): p must be a number, not {p!r}")
    p = float(p)
    ax = _np_axis(axes, t.data.ndim)
    a = np.abs(t.data)
    if p == float("inf"):
        if t.data.size == 0:
            raise value_error("linalg.vector_norm cannot compute the inf norm on an empty tensor "
                              "because the operation does not have an identity")
        val = np.max(a, axis=ax, keepdims=keepdim)
    elif p == float("-inf"):
        if t.data.size == 0:
            raise value_error("linalg.vector_norm cannot compute the -inf norm on an empty "
                              "tensor because the operation does not have an identity")
        val = np.min(a, axis=ax, keepdims=keepdim)
    elif p == 0:
        val = np.sum(a != 0, axis=ax, keepdims=keepdim).astype(t.data.dtype)
    elif p == 2:
        val = np.sqrt(np.sum(a * a, axis=ax, keepdims=keepdim))
    else:
        val = np.sum(a ** p, axis=ax, keepdims=keepdim) ** (1 / p)
    out = Tensor(np.asarray(val, dtype=t.data.dtype))
    return record("LinalgVectorNormBackward0", out, (t,), _norm_vjp, (t,),
                  ctx=(t.data.shape, axes, keepdim, p), save_output=True)


def _logsumexp_vjp(g: Tensor, node: Node) -> One:
    from .elementwise import exp

    x = node.unpack()[0]
    assert x is not None
    shape, axes, keepdim = node.ctx
    ans = expand_reduced(node.output(), shape, axes, keepdim)
    return (expand_reduced(g, shape, axes, keepdim) * exp(x - ans),)


@op("logsumexp(input, dim, keepdim=False)", category="reduction",
    summary="log(sum(exp(input))) along dim, computed stably", example="logsumexp(x, 0)",
    rules={
        "input": (
            "grad * softmax(input, 0) if input.ndim == 1 and not keepdim else "
            "reshape(grad, logsumexp(input, dim, True).shape) * exp(input - logsumexp(input, dim, "
            "True))"),
    }, grad_fn="LogsumexpBackward0",
    checks=(GradCheck("logsumexp(a, 1)", _M), GradCheck("logsumexp(a, (0, 1))", _M)))
def logsumexp(input: Any, dim: Any, keepdim: bool = False) -> Tensor:
    from ._base import float_input

    t = float_input(input, "logsumexp")
    axes = axes_of(dim, t.data.ndim, "logsumexp")
    ax = _np_axis(axes, t.data.ndim)
    m = np.max(t.data, axis=ax, keepdims=True) if t.data.size else np.zeros(())
    m = np.where(np.isfinite(m), m, 0)
    val = torchmath.log(float_sum(torchmath.exp(t.data - m), ax, True)) + m
    if not keepdim and ax is not None:
        val = np.squeeze(val, axis=ax)
    elif not keepdim:
        val = val.reshape(())
    out = Tensor(np.asarray(val, dtype=t.data.dtype))
    return record("LogsumexpBackward0", out, (t,), _logsumexp_vjp, (t,),
                  ctx=(t.data.shape, axes, keepdim), save_output=True)


def _arg(name: str, npfn: Any) -> Any:
    def fn(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor:
        t = unary_input(input, name)
        if t.data.dtype.kind == "b":
            raise type_error(f"{name}(): does not support bool input",
                             hint="convert first, e.g. x.long() or x.float()")
        _int_dim(dim, name)
        _nonempty(t, None if dim is None else axes_of(dim, t.data.ndim, name), name, False)
        if dim is None:
            idx = np.asarray(npfn(t.data))
            if keepdim:
                idx = idx.reshape((1,) * t.data.ndim)
        else:
            (axis,) = axes_of(dim, t.data.ndim, name) or (0,)
            idx = np.asarray(npfn(t.data, axis=axis, keepdims=keepdim)) if t.data.ndim else np.asarray(0)
        return Tensor(idx.astype(np.int64))

    fn.__name__ = name
    op(f"{name}(input, dim=None, keepdim=False)", category="reduction",
       summary=f"index of the {'largest' if name == 'argmax' else 'smallest'} element "
       "(of the flattened input without dim)", example=f"{name}(x)")(fn)
    return fn


argmax = _arg("argmax", np.argmax)
argmin = _arg("argmin", np.argmin)


def _softmax_vjp(g: Tensor, node: Node) -> One:
    return (softmax_backward_data(g, node.output(), node.ctx),)


def softmax_backward_data(g: Tensor, y: Tensor, axis: int) -> Tensor:
    """``y * (g - sum(g * y, axis))``, the derivative of ``y = softmax(x, axis)``, as one node:
    PyTorch's SoftmaxBackwardDataBackward0 under create_graph."""
    ax = axis if y.data.ndim else None
    if torchmath.lastdim_exact(y.data, axis) and g.data.dtype == y.data.dtype:
        out = Tensor(torchmath.softmax_backward_lastdim32(g.data, y.data))
    else:
        out = Tensor(y.data * (g.data - _add_reduce(g.data * y.data, axis=ax, keepdims=True)))
    return record("SoftmaxBackwardDataBackward0", out, (g, y), _softmax_backward_data_vjp,
                  (g, y), ctx=axis)


def _softmax_backward_data_vjp(gg: Tensor, node: Node) -> tuple[Tensor | None, Tensor | None]:
    g, y = node.unpack()
    axis = node.ctx
    dy = None
    if node.needs(1):
        dy = (gg * (g - sum(g * y, dim=axis, keepdim=True))
              - g * sum(gg * y, dim=axis, keepdim=True))
    return (softmax_backward_data(gg, y, axis) if node.needs(0) else None), dy


def _log_softmax_vjp(g: Tensor, node: Node) -> One:
    return (log_softmax_backward_data(g, node.output(), node.ctx),)


def log_softmax_backward_data(g: Tensor, y: Tensor, axis: int) -> Tensor:
    """``g - exp(y) * sum(g, axis)``, the derivative of ``y = log_softmax(x, axis)``, as one
    node: PyTorch's LogSoftmaxBackwardDataBackward0 under create_graph."""
    ax = axis if y.data.ndim else None
    if torchmath.lastdim_exact(y.data, axis) and g.data.dtype == y.data.dtype:
        out = Tensor(torchmath.log_softmax_backward_lastdim32(g.data, y.data))
    else:
        out = Tensor(g.data - np.exp(y.data) * _add_reduce(g.data, axis=ax, keepdims=True))
    return record("LogSoftmaxBackwardDataBackward0", out, (g, y),
                  _log_softmax_backward_data_vjp, (g, y), ctx=axis)


def _log_softmax_backward_data_vjp(gg: Tensor, node: Node) -> tuple[Tensor | None, Tensor | None]:
    from .elementwise import exp

    g, y = node.unpack()
    axis = node.ctx
    e = exp(y)
    dg = gg - sum(gg * e, dim=axis, keepdim=True) if node.needs(0) else None
    dy = -gg * e * sum(g, dim=axis, keepdim=True) if node.needs(1) else None
    return dg, dy


def _softmax_args(input: Any, dim: Any, name: str) -> tuple[Tensor, int]:
    t = unary_input(input, name)
    if not dtypes.is_float(t.data.dtype):
        raise type_error(f'"{name}_lastdim_kernel_impl" not implemented for '
                         f"'{_torch_name(t.data.dtype)}'",
                         hint="make the input floating first, e.g. x.float()")
    if dim is None:
        raise type_error(f"{name}() missing required argument 'dim'",
                         hint=f"e.g. {name}(x, dim=-1)")
    if isinstance(dim, (tuple, list)):  # one dim, as PyTorch's int argument
        raise type_error(f"{name}(): argument 'dim' (position 2) must be int, not "
                         f"{type(dim).__name__}", hint=f"e.g. {name}(x, dim=-1)")
    (axis,) = axes_of(dim, t.data.ndim, name) or (0,)
    return t, axis


@op("softmax(input, dim)", category="reduction", summary="exp(input) normalised along dim",
    example="softmax(x, 0)", rules={
        "input": "softmax(input, dim) * (grad - sum(grad * softmax(input, dim), dim, True))",
    },
    grad_fn="SoftmaxBackward0", checks=(GradCheck("softmax(a, 1)", _M),),
    namespaces=("torch", "torch.nn.functional"))
def softmax(input: Any, dim: Any = None) -> Tensor:
    t, axis = _softmax_args(input, dim, "softmax")
    if torchmath.lastdim_exact(t.data, axis):
        out = Tensor(torchmath.softmax_lastdim32(t.data))
        return record("SoftmaxBackward0", out, (t,), _softmax_vjp, ctx=axis, save_output=True)
    ax = axis if t.data.ndim else None
    e = np.exp(t.data - np.max(t.data, axis=ax, keepdims=True, initial=-np.inf))
    out = Tensor((e / np.sum(e, axis=ax, keepdims=True)).astype(t.data.dtype, copy=False))
    return record("SoftmaxBackward0", out, (t,), _softmax_vjp, ctx=axis, save_output=True)


@op("log_softmax(input, dim)", category="reduction", summary="log of softmax, computed stably",
    example="log_softmax(x, 0)", rules={
        "input": "grad - softmax(input, dim) * sum(grad, dim, True)",
    },
    grad_fn="LogSoftmaxBackward0", checks=(GradCheck("log_softmax(a, 1)", _M),),
    namespaces=("torch", "torch.nn.functional"))
def log_softmax(input: Any, dim: Any = None) -> Tensor:
    t, axis = _softmax_args(input, dim, "log_softmax")
    if torchmath.lastdim_exact(t.data, axis):
        out = Tensor(torchmath.log_softmax_lastdim32(t.data))
        return record("LogSoftmaxBackward0", out, (t,), _log_softmax_vjp, ctx=axis,
                      save_output=True)
    ax = axis if t.data.ndim else None
    shifted = t.data - np.max(t.data, axis=ax, keepdims=True, initial=-np.inf)
    out = Tensor((shifted - np.log(np.sum(np.exp(shifted), axis=ax, keepdims=True)))
                 .astype(t.data.dtype, copy=False))
    return record("LogSoftmaxBackward0", out, (t,), _log_softmax_vjp, ctx=axis, save_output=True)


def _correction(dim: Any, unbiased: Any, correction: Any, name: str) -> tuple[Any, float]:
    """``dim`` and the number subtracted from the count: ``correction``, else 1 when
    ``unbiased`` (the default), 0 when not; ``var(x, False)`` is ``unbiased=False``."""
    if isinstance(dim, bool):
        if unbiased is not None:
            raise type_error(f"{name}(): argument 'dim' must be an int or a tuple of ints, not bool")
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise type_error(f"{name}() received an invalid combination of arguments: both "
                         "correction and unbiased",
                          hint="correction=0 is unbiased=False, correction=1 unbiased=True")
    if correction is None:
        return dim, 0.0 if unbiased is False else 1.0
    if isinstance(correction, Tensor):
        correction = correction.item()
    if not is_scalar(correction) or isinstance(correction, bool):
        raise type_error(f"{name}(): argument 'correction' must be a number, not "
                         f"{type(correction).__name__}")
    return dim, float(correction)


def _var_parts(input: Any, dim: Any, unbiased: Any, keepdim: bool, correction: Any,
               name: str) -> tuple[Tensor, np.ndarray, Any]:
    """The input, the variance as an array (the sum of squares over count - correction, that
    at least 0), and the node's ctx: what _var_vjp and _std_vjp need."""
    t = unary_input(input, name)
    dim, corr = _correction(dim, unbiased, correction, name)
    if not dtypes.is_float(t.data.dtype):
        raise type_error("std and var only support floating point and complex dtypes",
                         hint="make the tensor floating first, e.g. x.float() or arange(4.0)")
    axes = axes_of(dim, t.data.ndim, name)
    ax = _np_axis(axes, t.data.ndim)
    count = t.data.size if ax is None else math.prod(t.data.shape[a] for a in ax)
    dof = float(count) - corr
    divisor = builtins.max(dof, 0.0)  # PyTorch's: x / 0 is inf, 0 / 0 nan
    with np.errstate(invalid="ignore", divide="ignore"):
        centred = t.data - (_add_reduce(t.data, axis=ax, keepdims=True) / count if count
                            else np.zeros((1,) * t.data.ndim, t.data.dtype))
        total = _add_reduce(centred * centred, axis=ax, keepdims=keepdim)
        val = np.true_divide(total, divisor)
    ctx = (t.data.shape, axes, keepdim, dof, dim is None or t.data.ndim == 0)
    return t, np.asarray(val, dtype=t.data.dtype), ctx


def _centred(x: Tensor, axes: tuple[int, ...] | None) -> Tensor:
    return x - mean(x, None if axes is None else list(axes), True)


def _var_backward(grad: Tensor, x: Tensor, ctx: Any) -> Tensor:
    """PyTorch's var_backward where count - correction (``dof``) is 0 or less: over the whole
    input, infinite where x is not its mean and NaN where it is (inf * 0); along dims, the
    factor 2 / dof as a double gives it (+inf at 0, negative below)."""
    from .elementwise import where

    _, axes, _, dof, whole = ctx
    if whole:
        return grad * where(x == mean(x), math.nan, math.inf)
    return grad * (math.inf if dof == 0 else 2.0 / dof) * _centred(x, axes)


def _var_vjp(g: Tensor, node: Node) -> One:
    x = node.unpack()[0]
    assert x is not None
    shape, axes, keepdim, dof, _ = node.ctx
    ge = expand_reduced(g, shape, axes, keepdim)
    if dof <= 0:
        return (_var_backward(ge, x, node.ctx),)
    return (ge * (2.0 / dof) * _centred(x, axes),)


def _std_vjp(g: Tensor, node: Node) -> One:
    from .elementwise import where

    x = node.unpack()[0]
    assert x is not None
    shape, axes, keepdim, dof, _ = node.ctx
    s = expand_reduced(node.output(), shape, axes, keepdim)
    ge = expand_reduced(g, shape, axes, keepdim)
    if dof <= 0:  # PyTorch's std_backward: var_backward of grad / (2 * std), 0 where std is 0
        return (_var_backward(where(s == 0, 0.0, ge / (s * 2)), x, node.ctx),)
    return (where(s == 0, 0.0, ge / s) * (1.0 / dof) * _centred(x, axes),)


_DIVISOR = ("(numel(input) / numel(result) - (correction if correction is not None else "
            "0 if unbiased is False else 1))")
_GRAD_BACK = ("(expand(grad, input.shape) if dim is None or keepdim else "
              "expand(reshape(grad, {f}(input, dim, keepdim=True, unbiased=unbiased, "
              "correction=correction).shape), input.shape))")
_RESULT_BACK = ("(expand(result, input.shape) if dim is None or keepdim else "
                "expand(reshape(result, std(input, dim, keepdim=True, unbiased=unbiased, "
                "correction=correction).shape), input.shape))")


@op("var(input, dim=None, unbiased=None, keepdim=False, correction=None)", category="reduction",
    summary="variance over all or along dim (correction=1, Bessel's, unless said otherwise)",
    example="var(x)", rules={
        "input": _GRAD_BACK.format(f="var") + " * 2 * (input - mean(input, dim, True)) / "
        + _DIVISOR,
    }, grad_fn="VarBackward0",
    checks=(GradCheck("var(a)", _M), GradCheck("var(a, 1, keepdim=True)", _M),
            GradCheck("a.var(dim=[0, 1], correction=0)", _M),
            GradCheck("var(a, 0, unbiased=False)", _M)))
def var(input: Any, dim: Any = None, unbiased: Any = None, keepdim: bool = False,
        correction: Any = None) -> Tensor:
    t, val, ctx = _var_parts(input, dim, unbiased, keepdim, correction, "var")
    return record("VarBackward0", Tensor(val), (t,), _var_vjp, (t,), ctx=ctx)


@op("std(input, dim=None, unbiased=None, keepdim=False, correction=None)", category="reduction",
    summary="standard deviation over all or along dim (correction=1 unless said otherwise)",
    example="std(x)", rules={
        "input": "where(" + _RESULT_BACK + " == 0, 0.0, " + _GRAD_BACK.format(f="std")
        + " / " + _RESULT_BACK + ") * (input - mean(input, dim, True)) / " + _DIVISOR,
    }, grad_fn="StdBackward0",
    checks=(GradCheck("std(a)", _M), GradCheck("std(a, 1, keepdim=True)", _M),
            GradCheck("a.std(dim=[0, 1], correction=0)", _M),
            GradCheck("std(a, 0, unbiased=False)", _M)))
def std(input: Any, dim: Any = None, unbiased: Any = None, keepdim: bool = False,
        correction: Any = None) -> Tensor:
    t, val, ctx = _var_parts(input, dim, unbiased, keepdim, correction, "std")
    out = Tensor(np.sqrt(val))
    return record("StdBackward0", out, (t,), _std_vjp, (t,), ctx=ctx, save_output=True)
