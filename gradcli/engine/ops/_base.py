"""Shared helpers for the op modules: wrapping operands, promotion, and the size limit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import dtypes
from ..autograd import to_dtype
from ..errors import limit_error, shape_error, type_error, value_error
from ..memory import check_allocation
from ..tensor import Tensor

#: Largest number of elements one tensor may have; the CLI sets it from --max-elements.
LIMITS = {"max_elements": 250_000_000}

Scalar = bool | int | float


def set_max_elements(n: int) -> None:
    LIMITS["max_elements"] = int(n)


def check_numel(shape: Sequence[int], what: str) -> None:
    """Refuse a result that would exceed --max-elements, before allocating it."""
    n = 1
    nonzero = 1  # numpy refuses shapes whose nonzero sizes overflow, even with a zero among them
    for d in shape:
        n *= int(d)
        nonzero *= int(d) or 1
    if nonzero >= 2**60:
        raise value_error(f"{what}: the shape {tuple(int(d) for d in shape)} is too large for an "
                          "array, even an empty one", hint="use smaller sizes")
    if n > LIMITS["max_elements"]:
        raise limit_error(
            f"{what} would create a tensor of {n:,} elements (shape {tuple(int(d) for d in shape)}), "
            f"more than the limit of {LIMITS['max_elements']:,} elements",
            hint="raise the limit with --max-elements N if you really mean it",
        )
    check_allocation(n * 8, f"{what} of shape {tuple(int(d) for d in shape)}")


def is_scalar(x: Any) -> bool:
    return isinstance(x, (bool, int, float, np.bool_, np.integer, np.floating))


def to_tensor(x: Any, what: str = "argument") -> Tensor:
    """A Tensor from a Tensor, a Python scalar, or a (nested) list/tuple of numbers."""
    if isinstance(x, Tensor):
        return x
    if is_scalar(x):
        return Tensor(np.asarray(x, dtype=dtypes.scalar_dtype(x)))
    if isinstance(x, (list, tuple, range)):
        return from_nested(x)
    raise type_error(f"{what} must be a tensor or a number, not {type_name(x)}")


def type_name(x: Any) -> str:
    if isinstance(x, Tensor):
        return "tensor"
    if x is None:
        return "None"
    return type(x).__name__


def operands(a: Any, b: Any, name: str) -> tuple[Tensor, Tensor]:
    """Both operands as tensors of PyTorch's result dtype (Python scalars do not widen)."""
    for x in (a, b):
        if not isinstance(x, Tensor) and not is_scalar(x):
            if isinstance(x, (list, tuple)):
                continue
            raise type_error(
                f"unsupported operand type for {name}: {type_name(x)}",
                hint="operands must be tensors or numbers",
            )
        check_int_scalar(x, name)
    a = a if isinstance(a, Tensor) or is_scalar(a) else to_tensor(a)
    b = b if isinstance(b, Tensor) or is_scalar(b) else to_tensor(b)
    dt = dtypes.result_type(*(x.data if isinstance(x, Tensor) else x for x in (a, b)))
    return cast_operand(a, dt), cast_operand(b, dt)


def _fits(x: int | float) -> bool:
    """Whether PyTorch takes the Python number as a scalar operand: an int must fit in int64
    or uint64 (10**20 is "int too big to convert"); a float always does."""
    return type(x) is not int or -2**63 <= x < 2**64


def check_int_scalar(x: Any, name: str) -> None:
    """PyTorch's "int too big to convert" for a Python int operand beyond 64 bits."""
    if type(x) is int and not _fits(x):
        raise value_error(
            f"{name}: the integer {_digits(x)} is too big to convert: a Python int used "
            "with a tensor must fit in 64 bits",
            hint="write it as a float (1e20), or make it smaller")


def _digits(x: int) -> str:
    text = str(x)
    digits = len(text.lstrip("-"))
    return text if digits <= 30 else f"{text[:12]}...({digits} digits)"


#: Python numbers a floating tensor absorbs (PyTorch's "wrapped numbers": the tensor's dtype
#: wins). bool is not among them: it is its own type.
_NUMBERS = (int, float)


def binary_operands(a: Any, b: Any, name: str) -> tuple[Tensor, Tensor]:
    """``operands`` of an element-wise op, checked to broadcast; the common cases directly:
    two tensors of one dtype and shape, a floating tensor and a Python number (x + 0.5)."""
    if type(a) is Tensor:
        if type(b) is Tensor:
            if a.data.dtype is b.data.dtype and a.data.shape == b.data.shape:
                return a, b
        elif type(b) in _NUMBERS and a.data.dtype.kind == "f" and _fits(b):
            return a, Tensor._of(np.asarray(b, dtype=a.data.dtype))
    elif type(b) is Tensor and type(a) in _NUMBERS and b.data.dtype.kind == "f" and _fits(a):
        return Tensor._of(np.asarray(a, dtype=b.data.dtype)), b
    ta, tb = operands(a, b, name)
    if ta.data.shape != tb.data.shape:
        broadcast_shape(name, ta.data.shape, tb.data.shape)
    return ta, tb


def cast_operand(x: Any, dt: np.dtype[Any]) -> Tensor:
    if isinstance(x, Tensor):
        if x.data.dtype == dt:
            return x
        return to_dtype(x, dt)
    return Tensor(np.asarray(x, dtype=dt))


def broadcast_shape(name: str, *shapes: tuple[int, ...]) -> tuple[int, ...]:
    """The broadcast result shape, or PyTorch's message naming the op and both shapes."""
    ndim = max(len(s) for s in shapes)
    out = []
    for i in range(-1, -ndim - 1, -1):  # from the right, so that PyTorch's dimension is named
        sizes = [s[i] for s in shapes if len(s) >= -i]
        fixed = [x for x in sizes if x != 1]  # 1 stretches to anything, 0 included
        for size in fixed[1:]:
            if size != fixed[0]:
                raise shape_error(
                    f"{name}: shapes {fmt_shapes(shapes)} do not broadcast: the size of tensor "
                    f"a ({fixed[0]}) must match the size of tensor b ({size}) at "
                    f"non-singleton dimension {ndim + i}",
                    hint="broadcasting aligns shapes from the right; sizes must be equal or 1",
                )
        out.append(fixed[0] if fixed else 1)
    shape = tuple(reversed(out))
    check_numel(shape, name)
    return shape


def fmt_shapes(shapes: Sequence[tuple[int, ...]]) -> str:
    return " and ".join(str(tuple(s)) for s in shapes)


def unary_input(x: Any, name: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if is_scalar(x) or isinstance(x, (list, tuple)):
        return to_tensor(x)
    raise type_error(f"{name}() expects a tensor, not {type_name(x)}")


def float_input(x: Any, name: str) -> Tensor:
    """Integer inputs of float-only functions (exp, sin, ...) compute in the default dtype."""
    if type(x) is Tensor and x.data.dtype.kind == "f":
        return x
    t = unary_input(x, name)
    if not dtypes.is_float(t.data.dtype):
        t = to_dtype(t, dtypes.default_float())
    return t


def fits_in(g: np.ndarray, x: np.ndarray) -> bool:
    """Whether g op x has g's shape (cheap, conservative: equal shapes or x of one element)."""
    return g.shape == x.shape or (x.size == 1 and x.ndim <= g.ndim)


def broadcast_one(g: np.ndarray) -> bool:
    """Whether ``g`` is the value 1 broadcast over its whole shape (a zero-strides view): the
    gradient that sum() sends back. A product with it is its other factor, unchanged."""
    return g.ndim > 0 and not any(g.strides) and g.size > 0 and g.flat[0] == 1


def from_nested(data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """``tensor(data)``: a number, a (nested) list or tuple of numbers or one-element tensors,
    or a range; floats in the default dtype unless ``dtype`` says otherwise."""
    arr = _array_of_nested(data)
    if arr.dtype.kind == "f" and dtype is None and not _holds_tensors(data):
        arr = arr.astype(dtypes.default_float())
    check_numel(arr.shape, "tensor")
    if dtype is not None:
        arr = arr.astype(dtypes.parse_dtype(dtype), copy=False)
    return Tensor(arr, requires_grad=bool(requires_grad))


def _array_of_nested(data: Any) -> np.ndarray:
    """A numpy array from nested lists/tuples of numbers or single-element tensors.

    Python floats are kept in float64 here, so that ``tensor(0.1, dtype=float64)`` is exact;
    the caller casts to the requested or default dtype.
    """
    if isinstance(data, Tensor):
        return data.data.copy()
    if is_scalar(data):
        kind = dtypes.scalar_dtype(data)
        return np.asarray(data, dtype=dtypes.FLOAT64 if dtypes.is_float(kind) else kind)
    if isinstance(data, range) and len(data):  # an empty one is an empty list: float
        check_numel((len(data),), "tensor")
        if not -2**63 <= data.start < 2**63 or not -2**63 <= data.stop < 2**63:
            raise value_error("tensor(): the range's values do not fit in int64")
        return np.arange(data.start, data.stop, data.step, dtype=np.int64)
    if isinstance(data, range):
        data = []
    if not isinstance(data, (list, tuple)):
        raise type_error(f"tensor(): could not infer dtype of {type(data).__name__}",
                         hint="give numbers or nested lists of numbers")
    items = [_array_of_nested(d) for d in data]
    if not items:
        return np.zeros((0,), dtype=dtypes.default_float())
    shape = items[0].shape
    for it in items:
        if it.shape != shape:
            raise value_error(f"expected sequence of length {shape[0] if shape else 0} at dim 1 "
                              f"(got {it.shape[0] if it.shape else 0})",
                              hint="rows of a nested list must all have the same length")
    dt: np.dtype[Any] | None = None
    for it in items:
        dt = dtypes.promote(dt, it.dtype)
    return np.stack(items).astype(dt)


def _holds_tensors(data: Any) -> bool:
    """Tensors inside keep their float dtype (tensor([a, b]) of float64 stays float64)."""
    if isinstance(data, Tensor):
        return True
    if isinstance(data, (list, tuple)) and data:
        return _holds_tensors(data[0])
    return False
