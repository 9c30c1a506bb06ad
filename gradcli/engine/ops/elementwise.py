"""Element-wise functions: exp log sqrt sin ... relu clamp maximum minimum where, and casts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import dtypes, torchmath
from ..autograd import Node, record, to_dtype
from ..errors import type_error, value_error
from ..tensor import Tensor
from ._base import (
    broadcast_one,
    broadcast_shape,
    check_int_scalar,
    fits_in,
    float_input,
    is_scalar,
    operands,
    to_tensor,
    unary_input,
)
from .table import GradCheck, op

One = tuple["Tensor | None"]
Two = tuple["Tensor | None", "Tensor | None"]
RawOne = tuple[np.ndarray]


@op("to(input, dtype)", category="element-wise", summary="a copy in another dtype",
    example="to(x, float64)", rules={
        "input": "grad",
    }, grad_fn="ToCopyBackward0",
    function=False)
def to(input: Any, dtype: Any) -> Tensor:
    return to_dtype(unary_input(input, "to"), dtype)


#: PyTorch's legacy tensor-type names (``x.type()``), by dtype name.
TENSOR_TYPES = {"float32": "torch.FloatTensor", "float64": "torch.DoubleTensor",
                "int64": "torch.LongTensor", "int32": "torch.IntTensor", "bool": "torch.BoolTensor"}
_DTYPE_OF_TYPE = {name: dtype for dtype, name in TENSOR_TYPES.items()}


@op("type(input, dtype=None)", category="element-wise",
    summary="the tensor-type name ('torch.FloatTensor'), or a copy in another dtype",
    example="x.type(torch.int64)", rules={"input": "grad"}, grad_fn="ToCopyBackward0",
    function=False, checks=(GradCheck("a.type('torch.DoubleTensor')", {"a": (3,)}),))
def type_(input: Any, dtype: Any = None) -> Any:
    t = unary_input(input, "type")
    if dtype is None:
        return TENSOR_TYPES[dtypes.name_of(t.data.dtype)]
    if isinstance(dtype, (bool, int, float)):
        raise type_error("dtype must be a type, str, or dtype object")
    if type(dtype) is str:
        if dtype not in _DTYPE_OF_TYPE:
            raise value_error(f"invalid type: {dtype!r}")
        dtype = _DTYPE_OF_TYPE[dtype]
    return to_dtype(t, dtype)


@op("type_as(input, other)", category="element-wise",
    summary="a copy in other's dtype (input itself if it has it)", example="x.type_as(y)",
    rules={"input": "grad"}, grad_fn="ToCopyBackward0", function=False,
    checks=(GradCheck("a.type_as(ones(3, dtype=torch.float64))", {"a": (3,)}),))
def type_as(input: Any, other: Any) -> Tensor:
    if not isinstance(other, Tensor):
        raise type_error(f"type_as(): argument 'other' must be Tensor, not {type(other).__name__}")
    return to_dtype(unary_input(input, "type_as"), other.data.dtype)


def _cast_method(name: str, dtype: str) -> None:
    def cast(input: Any) -> Tensor:
        return to_dtype(unary_input(input, name), dtype)

    cast.__name__ = name
    op(f"{name}(input)", category="element-wise", summary=f"a copy as {dtype}",
       example=f"x.{name}()", rules={"input": "grad"} if dtype.startswith("float") else None,
       derivative="grad, cast back", grad_fn="ToCopyBackward0",
       function=False)(cast)


for _name, _dt in (("float", "float32"), ("double", "float64"), ("long", "int64"),
                   ("int", "int32"), ("bool", "bool")):
    _cast_method(_name, _dt)


def _unary(t: Tensor, grad_fn: str, fwd: Callable[[np.ndarray], np.ndarray], vjp: Any,
           save_input: bool, save_output: bool, fast: Any = None) -> Tensor:
    r = fwd(t.data)
    # Float in, same float out (most ops): no dtype to normalize.
    out = Tensor._of(r) if type(r) is np.ndarray and r.dtype is t.data.dtype else Tensor(r)
    if not t.requires_grad:
        return out
    return record(grad_fn, out, (t,), vjp, (t,) if save_input else (), save_output=save_output,
                  fast=fast)


def _declare(name: str, fwd: Callable[[np.ndarray], np.ndarray], vjp: Any, *, rule: str,
             summary: str, save: str = "input", domain: str = "real",
             floating: bool = True, fast: Any = None, aliases: tuple[str, ...] = (),
             namespaces: tuple[str, ...] = ("torch",), no_bool: str | None = None
             ) -> Callable[[Any], Tensor]:
    """Declare a one-input element-wise op whose VJP needs its input and/or output; with
    ``no_bool``, PyTorch's words for a bool input, which it refuses."""
    grad_fn = name.capitalize() + "Backward0"
    grad_fn = {"Log1pBackward0": "Log1PBackward0"}.get(grad_fn, grad_fn)

    def fn(input: Any) -> Tensor:
        t = float_input(input, name) if floating else unary_input(input, name)
        if no_bool is not None and t.data.dtype.kind == "b":
            raise type_error(no_bool, hint="convert first, e.g. x.float() or x.long()")
        return _unary(t, grad_fn, fwd, vjp, save in ("input", "both"), save in ("output", "both"),
                      fast)

    fn.__name__ = name
    op(f"{name}(input)", category="element-wise", summary=summary, example=f"{name}(x)",
       rules={"input": rule}, grad_fn=grad_fn, namespaces=namespaces, aliases=aliases,
       checks=(GradCheck(f"{name}(a)", {"a": (2, 3)}, domain),))(fn)
    return fn


#: The helper as the other op modules call it (mathfns declares more one-input ops with it).
declare_unary = _declare


def _saved_input(node: Node) -> Tensor:
    return node.unpack()[0]


def _saved_array(node: Node) -> np.ndarray:
    """The saved input, or the saved output (last of ``saved``), as an array."""
    assert node.saved is not None
    t = node.saved[-1]
    assert t is not None
    return t.data


def _into(d: np.ndarray, g: np.ndarray, owned: bool) -> np.ndarray:
    """d * g, where d is a fresh buffer of the engine's: in d, or in g when g is owned."""
    if d.shape == g.shape and d.dtype == g.dtype and broadcast_one(g):
        return d
    if owned and g.dtype == d.dtype and fits_in(g, d):
        return np.multiply(g, d, g)
    if type(d) is np.ndarray and d.dtype == g.dtype and fits_in(d, g):
        return np.multiply(d, g, d)
    out = np.multiply(d, g)
    return out if type(out) is np.ndarray else np.asarray(out)


def _exp_fast(g: np.ndarray, n: Node, owned: bool) -> RawOne:
    y = _saved_array(n)
    if owned and g.shape == y.shape and g.dtype == y.dtype:
        return (np.multiply(g, y, g),)
    if g.shape == y.shape and g.dtype == y.dtype and broadcast_one(g):
        return (y,)  # the output itself (written into only if nothing else holds it)
    return (np.asarray(g * y),)


#: Elements per block when a derivative is multiplied into an owned gradient block by block:
#: no whole-size temporary, and the block stays in cache between the two passes.
_BLOCK = 1 << 15


def _blockwise(g: np.ndarray, x: np.ndarray, deriv: Callable[[np.ndarray], np.ndarray]) -> bool:
    """g *= deriv(x), block by block, when both are contiguous of one shape and dtype."""
    if not (g.size > _BLOCK and g.shape == x.shape and g.dtype == x.dtype
            and g.flags.c_contiguous and x.flags.c_contiguous):
        return False
    gf, xf = g.reshape(-1), x.reshape(-1)
    for i in range(0, gf.size, _BLOCK):
        gb = gf[i:i + _BLOCK]
        np.multiply(gb, deriv(xf[i:i + _BLOCK]), gb)
    return True


def _sin_fast(g: np.ndarray, n: Node, owned: bool) -> RawOne:
    x = _saved_array(n)
    if owned and _blockwise(g, x, np.cos):
        return (g,)
    return (_into(np.asarray(np.cos(x)), g, owned),)


def _cos_fast(g: np.ndarray, n: Node, owned: bool) -> RawOne:
    d = np.asarray(np.sin(_saved_array(n)))
    return (_into(np.negative(d, d), g, owned),)


_one_minus_square = torchmath.one_minus_square


def _tanh_fast(g: np.ndarray, n: Node, owned: bool) -> RawOne:
    y = _saved_array(n)
    deriv = torchmath.one_minus_square_of(y)
    if owned and _blockwise(g, y, deriv):
        return (g,)
    return (_into(np.asarray(deriv(np.asarray(y))), g, owned),)


exp = _declare("exp", torchmath.exp, lambda g, n: (g * n.output(),), save="output", fast=_exp_fast,
               rule="grad * exp(input)", summary="e to the power of input")
log = _declare("log", torchmath.log, lambda g, n: (g / _saved_input(n),),
               rule="grad / input", summary="natural logarithm", domain="positive")
log1p = _declare("log1p", torchmath.log1p, lambda g, n: (g / (_saved_input(n) + 1),),
                 rule="grad / (1 + input)", summary="log(1 + input), exact for small input",
                 domain="positive")
sqrt = _declare("sqrt", np.sqrt, lambda g, n: (g / (2 * n.output()),), save="output",
                rule="grad / (2 * sqrt(input))", summary="square root", domain="positive")
sin = _declare("sin", np.sin, lambda g, n: (g * cos(_saved_input(n)),), fast=_sin_fast,
               rule="grad * cos(input)", summary="sine")
cos: Callable[[Any], Tensor] = _declare("cos", np.cos, lambda g, n: (-g * sin(_saved_input(n)),),
               fast=_cos_fast,
               rule="-grad * sin(input)", summary="cosine")
tan = _declare("tan", np.tan, lambda g, n: (g * (1 + n.output() ** 2),), save="output",
               rule="grad * (1 + tan(input)**2)", summary="tangent", domain="unit")
# -- derivatives that are one node each, as PyTorch's *_backward ops -----------------------------
# Under create_graph the first derivative of tanh, sigmoid and relu records PyTorch's node
# (TanhBackwardBackward0...), whose own VJP makes the second derivative.

def tanh_backward(g: Tensor, y: Tensor) -> Tensor:
    """``g * (1 - y**2)``, the derivative of ``y = tanh(x)``: TanhBackwardBackward0."""
    d = np.asarray(_one_minus_square(np.asarray(y.data)))
    out = Tensor(np.multiply(g.data, d))
    return record("TanhBackwardBackward0", out, (g, y), _tanh_backward_vjp, (g, y))


def _tanh_backward_vjp(gg: Tensor, n: Node) -> Two:
    g, y = n.unpack()
    return (tanh_backward(gg, y) if n.needs(0) else None,
            -2 * y * g * gg if n.needs(1) else None)


def sigmoid_backward(g: Tensor, s: Tensor) -> Tensor:
    """``g * (1 - s) * s``, the derivative of ``s = sigmoid(x)``: SigmoidBackwardBackward0."""
    out = Tensor(np.multiply(g.data, 1 - s.data) * s.data)
    return record("SigmoidBackwardBackward0", out, (g, s), _sigmoid_backward_vjp, (g, s))


def _sigmoid_backward_vjp(gg: Tensor, n: Node) -> Two:
    g, s = n.unpack()
    return (sigmoid_backward(gg, s) if n.needs(0) else None,
            gg * g * (1 - 2 * s) if n.needs(1) else None)


def threshold_backward(g: Tensor, y: Tensor) -> Tensor:
    """``g`` where ``y = relu(x)`` is not <= 0 (a NaN passes it, as in PyTorch), else 0:
    ThresholdBackwardBackward0, whose derivative in ``y`` is 0 (not None: it requires grad).
    Chosen, not multiplied by a 0/1 mask, as PyTorch's kernel does: where relu gave 0, an
    inf or NaN gradient from above gives 0 (relu(x) * log(relu(x)) at x < 0), not NaN."""
    out = Tensor(np.where(y.data <= 0, g.data.dtype.type(0), g.data))
    return record("ThresholdBackwardBackward0", out, (g, y), _threshold_backward_vjp, (y,))


def _threshold_backward_vjp(gg: Tensor, n: Node) -> Two:
    (y,) = n.unpack()
    return (threshold_backward(gg, y) if n.needs(0) else None,
            Tensor(np.zeros_like(y.data)) if n.needs(1) else None)


tanh = _declare("tanh", torchmath.tanh, lambda g, n: (tanh_backward(g, n.output()),), save="output",
                fast=_tanh_fast,
                namespaces=("torch", "torch.nn.functional"),
                rule="grad * (1 - tanh(input)**2)", summary="hyperbolic tangent")


def _sigmoid_vjp(g: Tensor, n: Node) -> One:
    return (sigmoid_backward(g, n.output()),)


sigmoid = _declare("sigmoid", torchmath.sigmoid, _sigmoid_vjp, save="output",
                   namespaces=("torch", "torch.nn.functional"),
                   rule="grad * sigmoid(input) * (1 - sigmoid(input))",
                   summary="logistic function 1 / (1 + exp(-input))")
abs = _declare("abs", np.abs, lambda g, n: (g * sign(_saved_input(n)),), floating=False,
               rule="grad * sign(input)", summary="absolute value",
               no_bool="\"abs_cpu\" not implemented for 'Bool'")


def _sign_vjp(g: Tensor, n: Node) -> One:
    # PyTorch's zeros_like(grad): +0 everywhere, a constant even under create_graph.
    return (Tensor(np.zeros_like(g.data)),)


def _sign_fwd(a: np.ndarray) -> np.ndarray:
    if a.dtype == np.bool_:
        return a.copy()  # PyTorch: the sign of True is True
    out = np.sign(a)
    if out.dtype.kind == "f":  # PyTorch: the sign of NaN is 0 (so abs's gradient there is 0)
        out = np.where(np.isnan(out), out.dtype.type(0), out)
    return out


sign: Callable[[Any], Tensor] = _declare("sign", _sign_fwd, _sign_vjp, save="none", floating=False,
                rule="zeros_like(input)", summary="-1, 0 or 1 by the sign of input")


def _relu_vjp(g: Tensor, n: Node) -> One:
    return (threshold_backward(g, n.output()),)


relu = _declare("relu", lambda x: np.where(x < 0, x.dtype.type(0), x), _relu_vjp,
                save="output", floating=False, rule="grad * (input > 0)",
                namespaces=("torch", "torch.nn.functional"),
                summary="max(input, 0)", no_bool="Boolean inputs not supported for relu")


@op("round(input)", category="element-wise", summary="round half to even",
    example="round(x)", rules={
        "input": "zeros_like(input)",
    }, grad_fn="RoundBackward0",
    checks=(GradCheck("round(a)", {"a": (4,)}, "distinct"),))
def round(input: Any) -> Tensor:
    t = unary_input(input, "round")
    if t.data.dtype.kind == "b":
        raise type_error("\"round_vml_cpu\" not implemented for 'Bool'",
                         hint="convert first, e.g. x.float()")
    return record("RoundBackward0", Tensor(np.round(t.data)), (t,), _sign_vjp)


def _clamp_vjp(g: Tensor, node: Node) -> One:
    (x,) = node.unpack()
    lo, hi = node.ctx
    mask = np.ones(x.data.shape, dtype=bool)
    if lo is not None:
        mask &= x.data >= lo
    if hi is not None:
        mask &= x.data <= hi
    return (where(Tensor(mask), g, 0.0),)  # PyTorch's clamp_backward: +0 outside


@op("clamp(input, min=None, max=None)", category="element-wise",
    summary="limit values to [min, max]", example="clamp(x, min=0)",
    rules={
        "input": (
            "grad * (input >= min) * (input <= max) if min is not None and max is not None else "
            "grad * (input >= min) if min is not None else "
            "grad * (input <= max) if max is not None else grad"),
    }, grad_fn="ClampBackward1",
    aliases=("clip",), checks=(GradCheck("clamp(a, -0.5, 0.5)", {"a": (5,)}, "distinct"),))
def clamp(input: Any, min: Any = None, max: Any = None) -> Tensor:
    t = unary_input(input, "clamp")
    if min is None and max is None:
        raise type_error("clamp() needs at least one of min or max",
                         hint="e.g. clamp(x, min=0) or clamp(x, -1, 1)")
    if any(isinstance(b, Tensor) for b in (min, max)):
        return _clamp_tensors(t, min, max)
    for bound in (min, max):
        if bound is not None and not is_scalar(bound):
            raise type_error("clamp() bounds must be numbers or tensors")
        check_int_scalar(bound, "clamp")
    dt = dtypes.result_type(t.data, *(b for b in (min, max) if b is not None))
    data = t.data.astype(dt, copy=False)
    out = np.clip(data, min, max).astype(dt, copy=False)
    return record("ClampBackward1", Tensor(out), (t,), _clamp_vjp, (t,), ctx=(min, max))


def _clamp_tensors_vjp(g: Tensor, node: Node) -> tuple[Tensor | None, ...]:
    # PyTorch's clamp_backward_min_max: comparisons with NaN are false, so a NaN input or
    # bound sends no gradient to the input; a min above max gets none either.
    x, lo, hi = node.ctx
    inside = np.ones(x.shape, bool)
    if lo is not None:
        inside &= x >= lo
    if hi is not None:
        inside &= x <= hi
    below = x < lo if lo is not None else None
    above = x > hi if hi is not None else None
    if lo is not None and hi is not None:
        below &= lo < hi
        above |= hi < lo
    return (where(Tensor(inside), g, 0.0),
            where(Tensor(below), g, 0.0) if below is not None else None,
            where(Tensor(above), g, 0.0) if above is not None else None)


def _clamp_tensors(t: Tensor, lo: Any, hi: Any) -> Tensor:
    """clamp with tensor bounds: the bounds get the gradient where they won."""
    bounds = [to_tensor(b) if b is not None else None for b in (lo, hi)]
    present = [b for b in bounds if b is not None]
    dt = dtypes.result_type(t.data, *(b.data for b in present))
    shape = broadcast_shape("clamp", t.data.shape, *(b.data.shape for b in present))
    x = np.broadcast_to(t.data.astype(dt), shape)
    lo_d = None if bounds[0] is None else np.broadcast_to(bounds[0].data.astype(dt), shape)
    hi_d = None if bounds[1] is None else np.broadcast_to(bounds[1].data.astype(dt), shape)
    out = x
    if lo_d is not None:
        out = np.maximum(out, lo_d)
    if hi_d is not None:
        out = np.minimum(out, hi_d)
    inputs = [t] + [b if b is not None else Tensor(np.zeros((), dt)) for b in bounds]
    return record("ClampBackward0", Tensor(np.array(out)), inputs, _clamp_tensors_vjp,
                  ctx=(x, lo_d, hi_d))


def _extremum_masks(lose: Callable[[np.ndarray, np.ndarray], np.ndarray], a: np.ndarray,
                    b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where the sides tie, and where each lost (``lose(a, b)``: a < b for maximum). Where a
    side is NaN nothing compares true: both sides get all of the gradient."""
    da, db = np.broadcast_arrays(a, b)
    return da == db, lose(da, db), lose(db, da)


def _extremum_vjp(lose: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Any:
    """PyTorch's maximum/minimum backward: where(a == b, grad / 2, grad), with the losing
    side's places filled with 0 (masked_fill, so an inf or NaN gradient there gives 0, not
    NaN; MaskedFillBackward0 under create_graph)."""
    def vjp(g: Tensor, node: Node) -> tuple[Tensor | None, Tensor | None]:
        a, b = node.unpack()
        tie, lost_a, lost_b = _extremum_masks(lose, a.data, b.data)
        shared = where(Tensor(tie), g / 2, g)
        return (zero_where(shared, lost_a) if node.needs(0) else None,
                zero_where(shared, lost_b) if node.needs(1) else None)

    return vjp


def zero_where(t: Tensor, mask: np.ndarray) -> Tensor:
    """``t.masked_fill(mask, 0)``: a where, named as PyTorch's node (maximum's, minimum's,
    atan2's and masked_fill's backward)."""
    out = where(Tensor(mask), 0.0, t)
    if out.grad_fn is not None:
        out.grad_fn.name = "MaskedFillBackward0"
    return out


def _extremum_fast(lose: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Any:
    """_extremum_vjp on arrays, the same operations."""
    def fast(g: np.ndarray, node: Node, owned: bool) -> tuple[np.ndarray | None, ...]:
        a, b = node.unpack()
        tie, lost_a, lost_b = _extremum_masks(lose, a.data, b.data)
        shared = np.where(tie, g / g.dtype.type(2), g)
        zero = g.dtype.type(0)
        return (np.where(lost_a, zero, shared) if node.needs(0) else None,
                np.where(lost_b, zero, shared) if node.needs(1) else None)

    return fast


_MAXIMUM_VJPS = _extremum_vjp(np.less), _extremum_fast(np.less)
_MINIMUM_VJPS = _extremum_vjp(np.greater), _extremum_fast(np.greater)


@op("maximum(input, other)", category="element-wise", summary="element-wise larger value",
    example="maximum(x, y)", rules={
        "input": "grad * ((input > other) + (input == other) / 2)",
        "other": "grad * ((other > input) + (input == other) / 2)",
    },
    grad_fn="MaximumBackward0",
    checks=(GradCheck("maximum(a, b)", {"a": (3, 1), "b": (4,)}, "distinct"),))
def maximum(input: Any, other: Any) -> Tensor:
    a, b = _two_tensors(input, other, "maximum")
    out = Tensor(np.maximum(a.data, b.data))
    return record("MaximumBackward0", out, (a, b), _MAXIMUM_VJPS[0], (a, b),
                  fast=_MAXIMUM_VJPS[1])


@op("minimum(input, other)", category="element-wise", summary="element-wise smaller value",
    example="minimum(x, y)", rules={
        "input": "grad * ((input < other) + (input == other) / 2)",
        "other": "grad * ((other < input) + (input == other) / 2)",
    },
    grad_fn="MinimumBackward0",
    checks=(GradCheck("minimum(a, b)", {"a": (3, 1), "b": (4,)}, "distinct"),))
def minimum(input: Any, other: Any) -> Tensor:
    a, b = _two_tensors(input, other, "minimum")
    out = Tensor(np.minimum(a.data, b.data))
    return record("MinimumBackward0", out, (a, b), _MINIMUM_VJPS[0], (a, b),
                  fast=_MINIMUM_VJPS[1])


def _two_tensors(input: Any, other: Any, name: str) -> tuple[Tensor, Tensor]:
    a, b = operands(to_tensor(input), to_tensor(other), name)
    if a.data.shape != b.data.shape:
        broadcast_shape(name, a.data.shape, b.data.shape)
    return a, b


def _where_vjp(g: Tensor, node: Node) -> tuple[None, Tensor | None, Tensor | None]:
    cond = node.ctx
    zero = Tensor(np.zeros((), dtype=g.data.dtype))
    return (None, where(cond, g, zero) if node.needs(1) else None,
            where(cond, zero, g) if node.needs(2) else None)


def _where_fast(g: np.ndarray, node: Node, owned: bool) -> tuple[None, Any, Any]:
    cond = node.ctx.data
    zero = np.zeros((), dtype=g.dtype)
    return (None, np.asarray(np.where(cond, g, zero)) if node.needs(1) else None,
            np.asarray(np.where(cond, zero, g)) if node.needs(2) else None)


@op("where(condition, input, other)", category="element-wise",
    summary="input where condition is true, else other", example="where(x > 0, x, 0)",
    rules={
        "input": "where(condition, grad, 0.0)",
        "other": "where(condition, 0.0, grad)",
    },
    grad_fn="WhereBackward0", self_arg="input",
    checks=(GradCheck("where(a > 0, a, b)", {"a": (3, 1), "b": (4,)}),))
def where(condition: Any, input: Any, other: Any) -> Tensor:
    c = to_tensor(condition, "where() condition")
    if c.data.dtype != dtypes.BOOL:
        raise type_error(f"where expected condition to be a boolean tensor, but got a tensor "
                         f"with dtype {c.data.dtype.name}",
                         hint="write a comparison, e.g. where(x > 0, x, 0)")
    a, b = operands(input, other, "where")
    broadcast_shape("where", c.data.shape, a.data.shape, b.data.shape)
    out = Tensor(np.where(c.data, a.data, b.data))
    return record("WhereBackward0", out, (c, a, b), _where_vjp, ctx=c, fast=_where_fast)
