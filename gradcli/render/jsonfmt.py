"""Strict JSON output: nested lists for tensors, strings for NaN and the infinities.

``dumps`` writes one compact line with Python's default separators, e.g.
``{"expr": "2*dot(x,x)", "value": 28.0, "shape": [], "dtype": "float32", ...}``. Floats stay
floats (``28.0``), ints stay ints, bools stay bools, and NaN, +inf and -inf become
``"NaN"``, ``"Infinity"`` and ``"-Infinity"`` (the protobuf JSON convention), so ``jq`` and
every strict parser read the output. float16/float32 values print as the shortest decimal
that gives the same value back when parsed as a double and cast to the narrow type:
float32 0.1 is written ``0.1``, not ``0.10000000149011612``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import clipped

if TYPE_CHECKING:  # only for the annotation: at run time this module needs numpy alone
    from gradcli.errors import GradcliError

_NONFINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}

#: Exact powers of ten: every integer power up to 10**22 is a double without rounding.
_POW10 = np.array([float(10**k) for k in range(23)])
#: Below this many elements, formatting each value is faster than the vectorised search.
_FORMAT_EACH_UP_TO = 256
#: Up to this many values, a 1-D float16/float32 array is written value by value in Python,
#: each as a 0-d value is (``_narrow_scalar``): below the fixed cost of the array passes.
_SCALAR_EACH_UP_TO = 16
#: Below this magnitude every integer is a float16 (2**11) or a float32 (2**24): the narrow
#: values there 1 apart or closer, an integral one's shortest decimal is the integer itself,
#: whose double is the value as tolist() gives it (no formatting needed).
_WHOLE_BELOW = {2: 2048.0, 4: 16777216.0}


def dumps(obj: Any) -> str:
    """``obj`` as one line of strict JSON (never a bare NaN), non-ASCII text kept as is."""
    return dumps_jsonable(to_jsonable(obj))


def dumps_jsonable(obj: Any) -> str:
    """``dumps`` of what ``to_jsonable`` made already (the conversion is not repeated)."""
    return _ENCODER.encode(obj)


#: What ``json.dumps(obj, ensure_ascii=False, allow_nan=False)`` makes afresh for every call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)


def error_object(expr: str | None, err: GradcliError) -> dict[str, Any]:
    """The JSON face of an error: ``{"expr": ..., "error": {"kind": ..., ...}}``; a long
    expression or message is clipped (errors.clipped)."""
    error: dict[str, Any] = {"kind": err.kind, "message": clipped(err.message),
                             "line": err.line, "column": err.column}
    if err.hint:
        error["hint"] = clipped(err.hint)
    return {"expr": None if expr is None else clipped(expr), "error": error}


def to_jsonable(value: Any) -> Any:
    """``value`` made of what ``json.dumps(..., allow_nan=False)`` accepts.

    Arrays and numpy scalars become nested lists and Python numbers; dicts, lists and tuples
    are converted item by item; a numpy dtype becomes its name.
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value  # np.bool_ and numpy ints are not these types: they go below
    if isinstance(value, float):  # np.float64 too: it subclasses float
        return _float(float(value))
    if isinstance(value, (np.ndarray, np.generic)):
        return _array(np.asarray(value))
    if isinstance(value, Mapping):
        return {_key(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.dtype):
        return str(value)
    if hasattr(value, "__array__"):  # anything array-like, such as a tensor's data
        return _array(np.asarray(value))
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _key(key: Any) -> str:
    return key if isinstance(key, str) else str(to_jsonable(key))


def _float(value: float) -> float | str:
    return value if math.isfinite(value) else _NONFINITE[repr(value)]


def _array(array: np.ndarray) -> Any:
    """Nested lists (or one Python scalar for a 0-d array), vectorised for big arrays."""
    kind = array.dtype.kind
    if kind in "biu":
        return array.tolist()
    if kind != "f":
        raise TypeError(f"cannot write an array of {array.dtype} as JSON")
    if array.dtype.itemsize < 8 and array.ndim == 0:
        value = array.item()
        bound = _WHOLE_BELOW.get(array.dtype.itemsize, 0.0)
        if value.is_integer() and -bound < value < bound:
            return value
        return _narrow_scalar(array.dtype.type(value))
    if array.dtype.itemsize < 8 and array.ndim == 1 and array.size <= _SCALAR_EACH_UP_TO:
        out = array.tolist()
        bound = _WHOLE_BELOW.get(array.dtype.itemsize, 0.0)
        for i, value in enumerate(out):
            if not (value.is_integer() and -bound < value < bound):
                out[i] = _narrow_scalar(array[i])
        return out
    if array.dtype.itemsize < 8:
        # Formatting each value costs ~0.7 us; the vectorised search ~150 us whatever the size.
        small = array.size <= _FORMAT_EACH_UP_TO
        values = _formatted_doubles(array) if small else _shortest_doubles(array)
    else:
        values = array.astype(np.float64, copy=False)  # longdouble: tolist would keep it
    finite = np.isfinite(values)
    if finite.all():
        return values.tolist()
    # Only now pay for an object array: the three strings replace the non-finite values.
    boxed = values.astype(object)
    boxed[np.isnan(values)] = "NaN"
    boxed[values == np.inf] = "Infinity"
    boxed[values == -np.inf] = "-Infinity"
    return boxed.tolist()


def _narrow_scalar(value: np.floating[Any]) -> float | str:
    """One float16/float32 value as ``_formatted_doubles`` writes it, without the arrays."""
    wide = float(value)
    if not math.isfinite(wide):
        return _NONFINITE[repr(wide)]
    double = float(str(value))  # numpy's shortest repr of the narrow value
    return double if type(value)(double) == value else wide


def _shortest_doubles(array: np.ndarray) -> np.ndarray:
    """float64 values whose ``repr`` is the shortest decimal that gives ``array`` back.

    "Gives back" means: parsed as a double (as every JSON reader does) and cast to the narrow
    dtype, it is the same value. Shortest first, then nearest, which is what numpy's own
    ``repr`` of a float32 prints. Done by rounding to p significant digits for p = 1, 2, ...
    with exact powers of ten; the rare values this cannot settle exactly (magnitudes beyond
    10**±14 or so, near-ties) go through numpy's per-element formatter instead.
    """
    # Casts of NaN payloads, and candidates past the narrow type's range (which become inf
    # and so fail the round-trip test, as they should), would only warn: silence them.
    with np.errstate(over="ignore", invalid="ignore"):
        flat = array.ravel()
        wide = flat.astype(np.float64)
        out = wide.copy()  # zeros and non-finite values are already right
        todo = np.flatnonzero(np.isfinite(wide) & (wide != 0))
        exponent = np.floor(np.log10(np.abs(wide[todo]))).astype(np.int64)
        max_digits = 5 if array.dtype.itemsize == 2 else 9  # enough for float16, float32
        # 10**k is exact only for |k| <= 22, and k runs from -e to max_digits - 1 - e.
        fast = (exponent <= 22) & (max_digits - 1 - exponent <= 22)
        slow = [todo[~fast]]
        todo, exponent = todo[fast], exponent[fast]
        for digits in range(1, max_digits + 1):
            if not todo.size:
                break
            settled, tied = _round_to_digits(wide[todo], flat[todo], digits - 1 - exponent,
                                             out, todo)
            slow.append(todo[tied])
            left = ~(settled | tied)
            todo, exponent = todo[left], exponent[left]
        rest = np.concatenate([*slow, todo])
        out[rest] = _formatted_doubles(flat[rest])
    return out.reshape(array.shape)


def _round_to_digits(wide: np.ndarray, narrow: np.ndarray, k: np.ndarray, out: np.ndarray,
                     where: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Try the two decimals m / 10**k around each value (m an integer); keep those that
    round-trip in ``out[where]``. Returns (settled, near-tie-to-leave-to-numpy) masks."""
    up = k >= 0
    scale = _POW10[np.abs(k)]
    scaled = np.where(up, wide * scale, wide / scale)
    low = np.floor(scaled)
    high = low + 1.0

    def as_double(m: np.ndarray) -> np.ndarray:
        # One correctly rounded operation on exact operands: the double nearest m * 10**-k.
        return np.where(up, m / scale, m * scale)

    low_d, high_d = as_double(low), as_double(high)
    low_ok = low_d.astype(narrow.dtype) == narrow
    high_ok = high_d.astype(narrow.dtype) == narrow
    frac = scaled - low
    both = low_ok & high_ok
    # The product above was rounded: when both candidates work and the value sits almost
    # halfway, which one is nearer is not certain, so numpy's formatter decides.
    tied = both & (np.abs(frac - 0.5) < 1e-6)
    pick_high = high_ok & ~(low_ok & (frac <= 0.5))
    settled = (low_ok | high_ok) & ~tied
    out[where[settled]] = np.where(pick_high, high_d, low_d)[settled]
    return settled, tied


def _formatted_doubles(values: np.ndarray) -> np.ndarray:
    """The slow, exact path: numpy's shortest repr of each value, read back as a double."""
    if not values.size:
        return values.astype(np.float64)
    doubles = values.astype(str).astype(np.float64)
    # Parsing the decimal as a double and then narrowing rounds twice; where that lands on
    # another value, the exact double of the narrow value is written instead.
    wrong = doubles.astype(values.dtype) != values
    if wrong.any():
        doubles[wrong] = values[wrong].astype(np.float64)
    return doubles
