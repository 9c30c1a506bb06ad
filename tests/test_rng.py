"""Seeded random numbers are PyTorch's, bit for bit (golden/rng_golden.json, made with torch
2.13 by golden/make_rng_golden.py; torch is not needed here), and the exact fused
multiply-add behind them is exact."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gradcli.engine import Tensor, rng
from gradcli.engine import ops as E
from gradcli.engine.fma import fma32, fma64

GOLDEN = json.loads((Path(__file__).parent / "golden" / "rng_golden.json").read_text())
CASES = GOLDEN["cases"]


def _zeros(shape: Any, dt: np.dtype[Any]) -> Tensor:
    return Tensor(np.zeros(shape, dtype=dt))


def call(fn: str, args: list[Any], dtype: str) -> np.ndarray:
    """One call of make_rng_golden.py's, with gradcli; the result in memory order."""
    dt = np.dtype(dtype)
    if fn in ("rand", "randn"):
        return getattr(E, fn)(*args, dtype=dtype).data
    if fn == "normal":
        mean, std, shape = args
        return E.normal(mean, std, tuple(shape), dtype=dtype).data
    if fn == "normal_tensors":
        mean, std, n = args
        return E.normal(Tensor(np.full(n, mean, dtype=dt)), Tensor(np.full(n, std, dtype=dt))).data
    if fn == "randint":
        low, high, shape = args
        return E.randint(low, high, tuple(shape), dtype=dtype).data
    if fn == "randperm":
        return E.randperm(args[0], dtype=dtype).data
    if fn in ("rand_like", "randn_like"):
        return getattr(E, fn)(_zeros(args, dt)).data
    if fn == "randn_like_t":
        return E.randn_like(Tensor(np.zeros(args, dtype=dt).T)).data.T
    if fn in ("uniform_", "normal_", "bernoulli_"):
        shape, params = args
        return getattr(E, fn)(_zeros(shape, dt), *params).data
    if fn == "normal_t":
        shape, params = args
        return E.normal_(Tensor(np.zeros(shape, dtype=dt).T), *params).data.T
    if fn == "bernoulli":
        n = args[0]
        return E.bernoulli(Tensor(np.arange(n, dtype=dt) / dt.type(n))).data
    if fn == "bernoulli_tensor_":
        n = args[0]
        return E.bernoulli_(_zeros(n, dt), Tensor(np.arange(n, dtype=dt) / dt.type(n))).data
    if fn == "dropout":
        n, p = args
        return E.dropout(Tensor(np.arange(1, n + 1, dtype=dt)), p).data
    raise ValueError(fn)


def _check(result: np.ndarray, expected: dict[str, str], where: str) -> None:
    assert result.flags.c_contiguous, where
    raw = result.tobytes()
    if "hex" in expected:
        assert raw.hex() == expected["hex"], f"{where}: {result!r}"
    else:
        head = raw[:16 * result.itemsize]
        assert head.hex() == expected["head"], f"{where}: first values {result[:16]!r}"
        assert hashlib.sha256(raw).hexdigest() == expected["sha256"], where


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_random_numbers_are_torchs(case: dict[str, Any]) -> None:
    E.manual_seed(case["seed"])
    for i, ((fn, args, dtype), expected) in enumerate(zip(case["calls"], case["results"])):
        _check(np.ascontiguousarray(call(fn, args, dtype)), expected, f"call {i}: {fn}{args} {dtype}")


def test_the_golden_file_covers_the_promised_sizes_and_seeds() -> None:
    seeds = {c["seed"] for c in CASES}
    assert {0, 1, 42, 2**32 + 5, -1} <= seeds
    sizes = {a[0] for c in CASES for fn, a, _ in c["calls"] if fn == "randn"}
    assert {1, 2, 15, 16, 17, 31, 100, 1000, 1000000} <= sizes
    called = {fn for c in CASES for fn, _, _ in c["calls"]}
    assert {"rand", "randn", "normal", "randint", "randperm", "rand_like", "randn_like",
            "uniform_", "normal_", "bernoulli", "bernoulli_", "dropout"} <= called


def test_seeds_are_taken_modulo_2_64_and_seed_with_their_low_32_bits() -> None:
    E.manual_seed(5)
    a = E.randn(20).data
    E.manual_seed(5 + 2**32)
    assert np.array_equal(E.randn(20).data, a)
    E.manual_seed(-1)
    b = E.rand(3).data
    E.manual_seed(2**64 - 1)
    assert np.array_equal(E.rand(3).data, b)


def test_manual_seed_clears_the_cached_normal() -> None:
    E.manual_seed(3)
    first = E.randn(1).data
    E.randn(1)  # leaves nothing cached; a third would use the cache of a new pair
    E.randn(1)
    E.manual_seed(3)
    assert np.array_equal(E.randn(1).data, first)


@pytest.mark.slow
def test_unseeded_numbers_differ_from_run_to_run() -> None:
    code = "from gradcli.engine import ops; print(ops.rand(4).data.tolist())"
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout for _ in range(2)}
    assert len(runs) == 2


def test_in_place_fills_write_strided_tensors_in_memory_order() -> None:
    """A column (a strided 1-D view) is filled in order by the serial path; its neighbours
    keep their values."""
    base = Tensor(np.full((4, 3), 7.0, dtype=np.float32))
    column = Tensor(base.data[:, 1])
    E.manual_seed(0)
    E.normal_(column)
    E.manual_seed(0)
    assert np.array_equal(base.data[:, 1], E.randn(4).data)
    assert (base.data[:, [0, 2]] == 7).all()


def _exact_round(x: Fraction, dt: Any) -> Any:
    """``x`` correctly rounded to ``dt`` (ties to even), by exact comparison."""
    f = dt(float(x))
    best = None
    for c in (f, np.nextafter(f, dt(np.inf)), np.nextafter(f, dt(-np.inf))):
        key = (abs(Fraction(float(c)) - x), int(np.array(c).view(f"u{np.dtype(dt).itemsize}")) & 1)
        if best is None or key < best[0]:
            best = (key, c)
    assert best is not None
    return best[1]


def test_fma_is_exactly_rounded() -> None:
    g = np.random.default_rng(7)
    a, b = g.standard_normal(2000), g.standard_normal(2000)
    c = g.standard_normal(2000) * g.choice([1e-20, 1e-3, 1, 1e3, 1e20], 2000)
    # Crafted double-rounding cases: the true result lies just off a midpoint of the format,
    # so rounding the float64 sum to float32 (or a naive a*b + c) goes the wrong way.
    a32 = np.concatenate([a, [1 + 2**-20, 1 + 2**-20]]).astype(np.float32)
    b32 = np.concatenate([b, [2**-14 * (1 - 2**-20), 2**-14 * (1 + 2**-20)]]).astype(np.float32)
    c32 = np.concatenate([c, [1024 + 2**-13, 1024 + 2**-13]]).astype(np.float32)
    got = fma32(a32, b32, c32)
    for x, y, z, r in zip(a32, b32, c32, got):
        assert r == _exact_round(Fraction(float(x)) * Fraction(float(y)) + Fraction(float(z)),
                                 np.float32), (x, y, z)
    assert got[-2] == np.float32(1024 + 2**-13) and got[-1] == np.float32(1024 + 2**-12)
    a64 = np.concatenate([a, [1 + 2**-30]])
    b64 = np.concatenate([b, [2**-43 * (1 - 2**-30)]])
    c64 = np.concatenate([c, [1024 + 2**-42]])
    got = fma64(a64, b64, c64)
    for x, y, z, r in zip(a64, b64, c64, got):
        assert r == _exact_round(Fraction(x) * Fraction(y) + Fraction(z), np.float64), (x, y, z)
    assert got[-1] == 1024 + 2**-42 != a64[-1] * b64[-1] + c64[-1]


@pytest.mark.slow
def test_the_float32_normal_kernel_needs_no_midpoint_check_for_any_input() -> None:
    """The kernel's fma rounds the float64 sum to float32 without fma32's check for a float64
    sum that is an inexact float32 midpoint: for all 2**24 inputs of both halves of the
    kernel (the log of u1 and the sine and cosine of 2 pi u2), it gives fma32's values."""
    plain_fk = rng._fk
    for start in range(0, 2**24, 2**22):  # a quarter at a time, to bound the memory
        u = np.arange(start, start + 2**22, dtype=np.float32) * np.float32(2**-24)
        results = []
        for fk in (plain_fk, lambda a, b, c: fma32(a, b, c, subnormal=False)):
            rng._fk = fk
            try:
                results.append([rng._log32(np.float32(1) - u),
                                *rng._sincos32(np.float32(6.2831855) * u)])
            finally:
                rng._fk = plain_fk
        for p, e in zip(*results):
            assert p.tobytes() == e.tobytes()


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("GRADCLI_HUGE_TESTS") != "1",
                    reason="minutes and ~3 GB: set GRADCLI_HUGE_TESTS=1")
def test_randperm_from_214748364_elements_is_torchs_inside_out_shuffle() -> None:
    """randperm switches to 64-bit draws and an inside-out shuffle at 2**32 // 20 elements;
    torch 2.13's numbers after manual_seed(9) (its sha256, first 16 values, and the next
    words: n draws consumed)."""
    E.manual_seed(9)
    r = E.randperm(214748364).data
    assert r[:16].tolist() == [
        42849823, 142754008, 144913577, 165648139, 56355668, 94806019, 176988454, 202670220,
        34069225, 71578541, 148658541, 189064728, 108665884, 35579272, 127797033, 165614335]
    assert hashlib.sha256(r.tobytes()).hexdigest() == \
        "98d500e1e32b07a48b0bdd19834ca32de0b8ba5e2630c6930e7d31dd8eb638e7"
    assert E.randint(0, 2**20, (4,)).data.tolist() == [808516, 687742, 894540, 812074]
