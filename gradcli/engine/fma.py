"""Fused multiply-add (a*b + c with one rounding) on numpy arrays, exact, for float32 and float64.

numpy has no fma. float32: the product of two float32 numbers is exact in float64; the sum is
rounded to float64 and then to float32, which is the correctly rounded result except when the
float64 sum lies exactly half-way between two float32 numbers while the true sum does not;
those rare elements are redone with the float64 sum rounded to odd. float64: Boldo and
Melquiond's emulation (an error-free product, an error-free sum and one addition rounded to
odd), exact barring overflow and underflow of the intermediate terms.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_SPLIT = 134217729.0  # 2**27 + 1: Veltkamp's splitter for float64


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _to_odd(s: np.ndarray, err: np.ndarray) -> np.ndarray:
    """``s`` (a float64 sum rounded to nearest, ``err`` its exact error) rounded to odd instead:
    an inexact sum whose last bit is even moves one step towards the true value."""
    s, err = np.atleast_1d(s), np.atleast_1d(err)
    fix = (err != 0) & np.isfinite(err) & ((s.view(np.uint64) & np.uint64(1)) == 0)
    if fix.any():
        s = s.copy()
        s[fix] = np.nextafter(s[fix], np.where(err[fix] > 0, np.inf, -np.inf))
    return s


def fma32(a: Any, b: Any, c: Any, subnormal: bool = True) -> np.ndarray:
    """float32 fma(a, b, c) of float32 arrays (or float32 scalars), as a float32 array.

    ``subnormal=False`` skips the check of sums in float32's subnormal range, for callers whose
    results are never there (or exactly zero)."""
    p = np.multiply(a, b, dtype=np.float64)
    s = np.atleast_1d(np.add(p, c, dtype=np.float64))
    out = s.astype(np.float32)
    # A float32 midpoint in float32's normal range: a float64 whose 29 low bits are 0x10000000.
    maybe = (s.view(np.uint64) & np.uint64(0x1FFFFFFF)) == np.uint64(0x10000000)
    if subnormal:
        maybe |= np.abs(s) < 2.0**-125
    if maybe.any():
        pp = np.broadcast_to(p, s.shape)[maybe]
        cc = np.broadcast_to(np.asarray(c, dtype=np.float64), s.shape)[maybe]
        ss, err = _two_sum(pp, cc)
        out[maybe] = _to_odd(ss, err).astype(np.float32)
    return out.reshape(np.broadcast_shapes(np.shape(a), np.shape(b), np.shape(c)))


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = a * _SPLIT
    hi = t - (t - a)
    return hi, a - hi


def _two_product(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def fma64(a: Any, b: Any, c: Any) -> np.ndarray:
    """float64 fma(a, b, c) of float64 arrays (or numbers), as an array."""
    shape = np.broadcast_shapes(np.shape(a), np.shape(b), np.shape(c))
    a = np.atleast_1d(np.asarray(a, dtype=np.float64))
    b = np.atleast_1d(np.asarray(b, dtype=np.float64))
    c = np.atleast_1d(np.asarray(c, dtype=np.float64))
    with np.errstate(invalid="ignore", over="ignore"):
        uh, ul = _two_product(a, b)
        th, tl = _two_sum(c, uh)
        v, verr = _two_sum(tl, ul)
        out = th + _to_odd(v, verr)
        plain = a * b + c
    # Non-finite terms (and a product that overflows in the splitting) follow plain arithmetic.
    bad = ~np.isfinite(out) | ~np.isfinite(uh)
    if bad.any():
        out = np.where(bad, plain, out)
    return out.reshape(shape)
