"""Arithmetic and comparison operators: add sub mul div pow neg, //, %, < <= > >= == !=."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import dtypes, torchmath
from ..autograd import Node, record
from ..errors import grad_error, type_error, value_error
from ..tensor import Tensor
from ._base import (
    binary_operands,
    broadcast_shape,
    cast_operand,
    check_int_scalar,
    fits_in,
    is_scalar,
    operands,
    unary_input,
)
from .table import GradCheck, op

Pair = tuple["Tensor | None", "Tensor | None"]
RawPair = tuple["np.ndarray | None", "np.ndarray | None"]
_PAIR = {"a": (3, 1), "b": (4,)}


def _binary(name: str, grad_fn: str, fwd: Callable[..., Any], vjp: Any, a: Any, b: Any,
            save: bool = True, fast: Any = None) -> Tensor:
    if type(a) is Tensor and type(b) is Tensor and a.data.dtype is b.data.dtype \
            and a.data.shape == b.data.shape:
        ta, tb = a, b  # binary_operands' first case, without the call
    else:
        ta, tb = binary_operands(a, b, name)
    r = fwd(ta.data, tb.data)
    out = Tensor._of(r if type(r) is np.ndarray else np.asarray(r))
    need_a, need_b = ta.requires_grad, tb.requires_grad
    if not (need_a or need_b):
        return out
    # crossed(ta, tb): each operand saved only if the other one needs a gradient
    saved = ((ta if need_b else None), (tb if need_a else None)) if save else ()
    return record(grad_fn, out, (ta, tb), vjp, saved, fast=fast)


def _array(x: Any) -> np.ndarray:
    # numpy returns scalars, not 0-d arrays, from operations on 0-d arrays.
    return x if type(x) is np.ndarray else np.asarray(x)


def crossed(a: Tensor, b: Tensor) -> tuple[Tensor | None, Tensor | None]:
    """Save each operand only if the other one needs a gradient (``a*b``, ``a@b``)."""
    return (a if b.requires_grad else None), (b if a.requires_grad else None)


def _add_vjp(g: Tensor, node: Node) -> Pair:
    return g, g


def _add_fast(g: np.ndarray, node: Node, owned: bool) -> RawPair:
    return g, g


def _sub_vjp(g: Tensor, node: Node) -> Pair:
    return g, (-g if node.needs(1) else None)


def _sub_fast(g: np.ndarray, node: Node, owned: bool) -> RawPair:
    if not node.needs(1):
        return g, None
    if owned and not node.needs(0):
        return None, np.negative(g, g)
    return g, np.negative(g)


def _mul_vjp(g: Tensor, node: Node) -> Pair:
    a, b = node.unpack()
    return (g * b if node.needs(0) else None), (g * a if node.needs(1) else None)


def _mul_fast(g: np.ndarray, node: Node, owned: bool) -> RawPair:
    a, b = node.unpack()
    if a is b:  # x * x: one buffer, 2 * g * x, goes to the one input
        return _times(g, owned, a.data, 2), None
    da = db = None
    if node.needs(0):
        da = _times(g, owned and not node.needs(1), b.data)
    if node.needs(1):
        db = _times(g, owned, a.data)
    return da, db


def _times(g: np.ndarray, owned: bool, x: np.ndarray, k: float = 1) -> np.ndarray:
    """g * x (* k), in g's buffer when it is owned and has the result's shape and dtype."""
    if owned and fits_in(g, x) and g.dtype == x.dtype:
        np.multiply(g, x, g)
        if k != 1:
            np.multiply(g, k, g)
        return g
    if g.ndim and x.shape == g.shape and not any(g.strides) and g.size:
        # A gradient broadcast from one value (sum, mean): scale x by it in a single pass, or
        # not at all when it is 1. (x itself is then the gradient: the backward writes only
        # into buffers that nothing else references, so x stays as it is.)
        scale = g.flat[0] * k
        if scale == 1 and x.dtype == g.dtype:
            return x
        return _array(np.multiply(x, scale))
    out = np.multiply(g, x)
    if k != 1:
        out *= k
    return _array(out)


def _div_vjp(g: Tensor, node: Node) -> Pair:
    a, b = node.unpack()
    assert b is not None
    da = g / b if node.needs(0) else None
    db = -g * a / (b * b) if node.needs(1) and a is not None else None
    return da, db


@op("add(input, other, alpha=1)", category="arithmetic", summary="element-wise sum (operator +)",
    example="add(x, 1)", rules={
        "input": "grad",
        "other": "grad * alpha",
    }, grad_fn="AddBackward0",
    checks=(GradCheck("add(a, b)", _PAIR), GradCheck("a + 2", {"a": (3,)})))
def add(input: Any, other: Any, alpha: Any = 1) -> Tensor:
    if alpha != 1:
        other = mul(other, alpha)
    return _binary("add", "AddBackward0", np.add, _add_vjp, input, other, save=False,
                   fast=_add_fast)


@op("sub(input, other, alpha=1)", category="arithmetic", summary="element-wise difference (operator -)",
    example="sub(x, 1)", rules={
        "input": "grad",
        "other": "-grad * alpha",
    },
    grad_fn=(("SubBackward0", ""), ("RsubBackward1", "number - tensor")),
    checks=(GradCheck("sub(a, b)", _PAIR), GradCheck("2 - a", {"a": (3,)})))
def sub(input: Any, other: Any, alpha: Any = 1) -> Tensor:
    if alpha != 1:
        other = mul(other, alpha)
    if _is_bool(input) and _is_bool(other):
        raise type_error("Subtraction, the `-` operator, with two bool tensors is not supported",
                         hint="for a logical difference use bitwise_and and logical_not, e.g. "
                         "bitwise_and(a, logical_not(b))")
    if _is_bool(input) or _is_bool(other):  # x - True too: PyTorch wraps the bool as a tensor
        raise bool_subtraction_error()
    if is_scalar(input) and isinstance(other, Tensor):
        return _binary("sub", "RsubBackward1", np.subtract, _sub_vjp, input, other, save=False,
                       fast=_sub_fast)
    return _binary("sub", "SubBackward0", np.subtract, _sub_vjp, input, other, save=False,
                   fast=_sub_fast)


@op("mul(input, other)", category="arithmetic", summary="element-wise product (operator *)",
    example="mul(x, 2)", rules={
        "input": "grad * other",
        "other": "grad * input",
    },
    grad_fn="MulBackward0", checks=(GradCheck("mul(a, b)", _PAIR),))
def mul(input: Any, other: Any) -> Tensor:
    return _binary("mul", "MulBackward0", np.multiply, _mul_vjp, input, other, fast=_mul_fast)


@op("div(input, other)", category="arithmetic", summary="true division (operator /)",
    example="div(x, 2)", rules={
        "input": "grad / other",
        "other": "-grad * input / other**2",
    },
    grad_fn=(("DivBackward0", ""), ("MulBackward0", "number / tensor")),
    checks=(GradCheck("div(a, b)", {"a": (3, 1), "b": (4,)}, "positive"),
            GradCheck("2 / a", {"a": (3,)}, "positive")))
def div(input: Any, other: Any) -> Tensor:
    if is_scalar(input) and isinstance(other, Tensor):
        # PyTorch computes number / tensor as reciprocal(tensor) * number.
        return mul(reciprocal(other), input)
    ta, tb = binary_operands(input, other, "div")
    if not dtypes.is_float(ta.data.dtype):  # true division of integers is floating
        dt = dtypes.default_float()
        ta, tb = cast_operand(ta, dt), cast_operand(tb, dt)
    out = Tensor._of(_array(np.true_divide(ta.data, tb.data)))
    # The divisor is needed by both gradients; the dividend only by the divisor's.
    saved = (ta if tb.requires_grad else None, tb)
    return record("DivBackward0", out, (ta, tb), _div_vjp, saved, fast=_div_fast)


def _div_fast(g: np.ndarray, node: Node, owned: bool) -> RawPair:
    """_div_vjp on arrays, the same operations in the same order: g / b and -g * a / (b * b)."""
    a, b = node.unpack()
    da = _array(np.true_divide(g, b.data)) if node.needs(0) else None
    db = None
    if node.needs(1) and a is not None:
        db = _array(np.true_divide(np.multiply(np.negative(g), a.data),
                                   np.multiply(b.data, b.data)))
    return da, db


def _reciprocal_vjp(g: Tensor, node: Node) -> tuple[Tensor]:
    out = node.output()
    return (-g * out * out,)


@op("reciprocal(input)", category="arithmetic", summary="1 / input", example="reciprocal(x)",
    rules={
        "input": "-grad / input**2",
    }, grad_fn="ReciprocalBackward0",
    checks=(GradCheck("reciprocal(a)", {"a": (3,)}, "positive"),))
def reciprocal(input: Any) -> Tensor:
    from ._base import float_input

    t = float_input(input, "reciprocal")
    out = Tensor(np.reciprocal(t.data))
    return record("ReciprocalBackward0", out, (t,), _reciprocal_vjp, save_output=True)


def _neg_vjp(g: Tensor, node: Node) -> tuple[Tensor]:
    return (-g,)


def _neg_fast(g: np.ndarray, node: Node, owned: bool) -> tuple[np.ndarray]:
    return (np.negative(g, g) if owned else np.negative(g),)


@op("neg(input)", category="arithmetic", summary="negation (unary -)", example="neg(x)",
    rules={
        "input": "-grad",
    }, grad_fn="NegBackward0", checks=(GradCheck("neg(a)", {"a": (2, 3)}),))
def neg(input: Any) -> Tensor:
    t = unary_input(input, "neg")
    if t.data.dtype == dtypes.BOOL:
        raise value_error("Negation, the `-` operator, on a bool tensor is not supported.",
                          hint="use ~x or logical_not(x) instead")
    return record("NegBackward0", Tensor(np.negative(t.data)), (t,), _neg_vjp,
                  fast=_neg_fast)


def _pow_scalar_vjp(g: Tensor, node: Node) -> tuple[Tensor]:
    (a,) = node.unpack()
    p = node.ctx
    if p == 0:
        return (g * 0,)
    return (g * (p * a ** (p - 1)),)


def _pow_scalar_fast(g: np.ndarray, node: Node, owned: bool) -> tuple[np.ndarray]:
    (a,) = node.unpack()
    p = node.ctx
    if isinstance(p, np.generic):
        p = p.item()
    if p == 0:
        return (np.zeros_like(g),)
    if p == 1:
        return (g,)
    if p == 2:  # 2 * x, without a power
        return (_times(g, owned, a.data, 2),)
    d = _array(torchmath.power(a.data, p - 1))
    d *= p
    return (_times(d, True, g),)


def _pow_vjp(g: Tensor, node: Node) -> Pair:
    a, b = node.unpack()[:2]
    from .elementwise import log, where

    # d(a**b)/da = b * a**(b-1), taken as 0 where b == 0 (PyTorch's choice: 0**0 has slope
    # 0 in a, not 0 * inf = nan), the where outermost as in PyTorch (WhereBackward0).
    if node.ctx and node.needs(0):
        raise bool_subtraction_error()
    da = where(b == 0, 0.0, g * (b * a ** (b - 1))) if node.needs(0) else None
    db = None
    if node.needs(1):
        # d(a**b)/db = a**b * log(a), taken as 0 where a == 0 and b >= 0 (PyTorch's choice).
        zero = bitwise_and(a == 0, b >= 0)
        db = g * where(zero, 0.0, node.output() * log(a))
    return da, db


@op("pow(input, exponent)", category="arithmetic", summary="power (operator **)",
    example="pow(x, 2)",
    rules={
        "input": "grad * exponent * input**(exponent - 1)",
        "exponent": "grad * input**exponent * log(input)",
    },
    grad_fn=(("PowBackward0", "number exponent"), ("PowBackward1", "tensor ** tensor"),
             ("PowBackward2", "number ** tensor")),
    checks=(GradCheck("pow(a, 3)", {"a": (3,)}), GradCheck("a ** b", {"a": (3,), "b": (3,)}, "positive"),
            GradCheck("2 ** a", {"a": (3,)})))
def pow(input: Any, exponent: Any) -> Tensor:
    if isinstance(input, Tensor) and is_scalar(exponent):
        check_int_scalar(exponent, "pow")
        dt = dtypes.result_type(input.data, exponent)
        a = cast_operand(input, dt)
        _no_bool(a, "pow")
        if dt.kind in "iu" and exponent < 0:
            raise value_error("Integers to negative integer powers are not allowed.",
                              hint="use a float tensor, e.g. x.double() or arange(4.0)")
        out = Tensor(torchmath.power(a.data, exponent))
        return record("PowBackward0", out, (a,), _pow_scalar_vjp, (a,), ctx=exponent,
                      fast=_pow_scalar_fast)
    ta, tb = operands(input, exponent, "pow")
    _no_bool(ta, "pow")
    if ta.data.dtype.kind in "iu" and (tb.data < 0).any():
        raise value_error("Integers to negative integer powers are not allowed.",
                          hint="use a float tensor, e.g. arange(4.0)")
    name = "PowBackward2" if is_scalar(input) else "PowBackward1"
    if ta.data.shape != tb.data.shape:
        broadcast_shape("pow", ta.data.shape, tb.data.shape)
    out = Tensor(np.power(ta.data, tb.data))
    # A bool exponent stays bool in PyTorch, whose backward then subtracts 1 from it.
    bool_exponent = isinstance(exponent, Tensor) and exponent.data.dtype.kind == "b"
    return record(name, out, (ta, tb), _pow_vjp, (ta, tb), save_output=True, ctx=bool_exponent)


def into_left(op: str, a: Tensor, b: Any) -> Tensor | None:
    """``a + b`` or ``a - b`` computed in ``a``'s buffer, for a caller that knows ``a`` is a
    temporary: nothing but the caller holds the tensor or its array (the interpreter checks
    reference counts). numpy does the same for the temporaries of a Python expression, and
    it saves a buffer of the result's size: ``e * s + x ** 2`` holds four, not five.

    Only add and sub qualify (their backward needs no operand), and only when the result has
    ``a``'s shape and dtype and ``a`` owns its memory and is no leaf. None otherwise: then the
    caller calls the op.
    """
    fwd, grad_fn, vjp, fast = (np.add, "AddBackward0", _add_vjp, _add_fast) if op == "add" \
        else (np.subtract, "SubBackward0", _sub_vjp, _sub_fast)
    d = a.data
    if (d.dtype.kind not in "fiu" or d.base is not None or not d.flags.owndata
            or not d.flags.writeable or (a.requires_grad and a.grad_fn is None)):
        return None
    if type(b) is Tensor:
        tb = b
        e = b.data
        if e.dtype is not d.dtype or not (e.shape == d.shape or (e.size == 1 and e.ndim <= d.ndim)):
            return None
    elif type(b) in (int, float) and dtypes.result_type(d, b) == d.dtype:
        e = np.asarray(b, dtype=d.dtype)
        tb = Tensor._of(e)
    else:
        return None
    fwd(d, e, d)  # out positionally: quicker than the keyword
    out = Tensor._of(d)
    if not (a.requires_grad or tb.requires_grad):
        return out
    return record(grad_fn, out, (a, tb), vjp, (), fast=fast)


def bool_subtraction_error() -> Exception:
    return type_error("Subtraction, the `-` operator, with a bool tensor is not supported",
                      hint="to invert a mask use ~ or logical_not(); to count, convert first, "
                      "e.g. b.long()")


def _no_bool(t: Tensor, kernel: str) -> None:
    """PyTorch has no bool kernel for //, % and **: their operands promoted to bool fail
    (numpy would give int8 or int64)."""
    if t.data.dtype.kind == "b":
        raise type_error(f'"{kernel}" not implemented for \'Bool\'',
                         hint="convert first, e.g. x.long() or x.float()")


@op("floor_divide(input, other)", category="arithmetic", summary="floor division (operator //)",
    example="floor_divide(arange(7), 2)", grad_fn="NotImplemented")
def floor_divide(input: Any, other: Any) -> Tensor:
    ta, tb = operands(input, other, "floor_divide")
    _no_bool(ta, "div_floor_cpu")
    if ta.data.dtype.kind in "iub" and (tb.data == 0).any():
        raise value_error("ZeroDivisionError", hint="integer division by zero")
    return _binary("floor_divide", "NotImplemented", np.floor_divide,
                   not_implemented_vjp_for("floor_divide"), ta, tb, save=False)


def not_implemented_vjp_for(name: str) -> Any:
    def vjp(g: Tensor, node: Node) -> Pair:
        raise grad_error(f"derivative for aten::{name} is not implemented",
                         hint=f"{name} has no gradient: compute it on detached values")

    return vjp


def _remainder_vjp(g: Tensor, node: Node) -> Pair:
    if not node.needs(1):
        return g, None
    a, b = node.unpack()
    return g, -g * _floor_division(a, b)


def _floor_division(a: Tensor, b: Tensor) -> Tensor:
    """PyTorch's a.div(b, rounding_mode="floor") in remainder's backward: as // computes it
    (from fmod: 1.5 // 0.3 is 4 in float32, where floor(1.5 / 0.3) is 5), recorded with a
    zero derivative (DivBackward1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = Tensor(np.asarray(np.floor_divide(a.data, b.data)))
    return record("DivBackward1", out, (a, b), _zero_vjp)


def _zero_vjp(g: Tensor, node: Node) -> Pair:
    zeros = Tensor(np.zeros_like(g.data))  # PyTorch's zeros_like(grad): +0, a constant
    return zeros, zeros


@op("remainder(input, other)", category="arithmetic",
    summary="remainder with the sign of the divisor (operator %)", example="remainder(x, 2)",
    rules={
        "input": "grad",
        "other": "-grad * (input // other)",
    },
    grad_fn=(("RemainderBackward0", "number divisor"), ("RemainderBackward1", ""),
             ("NotImplemented", "number % tensor: no derivative, as in PyTorch")),
    checks=(GradCheck("remainder(a, 0.7)", {"a": (4,)}, "positive"),))
def remainder(input: Any, other: Any) -> Tensor:
    ta, tb = operands(input, other, "remainder")
    _no_bool(ta, "remainder_cpu")
    if ta.data.dtype.kind in "iub" and (tb.data == 0).any():
        raise value_error("ZeroDivisionError", hint="integer remainder by zero")
    if ta.data.shape != tb.data.shape:
        broadcast_shape("remainder", ta.data.shape, tb.data.shape)
    out = Tensor(_remainder_of(ta.data, tb.data))
    if is_scalar(input):  # number % tensor: PyTorch defines no derivative for it
        return record("NotImplemented", out, (ta, tb), not_implemented_vjp_for("remainder"))
    name = "RemainderBackward0" if is_scalar(other) else "RemainderBackward1"
    return record(name, out, (ta, tb), _remainder_vjp, (ta, tb) if tb.requires_grad else ())


def _remainder_of(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """PyTorch's remainder: fmod, moved by one divisor where its sign is not the divisor's. A
    zero keeps the dividend's sign (-2. % 1. is -0.; numpy's remainder gives 0.)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mod = np.asarray(np.fmod(a, b))
        if not mod.flags.writeable:
            mod = mod.copy()
        np.add(mod, b, out=mod, where=(mod != 0) & ((b < 0) != (mod < 0)), casting="unsafe")
    return mod


def _compare(name: str, fwd: Callable[..., Any], a: Any, b: Any) -> Tensor:
    ta, tb = binary_operands(a, b, name)
    return Tensor(fwd(ta.data, tb.data))


def _comparison(symbol: str, fwd: Callable[..., Any], name: str) -> Callable[[Any, Any], Tensor]:
    def compare(input: Any, other: Any) -> Tensor:
        return _compare(name, fwd, input, other)

    compare.__name__ = name
    op(f"{name}(input, other)", category="comparison",
       summary=f"element-wise {symbol}, a bool tensor (operator {symbol})",
       example=f"{name}(x, 2)")(compare)
    return compare


lt = _comparison("<", np.less, "lt")
le = _comparison("<=", np.less_equal, "le")
gt = _comparison(">", np.greater, "gt")
ge = _comparison(">=", np.greater_equal, "ge")
eq = _comparison("==", np.equal, "eq")
ne = _comparison("!=", np.not_equal, "ne")


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool) or (isinstance(value, Tensor)
                                       and value.data.dtype == dtypes.BOOL)


def _logical(name: str, fwd: Callable[..., Any], symbol: str) -> Callable[[Any, Any], Tensor]:
    def logical(input: Any, other: Any) -> Tensor:
        ta, tb = operands(input, other, name)
        for t in (ta, tb):
            if t.data.dtype.kind not in "biu":
                raise type_error(f"{name} is not implemented for {t.data.dtype} tensors",
                                 hint=f"{symbol} takes bool or integer tensors, e.g. "
                                 "comparisons such as (x > 0)")
        if ta.data.shape != tb.data.shape:
            broadcast_shape(name, ta.data.shape, tb.data.shape)
        out = fwd(ta.data, tb.data)
        return Tensor(out)

    logical.__name__ = name
    op(f"{name}(input, other)", category="comparison",
       summary=f"element-wise {symbol} (bitwise on integers, logical on bools)",
       example=f"{name}(x > 0, x < 2)")(logical)
    return logical


bitwise_and = _logical("bitwise_and", np.bitwise_and, "&")
bitwise_or = _logical("bitwise_or", np.bitwise_or, "|")


@op("logical_not(input)", category="comparison", summary="element-wise not, a bool tensor",
    example="logical_not(x > 1)")
def logical_not(input: Any) -> Tensor:
    return Tensor(np.logical_not(unary_input(input, "logical_not").data))
