"""Activation functions of torch.nn.functional (softplus gelu silu elu leaky_relu hardtanh) and
clamp_min / clamp_max."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from .. import dtypes, torchmath
from ..autograd import Node, record
from ..errors import type_error, value_error
from ..gelu32 import gelu as onednn_gelu
from ..gelu32 import gelu_slope as onednn_gelu_slope
from ..gelu32 import takes_onednn
from ..tensor import Tensor
from ._base import broadcast_shape, check_int_scalar, is_scalar, operands, unary_input
from .creation import number_arg
from .elementwise import exp, sigmoid, tanh, where
from .inplace import apply_
from .mathfns import erf, erf_values, not_implemented
from .table import GradCheck, op

One = tuple["Tensor | None"]
_F = ("torch.nn.functional",)
_FLOAT_HINT = "activations need a floating tensor, e.g. x.float() or arange(4.0)"


def _floating(input: Any, name: str, kernel: str) -> Tensor:
    t = unary_input(input, name)
    if t.data.dtype.kind != "f":
        raise not_implemented(kernel, t, _FLOAT_HINT)
    return t


def _maybe_inplace(t: Tensor, inplace: bool, compute: Callable[[Tensor], Tensor]) -> Tensor:
    """``compute(t)``, written back into ``t`` when ``inplace`` (PyTorch's ``elu_`` ...)."""
    if inplace:
        return apply_(t, lambda target, _: compute(target), None)
    return compute(t)


def _mask(condition: np.ndarray, like: Tensor) -> Tensor:
    return Tensor(condition.astype(like.data.dtype))


Slope = Callable[[np.ndarray], np.ndarray]
Curvature = Callable[[Tensor], Tensor]


def backward_node(name: str, g: Tensor, x: Tensor, slope: Slope,
                  curvature: Curvature | None, exact: Any = None) -> Tensor:
    """``g * slope(x)``, the derivative of an activation at ``x``, as PyTorch's one node
    (``LeakyReluBackwardBackward0``...) under create_graph. ``curvature(x)`` is the second
    derivative, in engine ops; None for a piecewise linear function (its derivative in ``x``
    is 0, not None: the node requires grad, as in PyTorch). ``exact(g, x)``, when given and
    not None, is the value in PyTorch's own order of operations (torchmath)."""
    val = exact(g.data, x.data) if exact is not None else None
    if val is None:
        s = slope(x.data)
        # A 0/1 slope (hardtanh's) chooses, as PyTorch's kernel does: an inf or NaN gradient
        # from above gives 0 where the slope is 0, not NaN.
        val = np.where(s, g.data, g.data.dtype.type(0)) if s.dtype == np.bool_ else g.data * s
    out = Tensor(np.asarray(val).astype(g.data.dtype, copy=False))
    return record(name, out, (g, x), _backward_node_vjp, (g, x), ctx=(slope, curvature, exact))


def _backward_node_vjp(gg: Tensor, n: Node) -> tuple[Tensor | None, Tensor | None]:
    g, x = n.unpack()
    slope, curvature, exact = n.ctx
    dg = backward_node(n.name, gg, x, slope, curvature, exact) if n.needs(0) else None
    if not n.needs(1):
        return dg, None
    if curvature is None:
        return dg, Tensor(np.zeros_like(x.data))
    return dg, gg * g * curvature(x)


# -- softplus --------------------------------------------------------------------------------

def _softplus_vjp(g: Tensor, n: Node) -> One:
    (x,) = n.unpack()
    beta, threshold = n.ctx

    def slope(v: np.ndarray) -> np.ndarray:
        z = v * beta
        return np.where(z > threshold, 1, 1 / (1 + np.exp(-z)))

    def curvature(v: Tensor) -> Tensor:
        z = v * beta
        s = sigmoid(z)
        return where(z > threshold, 0.0, beta * s * (1 - s))

    return (backward_node("SoftplusBackwardBackward0", g, x, slope, curvature,
                          lambda gv, xv: torchmath.softplus_backward(gv, xv, beta, threshold)),)


@op("softplus(input, beta=1.0, threshold=20.0)", category="element-wise",
    summary="log(1 + exp(beta * input)) / beta, linear above threshold",
    example="F.softplus(x)", rules={
        "input": "where(input * beta > threshold, grad, grad * sigmoid(input * beta))",
    }, grad_fn="SoftplusBackward0", method=False, namespaces=_F,
    checks=(GradCheck("softplus(a)", {"a": (2, 3)}),
            GradCheck("softplus(a, beta=2.0, threshold=1.5)", {"a": (5,)}, "distinct")))
def softplus(input: Any, beta: Any = 1.0, threshold: Any = 20.0) -> Tensor:
    t = _floating(input, "softplus", "softplus_cpu")
    b, th = number_arg(beta, "softplus() beta"), number_arg(threshold, "softplus() threshold")
    out = torchmath.softplus(t.data, b, th)
    return record("SoftplusBackward0", Tensor(out), (t,), _softplus_vjp, (t,), ctx=(b, th))


# -- gelu ------------------------------------------------------------------------------------

_SQRT_HALF = 0.7071067811865476
_INV_SQRT_2PI = 0.3989422804014327
_K = 0.7978845608028654  # sqrt(2 / pi)
_C = 0.044715
_GELU_TANH = f"tanh({_K} * (input + {_C} * input**3))"


#: Sleef's float32 tanh, which ATen's vectorised loop uses, is exactly +-1 beyond this.
_SLEEF_TANH_ONE = np.float32(8.664339742)
#: ATen's vectorised loop takes 32 float32 elements at a time; the rest one by one (std::tanh).
_ATEN_BLOCK = 32


def _fma(a: Any, b: Any, c: Any) -> np.ndarray:
    """a * b + c rounded once, in c's dtype: the compiler fuses these in ATen's kernels."""
    from ..fma import fma32, fma64

    return (fma32 if np.asarray(c).dtype == np.float32 else fma64)(a, b, c)


def _gelu_tanh_inner(x: np.ndarray) -> np.ndarray:
    """tanh(sqrt(2/pi) * (x + 0.044715 x^3)) as ATen's kernel computes it (the cube first, then
    a fused multiply-add), tanh rounded from float64; for float32, +-1 where Sleef's tanh gives
    it, in the elements of a contiguous tensor that ATen's loop takes in whole blocks."""
    k, c = x.dtype.type(_K), x.dtype.type(_C)
    inner = k * _fma(c, x * x * x, x)
    if x.dtype != np.float32:
        return np.tanh(inner)
    t = np.tanh(inner.astype(np.float64)).astype(np.float32)
    if x.flags.c_contiguous:
        block = t.reshape(-1)[:t.size - t.size % _ATEN_BLOCK]
        far = np.abs(inner.reshape(-1)[:block.size]) > _SLEEF_TANH_ONE
        block[far] = np.copysign(np.float32(1), block[far])
    return t


def _gelu_slope(x: Tensor, approximate: str) -> Tensor:
    if approximate == "none":
        return 0.5 * (1 + erf(x * _SQRT_HALF)) + x * _INV_SQRT_2PI * exp(-0.5 * x * x)
    t = tanh(_K * (x + _C * x * x * x))
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _K * (1 + 3 * _C * x * x)


def _gelu_curvature(x: Tensor, approximate: str) -> Tensor:
    if approximate == "none":
        return _INV_SQRT_2PI * exp(-0.5 * x * x) * (2 - x * x)
    t = tanh(_K * (x + _C * x * x * x))
    s2, u1 = 1 - t * t, _K * (1 + 3 * _C * x * x)
    return s2 * u1 + 0.5 * x * s2 * (6 * _K * _C * x - 2 * t * u1 * u1)


def _gelu_vjp(g: Tensor, n: Node) -> One:
    (x,) = n.unpack()
    approximate = n.ctx
    return (backward_node("GeluBackwardBackward0", g, x, partial(_gelu_slope_of, approximate),
                          lambda v: _gelu_curvature(v, approximate)),)


def _gelu_slope_of(approximate: str, x: np.ndarray) -> np.ndarray:
    if approximate == "tanh":
        return _gelu_tanh_slope(x)
    if takes_onednn(x):
        return onednn_gelu_slope(x)  # torch's backward goes to oneDNN as its forward does
    return _gelu_slope(Tensor(x), approximate).data


def _gelu_tanh_slope(x: np.ndarray) -> np.ndarray:
    """The derivative of the tanh form as ATen's GeluBackwardKernel computes it: its order of
    operations, with the multiply-adds the compiler fuses."""
    t = _gelu_tanh_inner(x)
    f = x.dtype.type
    one = f(1)
    inner_slope = f(_K) * _fma(f(3) * f(_C), x * x, one)
    return f(0.5) * (one + t) + f(0.5) * x * _fma(-t, t, one) * inner_slope


@op("gelu(input, approximate='none')", category="element-wise",
    summary="input * Phi(input), Phi the normal CDF; approximate='tanh' for the tanh formula",
    example="F.gelu(x)", rules={
        "input": (f"grad * (0.5 * (1 + erf(input * {_SQRT_HALF})) + input * {_INV_SQRT_2PI} "
                  f"* exp(-0.5 * input**2)) if approximate == 'none' else "
                  f"grad * (0.5 * (1 + {_GELU_TANH}) + 0.5 * input * (1 - {_GELU_TANH}**2) "
                  f"* {_K} * (1 + {3 * _C} * input**2))"),
    }, grad_fn="GeluBackward0", method=False, namespaces=_F,
    checks=(GradCheck("gelu(a)", {"a": (2, 3)}),
            GradCheck("gelu(a, approximate='tanh')", {"a": (2, 3)})))
def gelu(input: Any, approximate: Any = "none") -> Tensor:
    if approximate not in ("none", "tanh"):
        raise value_error("approximate argument must be either none or tanh.",
                          hint="write approximate='none' (the default) or approximate='tanh'")
    t = _floating(input, "gelu", "GeluKernelImpl")
    x = t.data
    if approximate == "none" and takes_onednn(x):
        out = onednn_gelu(x)  # as torch, which hands such a tensor to oneDNN
    elif (approximate == "none" and not x.flags.c_contiguous
          and (exact := torchmath.gelu(x, erf_values)) is not None):
        out = exact  # a strided float32 tensor: ATen's kernel with its vectorised erf
    elif approximate == "none":
        out = x * 0.5 * (1 + erf_values(x * x.dtype.type(_SQRT_HALF)))  # ATen's kernel
    else:
        out = 0.5 * x * (1 + _gelu_tanh_inner(x))
    return record("GeluBackward0", Tensor(out.astype(x.dtype, copy=False)), (t,), _gelu_vjp,
                  (t,), ctx=approximate)


# -- silu ------------------------------------------------------------------------------------

def _silu_vjp(g: Tensor, n: Node) -> One:
    x = n.unpack()[0]
    s = sigmoid(x)
    return (g * s * (1 + x * (1 - s)),)


def _silu_fast(g: np.ndarray, n: Node, owned: bool) -> tuple[np.ndarray]:
    """The VJP on arrays (no create_graph): PyTorch's silu_backward, when torchmath has it."""
    x = n.unpack()[0]
    assert x is not None
    exact = torchmath.silu_backward(g, x.data)
    if exact is not None:
        return (exact,)
    v = x.data
    s = np.asarray(torchmath.sigmoid(v))
    return (np.asarray(g * s * (1 + v * (1 - s))).astype(v.dtype, copy=False),)


def _silu(t: Tensor) -> Tensor:
    out = torchmath.silu(t.data)
    return record("SiluBackward0", Tensor(out), (t,), _silu_vjp, (t,), fast=_silu_fast)


@op("silu(input, inplace=False)", category="element-wise",
    summary="input * sigmoid(input) (swish)", example="F.silu(x)", rules={
        "input": "grad * sigmoid(input) * (1 + input * (1 - sigmoid(input)))",
    }, grad_fn="SiluBackward0", method=False, namespaces=_F,
    checks=(GradCheck("silu(a)", {"a": (2, 3)}),))
def silu(input: Any, inplace: bool = False) -> Tensor:
    return _maybe_inplace(_floating(input, "silu", "silu_cpu"), inplace, _silu)


# -- elu -------------------------------------------------------------------------------------

def _elu_vjp(g: Tensor, n: Node) -> One:
    x, alpha = n.unpack()[0], n.ctx
    return (backward_node("EluBackwardBackward0", g, x,
                          lambda v: np.where(v > 0, 1, alpha * np.exp(v)),
                          lambda v: where(v > 0, 0.0, alpha * exp(v)),
                          lambda gv, xv: torchmath.elu_backward(gv, xv, alpha)),)


@op("elu(input, alpha=1.0, inplace=False)", category="element-wise",
    summary="input where positive, else alpha * (exp(input) - 1)", example="F.elu(x)",
    rules={"input": "where(input > 0, grad, grad * alpha * exp(input))"},
    grad_fn=(("EluBackward0", ""), ("EluBackward1", "inplace=True")), method=False,
    namespaces=_F,
    checks=(GradCheck("elu(a)", {"a": (2, 3)}, "distinct"),
            GradCheck("elu(a, alpha=0.5)", {"a": (5,)}, "distinct")))
def elu(input: Any, alpha: Any = 1.0, inplace: bool = False) -> Tensor:
    a = number_arg(alpha, "elu() alpha")
    name = "EluBackward1" if inplace else "EluBackward0"

    def compute(t: Tensor) -> Tensor:
        out = torchmath.elu(t.data, a)
        return record(name, Tensor(out), (t,), _elu_vjp, (t,), ctx=a)

    return _maybe_inplace(_floating(input, "elu", "elu_cpu"), inplace, compute)


# -- leaky_relu ------------------------------------------------------------------------------

def _leaky_relu_vjp(g: Tensor, n: Node) -> One:
    x, slope = n.unpack()[0], n.ctx
    return (backward_node("LeakyReluBackwardBackward0", g, x,
                          lambda v: np.where(v > 0, 1, slope), None),)


@op("leaky_relu(input, negative_slope=0.01, inplace=False)", category="element-wise",
    summary="input where positive, else negative_slope * input", example="F.leaky_relu(x)",
    rules={"input": "where(input > 0, grad, grad * negative_slope)"},
    grad_fn=(("LeakyReluBackward0", ""), ("LeakyReluBackward1", "inplace=True")),
    method=False, namespaces=_F,
    checks=(GradCheck("leaky_relu(a, 0.2)", {"a": (2, 3)}, "distinct"),))
def leaky_relu(input: Any, negative_slope: Any = 0.01, inplace: bool = False) -> Tensor:
    slope = number_arg(negative_slope, "leaky_relu() negative_slope")
    name = "LeakyReluBackward1" if inplace else "LeakyReluBackward0"

    def compute(t: Tensor) -> Tensor:
        x = t.data
        out = np.where(x > 0, x, x * slope).astype(x.dtype, copy=False)
        return record(name, Tensor(out), (t,), _leaky_relu_vjp, (t,), ctx=slope)

    return _maybe_inplace(_floating(input, "leaky_relu", "leaky_relu_cpu"), inplace, compute)


# -- hardtanh --------------------------------------------------------------------------------

def _hardtanh_vjp(g: Tensor, n: Node) -> One:
    lo, hi = n.ctx
    return (backward_node("HardtanhBackwardBackward0", g, n.unpack()[0],
                          lambda v: (v > lo) & (v < hi), None),)


@op("hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False)", category="element-wise",
    summary="input limited to [min_val, max_val]", example="F.hardtanh(x)",
    rules={"input": "grad * (input > min_val) * (input < max_val)"},
    grad_fn="HardtanhBackward0", method=False, namespaces=_F,
    checks=(GradCheck("hardtanh(a)", {"a": (2, 3)}, "distinct"),
            GradCheck("hardtanh(a, -0.5, 0.2)", {"a": (5,)}, "distinct")))
def hardtanh(input: Any, min_val: Any = -1.0, max_val: Any = 1.0,
             inplace: bool = False) -> Tensor:
    lo, hi = number_arg(min_val, "hardtanh() min_val"), number_arg(max_val, "hardtanh() max_val")
    if lo > hi:
        raise value_error("min_val cannot be greater than max_val",
                          hint="F.hardtanh(x, min_val, max_val) with min_val <= max_val")
    t = unary_input(input, "hardtanh")
    if t.data.dtype.kind == "b":
        raise type_error("Bool inputs not supported for hardtanh", hint="convert first, e.g. x.float()")

    def compute(t: Tensor) -> Tensor:
        x = t.data
        out = Tensor(np.clip(x, lo, hi).astype(x.dtype, copy=False))
        if x.dtype.kind != "f":
            return out
        return record("HardtanhBackward0", out, (t,), _hardtanh_vjp, (t,), ctx=(lo, hi))

    return _maybe_inplace(t, inplace, compute)


# -- clamp_min, clamp_max --------------------------------------------------------------------

def _bound_vjp(keep: Callable[[np.ndarray, np.ndarray], np.ndarray],
               passed: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Any:
    """PyTorch's: where(keep(input, bound), grad, 0) to the input, where(passed(input, bound),
    grad, 0) to a tensor bound (comparisons with NaN are false: neither gets it there)."""
    def vjp(g: Tensor, n: Node) -> tuple[Tensor | None, ...]:
        from .elementwise import where

        x, bound = n.ctx
        dx = where(Tensor(keep(x, bound)), g, 0.0) if n.needs(0) else None
        if len(n.edges) == 1:
            return (dx,)
        return dx, (where(Tensor(passed(x, bound)), g, 0.0) if n.needs(1) else None)

    return vjp


_CLAMP_MIN_VJP = _bound_vjp(np.greater_equal, np.less)
_CLAMP_MAX_VJP = _bound_vjp(np.less_equal, np.greater)


def _clamp_bound(name: str, input: Any, bound: Any, pick: Any, vjp: Any) -> Tensor:
    t = unary_input(input, name)
    grad_fn = "ClampMinBackward" if name == "clamp_min" else "ClampMaxBackward"
    if isinstance(bound, Tensor):
        a, b = operands(t, bound, name)
        broadcast_shape(name, a.data.shape, b.data.shape)
        out = Tensor(np.asarray(pick(a.data, b.data)))
        return record(grad_fn + "1", out, (a, b), vjp, ctx=(a.data, b.data))
    if not is_scalar(bound):
        raise type_error(f"{name}() bound must be a number or a tensor",
                         hint=f"e.g. {name}(x, 0)")
    check_int_scalar(bound, name)
    dt = dtypes.result_type(t.data, bound)
    x = t.data.astype(dt, copy=False)
    out = Tensor(np.asarray(pick(x, np.asarray(bound, dtype=dt))))
    return record(grad_fn + "0", out, (t,), vjp, ctx=(x, bound))


@op("clamp_min(input, min)", category="element-wise", summary="max(input, min) (clamp(x, min=...))",
    example="clamp_min(x, 0)", rules={"input": "grad * (input >= min)"},
    grad_fn=(("ClampMinBackward0", "number bound"), ("ClampMinBackward1", "tensor bound")),
    checks=(GradCheck("clamp_min(a, 0.1)", {"a": (5,)}, "distinct"),))
def clamp_min(input: Any, min: Any) -> Tensor:
    return _clamp_bound("clamp_min", input, min, np.maximum, _CLAMP_MIN_VJP)


@op("clamp_max(input, max)", category="element-wise", summary="min(input, max) (clamp(x, max=...))",
    example="clamp_max(x, 1)", rules={"input": "grad * (input <= max)"},
    grad_fn=(("ClampMaxBackward0", "number bound"), ("ClampMaxBackward1", "tensor bound")),
    checks=(GradCheck("clamp_max(a, 0.1)", {"a": (5,)}, "distinct"),))
def clamp_max(input: Any, max: Any) -> Tensor:
    return _clamp_bound("clamp_max", input, max, np.minimum, _CLAMP_MAX_VJP)
