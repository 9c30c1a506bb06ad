"""Loss functions of ``torch.nn.functional`` (mse_loss, cross_entropy, ...) and linear,
normalize and one_hot, with PyTorch's reductions, keywords, grad_fn names and messages."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..autograd import Node, record
from ..errors import shape_error, type_error, value_error
from ..tensor import Tensor
from ._base import binary_operands, to_tensor, unary_input
from .table import GradCheck, op

F = ("torch.nn.functional",)
REDUCTIONS = ("mean", "sum", "none")
_PAIR = {"a": (3, 4), "b": (3, 4)}
Two = tuple["Tensor | None", "Tensor | None"]


def _reduction(reduction: Any) -> str:
    if reduction not in REDUCTIONS:
        raise value_error(f"{reduction} is not a valid value for reduction",
                          hint="reduction is 'mean', 'sum' or 'none'")
    return str(reduction)


def _float_pair(input: Any, target: Any, name: str) -> tuple[Tensor, Tensor]:
    a, b = binary_operands(unary_input(input, name), to_tensor(target, f"{name}() target"), name)
    if not dtypes.is_float(a.data.dtype):
        raise type_error(f'"{name}" not implemented for \'{_long_name(a.data.dtype)}\'',
                         hint="losses take floating tensors, e.g. x.float()")
    return a, b


def _long_name(dt: np.dtype[Any]) -> str:
    return {"int64": "Long", "int32": "Int", "bool": "Bool"}.get(dt.name, dt.name)


def _reduce_raw(v: np.ndarray, reduction: str, dtype: np.dtype[Any]) -> np.ndarray:
    if reduction == "none":
        return v.astype(dtype, copy=False)
    total = np.sum(v)
    if reduction == "mean":
        with np.errstate(invalid="ignore"):
            total = total / v.size
    return np.asarray(total, dtype=dtype)


def _grad_of_reduced(g: Tensor, shape: tuple[int, ...], reduction: str) -> Tensor:
    """The gradient of the reduced loss as one per element (before the element's derivative)."""
    if reduction == "none":
        return g
    if reduction == "mean":
        count = int(np.prod(shape))
        g = g / float(count) if count else g * float("nan")  # the mean of nothing is NaN
    from .shape import expand

    return expand(g, shape)


def _pointwise_vjp(deriv: Any) -> Any:
    """The VJP of ``reduce(f(input - target))``: ``deriv(d)`` is f' at d = input - target."""

    def vjp(g: Tensor, node: Node) -> Two:
        a, b = node.unpack()
        shape, reduction, param = node.ctx
        d = deriv(a - b, param) * _grad_of_reduced(g, shape, reduction)
        return (d if node.needs(0) else None), (-d if node.needs(1) else None)

    return vjp


def _pointwise_loss(name: str, grad_fn: str, input: Any, target: Any, reduction: Any,
                    value: Any, deriv: Any, param: float = 0.0) -> Tensor:
    r = _reduction(reduction)
    a, b = _float_pair(input, target, name)
    d = a.data - b.data
    out = Tensor(_reduce_raw(value(d, param), r, a.data.dtype))
    return record(grad_fn, out, (a, b), _pointwise_vjp(deriv), (a, b), ctx=(d.shape, r, param))


def _mean_rule(term: str) -> str:
    return (f"{term} * (grad / numel(input - target) if reduction == 'mean' else grad)")


@op("mse_loss(input, target, reduction='mean')", category="loss",
    summary="mean (or sum, or none) of the squared differences", example="F.mse_loss(x, y)",
    rules={"input": _mean_rule("2 * (input - target)"),
           "target": _mean_rule("-2 * (input - target)")},
    grad_fn="MseLossBackward0", namespaces=F,
    checks=(GradCheck("mse_loss(a, b)", _PAIR), GradCheck("mse_loss(a, b, reduction='sum')", _PAIR),
            GradCheck("mse_loss(a, b, reduction='none')", _PAIR)))
def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    return _pointwise_loss("mse_loss", "MseLossBackward0", input, target, reduction,
                           lambda d, _: d * d, lambda d, _: 2.0 * d)


@op("l1_loss(input, target, reduction='mean')", category="loss",
    summary="mean (or sum, or none) of the absolute differences", example="F.l1_loss(x, y)",
    rules={"input": _mean_rule("sign(input - target)"),
           "target": _mean_rule("-sign(input - target)")},
    grad_fn=(("MeanBackward0", "mean"), ("SumBackward0", "sum"), ("AbsBackward0", "none")),
    namespaces=F,
    checks=(GradCheck("l1_loss(a, b)", _PAIR, "distinct"),
            GradCheck("l1_loss(a, b, reduction='none')", _PAIR, "distinct")))
def l1_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    from .elementwise import abs
    from .reductions import mean, sum

    r = _reduction(reduction)
    a, b = _float_pair(input, target, "l1_loss")
    d = abs(a - b)
    return mean(d) if r == "mean" else sum(d) if r == "sum" else d


def _smooth_value(d: np.ndarray, beta: float) -> np.ndarray:
    a = np.abs(d)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(a < beta, 0.5 * d * d / beta, a - 0.5 * beta)


def _smooth_deriv(d: Tensor, beta: float) -> Tensor:
    from .elementwise import sign, where

    return where(Tensor(np.abs(d.data) < beta), d / beta, sign(d))


def _huber_value(d: np.ndarray, delta: float) -> np.ndarray:
    a = np.abs(d)
    return np.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))


def _huber_deriv(d: Tensor, delta: float) -> Tensor:
    from .elementwise import sign, where

    return where(Tensor(np.abs(d.data) < delta), d, sign(d) * delta)


def _nonnegative(value: Any, what: str, name: str) -> float:
    if isinstance(value, Tensor):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise type_error(f"{name}(): argument '{what}' must be a number, not "
                         f"{type(value).__name__}")
    if value < 0:
        raise value_error(f"{name} does not support negative values for {what}.")
    return float(value)


@op("smooth_l1_loss(input, target, reduction='mean', beta=1.0)", category="loss",
    summary="squared difference / 2beta below beta, absolute difference - beta/2 above",
    example="F.smooth_l1_loss(x, y)",
    rules={"input": _mean_rule("where(abs(input - target) < beta, (input - target) / beta, "
                               "sign(input - target))"),
           "target": _mean_rule("-where(abs(input - target) < beta, (input - target) / beta, "
                                "sign(input - target))")},
    grad_fn=(("SmoothL1LossBackward0", "beta > 0"), ("MeanBackward0", "beta = 0")),
    namespaces=F,
    checks=(GradCheck("smooth_l1_loss(a, b)", _PAIR, "distinct"),
            GradCheck("smooth_l1_loss(a, b, beta=0.5, reduction='sum')", _PAIR, "distinct")))
def smooth_l1_loss(input: Any, target: Any, reduction: str = "mean", beta: Any = 1.0) -> Tensor:
    b = _nonnegative(beta, "beta", "smooth_l1_loss")
    if b == 0:
        return l1_loss(input, target, reduction)
    return _pointwise_loss("smooth_l1_loss", "SmoothL1LossBackward0", input, target, reduction,
                           _smooth_value, _smooth_deriv, b)


@op("huber_loss(input, target, reduction='mean', delta=1.0)", category="loss",
    summary="squared difference / 2 below delta, delta * (absolute difference - delta/2) above",
    example="F.huber_loss(x, y)",
    rules={"input": _mean_rule("where(abs(input - target) < delta, input - target, "
                               "delta * sign(input - target))"),
           "target": _mean_rule("-where(abs(input - target) < delta, input - target, "
                                "delta * sign(input - target))")},
    grad_fn="HuberLossBackward0", namespaces=F,
    checks=(GradCheck("huber_loss(a, b)", _PAIR, "distinct"),
            GradCheck("huber_loss(a, b, delta=0.5, reduction='none')", _PAIR, "distinct")))
def huber_loss(input: Any, target: Any, reduction: str = "mean", delta: Any = 1.0) -> Tensor:
    d = _nonnegative(delta, "delta", "huber_loss")
    if d == 0:
        raise value_error("huber_loss does not support non-positive values for delta.")
    return _pointwise_loss("huber_loss", "HuberLossBackward0", input, target, reduction,
                           _huber_value, _huber_deriv, d)
