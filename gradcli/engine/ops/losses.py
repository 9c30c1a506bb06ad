"""Loss functions of ``torch.nn.functional`` (mse_loss, cross_entropy, ...) and linear,
normalize and one_hot, with PyTorch's reductions, keywords, grad_fn names and messages."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..autograd import Node, is_grad_enabled, record
from ..errors import shape_error, type_error, value_error
from ..summation import float_sum
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


def _float_pair(input: Any, target: Any, name: str, kernel: str = "") -> tuple[Tensor, Tensor]:
    a, b = binary_operands(unary_input(input, name), to_tensor(target, f"{name}() target"), name)
    if not dtypes.is_float(a.data.dtype):
        raise type_error(f'"{kernel or name}" not implemented for \'{_long_name(a.data.dtype)}\'',
                         hint="losses take floating tensors, e.g. x.float()")
    return a, b


def _long_name(dt: np.dtype[Any]) -> str:
    return {"int64": "Long", "int32": "Int", "bool": "Bool", "float32": "Float",
            "float64": "Double"}.get(dt.name, dt.name)


def _reduce_raw(v: np.ndarray, reduction: str, dtype: np.dtype[Any]) -> np.ndarray:
    if reduction == "none":
        return v.astype(dtype, copy=False)
    # PyTorch's apply_loss_reduction: its sum kernel's order (engine/summation), then / numel
    total = float_sum(v, None, False) if v.dtype.kind == "f" else np.sum(v)
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


def _pointwise_vjp(deriv: Any, name: str) -> Any:
    """The VJP of ``reduce(f(input - target))``, f even: ``deriv(d)`` is f' at d. Under
    create_graph each gradient is PyTorch's one node ``name`` (MseLossBackwardBackward0)."""
    from .linalg import rename_grad_fn

    def vjp(g: Tensor, node: Node) -> Two:
        a, b = node.unpack()
        shape, reduction, param = node.ctx
        ge = _grad_of_reduced(g, shape, reduction)
        # PyTorch's target gradient is the same function with the two swapped (its signed
        # zeros are those of target - input).
        return (rename_grad_fn(deriv(a - b, param) * ge, name) if node.needs(0) else None), \
            (rename_grad_fn(deriv(b - a, param) * ge, name) if node.needs(1) else None)

    return vjp


def _pointwise_loss(name: str, grad_fn: str, input: Any, target: Any, reduction: Any,
                    value: Any, deriv: Any, param: float = 0.0) -> Tensor:
    r = _reduction(reduction)
    a, b = _float_pair(input, target, name, "mse_cpu" if name == "mse_loss" else "")
    d = a.data - b.data
    out = Tensor(_reduce_raw(value(d, param), r, a.data.dtype))
    return record(grad_fn, out, (a, b), _pointwise_vjp(deriv, grad_fn.replace("Backward0",
                  "BackwardBackward0")), (a, b), ctx=(d.shape, r, param))


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
    from .arithmetic import bool_subtraction_error
    from .elementwise import abs
    from .reductions import mean, sum

    r = _reduction(reduction)
    if any(isinstance(v, Tensor) and v.data.dtype.kind == "b" for v in (input, target)):
        raise bool_subtraction_error()  # PyTorch's l1_loss subtracts first
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


# -- classification: nll_loss and cross_entropy over class indices (class dim 1, or 0 for 1-D)


def _class_setup(t: Tensor, target: Any, weight: Any, ignore_index: Any, name: str
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every target position: its class (0 where ignored), its weight (0 where ignored),
    and the input's values moved so that the class dimension is last."""
    y = to_tensor(target, f"{name}() target")
    if y.data.dtype.kind not in "iu" or y.data.dtype.name not in ("int64", "uint8"):
        kind = {"float32": "Float", "float64": "Double", "int32": "Int", "bool": "Bool"}
        raise type_error("expected target dtype to be Long or Byte, but got "
                         f"{kind.get(y.data.dtype.name, y.data.dtype.name)}",
                         hint="class indices are int64, e.g. tensor([1, 0, 3])")
    x = t.data
    if x.ndim == 0 or x.ndim > 5:
        raise shape_error(f"Expected 1 to 5 dimensions for the input of {name} (got {x.ndim})")
    if x.ndim == 1:
        if y.data.ndim > 1 or y.data.size != 1:
            raise value_error(f"For 1D input, 1D target must have size 1, but got target size: "
                              f"{y.data.size}")
        moved, classes = x.reshape(1, -1), y.data.reshape(1)
    else:
        if y.data.ndim != x.ndim - 1:
            if x.ndim == 2:
                raise shape_error("0D or 1D target tensor expected, multi-target not supported")
            raise shape_error(f"Expected target of {x.ndim - 1} dimensions for input of "
                              f"{x.ndim} dimensions (got {y.data.ndim})")
        if y.data.shape[0] != x.shape[0]:
            raise value_error(f"Expected input batch_size ({x.shape[0]}) to match target "
                              f"batch_size ({y.data.shape[0]}).")
        if y.data.shape[1:] != x.shape[2:]:
            raise shape_error(f"size mismatch (got input: {list(x.shape)}, target: "
                              f"{list(y.data.shape)})")
        moved, classes = np.moveaxis(x, 1, -1), y.data.astype(np.int64)
    n_classes = moved.shape[-1]
    if weight is not None:
        w = to_tensor(weight, f"{name}() weight")
        _not_differentiable(w, "nll_loss_forward", "weight")
        if w.data.shape != (n_classes,):
            raise shape_error(f"weight tensor should be defined either for all {n_classes} classes "
                              f"or no classes but got weight tensor of shape: {list(w.data.shape)}")
        if w.data.dtype != x.dtype:
            raise type_error(f"expected scalar type {_long_name(x.dtype)} but found "
                             f"{_long_name(w.data.dtype)}")
        wdata = w.data
    else:
        wdata = np.ones(n_classes, dtype=x.dtype)
    keep = classes != int(ignore_index)
    bad = keep & ((classes < 0) | (classes >= n_classes))
    if bad.any():
        raise value_error(f"Target {int(classes[bad].flat[0])} is out of bounds.",
                          hint=f"class indices are 0 to {n_classes - 1}")
    safe = np.where(keep, classes, 0)
    return safe, np.where(keep, wdata[safe], 0).astype(x.dtype), moved


def _nll_vjp(g: Tensor, node: Node) -> tuple[Tensor | None]:
    coef, reduction, ndim = node.ctx
    if reduction == "none" and ndim >= 2:
        from .shape import unsqueeze

        g = unsqueeze(g, 1)
    d = g * Tensor(coef)
    if not is_grad_enabled():
        return (d,)
    # Under create_graph PyTorch records one node, NllLossBackwardBackward0 (a view of it for
    # 3-D input), whose inputs are the incoming gradient and the input itself: the derivative
    # requires grad even though it does not depend on the input (its gradient there is zeros).
    (x,) = node.unpack()
    name = "ViewBackward0" if _viewed(ndim) else node.name.replace("Backward0", "BackwardBackward0")
    return (record(name, Tensor(d.data), (d, x), _nll_double_vjp),)


def _nll_double_vjp(gg: Tensor, node: Node) -> tuple[Tensor, Tensor]:
    return gg, Tensor(np.zeros_like(gg.data))


@op("nll_loss(input, target, weight=None, ignore_index=-100, reduction='mean')", category="loss",
    summary="negative log likelihood of class indices, input being log-probabilities",
    example="F.nll_loss(log_softmax(x, 1), y)",
    grad_fn=(("NllLossBackward0", "1-D or 2-D input"), ("NllLoss2DBackward0", "more dims"),
             ("ViewBackward0", "reduction='none', 3-D or 5-D+ input")),
    namespaces=F, derivative="-weight[target] (over the total weight for 'mean') at the "
    "target's class, 0 elsewhere",
    checks=(GradCheck("nll_loss(a, tensor([1, 0, 3]))", {"a": (3, 4)}),
            GradCheck("nll_loss(a, tensor([1, 0, 3]), weight=arange(1.0, 5.0), ignore_index=0)",
                      {"a": (3, 4)}),
            GradCheck("nll_loss(a, tensor([[1, 0], [2, 2]]), reduction='none')",
                      {"a": (2, 3, 2)})))
def nll_loss(input: Any, target: Any, weight: Any = None, ignore_index: Any = -100,
             reduction: str = "mean") -> Tensor:
    r = _reduction(reduction)
    t = unary_input(input, "nll_loss")
    if not dtypes.is_float(t.data.dtype):
        raise type_error(f'"nll_loss" not implemented for \'{_long_name(t.data.dtype)}\'')
    classes, w, moved = _class_setup(t, target, weight, ignore_index, "nll_loss")
    picked = np.take_along_axis(moved, classes[..., None], axis=-1)[..., 0]
    losses = 0.0 - w * picked  # +0 where ignored, as PyTorch
    onehot = np.zeros(moved.shape, dtype=t.data.dtype)
    np.put_along_axis(onehot, classes[..., None], 0.0 - w[..., None], axis=-1)  # +0 ignored
    if r == "none":
        value = losses.reshape(()) if t.data.ndim == 1 else losses
    else:
        value = np.sum(losses)
        if r == "mean":
            total = np.sum(w)
            with np.errstate(invalid="ignore", divide="ignore"):
                value = value / total
            if total != 0:  # all ignored: NaN, and a gradient of zeros (PyTorch's)
                onehot = onehot / total
    coef = onehot.reshape(t.data.shape) if t.data.ndim == 1 else np.moveaxis(onehot, -1, 1)
    name = "NllLossBackward0" if t.data.ndim <= 2 else "NllLoss2DBackward0"
    out = Tensor(np.asarray(value, dtype=t.data.dtype))
    out = record(name, out, (t,), _nll_vjp, (t,), ctx=(coef, r, t.data.ndim))
    if r == "none" and _viewed(t.data.ndim):
        from .linalg import rename_grad_fn

        return rename_grad_fn(out, "ViewBackward0")
    return out


def _viewed(ndim: int) -> bool:
    """PyTorch's nll_loss views 3-D and 5-D+ input as 4-D for nll_loss2d, and its per-element
    losses back: their grad_fn, and the input's gradient's under create_graph, is a view."""
    return ndim == 3 or ndim > 4


def _label_smoothing(value: Any) -> float:
    if isinstance(value, Tensor):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise type_error("cross_entropy(): argument 'label_smoothing' must be float, not "
                         f"{type(value).__name__}")
    if not 0.0 <= value <= 1.0:
        raise value_error(f"label_smoothing must be between 0.0 and 1.0. Got: {float(value)}")
    return float(value)


@op("cross_entropy(input, target, weight=None, ignore_index=-100, reduction='mean', "
    "label_smoothing=0.0)", category="loss",
    summary="log_softmax then nll_loss, for class indices or class probabilities as target",
    example="F.cross_entropy(x, y)",
    grad_fn=(("NllLossBackward0", "class indices"), ("AddBackward0", "label_smoothing"),
             ("DivBackward1", "probabilities, mean"), ("NegBackward0", "probabilities")),
    namespaces=F, derivative="softmax(input) minus the (smoothed) target, times weights",
    checks=(GradCheck("cross_entropy(a, tensor([1, 0, 3]))", {"a": (3, 4)}),
            GradCheck("cross_entropy(a, tensor([1, 0, 3]), weight=arange(1.0, 5.0), "
                      "reduction='sum', label_smoothing=0.2)", {"a": (3, 4)}),
            GradCheck("cross_entropy(a, softmax(b, 1))", {"a": (3, 4), "b": (3, 4)}),
            # Not with every target ignored: there the loss is NaN and its gradient 0
            # (PyTorch's; golden eval cases), which no finite difference can check.
            GradCheck("cross_entropy(a, tensor(1), ignore_index=2, label_smoothing=0.1)",
                      {"a": (4,)}),
            GradCheck("cross_entropy(a, tensor([2, 1, 0]), ignore_index=2, label_smoothing=0.1)",
                      {"a": (3, 4)})))
def cross_entropy(input: Any, target: Any, weight: Any = None, ignore_index: Any = -100,
                  reduction: str = "mean", label_smoothing: Any = 0.0) -> Tensor:
    from .reductions import log_softmax, sum

    r = _reduction(reduction)
    eps = _label_smoothing(label_smoothing)
    t = unary_input(input, "cross_entropy")
    axis = 0 if t.data.ndim == 1 else 1
    y = to_tensor(target, "cross_entropy() target")
    if t.data.ndim == 0:
        raise shape_error("cross_entropy: the input must have a class dimension (got a 0-D tensor)")
    lsm = log_softmax(t, axis)
    n_classes = t.data.shape[axis]
    if dtypes.is_float(y.data.dtype):
        return _cross_entropy_probabilities(lsm, y, weight, r, eps, axis)
    loss = nll_loss(lsm, y, weight, ignore_index, r)
    if eps == 0:
        return loss
    from .select import masked_fill

    classes, w, _ = _class_setup(t, y, weight, ignore_index, "cross_entropy")
    ignored = y.data == int(ignore_index)
    terms = lsm if weight is None else lsm * _class_shaped(to_tensor(weight), t.data.ndim)
    # PyTorch's smooth_loss.masked_fill_(ignore_mask, 0): the ignored places' gradient is 0,
    # even where the mean below divides by 0 (every target ignored: a NaN loss, 0 gradients).
    smooth = masked_fill(-sum(terms, axis), Tensor(ignored), 0.0)
    if r == "mean":
        smooth = sum(smooth) / float(np.sum(w) if weight is not None else np.sum(~ignored))
    elif r == "sum":
        smooth = sum(smooth)
    return loss * (1.0 - eps) + smooth * (eps / n_classes)


def _class_shaped(w: Tensor, ndim: int) -> Tensor:
    """A per-class weight shaped to broadcast along the class dimension (1, or 0 for 1-D)."""
    from .shape import reshape

    return w if ndim <= 1 else reshape(w, (1, -1) + (1,) * (ndim - 2))


def _cross_entropy_probabilities(lsm: Tensor, y: Tensor, weight: Any, r: str, eps: float,
                                 axis: int) -> Tensor:
    from .linalg import rename_grad_fn
    from .reductions import sum

    if y.data.shape != lsm.data.shape:
        if lsm.data.ndim >= 1 and y.data.ndim >= 1 and y.data.shape[0] != lsm.data.shape[0]:
            raise value_error(f"Expected input batch_size ({lsm.data.shape[0]}) to match target "
                              f"batch_size ({y.data.shape[0]}).")
        raise shape_error(f"cross_entropy: target of shape {tuple(y.data.shape)} does not match "
                          f"the input's {tuple(lsm.data.shape)}")
    n_classes = lsm.data.shape[axis]
    if eps > 0:
        y = y * (1.0 - eps) + eps / n_classes
    terms = lsm * y
    if weight is not None:
        terms = terms * _class_shaped(to_tensor(weight), lsm.data.ndim)
    if r == "none":
        return -sum(terms, axis)
    if r == "sum":
        return -sum(terms)
    return rename_grad_fn(-sum(terms) / float(lsm.data.size // n_classes), "DivBackward1")


# -- binary cross-entropy, on probabilities and on logits


def _same_size(a: Tensor, b: Tensor, name: str) -> None:
    if a.data.shape != b.data.shape:
        size = f"torch.Size({list(b.data.shape)})", f"torch.Size({list(a.data.shape)})"
        if name == "binary_cross_entropy":
            raise value_error(f"Using a target size ({size[0]}) that is different to the input "
                              f"size ({size[1]}) is deprecated. Please ensure they have the "
                              "same size.")
        raise value_error(f"Target size ({size[0]}) must be the same as input size ({size[1]})")


def _weight_of(weight: Any, x: Tensor, name: str, arg: str = "weight") -> Tensor | float:
    """A per-element weight of ``x``: a constant (PyTorch refuses one that requires grad) that
    broadcasts to ``x``'s shape."""
    if weight is None:
        return 1.0
    w = to_tensor(weight, arg)
    _not_differentiable(w, name, arg)
    if w.data.shape != x.data.shape:
        from ._base import broadcast_shape

        shape = broadcast_shape(name, w.data.shape, x.data.shape)
        if shape != x.data.shape:
            raise shape_error(f"{name}: output with shape {list(x.data.shape)} doesn't match the "
                              f"broadcast shape {list(shape)}")
    return w


def _not_differentiable(t: Tensor, name: str, arg: str) -> None:
    if t.requires_grad and is_grad_enabled():
        raise type_error(f"The function '{name}' is not differentiable with respect to argument "
                         f"'{arg}'. This input cannot have requires_grad True.",
                         hint=f"pass it detached, e.g. {arg}={arg}.detach()")


def _bce_vjp(g: Tensor, node: Node) -> Two:
    from .elementwise import clamp, log
    from .linalg import rename_grad_fn

    x, y = node.unpack()
    weight, reduction = node.ctx
    ge = _grad_of_reduced(g, x.data.shape, reduction) * weight
    dx = rename_grad_fn(ge * (x - y) / clamp((1.0 - x) * x, min=1e-12),
                        "BinaryCrossEntropyBackwardBackward0") if node.needs(0) else None
    dy = None
    if node.needs(1):  # PyTorch's: -logit(input) * grad * weight, then / numel for 'mean'
        dy = _mean_last(-log(x / (1.0 - x)) * _grad_of_reduced(g, x.data.shape, "sum") * weight,
                        reduction)
    return dx, dy


def _mean_last(d: Tensor, reduction: str) -> Tensor:
    """``d / numel`` for reduction='mean' (PyTorch's division by a number: DivBackward1),
    ``d`` otherwise: the last step of the bce losses' derivatives, as PyTorch orders them."""
    if reduction != "mean":
        return d
    from .linalg import rename_grad_fn

    return rename_grad_fn(d / float(d.data.size), "DivBackward1")


@op("binary_cross_entropy(input, target, weight=None, reduction='mean')", category="loss",
    summary="-(target log(input) + (1 - target) log(1 - input)), input being probabilities",
    example="F.binary_cross_entropy(sigmoid(x), y)",
    rules={"input": "(grad / numel(input) if reduction == 'mean' else grad) * (input - target) "
                    "/ clamp((1 - input) * input, min=1e-12) * (1 if weight is None else weight)",
           "target": "(grad / numel(input) if reduction == 'mean' else grad) * -log(input / "
                     "(1 - input)) * (1 if weight is None else weight)"},
    grad_fn="BinaryCrossEntropyBackward0", namespaces=F,
    checks=(GradCheck("binary_cross_entropy(a, b)", _PAIR, "probability"),
            GradCheck("binary_cross_entropy(a, b, weight=arange(1.0, 5.0), reduction='none')",
                      _PAIR, "probability")))
def binary_cross_entropy(input: Any, target: Any, weight: Any = None,
                         reduction: str = "mean") -> Tensor:
    r = _reduction(reduction)
    x, y = _float_pair(input, target, "binary_cross_entropy")
    _same_size(x, y, "binary_cross_entropy")
    if ((x.data < 0) | (x.data > 1)).any():
        raise value_error("all elements of input should be between 0 and 1",
                          hint="give probabilities, e.g. sigmoid(x), or use "
                          "binary_cross_entropy_with_logits")
    if ((y.data < 0) | (y.data > 1)).any():
        raise value_error("all elements of target should be between 0 and 1")
    w = _weight_of(weight, x, "binary_cross_entropy")
    with np.errstate(divide="ignore"):
        value = -(y.data * np.maximum(np.log(x.data), -100)
                  + (1 - y.data) * np.maximum(np.log1p(-x.data), -100))
    value = value * (w.data if isinstance(w, Tensor) else w)
    out = Tensor(_reduce_raw(np.asarray(value), r, x.data.dtype))
    return record("BinaryCrossEntropyBackward0", out, (x, y), _bce_vjp, (x, y), ctx=(w, r))


def _bce_logits_vjp(g: Tensor, node: Node) -> Two:
    from .elementwise import abs, exp, log1p, relu, sigmoid

    x, y = node.unpack()
    weight, pos_weight, reduction = node.ctx
    # As PyTorch orders it: the element's derivative, times grad, times weight, / numel.
    ge = _grad_of_reduced(g, x.data.shape, "none" if reduction == "none" else "sum")
    dx = dy = None
    if pos_weight is None:
        if node.needs(0):
            dx = (sigmoid(x) - y) * ge * weight
        if node.needs(1):
            dy = -x * ge * weight
    else:
        if node.needs(0):
            dx = ((y * (pos_weight - 1.0) + 1.0) * sigmoid(x) - pos_weight * y) * ge * weight
        if node.needs(1):
            dy = ((pos_weight - 1.0) * (log1p(exp(-abs(x))) + relu(-x)) - x) * ge * weight
    return (None if dx is None else _mean_last(dx, reduction),
            None if dy is None else _mean_last(dy, reduction))


@op("binary_cross_entropy_with_logits(input, target, weight=None, reduction='mean', "
    "pos_weight=None)", category="loss",
    summary="binary cross-entropy of sigmoid(input) and target, computed stably",
    example="F.binary_cross_entropy_with_logits(x, y)",
    rules={"input": "(grad / numel(input) if reduction == 'mean' else grad) * (1 if weight is "
                    "None else weight) * (sigmoid(input) - target if pos_weight is None else "
                    "(target * (pos_weight - 1) + 1) * sigmoid(input) - pos_weight * target)",
           "target": "(grad / numel(input) if reduction == 'mean' else grad) * (1 if weight is "
                     "None else weight) * (-input if pos_weight is None else (pos_weight - 1) * "
                     "(log1p(exp(-abs(input))) + relu(-input)) - input)"},
    grad_fn="BinaryCrossEntropyWithLogitsBackward0", namespaces=F,
    checks=(GradCheck("binary_cross_entropy_with_logits(a, b)", _PAIR, "probability"),
            GradCheck("binary_cross_entropy_with_logits(a, b, weight=arange(1.0, 5.0), "
                      "pos_weight=tensor([0.5, 1.0, 2.0, 3.0]), reduction='sum')", _PAIR,
                      "probability")))
def binary_cross_entropy_with_logits(input: Any, target: Any, weight: Any = None,
                                     reduction: str = "mean", pos_weight: Any = None) -> Tensor:
    r = _reduction(reduction)
    x, y = _float_pair(input, target, "binary_cross_entropy_with_logits")
    _same_size(x, y, "binary_cross_entropy_with_logits")
    name = "binary_cross_entropy_with_logits"
    w = _weight_of(weight, x, name)
    pw = None if pos_weight is None else to_tensor(pos_weight, "pos_weight")
    if pw is not None:
        _weight_of(pw, x, name, "pos_weight")
    soft = np.log1p(np.exp(-np.abs(x.data))) + np.maximum(-x.data, 0)
    scale = 1.0 if pw is None else 1.0 + (pw.data - 1.0) * y.data
    value = ((1 - y.data) * x.data + scale * soft) * (w.data if isinstance(w, Tensor) else w)
    out = Tensor(_reduce_raw(np.asarray(value), r, x.data.dtype))
    return record("BinaryCrossEntropyWithLogitsBackward0", out, (x, y), _bce_logits_vjp, (x, y),
                  ctx=(w, pw, r))


# -- layers' functions: linear, normalize, one_hot


@op("linear(input, weight, bias=None)", category="linear algebra",
    summary="input @ weight.T + bias, as a fully connected layer computes it",
    example="F.linear(x, W, b)",
    rules={"input": "grad @ weight if weight.ndim == 2 else unsqueeze(grad, -1) * weight",
           "weight": "reshape(grad, (-1, weight.shape[0])).T @ reshape(input, (-1, "
                     "weight.shape[1])) if weight.ndim == 2 else reshape(grad, (-1,)) @ "
                     "reshape(input, (-1, weight.shape[0]))",
           "bias": "grad"},
    grad_fn=(("AddmmBackward0", "2-D input, bias"), ("MmBackward0", "2-D input"),
             ("ViewBackward0", "other input, bias"), ("SqueezeBackward4", "1-D input"),
             ("UnsafeViewBackward0", "batched input")),
    namespaces=F, method=False,
    checks=(GradCheck("linear(a, w, b)", {"a": (3, 4), "w": (2, 4), "b": (2,)}),
            GradCheck("linear(a, w)", {"a": (4,), "w": (2, 4)}),
            GradCheck("linear(a, w, b)", {"a": (2, 3, 4), "w": (2, 4), "b": (2,)})))
def linear(input: Any, weight: Any, bias: Any = None) -> Tensor:
    from .linalg import matmul, rename_grad_fn
    from .shape import t as transpose

    x, w = unary_input(input, "linear"), to_tensor(weight, "linear() weight")
    if x.data.dtype != w.data.dtype:
        raise type_error("expected m1 and m2 to have the same dtype, but got: "
                         f"{_c_name(x.data.dtype)} != {_c_name(w.data.dtype)}",
                         hint="convert one of them, e.g. W.float() or x.double()")
    if x.data.ndim == 0 or w.data.ndim == 0:
        raise shape_error("both arguments to linear need to be at least 1D, but they are "
                          f"{x.data.ndim}D and {w.data.ndim}D")
    if w.data.ndim > 2 or (w.data.ndim == 1 and bias is not None):
        raise shape_error(f"mat2 must be a matrix, got {w.data.ndim}-D tensor")
    out = matmul(x, transpose(w) if w.data.ndim == 2 else w)
    if bias is None:
        return out
    return rename_grad_fn(out + to_tensor(bias, "linear() bias"),
                   "AddmmBackward0" if x.data.ndim == 2 else "ViewBackward0")


def _c_name(dt: np.dtype[Any]) -> str:
    return {"float32": "float", "float64": "double", "int64": "long int", "int32": "int"}.get(
        dt.name, dt.name)


_NORM_DIRECTION = ("(input / norm(input, p, dim, True) if p == 2 else sign(input) * "
                   "abs(input)**(p - 1) / norm(input, p, dim, True)**(p - 1))")


@op("normalize(input, p=2.0, dim=1, eps=1e-12)", category="reduction",
    summary="input divided by its p-norm along dim (at least eps)", example="F.normalize(x, dim=0)",
    rules={"input": "grad / clamp(norm(input, p, dim, True), min=eps) - (norm(input, p, dim, "
                    "True) > eps) * sum(grad * input, dim, True) / clamp(norm(input, p, dim, "
                    "True), min=eps)**2 * " + _NORM_DIRECTION},
    grad_fn="DivBackward0", namespaces=F, method=False,
    checks=(GradCheck("normalize(a)", {"a": (3, 4)}),
            GradCheck("normalize(a, p=3, dim=0)", {"a": (3, 4)}),
            GradCheck("normalize(a, dim=(0, 1))", {"a": (3, 4)})))
def normalize(input: Any, p: Any = 2.0, dim: Any = 1, eps: Any = 1e-12) -> Tensor:
    from .elementwise import clamp
    from .reductions import norm
    from .shape import expand

    x = unary_input(input, "normalize")
    return x / expand(clamp(norm(x, p, dim, True), min=eps), *x.data.shape)


@op("one_hot(tensor, num_classes=-1)", category="creation",
    summary="int64 indicator of each index's class, in a new last dimension",
    example="F.one_hot(tensor([0, 2]), 3)", namespaces=F, method=False)
def one_hot(tensor: Any, num_classes: Any = -1) -> Tensor:
    y = to_tensor(tensor, "one_hot() argument")
    if y.data.dtype.name != "int64":
        raise type_error("one_hot is only applicable to index tensor of type LongTensor.",
                         hint="class indices are int64, e.g. tensor([0, 2]) or y.long()")
    if isinstance(num_classes, Tensor):
        num_classes = num_classes.item()
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise type_error("one_hot(): argument 'num_classes' must be int, not "
                         f"{type(num_classes).__name__}")
    n = int(num_classes)
    if y.data.size == 0 and n == -1:
        raise value_error("Can not infer total number of classes from empty tensor.")
    if y.data.size and y.data.min() < 0:
        raise value_error("Class values must be non-negative.")
    if n == -1:
        n = int(y.data.max()) + 1
    elif y.data.size and y.data.max() >= n:
        raise value_error("Class values must be smaller than num_classes.")
    from ._base import check_numel

    check_numel(y.data.shape + (n,), "one_hot")
    return Tensor((y.data[..., None] == np.arange(n)).astype(np.int64))
