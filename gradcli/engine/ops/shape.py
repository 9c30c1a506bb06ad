"""Shape functions (views and copies) and indexing, with gradients that scatter back."""

from __future__ import annotations

import builtins
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import dtypes
from ..autograd import Node, broadcast_to, is_grad_enabled, record, view_of
from ..errors import shape_error, type_error, value_error
from ..tensor import Tensor
from ._base import check_numel, is_scalar, to_tensor, unary_input
from .table import GradCheck, op

One = tuple["Tensor | None"]
_M = {"a": (2, 3)}


def normalize_dim(dim: Any, ndim: int, name: str = "dim") -> int:
    lim = ndim if ndim > 0 else 1
    if isinstance(dim, Tensor):
        dim = dim.item()
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise type_error(f"{name} must be an int, not {dim!r}")
    if not -lim <= dim < lim:
        raise shape_error(f"Dimension out of range (expected to be in range of [{-lim}, {lim - 1}], "
                          f"but got {dim})")
    return int(dim) % lim


def sizes_of(args: Sequence[Any], what: str) -> tuple[int, ...]:
    """Sizes given as ``2, 3``, ``(2, 3)``, ``[2, 3]`` (an int tensor) or ``x.shape``."""
    if len(args) == 1 and not is_scalar(args[0]):
        arg = args[0]
        if isinstance(arg, Tensor):
            if arg.data.dtype.kind not in "iu" or arg.data.ndim > 1:
                raise type_error(f"{what}: sizes must be integers, got a {arg.data.dtype.name} tensor")
            args = tuple(int(v) for v in arg.data.reshape(-1))
        elif isinstance(arg, (tuple, list)):
            args = tuple(arg)
        else:
            raise type_error(f"{what}: sizes must be integers, not {type(arg).__name__}")
    out = []
    for a in args:
        if isinstance(a, Tensor) and a.data.size == 1 and a.data.dtype.kind in "iu":
            a = a.item()
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            raise type_error(f"{what}: sizes must be integers, not {a!r}",
                             hint="write sizes as whole numbers, e.g. (2, 3)")
        if not -2**63 <= a < 2**63:
            raise value_error(f"{what}: size {a} does not fit in int64",
                              hint="sizes are 64-bit integers, as in PyTorch")
        out.append(int(a))
    return tuple(out)


def _reshape_vjp(g: Tensor, node: Node) -> One:
    return (reshape(g, node.ctx),)


def _squeeze_vjp(g: Tensor, node: Node) -> One:
    return (_named(reshape(g, node.ctx), g, "UnsqueezeBackward0"),)


def _unsqueeze_vjp(g: Tensor, node: Node) -> One:
    return (_named(reshape(g, node.ctx), g, "SqueezeBackward1"),)


def _named(out: Tensor, g: Tensor, name: str) -> Tensor:
    """``out``, made of ``g`` by a reshape, with its node called as PyTorch's backward calls
    it (a squeeze undone is an unsqueeze), when the reshape recorded one."""
    if out.grad_fn is not None and out.grad_fn is not g.grad_fn:
        out.grad_fn.name = name
    return out


def _reshape_fast(g: np.ndarray, node: Node, owned: bool) -> tuple[np.ndarray]:
    return (g.reshape(node.ctx),)


def _infer_shape(shape: tuple[int, ...], numel: int, current: tuple[int, ...]) -> tuple[int, ...]:
    if shape.count(-1) > 1:
        raise shape_error("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise value_error(f"invalid shape dimension {s}")
    known = math.prod(s for s in shape if s != -1)  # Python ints: no overflow
    if -1 in shape:
        if known == 0 or numel % known:
            raise shape_error(f"shape '{list(shape)}' is invalid for input of size {numel}",
                              hint=f"the input has shape {tuple(current)}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise shape_error(f"shape '{list(shape)}' is invalid for input of size {numel}",
                          hint=f"the input has shape {tuple(current)}; the new shape must have "
                          f"{numel} elements")
    return shape


@op("reshape(input, *shape)", category="shape", summary="same elements in a new shape (-1 infers)",
    example="reshape(x, 2, 3)", rules={
        "input": "reshape(grad, input.shape)",
    },
    grad_fn=(("ViewBackward0", ""), ("UnsafeViewBackward0", "when it must copy"),
             ("ReshapeAliasBackward0", "a strided input it can view")),
    checks=(GradCheck("reshape(a, 3, 2)", _M), GradCheck("a.reshape(-1)", _M)))
def reshape(input: Any, *shape: Any) -> Tensor:
    return _reshape(input, shape, copy_ok=True)


def _reshape(input: Any, shape: tuple[Any, ...], copy_ok: bool) -> Tensor:
    name = "reshape" if copy_ok else "view"
    t = unary_input(input, name)
    new = _infer_shape(sizes_of(shape, name), t.data.size, t.data.shape)
    data = t.data.reshape(new)
    is_view = t.data.size == 0 or np.may_share_memory(data, t.data)  # exact here: see autograd.view_of
    if not is_view and not copy_ok:
        raise shape_error("view size is not compatible with input tensor's size and stride (at "
                          "least one dimension spans across two contiguous subspaces). Use "
                          ".reshape(...) instead.", hint="use reshape, which copies when it must")
    out = view_of(t, data)
    # PyTorch's reshape: a view of a contiguous input (ViewBackward0), an alias of one that is
    # not but whose strides allow it (ReshapeAliasBackward0), else a copy (UnsafeViewBackward0)
    name = "UnsafeViewBackward0" if not is_view else "ViewBackward0" if (
        not copy_ok or t.data.flags.c_contiguous) else "ReshapeAliasBackward0"
    return record(name, out, (t,), _reshape_vjp, ctx=t.data.shape, fast=_reshape_fast)


@op("view(input, *shape)", category="shape", summary="reshape sharing storage",
    example="x.view(2, 3)", rules={
        "input": "reshape(grad, input.shape)",
    }, grad_fn="ViewBackward0",
    checks=(GradCheck("a.view(6)", _M),),
    namespaces=())
def view(input: Any, *shape: Any) -> Tensor:
    return _reshape(input, shape, copy_ok=False)


@op("flatten(input, start_dim=0, end_dim=-1)", category="shape",
    summary="merge dims start_dim..end_dim into one", example="flatten(x)",
    rules={
        "input": "reshape(grad, input.shape)",
    }, grad_fn="ViewBackward0",
    checks=(GradCheck("flatten(a)", _M),))
def flatten(input: Any, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    t = unary_input(input, "flatten")
    if t.data.ndim == 0:
        return reshape(t, 1)
    s = normalize_dim(start_dim, t.data.ndim)
    e = normalize_dim(end_dim, t.data.ndim)
    if s > e:
        raise value_error("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return t
    shape = t.data.shape
    return reshape(t, *shape[:s], -1, *shape[e + 1:])


def _permute_vjp(g: Tensor, node: Node) -> One:
    return (_permute(g, tuple(np.argsort(node.ctx[0])), node.ctx[1]),)


def _permute(t: Tensor, axes: tuple[int, ...], name: str) -> Tensor:
    out = view_of(t, np.transpose(t.data, axes))
    return record(name, out, (t,), _permute_vjp, ctx=(axes, name))


@op("permute(input, *dims)", category="shape", summary="reorder the dimensions",
    example="permute(x, 1, 0)", rules={
        "input": "permute(grad, argsort(dims))",
    }, grad_fn="PermuteBackward0",
    checks=(GradCheck("permute(a, 1, 0)", _M), GradCheck("a.permute([2, 0, 1])", {"a": (2, 3, 4)})))
def permute(input: Any, *dims: Any) -> Tensor:
    t = unary_input(input, "permute")
    axes = sizes_of(dims, "permute")
    if len(axes) != t.data.ndim:
        raise shape_error(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {t.data.ndim} is "
            f"not equal to len(dims) = {len(axes)}")
    norm = tuple(normalize_dim(a, t.data.ndim) for a in axes)
    if len(set(norm)) != len(norm):
        raise value_error("permute(): duplicate dims are not allowed.")
    return _permute(t, norm, "PermuteBackward0")


@op("transpose(input, dim0, dim1)", category="shape", summary="swap two dimensions",
    example="transpose(x, 0, 1)", rules={
        "input": "transpose(grad, dim0, dim1)",
    }, grad_fn="TransposeBackward0",
    aliases=("swapaxes",), checks=(GradCheck("transpose(a, 0, 1)", _M),))
def transpose(input: Any, dim0: int, dim1: int) -> Tensor:
    t = unary_input(input, "transpose")
    if t.data.ndim == 0:
        normalize_dim(dim0, 0), normalize_dim(dim1, 0)  # -1 and 0 only, as in PyTorch
        return _permute(t, (), "TransposeBackward0")
    d0, d1 = normalize_dim(dim0, t.data.ndim), normalize_dim(dim1, t.data.ndim)
    axes = list(range(t.data.ndim))
    axes[d0], axes[d1] = axes[d1], axes[d0]
    return _permute(t, tuple(axes), "TransposeBackward0")


@op("t(input)", category="shape", summary="transpose of a matrix (<= 2-D)", example="t(x)",
    rules={
        "input": "t(grad)",
    }, grad_fn="TBackward0",
    checks=(GradCheck("t(a)", _M),))
def t(input: Any) -> Tensor:
    x = unary_input(input, "t")
    if x.data.ndim > 2:
        raise shape_error(f"t() expects a tensor with <= 2 dimensions, but self is {x.data.ndim}D",
                          hint="use transpose(x, dim0, dim1) or permute for more dimensions")
    return _permute(x, tuple(reversed(range(x.data.ndim))), "TBackward0")


def numpy_T(input: Tensor) -> Tensor:
    """``x.T``: all dimensions reversed (PyTorch records a permute, even for 1-D)."""
    return _permute(input, tuple(reversed(range(input.data.ndim))), "PermuteBackward0")


@op("squeeze(input, dim=None)", category="shape", summary="drop dimensions of size 1",
    example="squeeze(x)", rules={
        "input": "reshape(grad, input.shape)",
    },
    grad_fn=(("SqueezeBackward0", ""), ("SqueezeBackward1", "dim"), ("SqueezeBackward2", "dims")),
    checks=(GradCheck("squeeze(a, 0)", {"a": (1, 3)}), GradCheck("squeeze(a, [0, 2])", {"a": (1, 3, 1)})))
def squeeze(input: Any, dim: Any = None) -> Tensor:
    x = unary_input(input, "squeeze")
    shape = x.data.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
        name = "SqueezeBackward0"
    elif isinstance(dim, (tuple, list)):
        drop = {normalize_dim(d, x.data.ndim) for d in dim}
        new = tuple(s for i, s in enumerate(shape) if not (i in drop and s == 1))
        name = "SqueezeBackward2"
    else:
        d = normalize_dim(dim, x.data.ndim)
        new = shape[:d] + shape[d + 1:] if shape and shape[d] == 1 else shape
        name = "SqueezeBackward1"
    out = view_of(x, x.data.reshape(new))
    return record(name, out, (x,), _squeeze_vjp, ctx=shape)


@op("unsqueeze(input, dim)", category="shape", summary="insert a dimension of size 1 at dim",
    example="unsqueeze(x, 0)", rules={
        "input": "reshape(grad, input.shape)",
    }, grad_fn="UnsqueezeBackward0",
    checks=(GradCheck("unsqueeze(a, 1)", _M),))
def unsqueeze(input: Any, dim: int) -> Tensor:
    x = unary_input(input, "unsqueeze")
    d = normalize_dim(dim, x.data.ndim + 1)
    shape = x.data.shape
    out = view_of(x, x.data.reshape(shape[:d] + (1,) + shape[d:]))
    return record("UnsqueezeBackward0", out, (x,), _unsqueeze_vjp, ctx=shape)


@op("expand(input, *sizes)", category="shape",
    summary="broadcast to a larger shape without copying (-1 keeps a size)",
    example="expand(x, 2, 4)", rules={
        "input": "grad",
    },
    grad_fn="ExpandBackward0", checks=(GradCheck("expand(a, 2, 3, 3)", {"a": (3, 1)}),),
    namespaces=())
def expand(input: Any, *sizes: Any) -> Tensor:
    x = unary_input(input, "expand")
    want = sizes_of(sizes, "expand")
    shape = x.data.shape
    if len(want) < len(shape):
        raise shape_error(
            f"expand({_torch_type(x)}{{{list(shape)}}}, size={list(want)}): the number of sizes "
            f"provided ({len(want)}) must be greater or equal to the number of dimensions in the "
            f"tensor ({len(shape)})")
    lead = len(want) - len(shape)
    full = list(want)
    for i, s in enumerate(shape):
        w = want[lead + i]
        if w == -1:
            full[lead + i] = s
        elif s != 1 and s != w:
            raise shape_error(
                f"The expanded size of the tensor ({w}) must match the existing size ({s}) at "
                f"non-singleton dimension {lead + i}.  Target sizes: {list(want)}.  Tensor sizes: "
                f"{list(shape)}")
    if builtins.any(s < 0 for s in full[:lead]):
        raise value_error("expand: -1 is not allowed in a leading, non-existing dimension")
    if builtins.any(s < 0 for s in full):
        raise value_error(f"expand: sizes must be non-negative (or -1 to keep a size), got "
                          f"{list(want)}")
    if tuple(full) != shape:
        check_numel(full, "expand")
    return broadcast_to(x, tuple(full), always=True)


def _shape_of_other(other: Any, name: str) -> tuple[int, ...]:
    if not isinstance(other, Tensor):
        raise type_error(f"{name}(): argument 'other' must be Tensor, not {type(other).__name__}",
                         hint=f"e.g. x.{name}(y)")
    return tuple(other.data.shape)


@op("view_as(input, other)", category="shape", summary="input.view(other.shape)",
    example="x.view_as(y)", rules={"input": "reshape(grad, input.shape)"},
    grad_fn="ViewBackward0", function=False,
    checks=(GradCheck("a.view_as(ones(3, 2))", {"a": (2, 3)}),))
def view_as(input: Any, other: Any) -> Tensor:
    return view(input, _shape_of_other(other, "view_as"))


@op("reshape_as(input, other)", category="shape", summary="input.reshape(other.shape)",
    example="x.reshape_as(y)", rules={"input": "reshape(grad, input.shape)"},
    grad_fn=(("ViewBackward0", ""), ("UnsafeViewBackward0", "when it must copy")),
    function=False, checks=(GradCheck("a.reshape_as(ones(3, 2))", {"a": (2, 3)}),))
def reshape_as(input: Any, other: Any) -> Tensor:
    return reshape(input, _shape_of_other(other, "reshape_as"))


@op("expand_as(input, other)", category="shape", summary="input.expand(other.shape)",
    example="x.expand_as(y)", grad_fn="ExpandBackward0", function=False,
    derivative="grad summed back to input's shape",
    checks=(GradCheck("a.expand_as(ones(2, 3, 3))", {"a": (3, 1)}),))
def expand_as(input: Any, other: Any) -> Tensor:
    return expand(input, _shape_of_other(other, "expand_as"))


def _torch_type(x: Tensor) -> str:
    from ..dtypes import torch_type_name

    return torch_type_name(x).removeprefix("torch.")


def _tensors(seq: Any, name: str) -> list[Tensor]:
    if isinstance(seq, Tensor) or not isinstance(seq, (list, tuple)):
        raise type_error(f"{name}() expects a list or tuple of tensors",
                         hint=f"e.g. {name}((x, y)) or {name}([x, y], dim=0)")
    if not seq:
        raise value_error(f"{name}() expected a non-empty list of Tensors")
    ts = [to_tensor(s) for s in seq]
    dt = dtypes.result_type(*(t.data for t in ts))
    from ._base import cast_operand

    return [cast_operand(t, dt) for t in ts]


def _cat_vjp(g: Tensor, node: Node) -> tuple[Tensor | None, ...]:
    axis, bounds = node.ctx
    out: list[Tensor | None] = []
    for i, (lo, hi) in enumerate(bounds):
        idx = (slice(None),) * axis + (slice(lo, hi),)
        out.append(index(g, idx) if node.needs(i) else None)
    return tuple(out)


@op("cat(tensors, dim=0)", category="shape", summary="join tensors along an existing dim",
    example="cat((x, y))", derivative="grad split back along dim", grad_fn="CatBackward0",
    method=False, aliases=("concat", "concatenate"),
    checks=(GradCheck("cat((a, b), 1)", {"a": (2, 3), "b": (2, 2)}),))
def cat(tensors: Any, dim: int = 0) -> Tensor:
    ts = _tensors(tensors, "cat")
    ref = next((t for t in ts if t.data.ndim), None)
    if ref is None:
        raise shape_error("zero-dimensional tensor (at position 0) cannot be concatenated",
                          hint="use stack() to join scalars into a vector")
    axis = normalize_dim(dim, ref.data.ndim)
    for i, t in enumerate(ts):
        if t.data.ndim != ref.data.ndim or builtins.any(
                a != b for k, (a, b) in enumerate(zip(t.data.shape, ref.data.shape)) if k != axis):
            raise shape_error(
                f"cat: Sizes of tensors must match except in dimension {axis}: tensor 0 has shape "
                f"{tuple(ref.data.shape)}, tensor {i} has shape {tuple(t.data.shape)}")
    total = builtins.sum(t.data.shape[axis] for t in ts)
    check_numel(ref.data.shape[:axis] + (total,) + ref.data.shape[axis + 1:], "cat")
    bounds, lo = [], 0
    for t in ts:
        bounds.append((lo, lo + t.data.shape[axis]))
        lo += t.data.shape[axis]
    out = Tensor(np.concatenate([t.data for t in ts], axis=axis))
    return record("CatBackward0", out, ts, _cat_vjp, ctx=(axis, bounds))


def _stack_vjp(g: Tensor, node: Node) -> tuple[Tensor | None, ...]:
    axis = node.ctx
    return tuple(index(g, (slice(None),) * axis + (i,)) if node.needs(i) else None
                 for i in range(len(node.edges)))


@op("stack(tensors, dim=0)", category="shape", summary="join same-shape tensors along a new dim",
    example="stack((x, y))", derivative="grad split back along dim", grad_fn="StackBackward0",
    method=False, checks=(GradCheck("stack((a, b), 1)", {"a": (2, 3), "b": (2, 3)}),))
def stack(tensors: Any, dim: int = 0) -> Tensor:
    ts = _tensors(tensors, "stack")
    for i, t in enumerate(ts):
        if t.data.shape != ts[0].data.shape:
            raise shape_error(
                f"stack expects each tensor to be equal size, but got {list(ts[0].data.shape)} at "
                f"entry 0 and {list(t.data.shape)} at entry {i}")
    axis = normalize_dim(dim, ts[0].data.ndim + 1)
    check_numel((len(ts),) + ts[0].data.shape, "stack")
    out = Tensor(np.stack([t.data for t in ts], axis=axis))
    return record("StackBackward0", out, ts, _stack_vjp, ctx=axis)


# -- indexing ---------------------------------------------------------------------------------

def index_part(part: Any) -> Any:
    """One component of an index as numpy understands it, refusing floats and the like."""
    if part is None or part is Ellipsis or isinstance(part, slice):
        if isinstance(part, slice):
            for v in (part.start, part.stop, part.step):
                if v is not None and not isinstance(v, (int, np.integer)):
                    raise type_error("slice indices must be integers or None",
                                     hint="e.g. x[1:3] or x[::2]")
            if part.step is not None and part.step <= 0:
                raise value_error("step must be greater than zero",
                                  hint="negative steps are not supported, as in PyTorch")
        return part
    if isinstance(part, bool):
        return part
    if isinstance(part, (int, np.integer)):
        return int(part)
    if isinstance(part, range):
        return np.arange(part.start, part.stop, part.step)
    if isinstance(part, np.ndarray) and part.dtype.kind in "iub":
        return part  # an index made by this module, read again by a VJP
    if isinstance(part, Tensor):
        if part.data.dtype.kind in "iu" and part.data.ndim == 0:
            return int(part.data)  # as PyTorch: x[tensor(1)] selects, as x[1] does
        if part.data.dtype.kind in "iub":
            return part.data
        raise type_error(
            "tensors used as indices must be long, int, byte or bool tensors",
            hint=f"this index is {part.data.dtype.name}: convert it with .long()")
    if isinstance(part, (list, tuple)):
        return index_part(to_tensor(list(part)))
    raise type_error(f"invalid index of type {type(part).__name__}",
                     hint="index with integers, slices, None, ..., or integer/bool tensors")


def _grad_fn_of_index(parts: tuple[Any, ...], shape: tuple[int, ...], single: bool) -> str:
    """The node PyTorch records last for this index.

    PyTorch applies the parts dimension by dimension; inside a tuple it skips full slices
    (``x[:, None, :]`` ends with an unsqueeze), but a lone ``x[:]`` still records a slice.
    """
    if builtins.any(isinstance(p, np.ndarray) or isinstance(p, bool) for p in parts):
        return "IndexBackward0"
    dims = iter(range(len(shape)))
    applied: list[Any] = []
    for p in parts:
        if p is Ellipsis:
            continue
        if p is None:
            applied.append(p)
            continue
        d = next(dims, None)
        if isinstance(p, slice) and not single and d is not None and _full(p, shape[d]):
            continue
        applied.append(p)
    for p in reversed(applied):
        if p is None:
            return "UnsqueezeBackward0"
        return "SliceBackward0" if isinstance(p, slice) else "SelectBackward0"
    return "AliasBackward0"


def _full(s: slice, size: int) -> bool:
    return (s.start in (None, 0) and (s.stop is None or s.stop >= size)
            and s.step in (None, 1))


def _index_vjp(g: Tensor, node: Node) -> One:
    parts, shape = node.ctx
    name = _MULTI_BACKWARD.get(node.name)
    if name is None and g.requires_grad and is_grad_enabled():
        name = _backward_name(parts, shape)
        if name is None:  # x[...] is an alias: its gradient is grad itself
            return (g,)
    return (index_backward(g, parts, shape, name or "IndexPutImplBackward0"),)


#: Under create_graph, the node PyTorch records for the backward of a multi-output view.
_MULTI_BACKWARD = {"UnbindBackward0": "StackBackward0", "SplitBackward0": "CatBackward0",
                   "SplitWithSizesBackward0": "CatBackward0"}


def _backward_name(parts: tuple[Any, ...], shape: tuple[int, ...]) -> str | None:
    """PyTorch's node for the backward of an index: the backward of the first operation the
    index applies (select, slice, unsqueeze; the tensor indices last), which runs last."""
    advanced = False
    consumed = builtins.sum(1 if not isinstance(p, np.ndarray) or p.dtype != bool else p.ndim
                            for p in parts if p is not None and p is not Ellipsis)
    d = 0
    for p in parts:
        if p is Ellipsis:
            d += len(shape) - consumed
            continue
        if p is None:
            return "SqueezeBackward1"
        if isinstance(p, np.ndarray) or isinstance(p, bool):
            advanced = True
            d += p.ndim if isinstance(p, np.ndarray) and p.dtype == bool else 1
            continue
        if isinstance(p, slice):
            d += 1
            if len(parts) > 1 and _full(p, shape[d - 1]):
                continue
            return "SliceBackwardBackward0"
        return "SelectBackwardBackward0"
    return "IndexPutImplBackward0" if advanced else None


def index(input: Tensor, key: Any, grad_fn: str | None = None) -> Tensor:
    """``x[key]``: basic indexing gives a view; integer/bool tensor indices gather.
    ``grad_fn`` names the node instead of PyTorch's name for the index."""
    parts = tuple(index_part(p) for p in (key if isinstance(key, tuple) else (key,)))
    x = input
    _check_index(x, parts)
    try:
        data = x.data[parts]
        if not isinstance(data, np.ndarray) and not builtins.any(p is Ellipsis for p in parts):
            # An element: numpy gives a scalar, a copy; PyTorch a 0-d view, which x[i] += 1
            # and v = x[i]; v.zero_() write through.
            data = x.data[(*parts, Ellipsis)]
    except IndexError as e:
        raise shape_error(_index_message(str(e), x),
                          hint=f"the tensor has shape {tuple(x.data.shape)}") from None
    out = view_of(x, data) if isinstance(data, np.ndarray) else Tensor(np.asarray(data))
    name = grad_fn or _grad_fn_of_index(parts, x.data.shape, not isinstance(key, tuple))
    return record(name, out, (x,), _index_vjp, ctx=(parts, x.data.shape))


def _index_message(msg: str, x: Tensor) -> str:
    if "out of bounds" in msg:
        return msg.replace("is out of bounds for axis", "is out of bounds for dimension")
    return f"invalid index: {msg}"


def _check_index(x: Tensor, parts: tuple[Any, ...]) -> None:
    dims = builtins.sum(1 for p in parts if p is not None and p is not Ellipsis
                        and not (isinstance(p, np.ndarray) and p.dtype == bool and p.ndim > 1))
    if dims > x.data.ndim and not builtins.any(isinstance(p, np.ndarray) and p.dtype == bool for p in parts):
        raise shape_error(f"too many indices for tensor of dimension {x.data.ndim}",
                          hint=f"the tensor has shape {tuple(x.data.shape)}")


def _index_backward_vjp(g: Tensor, node: Node) -> One:
    parts, _ = node.ctx
    return (index(g, parts),)


def index_backward(g: Tensor, parts: tuple[Any, ...], shape: tuple[int, ...],
                   name: str = "IndexPutBackward0") -> Tensor:
    """Scatter-add ``g`` into zeros of ``shape`` at ``parts`` (repeated indices accumulate);
    ``name`` is PyTorch's node for it under create_graph."""
    data = np.zeros(shape, dtype=g.data.dtype)
    np.add.at(data, parts, g.data)
    return record(name, Tensor(data), (g,), _index_backward_vjp, ctx=(parts, shape))
