"""Tensor creation: tensor, arange, linspace, zeros, ones, full, eye, *_like, rand, randn, normal."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes, rng
from ..autograd import Node, record
from ..errors import type_error, value_error
from ..tensor import Tensor
from ._base import check_numel, from_nested, is_scalar, unary_input
from .shape import sizes_of
from .table import op

#: The default generator (engine/rng.py), made on first use, unseeded; manual_seed makes a
#: new one.
_rng: list[Any] = [None]


def default_generator() -> rng.Generator:
    if _rng[0] is None:
        _rng[0] = rng.Generator()
    return _rng[0]


@op("manual_seed(seed)", category="creation", summary="seed the random functions as torch.manual_seed",
    example="manual_seed(0)", method=False)
def manual_seed(seed: int) -> None:
    """As torch.manual_seed: any 64-bit integer, a negative one taken modulo 2**64."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise value_error(f"manual_seed expects an integer, got {seed!r}")
    if not -2**63 <= seed < 2**64:
        raise value_error(f"manual_seed: the seed {seed} does not fit in 64 bits",
                          hint="use a seed from -2**63 to 2**64 - 1")
    _rng[0] = rng.Generator(int(seed))


@op("set_default_dtype(d)", category="creation",
    summary="the dtype of floating tensors made without one, as torch.set_default_dtype",
    example="set_default_dtype(torch.float64)", method=False)
def set_default_dtype(d: Any) -> None:
    """As torch.set_default_dtype: float32 or float64 (what --dtype sets for the whole run)."""
    dt = getattr(d, "np", None)
    if dt is None:
        raise type_error(f"set_default_dtype(): argument 'd' must be torch.dtype, not "
                         f"{type(d).__name__}", hint="e.g. set_default_dtype(torch.float64)")
    if not dtypes.is_float(dt):
        raise type_error("only floating-point types are supported as the default type",
                         hint="torch.float32 or torch.float64")
    dtypes.set_default_float(dt)


@op("get_default_dtype()", category="creation",
    summary="the dtype of floating tensors made without one (torch.float32 unless set)",
    example="get_default_dtype()", method=False)
def get_default_dtype() -> Any:
    from ..tensor import DType

    return DType(dtypes.default_float())


def finish_creation(data: np.ndarray, dtype: Any, requires_grad: bool) -> Tensor:
    if dtype is not None:
        data = data.astype(dtypes.parse_dtype(dtype), copy=False)
    return Tensor(data, requires_grad=bool(requires_grad))


def size_arg(size: tuple[Any, ...], size_kw: Any, what: str) -> tuple[int, ...]:
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


def number_arg(x: Any, what: str) -> Any:
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
    s, e, st = (number_arg(v, "arange() bound") for v in (s, e, step))
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
    return finish_creation(data, dtype, requires_grad)


@op("linspace(start, end, steps, dtype=None, requires_grad=False)", category="creation",
    summary="steps evenly spaced values from start to end (inclusive)",
    example="linspace(0, 1, 5)", method=False)
def linspace(start: Any, end: Any, steps: int, dtype: Any = None,
             requires_grad: bool = False) -> Tensor:
    s, e = number_arg(start, "linspace() start"), number_arg(end, "linspace() end")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise value_error(f"number of steps must be a non-negative integer, got {steps!r}")
    check_numel((steps,), "linspace")
    target = dtypes.parse_dtype(dtype) if dtype is not None else dtypes.default_float()
    if dtypes.is_float(target):
        return finish_creation(_linspace(s, e, int(steps), target), None, requires_grad)
    data = np.linspace(s, e, int(steps)).astype(dtypes.default_float())
    return finish_creation(data, dtype, requires_grad)


def _linspace(start: float, end: float, steps: int, dtype: np.dtype[Any]) -> np.ndarray:
    """PyTorch's CPU linspace, in ``dtype``: step = (end - start) / (steps - 1), the first half
    start + step * i and the second end - step * (steps - 1 - i), each one fused multiply-add."""
    from ..fma import fma32, fma64

    first, last = dtype.type(start), dtype.type(end)
    if steps <= 1:
        return np.full(steps, first, dtype)
    step = (last - first) / dtype.type(steps - 1)
    i = np.arange(steps)
    low = i < steps // 2
    fma = fma32 if dtype == np.float32 else fma64
    out = np.empty(steps, dtype)
    out[low] = fma(step, i[low].astype(dtype), first)
    out[~low] = fma(-step, (steps - 1 - i[~low]).astype(dtype), last)
    return out


def _filled(name: str, fill: float) -> Any:
    def make(*size: Any, size_kw: Any = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        shape = size_arg(size, size_kw, name)
        dt = dtypes.parse_dtype(dtype) if dtype is not None else dtypes.default_float()
        return finish_creation(np.full(shape, fill, dtype=dt), None, requires_grad)

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
empty = _sized("empty", 0.0, "an uninitialised tensor (gradcli: zeros)")
ones = _sized("ones", 1.0, "a tensor of ones")


@op("full(size, fill_value, dtype=None, requires_grad=False)", category="creation",
    summary="a tensor filled with one value (its dtype follows the value)",
    example="full((2, 2), 7.0)", method=False)
def full(size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape = size_arg((size,), None, "full")
    v = number_arg(fill_value, "full() fill_value") if not isinstance(fill_value, bool) else fill_value
    dt = dtypes.parse_dtype(dtype) if dtype is not None else dtypes.scalar_dtype(v)
    return finish_creation(np.full(shape, v, dtype=dt), None, requires_grad)


@op("eye(n, m=None, dtype=None, requires_grad=False)", category="creation",
    summary="identity matrix (n x m)", example="eye(3)", method=False)
def eye(n: int, m: Any = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    shape = size_arg((n, n if m is None else m), None, "eye")
    dt = dtypes.parse_dtype(dtype) if dtype is not None else dtypes.default_float()
    return finish_creation(np.eye(shape[0], shape[1], dtype=dt), None, requires_grad)


def _like(name: str, fill: float, summary: str) -> Any:
    def fn(input: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        t = unary_input(input, name)
        dt = dtypes.parse_dtype(dtype) if dtype is not None else t.data.dtype
        return finish_creation(np.full(t.data.shape, fill, dtype=dt), None, requires_grad)

    fn.__name__ = name
    op(f"{name}(input, dtype=None, requires_grad=False)", category="creation",
       summary=summary, example=f"{name}(x)")(fn)
    return fn


zeros_like = _like("zeros_like", 0.0, "zeros with the shape and dtype of input")
ones_like = _like("ones_like", 1.0, "ones with the shape and dtype of input")
# PyTorch's empty tensors hold whatever the memory held; gradcli's hold zeros.
empty_like = _like("empty_like", 0.0, "uninitialised values with the shape and dtype of "
                   "input (gradcli: zeros)")


@op("full_like(input, fill_value, dtype=None, requires_grad=False)", category="creation",
    summary="fill_value with the shape and dtype of input", example="full_like(x, 7)")
def full_like(input: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False
              ) -> Tensor:
    t = unary_input(input, "full_like")
    v = number_arg(fill_value, "full_like() fill_value") if not isinstance(fill_value, bool) \
        else fill_value
    dt = dtypes.parse_dtype(dtype) if dtype is not None else t.data.dtype
    return finish_creation(np.full(t.data.shape, v, dtype=dt), None, requires_grad)


def _random(name: str, summary: str, sample: Any) -> Any:
    def fn(*size: Any, dtype: Any = None, requires_grad: bool = False, **kw: Any) -> Tensor:
        shape = size_arg(size, _size_kw(kw, name), name)
        dt = dtypes.parse_dtype(dtype) if dtype is not None else dtypes.default_float()
        if not dtypes.is_float(dt):
            raise type_error(f"{name}() is only implemented for floating dtypes, got {dt.name}")
        n = int(np.prod(shape, dtype=np.int64))
        return finish_creation(sample(default_generator(), n, dt).reshape(shape), None, requires_grad)

    fn.__name__ = name
    op(f"{name}(*size, dtype=None, requires_grad=False)", category="creation", summary=summary,
       example=f"{name}(2, 3)", method=False)(fn)
    return fn


rand = _random("rand", "uniform random values in [0, 1)", rng.uniforms)
randn = _random("randn", "standard normal random values",
                lambda g, n, dt: rng.normal(g, n, dt, 0.0, 1.0))


@op("normal(mean, std, size, dtype=None, requires_grad=False)", category="creation",
    summary="normal random values with the given mean and std", example="normal(0, 0.01, (2, 3))",
    method=False)
def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    dt = dtypes.parse_dtype(dtype) if dtype is not None else dtypes.default_float()
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m_arr = mean.data if isinstance(mean, Tensor) else np.asarray(float(number_arg(mean, "mean")))
        s_arr = std.data if isinstance(std, Tensor) else np.asarray(float(number_arg(std, "std")))
        if (s_arr < 0).any():
            raise value_error("normal expects all elements of std >= 0.0")
        from ._base import broadcast_shape

        shape = broadcast_shape("normal", m_arr.shape, s_arr.shape)
        out = finish_creation(_normal_tensors(mean, std, shape), None, requires_grad)
        inputs = tuple(t for t in (mean, std) if isinstance(t, Tensor))
        name = "NormalBackward" + ("3" if len(inputs) == 2 else "1" if inputs[0] is mean else "2")
        return record(name, out, inputs, _normal_vjp, fast=_normal_fast,
                      ctx=tuple((t.data.shape, t.data.dtype) for t in inputs))
    m, s = number_arg(mean, "normal() mean"), number_arg(std, "normal() std")
    if s < 0:
        raise value_error(f"normal expects std >= 0.0, but found std {s}")
    shape = size_arg(() if size is None else (size,), None, "normal")
    n = int(np.prod(shape, dtype=np.int64))
    return finish_creation(rng.normal(default_generator(), n, dt, m, s).reshape(shape), None, requires_grad)


def _normal_vjp(g: Tensor, node: Node) -> tuple[Tensor, ...]:
    """normal's values do not depend on its mean and std in PyTorch's graph: zeros."""
    return tuple(Tensor(np.zeros(shape, dtype=dt)) for shape, dt in node.ctx)


def _normal_fast(g: np.ndarray, node: Node, owned: bool) -> tuple[np.ndarray, ...]:
    return tuple(np.zeros(shape, dtype=dt) for shape, dt in node.ctx)


def _normal_tensors(mean: Any, std: Any, shape: tuple[int, ...]) -> np.ndarray:
    """As torch: standard normals (``normal_(0, std)`` for a number std) of mean's dtype (std's
    when mean is a number), then ``mul_(std)`` for a tensor std, then ``add_(mean)``, each an
    in-place op rounded to that dtype."""
    dt = (mean if isinstance(mean, Tensor) else std).data.dtype
    if not dtypes.is_float(dt):
        raise type_error(f"normal expects floating mean and std, got {dt.name}",
                         hint="write the mean and std as floats, e.g. 0.0")
    n = int(np.prod(shape, dtype=np.int64))
    if isinstance(std, Tensor):
        out = rng.normal(default_generator(), n, dt, 0.0, 1.0).reshape(shape)
        out = np.multiply(out, std.data, dtype=dtypes.promote(dt, std.data.dtype)).astype(dt)
    else:
        out = rng.normal(default_generator(), n, dt, 0.0, float(std)).reshape(shape)
    if isinstance(mean, Tensor):
        return np.add(out, mean.data, dtype=dtypes.promote(dt, mean.data.dtype)).astype(dt)
    return out + dt.type(mean)
