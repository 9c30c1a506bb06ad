"""Tensor creation: tensor, arange, linspace, zeros, ones, full, eye, *_like, rand, randn, normal."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes
from ..errors import type_error, value_error
from ..tensor import Tensor
from ._base import check_numel, from_nested, is_scalar, unary_input
from .shape import sizes_of
from .table import op

#: The generator behind rand, randn and normal; made on first use, since importing
#: numpy.random costs a tenth of gradcli's start-up.
_rng: list[Any] = [None]


def _generator() -> Any:
    if _rng[0] is None:
        _rng[0] = np.random.default_rng()
    return _rng[0]


@op("manual_seed(seed)", category="creation", summary="seed rand, randn and normal",
    example="manual_seed(0)", method=False)
def manual_seed(seed: int) -> None:
    """As torch.manual_seed: any 64-bit integer, a negative one taken modulo 2**64."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise value_error(f"manual_seed expects an integer, got {seed!r}")
    if not -2**63 <= seed < 2**64:
        raise value_error(f"manual_seed: the seed {seed} does not fit in 64 bits",
                          hint="use a seed from -2**63 to 2**64 - 1")
    _rng[0] = np.random.default_rng(int(seed) % 2**64)


def _finish(data: np.ndarray, dtype: Any, requires_grad: bool) -> Tensor:
    if dtype is not None:
        data = data.astype(dtypes.parse_dtype(dtype), copy=False)
    return Tensor(data, requires_grad=bool(requires_grad))


def _size(size: tuple[Any, ...], size_kw: Any, what: str) -> tuple[int, ...]:
    if size_kw is not None:
        if size:
            raise type_error(f"{what}() got sizes both positionally and as size=")
        size = (size_kw,)
    shape = sizes_of(size, what)
    for s in shape:
        if s < 0:
            raise value_error(f"Trying to create tensor with negative dimension {s}: {list(shape)}",
                              hint="sizes must be zero or positive")
    check_numel(shape, what)
    return shape


@op("tensor(data, dtype=None, requires_grad=False)", category="creation",
    summary="a tensor from a number or nested list (int64 for ints, default float otherwise)",
    example="tensor([[1, 2], [3, 4]])", method=False)
def tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return from_nested(data, dtype, requires_grad)


def _number(x: Any, what: str) -> Any:
    if isinstance(x, Tensor):
        x = x.item()
    if not is_scalar(x) or isinstance(x, bool):
        raise type_error(f"{what} must be a number, not {type(x).__name__}")
    return x


@op("arange(start=0, end, step=1, dtype=None, requires_grad=False)", category="creation",
    summary="values from start to end (exclusive) by step; int64 when all are ints",
    example="arange(4.0)", method=False)
def arange(*args: Any, start: Any = None, end: Any = None, step: Any = 1, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    if len(args) > 3:
        raise type_error(f"arange() takes at most 3 positional arguments ({len(args)} given)")
    pos = list(args)
    if end is None and len(pos) == 1 and start is None:
        s, e = 0, pos[0]
    else:
        if len(pos) >= 1:
            start = pos[0]
        if len(pos) >= 2:
            end = pos[1]
        if len(pos) == 3:
            step = pos[2]
        if end is None:
            raise type_error("arange() missing required argument 'end'")
        s, e = (0 if start is None else start), end
    s, e, st = (_number(v, "arange() bound") for v in (s, e, step))
    for v in (s, e, st):
        if isinstance(v, float) and not math.isfinite(v):
            raise value_error(f"unsupported range: {s} -> {e}", hint="bounds must be finite")
    if st == 0:
        raise value_error("step must be nonzero")
    if (e - s) * st < 0 and e != s:
        raise value_error("upper bound and larger bound inconsistent with step sign",
                          hint=f"arange({s}, {e}, {st}) would be empty; flip the step's sign")
    n = max(0, math.ceil((e - s) / st))
    check_numel((n,), "arange")
    all_int = all(isinstance(v, (int, np.integer)) for v in (s, e, st))
    dt = dtypes.INT64 if all_int else dtypes.default_float()
    if all_int:
        data = np.arange(s, e, st, dtype=np.int64)
    else:
        data = (s + st * np.arange(n, dtype=np.float64)).astype(dt)
    return _finish(data, dtype, requires_grad)


@op("linspace(start, end, steps, dtype=None, requires_grad=False)", category="creation",
    summary="steps evenly spaced values from start to end (inclusive)",
    example="linspace(0, 1, 5)", method=False)
def linspace(start: Any, end: Any, steps: int, dtype: Any = None,
             requires_grad: bool = False) -> Tensor:
    s, e = _number(start, "linspace() start"), _number(end, "linspace() end")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise value_error(f"number of steps must be a non-negative integer, got {steps!r}")
    check_numel((steps,), "linspace")
    data = np.linspace(s, e, int(steps)).astype(dtypes.default_float())
    return _finish(data, dtype, requires_grad)


def _filled(name: str, fill: float) -> Any:
    def make(*size: Any, size_kw: Any = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        shape = _size(size, size_kw, name)
        dt = dtypes.parse_dtype(dtype) if dtype is not None else dtypes.default_float()
        return _finish(np.full(shape, fill, dtype=dt), None, requires_grad)

    make.__name__ = name
    return make


def _sized(name: str, fill: float, summary: str) -> Any:
    inner = _filled(name, fill)

    def fn(*size: Any, dtype: Any = None, requires_grad: bool = False, **kw: Any) -> Tensor:
        return inner(*size, size_kw=_size_kw(kw, name), dtype=dtype, requires_grad=requires_grad)

    fn.__name__ = name
    op(f"{name}(*size, dtype=None, requires_grad=False)", category="creation", summary=summary,
       example=f"{name}(2, 3)", method=False)(fn)
    return fn


def _size_kw(kw: dict[str, Any], name: str) -> Any:
    extra = set(kw) - {"size"}
    if extra:
        raise type_error(f"{name}() got an unexpected keyword argument '{sorted(extra)[0]}'")
    return kw.get("size")


zeros = _sized("zeros", 0.0, "a tensor of zeros")
ones = _sized("ones", 1.0, "a tensor of ones")


@op("full(size, fill_value, dtype=None, requires_grad=False)", category="creation",
    summary="a tensor filled with one value (its dtype follows the value)",
    example="full((2, 2), 7.0)", method=False)
def full(size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape = _size((size,), None, "full")
    v = _number(fill_value, "full() fill_value") if not isinstance(fill_value, bool) else fill_value
    dt = dtypes.parse_dtype(dtype) if dtype is not None else dtypes.scalar_dtype(v)
    return _finish(np.full(shape, v, dtype=dt), None, requires_grad)


@op("eye(n, m=None, dtype=None, requires_grad=False)", category="creation",
    summary="identity matrix (n x m)", example="eye(3)", method=False)
def eye(n: int, m: Any = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape = _size((n, n if m is None else m), None, "eye")
    dt = dtypes.parse_dtype(dtype) if dtype is not None else dtypes.default_float()
    return _finish(np.eye(shape[0], shape[1], dtype=dt), None, requires_grad)


def _like(name: str, fill: float) -> Any:
    def fn(input: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        t = unary_input(input, name)
        dt = dtypes.parse_dtype(dtype) if dtype is not None else t.data.dtype
        return _finish(np.full(t.data.shape, fill, dtype=dt), None, requires_grad)

    fn.__name__ = name
    op(f"{name}(input, dtype=None, requires_grad=False)", category="creation",
       summary=f"{'zeros' if fill == 0 else 'ones'} with the shape and dtype of input",
       example=f"{name}(x)")(fn)
    return fn


zeros_like = _like("zeros_like", 0.0)
ones_like = _like("ones_like", 1.0)


def _random(name: str, summary: str, sample: Any) -> Any:
    def fn(*size: Any, dtype: Any = None, requires_grad: bool = False, **kw: Any) -> Tensor:
        shape = _size(size, _size_kw(kw, name), name)
        dt = dtypes.parse_dtype(dtype) if dtype is not None else dtypes.default_float()
        if not dtypes.is_float(dt):
            raise type_error(f"{name}() is only implemented for floating dtypes, got {dt.name}")
        return _finish(sample(_generator(), shape).astype(dt), None, requires_grad)

    fn.__name__ = name
    op(f"{name}(*size, dtype=None, requires_grad=False)", category="creation", summary=summary,
       example=f"{name}(2, 3)", method=False)(fn)
    return fn


rand = _random("rand", "uniform random values in [0, 1)", lambda r, s: r.random(s))
randn = _random("randn", "standard normal random values", lambda r, s: r.standard_normal(s))


@op("normal(mean, std, size, dtype=None, requires_grad=False)", category="creation",
    summary="normal random values with the given mean and std", example="normal(0, 0.01, (2, 3))",
    method=False)
def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    dt = dtypes.parse_dtype(dtype) if dtype is not None else dtypes.default_float()
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m_arr = mean.data if isinstance(mean, Tensor) else np.asarray(float(_number(mean, "mean")))
        s_arr = std.data if isinstance(std, Tensor) else np.asarray(float(_number(std, "std")))
        if (s_arr < 0).any():
            raise value_error("normal expects all elements of std >= 0.0")
        from ._base import broadcast_shape

        shape = broadcast_shape("normal", m_arr.shape, s_arr.shape)
        return _finish(_generator().normal(m_arr, s_arr, shape).astype(dt), None, requires_grad)
    m, s = _number(mean, "normal() mean"), _number(std, "normal() std")
    if s < 0:
        raise value_error(f"normal expects std >= 0.0, but found std {s}")
    shape = _size(() if size is None else (size,), None, "normal")
    return _finish(_generator().normal(m, s, shape).astype(dt), None, requires_grad)
