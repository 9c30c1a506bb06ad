"""Picking and splitting: gather, index_select, masked_fill, sort, topk, chunk, split, unbind,
repeat and tile, with PyTorch's grad_fn names."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..autograd import Node, record, record_pieces, view_of
from ..errors import shape_error, type_error, value_error
from ..tensor import Tensor
from ._base import check_int_scalar, check_numel, is_scalar, to_tensor, unary_input
from .shape import index_backward, normalize_dim, sizes_of
from .table import GradCheck, op

One = tuple["Tensor | None"]
_M = {"a": (3, 4)}


def _indices(index_arg: Any, name: str) -> np.ndarray:
    t = to_tensor(index_arg, f"{name}() index")
    if t.data.dtype.kind not in "iu":
        raise type_error(f"{name}(): Expected dtype int32/int64 for index",
                         hint="indices are integers, e.g. tensor([0, 2])")
    return t.data.astype(np.int64)


def _scatter_vjp(g: Tensor, node: Node) -> One:
    parts, shape, name = node.ctx
    return (index_backward(g, parts, shape, name),)


def _along(idx: np.ndarray, axis: int) -> tuple[Any, ...]:
    """The fancy index that reads ``idx`` along ``axis`` (and the positions elsewhere)."""
    grids = np.indices(idx.shape, sparse=True)
    return tuple(idx if i == axis else grids[i] for i in range(idx.ndim))


@op("gather(input, dim, index)", category="indexing",
    summary="the values at index along dim (out[i][j] = input[i][index[i][j]] for dim 1)",
    example="gather(x, 1, tensor([[0], [2]]))", grad_fn="GatherBackward0",
    derivative="grad added into zeros at index along dim",
    checks=(GradCheck("gather(a, 1, tensor([[0, 1], [2, 0], [3, 3]]))", _M),))
def gather(input: Any, dim: Any, index: Any) -> Tensor:
    t = unary_input(input, "gather")
    axis = normalize_dim(dim, t.data.ndim)
    idx = _indices(index, "gather")
    if idx.ndim != t.data.ndim and t.data.ndim:
        raise shape_error("Index tensor must have the same number of dimensions as input tensor")
    size = t.data.shape[axis] if t.data.ndim else 1
    bad = (idx < -size) | (idx >= size)
    if bad.any():
        raise shape_error(f"index {int(idx[bad].flat[0])} is out of bounds for dimension {axis} "
                          f"with size {size}")
    for i, (a, b) in enumerate(zip(idx.shape, t.data.shape)):
        if i != axis and a > b:
            raise shape_error(f"Size does not match at dimension {i} expected index "
                              f"{list(idx.shape)} to be no larger than self {list(t.data.shape)} "
                              f"apart from dimension {axis}")
    parts = _along(idx % size, axis)
    out = Tensor(np.asarray(t.data[parts]))
    return record("GatherBackward0", out, (t,), _scatter_vjp,
                  ctx=(parts, t.data.shape, "ScatterAddBackward0"))


@op("index_select(input, dim, index)", category="indexing",
    summary="the slices at the positions of a 1-D index along dim",
    example="index_select(x, 0, tensor([2, 0]))", grad_fn="IndexSelectBackward0",
    derivative="grad added into zeros at index along dim",
    checks=(GradCheck("index_select(a, 1, tensor([0, 2, 2]))", _M),))
def index_select(input: Any, dim: Any, index: Any) -> Tensor:
    t = unary_input(input, "index_select")
    axis = normalize_dim(dim, t.data.ndim)
    idx = _indices(index, "index_select")
    if idx.ndim > 1:
        raise shape_error("index_select(): Index is supposed to be a vector")
    idx = idx.reshape(-1)
    size = t.data.shape[axis] if t.data.ndim else 1
    if ((idx < -size) | (idx >= size)).any():
        raise shape_error(f"index out of range in self (index_select along dimension {axis} "
                          f"of size {size})")
    parts = (slice(None),) * axis + (idx % size,)
    out = Tensor(np.asarray(t.data[parts]) if t.data.ndim else t.data[None][idx % size].reshape(
        idx.shape if idx.size != 1 else ()))
    return record("IndexSelectBackward0", out, (t,), _scatter_vjp,
                  ctx=(parts if t.data.ndim else (), t.data.shape, "IndexAddBackward0"))


def _masked_fill_vjp(g: Tensor, node: Node) -> tuple[Tensor | None, Tensor | None]:
    from .elementwise import where, zero_where
    from .reductions import sum

    mask = node.ctx
    dx = zero_where(g, mask.data) if node.needs(0) else None  # PyTorch's grad.masked_fill(mask, 0)
    dv = sum(where(mask, g, 0.0)) if len(node.edges) > 1 and node.needs(1) else None
    return dx, dv


@op("masked_fill(input, mask, value)", category="indexing",
    summary="input with value where the boolean mask is True", example="masked_fill(x, x < 0, 0.0)",
    rules={"input": "where(mask, 0.0, grad)", "value": "sum(where(mask, grad, 0.0))"},
    grad_fn=(("MaskedFillBackward0", "number value"), ("MaskedFillBackward1", "tensor value")),
    checks=(GradCheck("masked_fill(a, a > 0, 0.5)", _M, "distinct"),
            GradCheck("masked_fill(a, a > 0, b)", {"a": (3, 4), "b": ()}, "distinct")))
def masked_fill(input: Any, mask: Any, value: Any) -> Tensor:
    t = unary_input(input, "masked_fill")
    m = to_tensor(mask, "masked_fill() mask")
    if m.data.dtype.kind != "b":
        raise type_error("masked_fill_ only supports boolean masks, but got mask with dtype "
                         f"{_c_name(m.data.dtype)}", hint="compare to get one, e.g. x > 0")
    from ..autograd import broadcast_to, is_grad_enabled, to_dtype
    from ..dtypes import scalar_type_name
    from ._base import broadcast_shape

    shape = broadcast_shape("masked_fill", t.data.shape, m.data.shape)
    if shape != t.data.shape:  # out of place, the input broadcasts to the mask (PyTorch's)
        t = broadcast_to(t, shape)
    full = Tensor(np.broadcast_to(m.data, t.data.shape).copy())
    if isinstance(value, Tensor):
        if value.data.ndim:
            raise value_error("masked_fill_ only supports a 0-dimensional value tensor, but got "
                              f"tensor with {value.data.ndim} dimension(s).")
        if value.requires_grad and t.data.dtype.kind not in "fc" and is_grad_enabled():
            raise type_error(f"Autograd not support dtype: {scalar_type_name(t.data.dtype)}",
                             hint="only floating tensors carry gradients: fill a floating "
                             "tensor, or detach() the value")
        # cast as a recorded copy: the value's gradient comes back in its own dtype
        v = value if value.data.dtype == t.data.dtype else to_dtype(value, t.data.dtype)
        data = np.where(full.data, v.data, t.data).astype(t.data.dtype)
        return record("MaskedFillBackward1", Tensor(data), (t, v), _masked_fill_vjp, ctx=full)
    if not is_scalar(value):
        raise type_error(f"masked_fill(): argument 'value' must be Number, not "
                         f"{type(value).__name__}")
    check_int_scalar(value, "masked_fill")
    data = np.where(full.data, np.asarray(value).astype(t.data.dtype), t.data)
    return record("MaskedFillBackward0", Tensor(data.astype(t.data.dtype)), (t,),
                  _masked_fill_vjp, ctx=full)


def _c_name(dt: np.dtype[Any]) -> str:
    return {"float32": "float", "float64": "double", "int64": "long int"}.get(dt.name, dt.name)


def _sorted(name: str, grad_fn: str, t: Tensor, axis: int, idx: np.ndarray) -> Any:
    from .reductions import return_types

    if t.data.ndim == 0:
        idx = np.zeros((), np.int64)
        values, parts = t.data.copy(), ()
    else:
        parts = _along(idx, axis)
        values = t.data[parts]
    out = record(grad_fn, Tensor(np.asarray(values)), (t,), _scatter_vjp,
                 ctx=(parts, t.data.shape, "ScatterBackward0"))
    return return_types(name, out, Tensor(idx.astype(np.int64)))


@op("sort(input, dim=-1, descending=False, stable=None)", category="indexing",
    summary="(values, indices) sorted along dim", example="sort(x)",
    grad_fn=(("SortBackward0", ""), ("SortBackward1", "stable=")),
    derivative="grad put back where each value came from",
    checks=(GradCheck("sort(a)[0]", _M, "distinct"),
            GradCheck("sort(a, 0, descending=True).values", _M, "distinct")))
def sort(input: Any, dim: Any = -1, descending: bool = False, stable: Any = None) -> Any:
    t = unary_input(input, "sort")
    axis = normalize_dim(dim, t.data.ndim)
    key = t.data if not descending else -t.data
    idx = np.argsort(key, axis=axis, kind="stable") if t.data.ndim else np.zeros((), np.int64)
    return _sorted("sort", "SortBackward0" if stable is None else "SortBackward1", t, axis, idx)


@op("topk(input, k, dim=-1, largest=True, sorted=True)", category="indexing",
    summary="(values, indices) of the k largest (or smallest) along dim", example="topk(x, 2)",
    grad_fn="TopkBackward0", derivative="grad put back where each value came from",
    checks=(GradCheck("topk(a, 2)[0]", _M, "distinct"),
            GradCheck("topk(a, 2, 0, largest=False).values", _M, "distinct")))
def topk(input: Any, k: Any, dim: Any = -1, largest: bool = True, sorted: bool = True) -> Any:
    t = unary_input(input, "topk")
    if t.data.dtype.kind == "b":
        raise type_error("topk does not support bool dtypes on CPU",
                         hint="convert first, e.g. x.long()")
    axis = normalize_dim(dim, t.data.ndim)
    size = t.data.shape[axis] if t.data.ndim else 1
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= size:
        raise value_error("selected index k out of range")
    key = -t.data if largest else t.data
    if t.data.ndim == 0:
        return _sorted("topk", "TopkBackward0", t, axis, np.zeros((), np.int64))
    idx = np.take(np.argsort(key, axis=axis, kind="stable"), np.arange(int(k)), axis=axis)
    return _sorted("topk", "TopkBackward0", t, axis, idx)


def _pieces(t: Tensor, axis: int, sizes: list[int], grad_fn: str) -> tuple[Tensor, ...]:
    places, start = [], 0
    for size in sizes:
        places.append((slice(None),) * axis + (slice(start, start + size),))
        start += size
    return views_of(t, places, grad_fn, axis, stacked=False)


def views_of(t: Tensor, places: list[tuple[Any, ...]], grad_fn: str, axis: int,
             stacked: bool) -> tuple[Tensor, ...]:
    """The views of ``t`` at ``places``, sharing one node ``grad_fn`` as in PyTorch: its
    gradient under create_graph is the pieces' gradients (zeros for a piece without one)
    stacked (unbind) or concatenated along ``axis``, as PyTorch's StackBackward0/CatBackward0."""
    from .shape import cat, stack

    pieces = tuple(view_of(t, t.data[(*place, Ellipsis)]) for place in places)

    def assemble(grads: dict[int, Tensor]) -> Tensor:
        parts = [grads[i] if i in grads else Tensor(np.zeros_like(p.data))
                 for i, p in enumerate(pieces)]
        return (stack if stacked else cat)(parts, axis)

    record_pieces(grad_fn, pieces, t, places, assemble)
    return pieces


@op("split(tensor, split_size_or_sections, dim=0)", category="shape",
    summary="pieces of a size (the last smaller), or of the sizes listed, along dim",
    example="split(x, 2)", grad_fn=(("SplitBackward0", "size"),
                                    ("SplitWithSizesBackward0", "sizes")),
    derivative="each piece's grad in its place", namespaces=("torch",),
    checks=(GradCheck("split(a, 2)[1]", _M), GradCheck("a.split([1, 3], 1)[1]", _M)))
def split(tensor: Any, split_size_or_sections: Any, dim: Any = 0) -> tuple[Tensor, ...]:
    t = unary_input(tensor, "split")
    if t.data.ndim == 0:  # dim 0 or -1 is valid for a 0-d tensor, but there is no size
        raise shape_error("split expects at least a 1-dimensional tensor")
    axis = normalize_dim(dim, t.data.ndim)
    n = t.data.shape[axis]
    sections = split_size_or_sections
    if isinstance(sections, (list, tuple)) or isinstance(sections, Tensor) and sections.data.ndim:
        sizes = list(sizes_of((split_size_or_sections,), "split"))
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise value_error(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                              f"(input tensor's size at dimension {axis}), but got "
                              f"split_sizes={sizes}")
        return _pieces(t, axis, sizes, "SplitWithSizesBackward0")
    size = sizes_of((split_size_or_sections,), "split")[0]
    if size <= 0:
        raise value_error(f"split_size can only be 0 if dimension size is 0, but got dimension "
                          f"size of {n}" if size == 0 else "split expects split_size be "
                          f"non-negative, but got split_size={size}")
    sizes = [min(size, n - s) for s in range(0, n, size)] or [0]
    return _pieces(t, axis, sizes, "SplitBackward0")


@op("chunk(input, chunks, dim=0)", category="shape",
    summary="at most chunks pieces of equal size (the last smaller) along dim",
    example="chunk(x, 2)", grad_fn="SplitBackward0", derivative="each piece's grad in its place",
    checks=(GradCheck("chunk(a, 2, 1)[0]", _M),))
def chunk(input: Any, chunks: Any, dim: Any = 0) -> tuple[Tensor, ...]:
    t = unary_input(input, "chunk")
    if t.data.ndim == 0:
        raise shape_error("chunk expects at least a 1-dimensional tensor")
    if isinstance(chunks, bool) or not isinstance(chunks, (int, np.integer)) or chunks <= 0:
        raise value_error(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    axis = normalize_dim(dim, t.data.ndim)
    n = t.data.shape[axis]
    if n == 0:  # PyTorch's: chunks empty pieces
        return split(t, [0] * int(chunks), axis)
    return split(t, max(math.ceil(n / int(chunks)), 1), axis)


@op("unbind(input, dim=0)", category="shape", summary="the slices along dim, as a tuple",
    example="unbind(x)", grad_fn="UnbindBackward0", derivative="each slice's grad in its place",
    checks=(GradCheck("unbind(a, 1)[2]", _M),))
def unbind(input: Any, dim: Any = 0) -> tuple[Tensor, ...]:
    t = unary_input(input, "unbind")
    if t.data.ndim == 0:
        raise shape_error("Dimension specified as 0 but tensor has no dimensions")
    axis = normalize_dim(dim, t.data.ndim)
    return views_of(t, [(slice(None),) * axis + (i,) for i in range(t.data.shape[axis])],
                    "UnbindBackward0", axis, stacked=True)


def rows(input: Tensor) -> Iterator[Tensor]:
    """The rows of ``input`` as iterating over it or unpacking it gives them: ``unbind``'s
    views, which share one ``UnbindBackward0`` node, as in PyTorch."""
    return iter(unbind(input))


def _repeat_vjp(g: Tensor, node: Node) -> One:
    from .reductions import sum
    from .shape import reshape

    reps, padded, shape = node.ctx
    if not reps:
        return (g,)
    # As PyTorch's repeat_backward, a sum last (SumBackward1): over the repeats and the
    # leading dims the repeats added.
    inter = tuple(v for pair in zip(reps, padded) for v in pair)
    lead = len(padded) - len(shape)
    axes = list(range(0, 2 * len(reps), 2)) + list(range(1, 2 * lead, 2))
    return (sum(reshape(g, inter), sorted(axes)),)


def _repeat(t: Tensor, reps: tuple[int, ...]) -> Tensor:
    if any(r < 0 for r in reps):
        raise value_error(f"Trying to create tensor with negative dimension {min(reps)}: "
                          f"{list(reps)}")
    padded = (1,) * (len(reps) - t.data.ndim) + tuple(t.data.shape)
    check_numel(tuple(r * s for r, s in zip(reps, padded)), "repeat")
    data = np.tile(t.data.reshape(padded), reps) if reps else t.data.copy()
    return record("RepeatBackward0", Tensor(data), (t,), _repeat_vjp,
                  ctx=(reps, padded, t.data.shape))


@op("repeat(input, *sizes)", category="shape",
    summary="the tensor repeated sizes times along each dim (as np.tile)",
    example="x.repeat(2, 1)", grad_fn="RepeatBackward0", function=False,
    derivative="grad summed over the copies",
    checks=(GradCheck("a.repeat(2, 1)", _M), GradCheck("a.repeat(2, 1, 3)", _M)))
def repeat(input: Any, *sizes: Any) -> Tensor:
    t = unary_input(input, "repeat")
    reps = sizes_of(sizes, "repeat")
    if len(reps) < t.data.ndim:
        raise shape_error("Number of dimensions of repeat dims can not be smaller than number "
                          "of dimensions of tensor")
    return _repeat(t, reps)


@op("tile(input, dims)", category="shape",
    summary="repeat, with ones added in front of dims when it is shorter than the shape",
    example="tile(x, (2,))", grad_fn="RepeatBackward0", derivative="grad summed over the copies",
    checks=(GradCheck("tile(a, (2,))", _M), GradCheck("a.tile((2, 1, 1))", _M)))
def tile(input: Any, dims: Any) -> Tensor:
    t = unary_input(input, "tile")
    reps = sizes_of((dims,), "tile")
    reps = (1,) * (t.data.ndim - len(reps)) + reps
    return _repeat(t, reps)
