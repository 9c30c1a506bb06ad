"""More element-wise math: hyperbolic and inverse trigonometric functions, atan2, log2 log10
exp2 expm1, erf erfc, square rsqrt, and rounding (floor ceil trunc frac)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import dtypes, torchmath
from ..autograd import Node, record, to_dtype
from ..erf import erf as fdlibm_erf
from ..erf import erfc as fdlibm_erfc
from ..errors import type_error
from ..tensor import Tensor
from ._base import broadcast_shape, operands, type_name, unary_input
from .elementwise import declare_unary, exp
from .table import GradCheck, op

One = tuple["Tensor | None"]

_TORCH_NAMES = {"int64": "Long", "int32": "Int", "bool": "Bool", "float32": "Float",
                "float64": "Double"}
_LN2 = 0.6931471805599453
_LN10 = 2.302585092994046
#: 2 / sqrt(pi), the factor of erf's derivative.
_TWO_BY_SQRT_PI = 1.1283791670955126


def not_implemented(kernel: str, t: Tensor, hint: str) -> Exception:
    """PyTorch's message for a kernel that has no version for ``t``'s dtype."""
    return type_error(f'"{kernel}" not implemented for \'{_TORCH_NAMES[t.data.dtype.name]}\'',
                      hint=hint)


def _times_ln2(t: Tensor) -> Tensor:
    """``t * ln 2``, the product by a Scalar that PyTorch records as MulBackward1."""
    out = t * _LN2
    if out.grad_fn is not None:
        out.grad_fn.name = "MulBackward1"
    return out


def _x(node: Node) -> Tensor:
    """The saved input of a one-input op."""
    return node.unpack()[0]


sinh = declare_unary(
    "sinh", np.sinh, lambda g, n: (g * cosh(_x(n)),),
    rule="grad * cosh(input)", summary="hyperbolic sine")
cosh: Callable[[Any], Tensor] = declare_unary(
    "cosh", np.cosh, lambda g, n: (g * sinh(_x(n)),),
    rule="grad * sinh(input)", summary="hyperbolic cosine")
asinh = declare_unary(
    "asinh", np.arcsinh, lambda g, n: (g * rsqrt(_x(n) ** 2 + 1),),  # PyTorch's form
    rule="grad / sqrt(input**2 + 1)", summary="inverse hyperbolic sine", aliases=("arcsinh",))
acosh = declare_unary(
    "acosh", np.arccosh, lambda g, n: (g * rsqrt(_x(n) ** 2 - 1),),
    rule="grad / sqrt(input**2 - 1)", summary="inverse hyperbolic cosine",
    domain="above_one", aliases=("arccosh",))
atanh = declare_unary(
    "atanh", np.arctanh, lambda g, n: (g / (1 - _x(n) ** 2),),
    rule="grad / (1 - input**2)", summary="inverse hyperbolic tangent",
    domain="unit", aliases=("arctanh",))
asin = declare_unary(
    "asin", np.arcsin, lambda g, n: (g * rsqrt(-_x(n) * _x(n) + 1),),
    rule="grad / sqrt(1 - input**2)", summary="inverse sine",
    domain="unit", aliases=("arcsin",))
acos = declare_unary(
    "acos", np.arccos, lambda g, n: (g * -rsqrt(-_x(n) * _x(n) + 1),),
    rule="-grad / sqrt(1 - input**2)", summary="inverse cosine",
    domain="unit", aliases=("arccos",))
atan = declare_unary(
    "atan", np.arctan, lambda g, n: (g / (1 + _x(n) ** 2),),
    rule="grad / (1 + input**2)", summary="inverse tangent", aliases=("arctan",))
log2 = declare_unary(
    "log2", np.log2, lambda g, n: (g / (_x(n) * _LN2),),
    rule=f"grad / (input * {_LN2})", summary="base-2 logarithm", domain="positive")
log10 = declare_unary(
    "log10", np.log10, lambda g, n: (g / (_x(n) * _LN10),),
    rule=f"grad / (input * {_LN10})", summary="base-10 logarithm", domain="positive")
exp2 = declare_unary(
    "exp2", np.exp2, lambda g, n: (_times_ln2(g * n.output()),), save="output",
    rule=f"grad * exp2(input) * {_LN2}", summary="2 to the power of input")
expm1 = declare_unary(
    "expm1", torchmath.expm1, lambda g, n: (g * (n.output() + 1),), save="output",
    rule="grad * exp(input)", summary="exp(input) - 1, exact for small input")


def _rsqrt_values(x: np.ndarray) -> np.ndarray:
    return np.asarray(np.divide(1, np.sqrt(x)), dtype=x.dtype)


rsqrt: Callable[[Any], Tensor] = declare_unary(
    "rsqrt", _rsqrt_values, lambda g, n: (-0.5 * g * n.output() ** 3,), save="output",
    rule="-0.5 * grad * rsqrt(input)**3", summary="1 / sqrt(input)", domain="positive")


def erf_values(x: np.ndarray) -> np.ndarray:
    """erf of each element, computed in float64 (fdlibm's, vectorised) and rounded to x's dtype."""
    return fdlibm_erf(x).astype(x.dtype, copy=False)


def _erfc_values(x: np.ndarray) -> np.ndarray:
    return fdlibm_erfc(x).astype(x.dtype, copy=False)


erf = declare_unary(
    "erf", erf_values, lambda g, n: (g * _TWO_BY_SQRT_PI * exp(-_x(n) ** 2),),
    rule=f"grad * {_TWO_BY_SQRT_PI} * exp(-input**2)", summary="error function")
erfc = declare_unary(
    "erfc", _erfc_values, lambda g, n: (-g * _TWO_BY_SQRT_PI * exp(-_x(n) ** 2),),
    rule=f"-grad * {_TWO_BY_SQRT_PI} * exp(-input**2)",
    summary="complementary error function 1 - erf(input)")


@op("square(input)", category="element-wise", summary="input * input (ints stay ints)",
    example="square(x)", rules={"input": "grad * 2 * input"}, grad_fn="PowBackward0",
    checks=(GradCheck("square(a)", {"a": (2, 3)}),))
def square(input: Any) -> Tensor:
    t = unary_input(input, "square")
    if t.data.dtype == dtypes.BOOL:
        t = to_dtype(t, np.dtype(np.int64))
    return t ** 2  # pow(t, 2): PowBackward0


def _zero_vjp(g: Tensor, n: Node) -> One:
    # PyTorch's zeros_like(grad): +0, a constant even under create_graph.
    return (Tensor(np.zeros_like(g.data)),)


def _rounding(name: str, fwd: Any, summary: str) -> Any:
    grad_fn = name.capitalize() + "Backward0"

    def fn(input: Any) -> Tensor:
        t = unary_input(input, name)
        if t.data.dtype == dtypes.BOOL:
            raise not_implemented(f"{name}_vml_cpu", t, "write x.long() or x.float() first")
        if t.data.dtype.kind != "f":
            return Tensor(t.data.copy())  # ints are whole already: a copy, as in PyTorch
        return record(grad_fn, Tensor(fwd(t.data)), (t,), _zero_vjp)

    fn.__name__ = name
    op(f"{name}(input)", category="element-wise", summary=summary, example=f"{name}(x)",
       rules={"input": "zeros_like(input)"}, grad_fn=grad_fn,
       checks=(GradCheck(f"{name}(a)", {"a": (2, 3)}, "distinct"),))(fn)
    return fn


floor = _rounding("floor", np.floor, "largest whole number <= input (ints stay ints)")
ceil = _rounding("ceil", np.ceil, "smallest whole number >= input (ints stay ints)")
trunc = _rounding("trunc", np.trunc, "input rounded toward zero (ints stay ints)")


def _frac_vjp(g: Tensor, n: Node) -> One:
    return (g,)


@op("frac(input)", category="element-wise", summary="input - trunc(input), with its sign",
    example="frac(x)", rules={"input": "grad"}, grad_fn="FracBackward0",
    checks=(GradCheck("frac(a)", {"a": (2, 3)}, "distinct"),))
def frac(input: Any) -> Tensor:
    t = unary_input(input, "frac")
    if t.data.dtype.kind != "f":
        raise not_implemented("frac_cpu", t, "frac needs a floating tensor, e.g. x.float()")
    return record("FracBackward0", Tensor(t.data - np.trunc(t.data)), (t,), _frac_vjp)


def _atan2_vjp(g: Tensor, n: Node) -> tuple[Tensor | None, Tensor | None]:
    """PyTorch's atan2_backward: 1 / (a*a + b*b) taken as 0 where that is 0, so that the
    gradient at (0, 0) is 0 (and -0 for other), not NaN."""
    from .arithmetic import reciprocal
    from .elementwise import zero_where

    a, b = n.unpack()
    denominator = a * a + b * b
    recip = zero_where(reciprocal(denominator), denominator.data == 0)
    return ((g * b) * recip if n.needs(0) else None, (g * -a) * recip if n.needs(1) else None)


@op("atan2(input, other)", category="element-wise",
    summary="angle of the point (other, input), in (-pi, pi]", example="atan2(y, x)",
    rules={
        "input": "grad * other / (input**2 + other**2)",
        "other": "-grad * input / (input**2 + other**2)",
    }, grad_fn="Atan2Backward0", aliases=("arctan2",),
    checks=(GradCheck("atan2(a, b)", {"a": (3, 1), "b": (4,)}),))
def atan2(input: Any, other: Any) -> Tensor:
    for position, (pname, value) in enumerate((("input", input), ("other", other)), 1):
        if not isinstance(value, Tensor):
            raise type_error(f"atan2(): argument '{pname}' (position {position}) must be "
                             f"Tensor, not {type_name(value)}",
                             hint="wrap a number in tensor(...), e.g. atan2(y, tensor(1.0))")
    a, b = operands(input, other, "atan2")
    if a.data.dtype.kind != "f":
        a, b = to_dtype(a, dtypes.default_float()), to_dtype(b, dtypes.default_float())
    broadcast_shape("atan2", a.data.shape, b.data.shape)
    out = Tensor(np.arctan2(a.data, b.data))
    return record("Atan2Backward0", out, (a, b), _atan2_vjp, (a, b))

