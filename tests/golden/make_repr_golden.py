"""Write tests/golden/repr_cases.json: PyTorch's own repr text for a corpus of tensors.

Run with a Python that has torch 2.13 (never part of gradcli or its tests):

    /work/torchenv/bin/python tests/golden/make_repr_golden.py

Each case stores its array exactly (base64 of the little-endian bytes, with dtype and
shape), the print settings and autograd state it was printed under, and the text that
``repr(tensor)`` gave. The corpus is seeded, so reruns give the same file.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

OUT = Path(__file__).with_name("repr_cases.json")
NP_DTYPES = {
    "float32": np.dtype("<f4"),
    "float64": np.dtype("<f8"),
    "int64": np.dtype("<i8"),
    "int32": np.dtype("<i4"),
    "bool": np.dtype("bool"),
}
FLOATS = ("float32", "float64")
NAN, INF = math.nan, math.inf

# Ops whose output equals their input bit for bit, giving a real grad_fn of that name.
EXACT_OPS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "MulBackward0": lambda t: t * 1,
    "AddBackward0": lambda t: t.add(-0.0),
    "PowBackward0": lambda t: t**1,
    "NegBackward0": lambda t: t.neg().neg(),
    "CloneBackward0": lambda t: t.clone(),
    "ViewBackward0": lambda t: t.view(t.shape),
}
# Exact only on 0-d tensors, where a sum is the element itself.
SCALAR_OPS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "SumBackward0": lambda t: t.sum(),
}


def _identity_function(name: str) -> type[torch.autograd.Function]:
    """A custom autograd Function whose node is called ``name`` (which ends in Backward)."""
    return type(
        name[: -len("Backward")],
        (torch.autograd.Function,),
        {
            "forward": staticmethod(lambda ctx, x: x.clone()),
            "backward": staticmethod(lambda ctx, g: g),
        },
    )


def _with_autograd(t: torch.Tensor, requires_grad: bool, grad_fn: str | None) -> torch.Tensor:
    if grad_fn is None:
        return t.requires_grad_(requires_grad)
    leaf = t.clone().requires_grad_(True)
    ops = {**EXACT_OPS, **SCALAR_OPS}
    out = ops[grad_fn](leaf) if grad_fn in ops else _identity_function(grad_fn).apply(leaf)
    assert type(out.grad_fn).__name__ == grad_fn, (type(out.grad_fn).__name__, grad_fn)
    assert out.detach().numpy().tobytes() == t.numpy().tobytes(), "grad_fn op changed values"
    return out


def _torch_repr(arr: np.ndarray, case: dict[str, Any]) -> str:
    torch.set_default_dtype(getattr(torch, case["default_float"]))
    torch.set_printoptions(precision=case["precision"], threshold=INF if case["full"] else 1000)
    try:
        t = _with_autograd(torch.from_numpy(arr.copy()), case["requires_grad"], case["grad_fn"])
        return repr(t)
    finally:
        torch.set_printoptions(profile="default")
        torch.set_default_dtype(torch.float32)


class Corpus:
    """Collects cases, each printed by torch as soon as it is added."""

    def __init__(self) -> None:
        self.cases: list[dict[str, Any]] = []

    def add(
        self,
        values: Any,
        dtype: str = "float32",
        *,
        shape: tuple[int, ...] | None = None,
        default_float: str = "float32",
        precision: int = 4,
        full: bool = False,
        requires_grad: bool = False,
        grad_fn: str | None = None,
        note: str = "",
    ) -> None:
        with np.errstate(over="ignore"):  # values past float32's range become inf on purpose
            arr = np.asarray(values, dtype=NP_DTYPES[dtype])
        if shape is not None:
            arr = arr.reshape(shape)
        case = {
            "id": f"{len(self.cases):03d}" + (f"-{note}" if note else ""),
            "dtype": dtype,
            "shape": list(arr.shape),
            "data": base64.b64encode(np.ascontiguousarray(arr).tobytes()).decode("ascii"),
            "default_float": default_float,
            "precision": precision,
            "full": full,
            "requires_grad": requires_grad,
            "grad_fn": grad_fn,
        }
        case["repr"] = _torch_repr(arr, case)
        self.cases.append(case)


def seed_cases(c: Corpus) -> None:
    """What the D2L autograd notebooks print."""
    c.add(np.arange(6.0), note="seed-arange")
    c.add([110.0], shape=(), grad_fn="MulBackward0", note="seed-dot")
    c.add([0, 4, 8, 12, 16, 20.0], note="seed-grad")
    c.add([0, 1, 4, 9, 16, 25.0], grad_fn="PowBackward0", note="seed-pow")
    c.add([55.0], shape=(), grad_fn="SumBackward0", note="seed-sum")
    c.add([-0.0908], shape=(), requires_grad=True, note="seed-randn")
    c.add([True], "bool", shape=(), note="seed-bool-scalar")
    c.add(np.arange(6.0), requires_grad=True, note="seed-leaf")
    c.add([8, 9, 10, 11, 12, 13.0], grad_fn="AddBackward0", note="seed-add")
    c.add([1228.8], shape=(), grad_fn="MulBackward0", note="spec-mul")
    c.add([True] * 4, "bool", note="seed-bools")
    c.add([0, 4, 8, 12.0], note="seed-x-grad")
    c.add([3, 4, 7, 12.0], note="seed-detach")
    c.add([4.0], shape=(), note="seed-b-grad")


def scalar_cases(c: Corpus) -> None:
    """0-d tensors across every float style and the special values."""
    values = [
        0.0,
        -0.0,
        1.0,
        -1.0,
        28.0,
        0.5,
        0.05,
        0.00005,
        0.00015,
        1e-4,
        9.99999e-5,
        1e8,
        1.0000001e8,
        1e9,
        123456.789,
        -98765.4321,
        9.99996,
        9.99994,
        0.123456789,
        NAN,
        INF,
        -INF,
        1e-30,
        3.4e38,
        2.5,
        3.5,
        1e300,
        5e-324,
        1e-100,
        1e100,
    ]
    for i, v in enumerate(values):
        dtype = FLOATS[i % 2]
        if dtype == "float32" and math.isfinite(v) and not (v == 0 or 1e-38 < abs(v) <= 3.4e38):
            dtype = "float64"
        c.add([v], dtype, shape=(), precision=(2, 4, 8)[i % 3], note="scalar")
        c.add(
            [v],
            dtype,
            shape=(),
            default_float="float64",
            requires_grad=bool(i % 2),
            note="scalar-f64default",
        )
    for v in [0, -1, 7, 2**62, -(2**63)]:
        c.add([v], "int64", shape=(), note="scalar-int")
        c.add([v % 2**31], "int32", shape=(), note="scalar-int32")
    c.add([False], "bool", shape=(), note="scalar-bool")


def rule_cases(c: Corpus) -> None:
    """Hand-picked vectors on each side of each formatting rule."""
    vectors: list[tuple[str, list[float]]] = [
        ("ratio-1000", [1.0, 1000.0]),
        ("ratio-over", [1.0, 1000.5]),
        ("ratio-frac", [0.5, 500.0]),
        ("ratio-frac-over", [0.5, 500.25]),
        ("max-1e8", [1e8, 2e7]),
        ("max-over-1e8", [1.5e8, 2e7]),
        ("min-1e-4", [1e-4, 2e-4]),
        ("min-under", [9e-5, 2e-4]),
        ("int-valued", [1.0, -2.0, 300.0]),
        ("int-valued-sci", [1.0, 1e10]),
        ("int-neg-zero", [-0.0, 0.0]),
        ("neg-zero-fixed", [-0.0, 1.5]),
        ("neg-zero-sci", [1e-5, -0.0]),
        ("all-zero", [0.0, 0.0, 0.0]),
        ("nan-only", [NAN, NAN]),
        ("inf-int", [1.0, -INF]),
        ("zero-inf-nan", [0.0, INF, NAN]),
        ("nan-fixed", [NAN, 1.5, -2.25]),
        ("nan-sci", [NAN, 1e-7, -3.0]),
        ("inf-sci", [INF, -INF, 1e12]),
        ("round-up-width", [9.99996, 1.0]),
        ("round-half", [0.00005, 0.00015, 0.00025, 1.5]),
        ("round-half-int", [0.5, 1.5, 2.5]),
        ("mixed-sign", [-1.25, 3.5, -100.125]),
        ("big-exp", [1e-120, 1e120]),
        ("tiny", [1e-30, -2e-31]),
        ("precision-edge", [0.123456789, 1.23456789]),
        ("ints-big", [123456789.0, 1.0]),
        ("fraction-wide", [12345.678, -0.001]),
    ]
    for name, values in vectors:
        for dtype in FLOATS:
            for precision in (2, 4, 8):
                default = "float64" if precision == 8 else "float32"
                c.add(values, dtype, precision=precision, default_float=default, note=name)
    ints = [[0, 1, -2], [10**12, -5], [-(2**63), 2**63 - 1], [7], [100, 20, 3]]
    for values in ints:
        c.add(values, "int64", note="ints")
        c.add([v % 2**31 - 2**30 for v in values], "int32", note="int32")
    c.add([True, False], "bool", note="bools")
    c.add([False, False], "bool", shape=(2, 1), note="bools-2d")


def empty_cases(c: Corpus) -> None:
    shapes = [(0,), (0, 3), (2, 0), (0, 0, 2), (1, 0, 4, 1)]
    for i, shape in enumerate(shapes):
        for dtype in NP_DTYPES:
            for default in FLOATS:
                c.add([], dtype, shape=shape, default_float=default, note="empty")
        c.add([], "float32", shape=shape, requires_grad=True, note="empty-leaf")
        c.add([], FLOATS[i % 2], shape=shape, grad_fn="ViewBackward0", note="empty-grad-fn")


def nested_cases(c: Corpus, rng: np.random.Generator) -> None:
    """Multi-line tensors: alignment, blank lines between blocks, wrapped rows, suffixes."""
    c.add(np.arange(30.0), shape=(2, 3, 5), requires_grad=True, note="3d-leaf")
    c.add(np.arange(24), "int64", shape=(2, 3, 4), note="3d-int")
    c.add(np.arange(48) - 20, "int64", shape=(2, 2, 3, 4), note="4d-int")
    c.add(rng.standard_normal((2, 2, 2, 3)), note="4d-float")
    c.add(rng.standard_normal((3, 4)), grad_fn="MulBackward0", note="2d-grad-fn")
    c.add(rng.standard_normal((3, 30)), note="2d-wrapped-rows")
    c.add(rng.standard_normal((2, 2, 25)) * 1e5, grad_fn="CloneBackward0", note="3d-wrapped-sci")
    c.add(rng.integers(-(10**6), 10**6, (3, 25)), "int64", note="2d-int-wrapped")
    c.add(rng.integers(-(10**6), 10**6, (3, 25)), "int32", note="2d-int32-wrapped")
    c.add(rng.random((4, 3)) > 0.5, "bool", note="2d-bool")
    c.add(rng.random((2, 3, 4)) > 0.5, "bool", note="3d-bool")
    c.add(np.zeros((1, 1, 1, 1)), note="4d-single")
    c.add(np.full((2, 1, 3), NAN), note="3d-nan")


def wrap_cases(c: Corpus, rng: np.random.Generator) -> None:
    """1-D rows around the 80-column limit, with suffixes that must move to a new line."""
    for n in (8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 24, 25, 36, 60):
        c.add(np.arange(n, dtype=float), note="wrap-arange")
        c.add(np.arange(n) * 1.5 + 0.25, requires_grad=True, note="wrap-leaf")
        c.add(
            np.arange(n) * 1.5 + 0.25, "float64", grad_fn="MulBackward0", note="wrap-dtype-gradfn"
        )
    for n in (6, 7, 8, 9, 10, 11, 12):
        values = rng.standard_normal(n) * 100
        c.add(values, grad_fn="LinalgVectorNormFnBackward", note="long-grad-fn")
        c.add(
            values,
            "float64",
            grad_fn="ThisIsAnExtremelyLongCustomNodeNameFnBackward",
            note="long-grad-fn-dtype",
        )
        c.add(values, "float64", requires_grad=True, precision=8, note="leaf-dtype-p8")
        c.add(rng.integers(-99, 99, n * 3), "int32", note="int32-wrap")
    # Suffix lengths that land exactly on the linewidth either way.
    for n in range(1, 13):
        c.add(
            np.arange(n, dtype=float) + 0.5, "float64", grad_fn="MulBackward0", note="suffix-fit"
        )
        c.add(
            np.arange(n, dtype=float) + 0.5,
            grad_fn="A" * (40 + 3 * n) + "Backward",
            note="suffix-len",
        )
    # After a break the running length restarts at the indent: does the next suffix still fit?
    for extra in range(30, 36):
        c.add(np.arange(14.0), "float64", grad_fn="B" * extra + "Backward", note="second-suffix")


def summarised_cases(c: Corpus, rng: np.random.Generator) -> None:
    """More than 1000 elements: edge items, '...' rows and blocks, widths from shown items."""
    c.add(np.arange(1001.0), note="sum-1d-1001")
    c.add(np.arange(1000.0), note="sum-1d-1000-not")
    c.add(np.arange(5000), "int64", note="sum-1d-int")
    c.add(rng.standard_normal(2000), requires_grad=True, note="sum-1d-leaf")
    c.add(np.arange(2000), "int64", shape=(20, 100), note="sum-2d-int")
    c.add(rng.standard_normal((40, 40)), grad_fn="MulBackward0", note="sum-2d")
    c.add(rng.standard_normal((2, 600)), "float64", note="sum-2d-wide")
    c.add(rng.standard_normal((600, 2)), precision=2, note="sum-2d-tall")
    c.add(rng.standard_normal((11, 10, 10)) * 1e6, note="sum-3d-sci")
    c.add(rng.standard_normal((7, 7, 7, 7)), default_float="float64", note="sum-4d-f32-in-f64")
    c.add(rng.standard_normal((2, 3, 20, 10)), precision=8, note="sum-4d-p8")
    c.add(rng.random((30, 40)) > 0.3, "bool", note="sum-bool")
    c.add(rng.integers(-(2**62), 2**62, 1500), "int64", note="sum-int-wide-wraps")
    c.add(rng.integers(-(2**31), 2**31 - 1, (3, 500)), "int32", note="sum-int32")
    # The hidden middle must not widen the columns or force scientific notation.
    middle = np.ones(2001)
    middle[1000] = 1e9
    middle[1001] = NAN
    c.add(middle, note="sum-hidden-outlier")
    c.add(np.exp(rng.uniform(-12, 12, 1200)), "float64", note="sum-sci-wide")
    c.add(rng.standard_normal((1001, 1)), note="sum-column")
    c.add(rng.standard_normal((3, 3, 200)), grad_fn="ViewBackward0", note="sum-3d-rows-only")
    for shape in [(1001,), (3, 400), (2, 3, 200)]:
        c.add(rng.integers(-50, 50, shape), "int64", full=True, note="full-int")
    c.add(np.round(rng.standard_normal(1100), 2), full=True, requires_grad=True, note="full-float")
    c.add(rng.standard_normal((3, 3, 120)) * 1e-6, full=True, precision=2, note="full-sci")


def _random_floats(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    kind = rng.integers(0, 7)
    if kind == 0:
        return rng.standard_normal(shape)
    if kind == 1:
        return rng.standard_normal(shape) * 10.0 ** rng.uniform(-7, 10)
    if kind == 2:
        return rng.integers(-1000, 1000, shape).astype(float)
    if kind == 3:
        sign = rng.choice([-1.0, 1.0], shape)
        return sign * 10.0 ** rng.uniform(-5, 5, shape)
    if kind == 4:
        decimals = rng.integers(0, 6)
        return np.round(rng.uniform(-50, 50, shape), decimals) + 0.5 * 10.0**-decimals
    values = np.array(rng.standard_normal(shape) * (100 if kind == 5 else 1e-3))
    specials = np.array([0.0, -0.0, NAN, INF, -INF])
    mask = rng.random(shape) < 0.3
    values[mask] = rng.choice(specials, int(mask.sum()))
    return values


def random_cases(c: Corpus, rng: np.random.Generator, count: int) -> None:
    """Seeded random tensors of rank 0 to 4 in every dtype, setting and autograd state."""
    for _ in range(count):
        ndim = int(rng.integers(0, 5))
        shape = tuple(int(n) for n in rng.integers(1, (8, 7, 5, 4)[max(ndim - 1, 0)], ndim))
        dtype = str(rng.choice(list(NP_DTYPES), p=[0.4, 0.3, 0.15, 0.05, 0.1]))
        default = str(rng.choice(FLOATS))
        precision = int(rng.choice([2, 4, 4, 8]))
        requires_grad, grad_fn = False, None
        if dtype in FLOATS:
            values = _random_floats(rng, shape)
            state = rng.integers(0, 3)
            requires_grad = bool(state == 1)
            grad_fn = str(rng.choice(list(EXACT_OPS))) if state == 2 else None
        elif dtype == "bool":
            values = rng.random(shape) > 0.5
        else:
            values = rng.integers(-(10 ** rng.integers(1, 9)), 10**5, shape)
        c.add(
            values,
            dtype,
            default_float=default,
            precision=precision,
            requires_grad=requires_grad,
            grad_fn=grad_fn,
            note="random",
        )


def size_cases() -> list[dict[str, Any]]:
    shapes = [(), (0,), (4,), (2, 3), (1, 0, 5), (2, 3, 4, 5)]
    return [{"shape": list(s), "repr": repr(torch.Size(s))} for s in shapes]


def item_cases() -> list[dict[str, Any]]:
    """``repr(t.item())``: Python's repr of the value widened from the tensor's dtype."""
    cases = []
    for dtype, values in [
        ("float32", [28.0, 0.1, -0.0908, 1e-8, NAN, -INF, 1228.8, 3e38]),
        ("float64", [28.0, 0.1, 1e-300, 1e16, 123456789.123]),
        ("int64", [0, -7, 2**62]),
        ("bool", [True, False]),
    ]:
        for v in values:
            t = torch.tensor(v, dtype=getattr(torch, dtype))
            arr = t.numpy().reshape(1)
            cases.append(
                {
                    "dtype": dtype,
                    "data": base64.b64encode(arr.tobytes()).decode("ascii"),
                    "repr": repr(t.item()),
                }
            )
    return cases


def main() -> None:
    rng = np.random.default_rng(2013)
    corpus = Corpus()
    seed_cases(corpus)
    scalar_cases(corpus)
    rule_cases(corpus)
    empty_cases(corpus)
    nested_cases(corpus, rng)
    wrap_cases(corpus, rng)
    summarised_cases(corpus, rng)
    random_cases(corpus, rng, 250)
    payload = {
        "generator": "tests/golden/make_repr_golden.py",
        "torch_version": torch.__version__,
        "tensors": corpus.cases,
        "sizes": size_cases(),
        "items": item_cases(),
    }
    OUT.write_text(json.dumps(payload, indent=1) + "\n")
    print(f"wrote {len(corpus.cases)} tensor cases to {OUT}")


if __name__ == "__main__":
    main()
