"""PyTorch 2.13's CPU generator: mt19937 seeded as torch.manual_seed, and each distribution
drawing its words as torch's CPU kernels do (bit for bit; see shared/TORCH_RNG.md).

The words come from numpy's MT19937 bit generator given the key that mt19937's reference
``init_genrand`` makes of the seed's low 32 bits. numpy.random is imported on first use only
(it costs a tenth of gradcli's start-up).
"""

from __future__ import annotations

import array
import math
import os
from typing import Any

import numpy as np

from .fma import fma32, fma64

TWO_PI = 6.283185307179586
_M32 = 0xFFFFFFFF

# The float32 normal kernel's constants (Cephes' logf and sincosf, as torch's AVX2 build).
_LOG_P = [np.float32(v) for v in (
    7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
    -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)]
_F = np.float32
#: Rows of 16 that the normal kernel transforms at a time.
_CHUNK_ROWS = 2048


def _key(seed: int) -> np.ndarray:
    """mt19937's state after ``init_genrand(seed mod 2**32)``."""
    mt = [seed & _M32]
    for i in range(1, 624):
        prev = mt[-1]
        mt.append((1812433253 * (prev ^ (prev >> 30)) + i) & _M32)
    return np.array(mt, dtype=np.uint32)


class Generator:
    """The default CPU generator: 32-bit words, 64-bit draws, and the cached second normal."""

    def __init__(self, seed: int | None = None) -> None:
        """As after ``torch.manual_seed(seed)``: the seed taken modulo 2**64, its low 32 bits
        seeding the twister, no cached normal. No seed: one from the system's entropy."""
        if seed is None:
            seed = int.from_bytes(os.urandom(8), "little")
        self._bits = np.random.MT19937(0)
        self._bits.state = {"bit_generator": "MT19937",
                            "state": {"key": _key(seed % 2**64), "pos": 624}}
        self.next_normal: float | None = None

    def words(self, n: int) -> np.ndarray:
        """The next ``n`` 32-bit words, as uint64."""
        return self._bits.random_raw(n) if n else np.zeros(0, dtype=np.uint64)

    def draws64(self, n: int) -> np.ndarray:
        """The next ``n`` 64-bit draws (two words each, the first one high), as uint64."""
        w = self.words(2 * n).reshape(n, 2)
        return (w[:, 0] << np.uint64(32)) | w[:, 1]


def uniforms(gen: Generator, n: int, dtype: np.dtype[Any]) -> np.ndarray:
    """``n`` values in [0, 1): float32 from a word's low 24 bits, float64 from a draw's 53."""
    if dtype == np.float32:
        return (gen.words(n) & np.uint64(0xFFFFFF)).astype(np.float32) * _F(2.0**-24)
    return (gen.draws64(n) & np.uint64(2**53 - 1)).astype(np.float64) * 2.0**-53


def uniform(gen: Generator, n: int, dtype: np.dtype[Any], low: float, high: float) -> np.ndarray:
    """``uniform_(low, high)``: fma(u, high - low, low) in the dtype; a value equal to high
    becomes low."""
    x = uniforms(gen, n, dtype)
    a, b = np.asarray(low, dtype=dtype), np.asarray(high, dtype=dtype)
    if a == 0 and b == 1:
        return x
    out = fma32(x, b - a, a) if dtype == np.float32 else fma64(x, b - a, a)
    out[out == b] = a
    return out


def _fk(a: Any, b: Any, c: Any) -> np.ndarray:
    """The kernel's fma: the exact product, the sum rounded to float64, then to float32.

    That is the true fma unless the float64 sum is an inexact float32 midpoint, which no
    input of the kernel gives: its halves are functions of a 24-bit uniform, and all 2**24
    inputs of each were checked against ``fma32`` (tests/test_rng.py)."""
    return np.add(np.multiply(a, b, dtype=np.float64), c).astype(np.float32)


def _log32(u: np.ndarray) -> np.ndarray:
    """Natural log of positive float32 values as torch's AVX2 kernel computes it."""
    bits = u.view(np.uint32)
    small = (bits & np.uint32(0x7FFFFF)) < np.uint32(0x3504F3)  # mantissa below 0.70710677
    e = ((bits >> np.uint32(23)).astype(np.int32) - (126 + small)).astype(np.float32)
    m = ((bits & np.uint32(0x807FFFFF)) | np.uint32(0x3F000000)).view(np.float32)
    x = (m - _F(1)) + m * small  # exact: (m - 1) + m for a small mantissa
    z = x * x
    y = _fk(_LOG_P[0], x, _LOG_P[1])
    for p in _LOG_P[2:]:
        y = _fk(y, x, p)
    y = _fk(y * x, z, e * _F(-2.1219444e-4))
    y = _fk(-z, _F(0.5), y)
    return _fk(e, _F(0.6933594), x + y)


def _sincos32(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """sin and cos of float32 values in [0, 2 pi) as torch's AVX2 kernel computes them."""
    j1 = (t * _F(1.2732395)).astype(np.int32) + 1
    j = j1 & ~1
    jf = j.astype(np.float32)
    # The three reduction steps are exact in float64 (j <= 8, t < 2 pi): one rounding.
    x = np.add(np.multiply(jf, -0.78515625, dtype=np.float64), t).astype(np.float32)
    x = np.add(np.multiply(jf, np.float64(_F(-2.4187565e-4))), x).astype(np.float32)
    x = np.add(np.multiply(jf, np.float64(_F(-3.774895e-8))), x).astype(np.float32)
    z = x * x
    c = _fk(_F(2.4433157e-5), z, _F(-1.3887316e-3))
    c = _fk(c, z, _F(0.041666646))
    c = _fk(z, z * c, -(z * _F(0.5))) + _F(1)
    s = _fk(_F(-1.9515296e-4), z, _F(8.332161e-3))
    s = _fk(s, z, _F(-0.16666655))
    s = _fk(x, z * s, x)
    # Swap where j1 & 2, negate s where j1 & 4, c where (j - 2) & 4 == 0: on the bits.
    sb, cb = s.view(np.uint32), c.view(np.uint32)
    d = (sb ^ cb) & (-((j1 >> 1) & 1)).view(np.uint32)
    sb ^= d
    cb ^= d
    sb ^= ((j1 & 4) << 29).view(np.uint32)
    cb ^= ((((j - 2) & 4) ^ 4) << 29).view(np.uint32)
    return s, c


def _box_muller(blocks: np.ndarray, dtype: np.dtype[Any], mean: Any, std: Any) -> np.ndarray:
    """The 16-wide kernel on rows of 16 uniforms: lanes 0..7 give fma(r cos t, std, mean),
    8..15 fma(r sin t, std, mean)."""
    u1 = (dtype.type(1) - blocks[:, :8]).ravel()
    u2 = np.ascontiguousarray(blocks[:, 8:]).ravel()
    if dtype == np.float32:
        r = np.sqrt(_log32(u1) * _F(-2))
        s, c = _sincos32(_F(6.2831855) * u2)
    else:
        r = np.sqrt(-2.0 * _libm(math.log, u1))
        t = TWO_PI * u2
        s, c = _libm(math.sin, t), _libm(math.cos, t)
    out = np.empty_like(blocks)
    out[:, :8] = (r * c).reshape(-1, 8)
    out[:, 8:] = (r * s).reshape(-1, 8)
    if std == 1 and mean == 0:
        out += dtype.type(0)  # fma(x, 1, 0): a -0 (from u1 = 1) becomes 0
        return out
    return fma32(out, std, mean) if dtype == np.float32 else fma64(out, std, mean)


def _box_muller_in_place(blocks: np.ndarray, dtype: np.dtype[Any], mean: Any, std: Any) -> None:
    """``_box_muller`` into ``blocks``, a slice at a time: arrays that stay in the cache run
    ~3x faster."""
    for i in range(0, len(blocks), _CHUNK_ROWS):
        blocks[i:i + _CHUNK_ROWS] = _box_muller(blocks[i:i + _CHUNK_ROWS], dtype, mean, std)


def _libm(fn: Any, x: np.ndarray) -> np.ndarray:
    """The C library's ``fn`` (Python's math) element-wise: numpy's own log, sin and cos
    differ from glibc's in the last bit on some inputs."""
    return np.fromiter(map(fn, x.ravel().tolist()), np.float64, x.size).reshape(x.shape)


def normal(gen: Generator, n: int, dtype: np.dtype[Any], mean: float, std: float,
           contiguous: bool = True) -> np.ndarray:
    """``normal_(mean, std)`` of ``n`` elements: the vector path for a contiguous output of 16
    or more, the serial path (one double at a time, with the cache) otherwise."""
    if n < 16 or not contiguous:
        return serial_normals(gen, n, mean, std).astype(dtype)
    m, s = (_F(mean), _F(std)) if dtype == np.float32 else (float(mean), float(std))
    out = uniforms(gen, n, dtype)
    full = n - n % 16
    _box_muller_in_place(out[:full].reshape(-1, 16), dtype, m, s)
    if full != n:
        out[n - 16:] = _box_muller(uniforms(gen, 16, dtype).reshape(1, 16), dtype, m, s).ravel()
    return out


def serial_normals(gen: Generator, n: int, mean: float, std: float) -> np.ndarray:
    """``n`` doubles drawn one by one: the cached value first if there is one, then pairs
    r cos t (used) and r sin t (cached) from two 53-bit uniforms each."""
    values = np.empty(n, dtype=np.float64)
    start = 0
    if n and gen.next_normal is not None:
        values[0], gen.next_normal, start = gen.next_normal, None, 1
    pairs = (n - start + 1) // 2
    if pairs:
        u = uniforms(gen, 2 * pairs, np.dtype(np.float64)).reshape(pairs, 2)
        r = np.sqrt(-2.0 * _libm(math.log1p, -u[:, 1]))
        t = TWO_PI * u[:, 0]
        cos, sin = r * _libm(math.cos, t), r * _libm(math.sin, t)
        pair_values = np.stack([cos, sin], axis=1).ravel()
        values[start:] = pair_values[:n - start]
        if (n - start) % 2:
            gen.next_normal = float(pair_values[-1])
    return fma64(values, float(std), float(mean)) if (std, mean) != (1, 0) else values + 0.0


def randint(gen: Generator, n: int, low: int, high: int) -> np.ndarray:
    """``n`` integers in [low, high) as int64: a word modulo the range when the range is below
    2**28, a 64-bit draw modulo it otherwise."""
    span = (high - low) % 2**64
    if span >= 2**28:
        v = gen.draws64(n) % np.uint64(span)
    else:
        v = gen.words(n) % np.uint64(span)
    return (v + np.uint64(low % 2**64)).view(np.int64)


def randperm(gen: Generator, n: int) -> np.ndarray:
    """A permutation of 0..n-1 as torch's CPU randperm shuffles it: below 214,748,364 elements
    swaps i and i + word % (n - i) for i = 0..n-2; from there, an inside-out shuffle with
    64-bit draws (z = draw % (i + 1); r[i] = r[z]; r[z] = i). The swaps run in Python, on an
    array.array (about twice as fast as a list or numpy there)."""
    if n < 214748364:
        r = array.array("q", range(n))
        if n > 1:
            z = gen.words(n - 1) % np.arange(n, 1, -1, dtype=np.uint64)
            for i, k in enumerate((z + np.arange(n - 1, dtype=np.uint64)).tolist()):
                r[i], r[k] = r[k], r[i]
        return np.frombuffer(r, dtype=np.int64) if n else np.zeros(0, dtype=np.int64)
    r = array.array("q", bytes(8 * n))
    step = 1 << 20
    for start in range(0, n, step):
        stop = min(n, start + step)
        zs = gen.draws64(stop - start) % np.arange(start + 1, stop + 1, dtype=np.uint64)
        for i, k in enumerate(zs.tolist(), start):
            r[i] = r[k]
            r[k] = i
    return np.frombuffer(r, dtype=np.int64)
