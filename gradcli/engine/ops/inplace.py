"""In-place updates (``x -= y``, ``x[i] = v``, ``x.zero_()``): real writes that aliases see,
with PyTorch's rules.

In the graph the written tensor takes the new history (its grad_fn), as PyTorch's in-place
ops rebase it; a view's base takes a CopySlices node too, so that the base's gradient passes
to the view's new history where the view lies and to the base's old history elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..autograd import Node, Port, bump_version, is_grad_enabled, record, set_grad_enabled
from ..errors import grad_error, type_error
from ..tensor import Tensor
from ._base import to_tensor

LEAF_IN_PLACE = ("a leaf Variable that requires grad is being used in an in-place operation.")
VIEW_OF_LEAF_IN_PLACE = ("a view of a leaf Variable that requires grad is being used in an "
                         "in-place operation.")
_LEAF_HINT = "update parameters inside `with torch.no_grad():`, e.g. w -= lr * w.grad"


def _check_writable(t: Tensor) -> None:
    if not is_grad_enabled():
        return
    fn = t.grad_fn
    if type(fn) is Port:
        raise grad_error(
            f"Output {fn.index} of {fn.name.removesuffix('Backward0')} is a view and is being "
            "modified inplace. This view is the output of a function that returns multiple "
            "views. Such functions do not allow the output views to be modified inplace. You "
            "should replace the inplace operation by an out-of-place one.",
            hint="write the piece out of place, e.g. a = a + 1, or clone() it first")
    if t.requires_grad and t.is_leaf:
        raise grad_error(LEAF_IN_PLACE, hint=_LEAF_HINT)
    base = t._base
    if base is not None and base.requires_grad and base.is_leaf:
        raise grad_error(VIEW_OF_LEAF_IN_PLACE, hint=_LEAF_HINT)


def _cast_check(result: Tensor, target: Tensor) -> None:
    rk, tk = result.data.dtype.kind, target.data.dtype.kind
    order = {"b": 0, "i": 1, "u": 1, "f": 2}
    if order[rk] > order[tk]:
        raise type_error(
            f"result type {_kind_name(result)} can't be cast to the desired output type "
            f"{_kind_name(target)}", hint="make the target floating first, e.g. x = x.float()")


def _kind_name(t: Tensor) -> str:
    return {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int",
            "bool": "Bool"}[t.data.dtype.name]


def _history(t: Tensor, version: list[int] | None = None) -> Tensor:
    """An alias of ``t`` with its history so far: an input for the node that rebases it."""
    before = Tensor._of(t.data, t._version if version is None else version)
    before.grad_fn, before.requires_grad = t.grad_fn, t.requires_grad
    return before


def _keep_originals(node: Any, stand_in: Tensor) -> None:
    """What the op saved of the target (``stand_in``) its VJP reads after the write: keep a
    copy of the values before it instead, as PyTorch keeps the original self."""
    saved = node.saved
    mine = stand_in._version  # the stand-in's own counter: only its aliases share it
    if saved and any(s is not None and s._version is mine for s in saved):
        original = _history(stand_in, [0])
        original.data = stand_in.data.copy()
        node.saved = tuple(original if s is not None and s._version is mine else s
                           for s in saved)


def _rebase(target: Tensor, out: Tensor) -> None:
    """``target`` takes ``out``'s history; a retain_grad() moves with it, as in PyTorch."""
    if out.grad_fn is None:
        return
    old = target.grad_fn
    target.grad_fn, target.requires_grad = out.grad_fn, True
    if old is not None and old.retained is not None and old.retained() is target:
        out.grad_fn.retained, old.retained = old.retained, None


def _written(target: Tensor, before_base: Tensor | None) -> None:
    """After a write into ``target``: bump the shared version. In the graph, if ``target``
    is a view, its base takes a CopySlices node over the base's history so far and the view
    the history of its part of the base; and every other view of the base takes that too:
    their values are the base's now (PyTorch regenerates them the same way)."""
    bump_version(target)
    base = target._base
    root = target if base is None else base
    if not is_grad_enabled():
        # PyTorch: pieces of split, chunk or unbind written under no_grad, or whose base was,
        # lose their history too (<Invalid>).
        for ref in list(root._views) if root._views else ():
            view = ref()
            if view is not None and type(view.grad_fn) is Port:
                with set_grad_enabled(True):
                    _regenerate(view, root, np.empty(0))
        return
    rebase = base is not None and before_base is not None and target.requires_grad
    if not rebase and not (root.requires_grad and root._views):
        return
    flat = np.arange(root.data.size)  # the positions of the base's elements, for every view
    if rebase:
        assert base is not None and before_base is not None
        positions = _positions(target.data, base.data, flat)
        out = record("CopySlices", Tensor._of(base.data, base._version),
                     (before_base, target), _copy_slices_vjp, ctx=(positions, True),
                     fast=_copy_slices_fast)
        _rebase(base, out)
    if root.requires_grad:
        for ref in list(root._views or ()):
            view = ref()
            if view is not None:
                _regenerate(view, root, flat)


def _regenerate(view: Tensor, base: Tensor, flat: np.ndarray) -> None:
    """The view's history: its part of the base's (AsStridedBackward0). A piece of split,
    chunk or unbind has none (PyTorch's ``<Invalid>``): a backward through it fails."""
    fn = view.grad_fn
    if type(fn) is Port:
        message = (f"Output {fn.index} of {fn.name.removesuffix('Backward0')} is a view and its "
                   "base or another view of its base has been modified inplace. This view is the "
                   "output of a function that returns multiple views. Such functions do not "
                   "allow the output views to be modified inplace. You should replace the "
                   "inplace operation by an out-of-place one.")
        _rebase(view, record("Invalid", Tensor._of(view.data, view._version), (_history(base),),
                             _invalid_vjp, ctx=message))
        return
    positions = _positions(view.data, base.data, flat)
    _rebase(view, record("AsStridedBackward0", Tensor._of(view.data, view._version),
                         (_history(base),), _as_strided_vjp,
                         ctx=(positions, base.data.shape), fast=_as_strided_fast))


def _invalid_vjp(g: Tensor, node: Node) -> tuple[None]:
    raise grad_error(node.ctx, hint="split, chunk or unbind after the in-place change, or "
                     "make the change out of place")


def _base_history(target: Tensor) -> Tensor | None:
    """The history of ``target``'s base before a write, when ``target`` is a view."""
    base = target._base
    return None if base is None or not is_grad_enabled() else _history(base)


def _positions(view: np.ndarray, base: np.ndarray, flat: np.ndarray) -> tuple[np.ndarray]:
    """The flat positions in ``base`` of the elements of ``view`` (a numpy view into it);
    ``flat`` is ``arange(base.size)``."""
    item = base.itemsize
    offset = view.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    if not base.flags.c_contiguous or offset % item or any(s % item for s in view.strides):
        raise grad_error("in-place change of a view of a non-contiguous tensor is not supported",
                         hint="clone() the view first, or change the tensor itself")
    where = np.lib.stride_tricks.as_strided(
        flat[offset // item:], shape=view.shape,
        strides=tuple(s // item * flat.itemsize for s in view.strides)).copy()
    if np.unique(where).size != where.size:
        raise grad_error("unsupported operation: some elements of the input tensor and the "
                         "written-to tensor refer to a single memory location.",
                         hint="clone() the tensor first")
    return (where,)


def apply_(target: Tensor, fn: Callable[[Tensor, Any], Tensor], other: Any) -> Tensor:
    """``target op= other``: compute out of place, then write into target's storage."""
    _check_writable(target)
    stand_in = _history(target, [0]) if is_grad_enabled() else target
    out = fn(stand_in, other)
    if out.grad_fn is not None and stand_in is not target:
        _keep_originals(out.grad_fn, stand_in)
    _cast_check(out, target)
    if out.data.shape != target.data.shape:
        raise type_error(
            f"output with shape {list(target.data.shape)} doesn't match the broadcast shape "
            f"{list(out.data.shape)}", hint="an in-place result must keep the target's shape")
    before_base = _base_history(target)
    target.data[...] = out.data
    _rebase(target, out)
    _written(target, before_base)
    return target


def zero_(target: Tensor) -> Tensor:
    """``x.zero_()``; in the graph a ZeroBackward0 node: no gradient passes back."""
    _check_writable(target)
    before = _history(target) if is_grad_enabled() and target.requires_grad else None
    before_base = _base_history(target)
    target.data[...] = 0
    if before is not None:
        _rebase(target, record("ZeroBackward0", Tensor._of(target.data, target._version),
                               (before,), _zero_vjp, fast=_zero_fast))
    _written(target, before_base)
    return target


def overwrite_(target: Tensor, fill: Callable[[np.ndarray], None], grad_fn: str) -> Tensor:
    """``x.uniform_()``, ``x.normal_()``, ``x.bernoulli_()``: ``fill`` writes new values into
    ``target``'s array; in the graph a ``grad_fn`` node through which no gradient passes."""
    _check_writable(target)
    before = _history(target) if is_grad_enabled() and target.requires_grad else None
    before_base = _base_history(target)
    fill(target.data)
    if before is not None:
        _rebase(target, record(grad_fn, Tensor._of(target.data, target._version),
                               (before,), _zero_vjp, fast=_zero_fast))
    _written(target, before_base)
    return target


def _zero_vjp(g: Tensor, node: Node) -> tuple[Tensor]:
    from .arithmetic import mul

    return (mul(g, 0),)


def _zero_fast(g: np.ndarray, node: Node, owned: bool) -> tuple[np.ndarray]:
    return (np.zeros_like(g),)


def setitem(target: Tensor, key: Any, value: Any) -> None:
    """``x[key] = value`` on a tensor. In the graph (the value or the target requires grad)
    the target takes a CopySlices node, as in PyTorch: its gradient passes to the old target
    outside ``key`` and to the value inside it."""
    _check_writable(target)
    v = to_tensor(value)
    from .shape import index_part

    parts = tuple(index_part(p) for p in (key if isinstance(key, tuple) else (key,)))
    _cast_check(v, target)
    tracked = is_grad_enabled() and (v.requires_grad or target.requires_grad)
    before = _history(target) if tracked else None
    before_base = _base_history(target)
    try:
        target.data[parts] = v.data
    except (IndexError, ValueError) as e:
        from ..errors import shape_error

        raise shape_error(f"cannot assign into x[...]: {e}",
                          hint=f"the tensor has shape {tuple(target.data.shape)}") from None
    if before is not None:
        _rebase(target, record("CopySlices", Tensor._of(target.data, target._version),
                               (before, v), _copy_slices_vjp, ctx=(parts, False),
                               fast=_copy_slices_fast))
    _written(target, before_base)


def _outside(ctx: tuple[Any, bool], like: np.ndarray) -> np.ndarray:
    """1 where the write left the tensor as it was, 0 where it wrote. ``ctx``: the index
    written, and whether it is of flat positions (a view's, from _positions)."""
    parts, flat = ctx
    keep = np.ones(like.size if flat else like.shape, dtype=like.dtype)
    keep[parts] = 0
    return keep.reshape(like.shape)


def _copy_slices_vjp(g: Tensor, node: Node) -> tuple[Tensor | None, Tensor | None]:
    from .arithmetic import mul
    from .shape import index, reshape

    parts, flat = node.ctx
    inside = index(reshape(g, (-1,)) if flat else g, parts) if node.needs(1) else None
    return (mul(g, Tensor(_outside(node.ctx, g.data))) if node.needs(0) else None, inside)


def _copy_slices_fast(g: np.ndarray, node: Node, owned: bool) -> tuple[Any, Any]:
    parts, flat = node.ctx
    return (g * _outside(node.ctx, g) if node.needs(0) else None,
            np.asarray((g.reshape(-1) if flat else g)[parts]) if node.needs(1) else None)


def _as_strided_vjp(g: Tensor, node: Node) -> tuple[Tensor]:
    from .shape import index_backward, reshape

    positions, shape = node.ctx
    size = int(np.prod(shape))
    flat = (positions[0].reshape(-1),)
    return (reshape(index_backward(reshape(g, (-1,)), flat, (size,)), shape),)


def _as_strided_fast(g: np.ndarray, node: Node, owned: bool) -> tuple[np.ndarray]:
    positions, shape = node.ctx
    out = np.zeros(shape, dtype=g.dtype)
    out.reshape(-1)[positions] = g  # positions are distinct (_positions)
    return (out,)
