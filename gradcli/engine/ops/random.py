"""Random tensors and random fills beyond rand, randn and normal (randint, randperm, rand_like,
randn_like, uniform_, normal_, bernoulli, bernoulli_, dropout), drawn from PyTorch's CPU
generator (engine/rng.py) in the order torch draws them."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes, rng
from ..autograd import Node, record
from ..errors import type_error, value_error
from ..tensor import Tensor
from ._base import check_numel, is_scalar, unary_input
from .creation import default_generator, finish_creation, number_arg, size_arg
from .inplace import apply_, overwrite_
from .table import GradCheck, op

_TORCH_NAMES = {"int64": "Long", "int32": "Int", "bool": "Bool", "float32": "Float",
                "float64": "Double"}


def _floating(dt: np.dtype[Any], kernel: str) -> None:
    if not dtypes.is_float(dt):
        raise type_error(f'"{kernel}" not implemented for \'{_TORCH_NAMES[dt.name]}\'',
                         hint="random values need a floating dtype: float32 or float64")


def _memory_axes(arr: np.ndarray) -> list[int] | None:
    """The axes from outermost to innermost in memory, as torch's TensorIterator walks a
    strided tensor; None for row-major order (torch has no negative strides: such an array
    stands for a contiguous tensor)."""
    if arr.flags.c_contiguous or any(s < 0 for s in arr.strides):
        return None
    return sorted(range(arr.ndim), key=lambda a: -arr.strides[a])


def _contiguous(arr: np.ndarray) -> bool:
    return arr.flags.c_contiguous or any(s < 0 for s in arr.strides)


def _write(arr: np.ndarray, values: np.ndarray) -> None:
    """Write ``values`` (flat) into ``arr`` in memory order."""
    axes = _memory_axes(arr)
    if axes is None:
        arr[...] = values.reshape(arr.shape)
    else:
        np.transpose(arr, axes)[...] = values.reshape([arr.shape[a] for a in axes])


def _empty_like(arr: np.ndarray, dt: np.dtype[Any]) -> np.ndarray:
    """``torch.empty_like``'s layout: the input's strides when it is dense, else row-major."""
    axes = _memory_axes(arr)
    if axes is not None:
        step, dense = arr.itemsize, True
        for a in reversed(axes):  # innermost first: each stride the product of those inside
            dense = dense and (arr.shape[a] == 1 or arr.strides[a] == step)
            step *= arr.shape[a]
        if dense:
            return np.empty([arr.shape[a] for a in axes], dtype=dt).transpose(np.argsort(axes))
    return np.empty(arr.shape, dtype=dt)


def _like(name: str, kernel: str, fill: Any) -> Any:
    def fn(input: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        t = unary_input(input, name)
        dt = dtypes.parse_dtype(dtype) if dtype is not None else t.data.dtype
        _floating(dt, kernel)
        out = _empty_like(t.data, dt)
        _write(out, fill(out))
        return finish_creation(out, None, requires_grad)

    fn.__name__ = name
    what = "uniform values in [0, 1)" if name == "rand_like" else "standard normal values"
    op(f"{name}(input, dtype=None, requires_grad=False)", category="creation",
       summary=f"{what} with the shape and dtype of input", example=f"{name}(x)",
       method=False)(fn)
    return fn


rand_like = _like("rand_like", "check_uniform_bounds",
                  lambda a: rng.uniforms(default_generator(), a.size, a.dtype))
randn_like = _like("randn_like", "normal_kernel_cpu",
                   lambda a: rng.normal(default_generator(), a.size, a.dtype, 0.0, 1.0,
                                        _contiguous(a)))


def _integer(x: Any, what: str) -> int:
    if isinstance(x, Tensor) and x.data.size == 1 and x.data.dtype.kind in "iu":
        x = x.item()
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)):
        raise type_error(f"{what} must be an integer, not {x!r}")
    if not -2**63 <= x < 2**63:
        raise value_error(f"{what} {x} does not fit in int64")
    return int(x)


@op("randint(low=0, high, size, dtype=None, requires_grad=False)", category="creation",
    summary="random integers from low to high (exclusive); int64 unless dtype says otherwise",
    example="randint(0, 10, (2, 3))", method=False)
def randint(*args: Any, low: Any = None, high: Any = None, size: Any = None, dtype: Any = None,
            requires_grad: bool = False) -> Tensor:
    pos = list(args)
    if len(pos) > 3:
        raise type_error(f"randint() takes at most 3 positional arguments ({len(pos)} given)")
    if size is None and pos and not is_scalar(pos[-1]) and not isinstance(pos[-1], Tensor):
        size = pos.pop()
    if len(pos) == 2:
        low, high = pos
    elif len(pos) == 1:
        if high is None:
            high = pos[0]
        else:
            low = pos[0]
    if high is None or size is None:
        raise type_error("randint() missing required arguments: needs high and size",
                         hint="randint(low=0, high, size), e.g. randint(0, 10, (2, 3))")
    lo = 0 if low is None else _integer(low, "randint() low")
    hi = _integer(high, "randint() high")
    if lo >= hi:
        raise value_error(f"random_ expects 'from' to be less than 'to', but got from={lo} >= "
                          f"to={hi}")
    shape = size_arg((size,), None, "randint")
    dt = dtypes.INT64 if dtype is None else dtypes.parse_dtype(dtype)
    values = rng.randint(default_generator(), int(np.prod(shape, dtype=np.int64)), lo, hi)
    return finish_creation(values.reshape(shape).astype(dt), None, requires_grad)


@op("randperm(n, dtype=None, requires_grad=False)", category="creation",
    summary="a random permutation of 0..n-1 (int64)", example="randperm(5)", method=False)
def randperm(n: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    count = _integer(n, "randperm() n")
    if count < 0:
        raise value_error(f"Trying to create tensor with negative dimension {count}: [{count}]",
                          hint="n must be zero or positive")
    check_numel((count,), "randperm")
    dt = dtypes.INT64 if dtype is None else dtypes.parse_dtype(dtype)
    if dt.kind == "b":
        raise type_error("\"randperm\" not implemented for 'Bool'", hint="use torch.int64")
    return finish_creation(rng.randperm(default_generator(), count).astype(dt), None, requires_grad)


def _target(input: Any, name: str, kernel: str) -> Tensor:
    if not isinstance(input, Tensor):
        raise type_error(f"{name}() expects a tensor, not {type(input).__name__}")
    _floating(input.data.dtype, kernel)
    return input


@op("uniform_(input, from_=0, to=1)", category="creation",
    summary="fill with uniform random values in [from, to), in place",
    example="torch.empty(2, 3).uniform_(-1, 1)", function=False)
def uniform_(input: Any, from_: Any = 0.0, to: Any = 1.0) -> Tensor:
    t = _target(input, "uniform_", "check_uniform_bounds")
    a, b = number_arg(from_, "uniform_() from"), number_arg(to, "uniform_() to")
    if a > b:
        raise value_error(f"uniform_ expects to return a [from, to) range, but found from={a} > "
                          f"to={b}")

    def fill(arr: np.ndarray) -> None:
        _write(arr, rng.uniform(default_generator(), arr.size, arr.dtype, a, b))

    return overwrite_(t, fill, "UniformBackward0")


@op("normal_(input, mean=0, std=1)", category="creation",
    summary="fill with normal random values, in place",
    example="torch.empty(2, 3).normal_(0, 0.01)", function=False)
def normal_(input: Any, mean: Any = 0.0, std: Any = 1.0) -> Tensor:
    t = _target(input, "normal_", "normal_kernel_cpu")
    m, s = number_arg(mean, "normal_() mean"), number_arg(std, "normal_() std")
    if s < 0:
        raise value_error(f"normal expects std >= 0.0, but found std {s}")

    def fill(arr: np.ndarray) -> None:
        _write(arr, rng.normal(default_generator(), arr.size, arr.dtype, m, s, _contiguous(arr)))

    return overwrite_(t, fill, "NormalBackward0")


def _probability(p: float) -> float:
    if not 0 <= p <= 1:
        raise value_error(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    return float(p)


def _bernoulli_values(shape_of: np.ndarray, p: Any) -> np.ndarray:
    """0/1 draws in ``shape_of``'s memory order: a float probability takes a 53-bit uniform
    per element; a tensor of them one uniform of its own dtype (24 bits for float32)."""
    gen = default_generator()
    if isinstance(p, Tensor):
        probs = p.data
        if probs.dtype.kind != "f":
            raise type_error(f"bernoulli: the probabilities must be floating, not {probs.dtype.name}")
        if ((probs < 0) | (probs > 1)).any():
            raise value_error("Expected p_in >= 0 && p_in <= 1 to be true, but got false.",
                              hint="probabilities must lie in [0, 1]")
        try:
            probs = np.broadcast_to(probs, shape_of.shape)
        except ValueError:
            raise type_error(f"bernoulli_: the probabilities' shape {list(probs.shape)} does not "
                             f"broadcast to {list(shape_of.shape)}") from None
        axes = _memory_axes(shape_of)
        flat = probs.ravel() if axes is None else np.transpose(probs, axes).ravel()
        return rng.uniforms(gen, flat.size, probs.dtype) < flat
    return rng.uniforms(gen, shape_of.size, dtypes.FLOAT64) < _probability(p)


def _no_gradient(g: Tensor, node: Node) -> tuple[Tensor]:
    return (Tensor(np.zeros_like(g.data)),)


def _no_gradient_fast(g: np.ndarray, node: Node, owned: bool) -> tuple[np.ndarray]:
    return (np.zeros_like(g),)


@op("bernoulli(input, p=None)", category="creation",
    summary="1 with probability input (or p), else 0; input's shape and dtype",
    example="bernoulli(full((2, 3), 0.5))")
def bernoulli(input: Any, p: Any = None) -> Tensor:
    t = unary_input(input, "bernoulli")
    out = _empty_like(t.data, t.data.dtype)
    if p is not None:
        _write(out, _bernoulli_values(out, number_arg(p, "bernoulli() p")).astype(out.dtype))
        # PyTorch defines no derivative for bernoulli(input, p): the node is NotImplemented
        from .arithmetic import not_implemented_vjp_for

        return record("NotImplemented", Tensor(out), (t,), not_implemented_vjp_for("bernoulli"))
    _floating(t.data.dtype, "bernoulli_tensor_cpu_p_")
    _write(out, _bernoulli_values(out, t).astype(out.dtype))
    return record("BernoulliBackward0", Tensor(out), (t,), _no_gradient, fast=_no_gradient_fast)


@op("bernoulli_(input, p=0.5)", category="creation",
    summary="fill with 1 with probability p (a number or a tensor), else 0, in place",
    example="torch.empty(2, 3).bernoulli_(0.3)", function=False)
def bernoulli_(input: Any, p: Any = 0.5) -> Tensor:
    if not isinstance(input, Tensor):
        raise type_error(f"bernoulli_() expects a tensor, not {type(input).__name__}")
    t = input
    probs = p if isinstance(p, Tensor) else number_arg(p, "bernoulli_() p")

    def fill(arr: np.ndarray) -> None:
        _write(arr, _bernoulli_values(arr, probs).astype(arr.dtype))

    return overwrite_(t, fill, "BernoulliBackward1" if isinstance(p, Tensor) else "BernoulliBackward2")


@op("dropout(input, p=0.5, training=True, inplace=False)", category="element-wise",
    summary="zero each element with probability p and scale the others by 1/(1-p)",
    example="dropout(x, 0.5)", derivative="grad times the same mask, scaled",
    grad_fn="MulBackward0", method=False,
    namespaces=("torch.nn.functional", "torch"),  # torch.dropout also takes train=
    checks=(GradCheck("(manual_seed(0), dropout(a, 0.5))[1]", {"a": (2, 5)}),))
def dropout(input: Any, p: Any = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    t = unary_input(input, "dropout")
    q = number_arg(p, "dropout() p")
    if not 0 <= q <= 1:
        raise value_error(f"dropout probability has to be between 0 and 1, but got {q}")
    from .arithmetic import mul

    if q == 0 or not training or t.data.size == 0:
        return t
    if q == 1:
        noise = Tensor(np.zeros((), dtype=t.data.dtype))
    else:
        if not dtypes.is_float(t.data.dtype):
            raise type_error(f"result type Float can't be cast to the desired output type "
                             f"{_TORCH_NAMES[t.data.dtype.name]}", hint="dropout needs a floating tensor")
        arr = _empty_like(t.data, t.data.dtype)
        _write(arr, (rng.uniforms(default_generator(), arr.size, dtypes.FLOAT64) < 1 - q)
               .astype(arr.dtype))
        arr /= arr.dtype.type(1 - q)
        noise = Tensor(arr)
    return apply_(t, mul, noise) if inplace else mul(t, noise)
