"""Dtypes and PyTorch's type promotion rules (categories, 0-d tensors, Python scalars)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import type_error

BOOL = np.dtype(np.bool_)
INT32 = np.dtype(np.int32)
INT64 = np.dtype(np.int64)
FLOAT32 = np.dtype(np.float32)
FLOAT64 = np.dtype(np.float64)

SUPPORTED: dict[str, np.dtype[Any]] = {
    "bool": BOOL,
    "int32": INT32,
    "int64": INT64,
    "float32": FLOAT32,
    "float64": FLOAT64,
}
_NAMES = {dt: name for name, dt in SUPPORTED.items()}


def name_of(dt: np.dtype[Any]) -> str:
    """``dt.name``, without numpy's Python property (~1 us) for the supported dtypes."""
    return _NAMES.get(dt) or dt.name


#: Spellings accepted for ``dtype=`` arguments, besides the names above.
ALIASES = {"float": "float32", "double": "float64", "long": "int64", "int": "int32"}

_default_float: list[np.dtype[Any]] = [FLOAT32]


def default_float() -> np.dtype[Any]:
    return _default_float[0]


def set_default_float(dtype: np.dtype[Any] | str) -> None:
    dt = parse_dtype(dtype)
    if not is_float(dt):
        raise type_error(f"the default dtype must be floating, got {dt.name}")
    _default_float[0] = dt


def parse_dtype(spec: Any) -> np.dtype[Any]:
    """A dtype from a name (``"float64"``, ``"torch.float64"``, ``"double"``) or a numpy dtype."""
    if isinstance(spec, np.dtype):
        return normalize(spec)
    name = str(spec).removeprefix("torch.")
    name = ALIASES.get(name, name)
    if name not in SUPPORTED:
        raise type_error(
            f"unknown dtype {spec!r}",
            hint="use one of " + ", ".join(sorted(SUPPORTED)),
        )
    return SUPPORTED[name]


_NATIVE = frozenset((BOOL, INT32, INT64, FLOAT32, FLOAT64))


def normalize(dt: np.dtype[Any]) -> np.dtype[Any]:
    """Map any numpy dtype onto the dtypes gradcli supports."""
    if dt in _NATIVE:
        return dt
    if dt.kind in "iu":
        return INT64
    if dt.kind == "f":
        return FLOAT64 if dt.itemsize > 4 else FLOAT32
    raise type_error(f"unsupported data type {dt}: only bool, integer and floating data")


def is_float(dt: np.dtype[Any]) -> bool:
    return dt.kind == "f"


def category(dt: np.dtype[Any]) -> int:
    """0 for bool, 1 for integers, 2 for floating point."""
    return 2 if dt.kind == "f" else (0 if dt.kind == "b" else 1)


def promote(a: np.dtype[Any] | None, b: np.dtype[Any] | None) -> np.dtype[Any] | None:
    """PyTorch's promote_types: integers never widen floats (int64 + float32 is float32)."""
    if a is None:
        return b
    if b is None or a == b:
        return a
    ca, cb = category(a), category(b)
    if ca != cb:
        return a if ca > cb else b
    return a if a.itemsize >= b.itemsize else b


def scalar_dtype(value: Any) -> np.dtype[Any]:
    """The dtype a Python scalar takes when it stands alone (``tensor(2.5)``)."""
    if isinstance(value, (bool, np.bool_)):
        return BOOL
    if isinstance(value, (int, np.integer)):
        return INT64
    return default_float()


def _combine(higher: np.dtype[Any] | None, lower: np.dtype[Any] | None) -> np.dtype[Any] | None:
    # c10's combine_categories: a lower-priority operand only matters when it brings a
    # higher category (an int tensor times 0.5 becomes float, a float tensor stays as is).
    if higher is None:
        return lower
    if is_float(higher):
        return higher
    if higher == BOOL or (lower is not None and is_float(lower)):
        return promote(higher, lower)
    return higher


def result_type(*operands: Any) -> np.dtype[Any]:
    """PyTorch's result_type: dimensioned tensors > 0-d tensors > Python scalars.

    Operands are numpy arrays (tensor data) or Python scalars.
    """
    dim: np.dtype[Any] | None = None
    zero: np.dtype[Any] | None = None
    wrapped: np.dtype[Any] | None = None
    for op in operands:
        if isinstance(op, np.ndarray):
            if op.ndim:
                dim = promote(dim, op.dtype)
            else:
                zero = promote(zero, op.dtype)
        else:
            wrapped = promote(wrapped, scalar_dtype(op))
    out = _combine(dim, _combine(zero, wrapped))
    assert out is not None, "result_type needs at least one operand"
    return out


_TYPE_NAMES = {
    "float32": "FloatTensor", "float64": "DoubleTensor", "int64": "LongTensor",
    "int32": "IntTensor", "bool": "BoolTensor",
}


def scalar_type_name(dt: np.dtype[Any]) -> str:
    """PyTorch's C++ name of a dtype, as its error messages say it (``Long``, ``Float``)."""
    return {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int",
            "bool": "Bool", "float16": "Half"}.get(dt.name, dt.name)


def torch_type_name(t: Any) -> str:
    """PyTorch's legacy type name of a tensor (``torch.FloatTensor``), used in its error
    messages."""
    return "torch." + _TYPE_NAMES[t.data.dtype.name]
