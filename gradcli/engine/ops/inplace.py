"""In-place updates (``x -= y``, ``x[i] = v``): real writes that aliases see, with PyTorch's rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..autograd import bump_version, is_grad_enabled
from ..errors import grad_error, type_error
from ..tensor import Tensor
from ._base import to_tensor

LEAF_IN_PLACE = ("a leaf Variable that requires grad is being used in an in-place operation.")


def _check_writable(t: Tensor) -> None:
    if t.requires_grad and t.is_leaf and is_grad_enabled():
        raise grad_error(LEAF_IN_PLACE,
                         hint="update parameters inside `with torch.no_grad():`, e.g. "
                         "w -= lr * w.grad")


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


def apply_(target: Tensor, fn: Callable[[Tensor, Any], Tensor], other: Any) -> Tensor:
    """``target op= other``: compute out of place, then write into target's storage.

    Target takes over the new history (its grad_fn), as PyTorch's in-place ops rebase it.
    """
    _check_writable(target)
    out = fn(target, other)
    _cast_check(out, target)
    if out.data.shape != target.data.shape:
        raise type_error(
            f"output with shape {list(target.data.shape)} doesn't match the broadcast shape "
            f"{list(out.data.shape)}", hint="an in-place result must keep the target's shape")
    target.data[...] = out.data
    bump_version(target)
    if out.grad_fn is not None:
        target.grad_fn = out.grad_fn
        target.requires_grad = True
    return target


def setitem(target: Tensor, key: Any, value: Any) -> None:
    """``x[key] = value`` on a tensor (only outside the graph: inside, use torch.where)."""
    _check_writable(target)
    v = to_tensor(value)
    if v.requires_grad and is_grad_enabled():
        raise grad_error("assigning a tensor that requires grad into another is not supported",
                         hint="build the result with where(mask, value, x) or cat instead")
    if target.grad_fn is not None and is_grad_enabled():
        raise grad_error("in-place assignment into a tensor computed by the graph is not supported",
                         hint="build the result with where(mask, value, x) instead")
    from .shape import _index_part

    parts = tuple(_index_part(p) for p in (key if isinstance(key, tuple) else (key,)))
    _cast_check(v, target)
    try:
        target.data[parts] = v.data
    except (IndexError, ValueError) as e:
        from ..errors import shape_error

        raise shape_error(f"cannot assign into x[...]: {e}",
                          hint=f"the tensor has shape {tuple(target.data.shape)}") from None
    bump_version(target)
