"""Questions about values: isnan isinf isfinite, all any, isclose allclose equal. Bool tensors
(or, for allclose and equal, a Python bool), outside the graph."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..dtypes import scalar_type_name
from ..errors import type_error
from ..tensor import Tensor
from ._base import broadcast_shape, to_tensor, unary_input
from .reductions import axes_of
from .table import op


def _test(name: str, fwd: Callable[[np.ndarray], np.ndarray], summary: str) -> Any:
    def fn(input: Any) -> Tensor:
        t = unary_input(input, name)
        data = t.data
        # integers and bools are never NaN or infinite
        return Tensor(np.asarray(fwd(data) if data.dtype.kind == "f" else
                                 np.full(data.shape, name == "isfinite")))

    fn.__name__ = name
    op(f"{name}(input)", category="comparison", summary=summary, example=f"{name}(x)")(fn)
    return fn


isnan = _test("isnan", np.isnan, "where input is NaN, a bool tensor")
isinf = _test("isinf", np.isinf, "where input is +inf or -inf, a bool tensor")
isfinite = _test("isfinite", np.isfinite, "where input is neither NaN nor infinite")


def _truth(name: str, fwd: Callable[..., Any], summary: str) -> Any:
    def fn(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor:
        t = unary_input(input, name)
        axes = axes_of(dim, t.data.ndim, name)
        if t.data.ndim == 0 or axes is None and not keepdim:
            return Tensor(np.asarray(fwd(t.data)))
        return Tensor(np.asarray(fwd(t.data, axis=axes, keepdims=bool(keepdim))))

    fn.__name__ = name
    op(f"{name}(input, dim=None, keepdim=False)", category="comparison", summary=summary,
       example=f"{name}(x > 0)")(fn)
    return fn


all = _truth("all", np.all, "whether every element is nonzero (True), over all or along dim")
any = _truth("any", np.any, "whether some element is nonzero (True), over all or along dim")


def _same_dtype(a: Tensor, b: Tensor) -> None:
    if a.data.dtype != b.data.dtype:
        raise type_error(f"{scalar_type_name(a.data.dtype)} did not match "
                         f"{scalar_type_name(b.data.dtype)}",
                         hint="convert one of them first, e.g. y.to(x.dtype)")


def _pair(input: Any, other: Any, name: str) -> tuple[Tensor, Tensor]:
    if not isinstance(other, Tensor):
        raise type_error(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                         f"{type(other).__name__}", hint=f"e.g. {name}(x, tensor(1.0))")
    return unary_input(input, name), other


@op("isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False)", category="comparison",
    summary="where |input - other| <= atol + rtol * |other|, a bool tensor",
    example="isclose(x, y)")
def isclose(input: Any, other: Any, rtol: Any = 1e-05, atol: Any = 1e-08,
            equal_nan: bool = False) -> Tensor:
    a, b = _pair(input, other, "isclose")
    _same_dtype(a, b)
    broadcast_shape("isclose", a.data.shape, b.data.shape)
    return Tensor(np.asarray(np.isclose(a.data, b.data, rtol=float(rtol), atol=float(atol),
                                        equal_nan=bool(equal_nan))))


@op("allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False)", category="comparison",
    summary="whether isclose holds everywhere: a Python bool", example="allclose(x, y)")
def allclose(input: Any, other: Any, rtol: Any = 1e-05, atol: Any = 1e-08,
             equal_nan: bool = False) -> bool:
    _pair(input, other, "allclose")
    return bool(isclose(input, other, rtol, atol, equal_nan).data.all())


@op("equal(input, other)", category="comparison",
    summary="whether both have the same shape and elements: a Python bool", example="equal(x, y)")
def equal(input: Any, other: Any) -> bool:
    a, b = unary_input(input, "equal"), to_tensor(other, "equal() other")
    return a.data.shape == b.data.shape and bool(np.array_equal(a.data, b.data))
