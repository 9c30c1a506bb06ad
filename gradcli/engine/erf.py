"""erf and erfc of float64 arrays, vectorised in numpy: fdlibm's rational approximations.

numpy has no erf. This is the algorithm of Sun's fdlibm ``s_erf.c`` (the one C libraries and
Python's ``math.erf`` descend from), branch for branch, on whole arrays: the same intervals,
chosen by the high word of each number as fdlibm chooses them, the same coefficients and the
same order of operations, with numpy's ``exp``. erf is within one ulp of the exact value
(float32 results, rounded from it, are correctly rounded), erfc within three in its far tail.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

_ERX = 8.45062911510467529297e-01
_EFX = 1.28379167095512586316e-01
_EFX8 = 1.02703333676410069053e+00
# erf on [0, 0.84375]: x + x * PP(x^2) / QQ(x^2)
_PP = (1.28379167095512558561e-01, -3.25042107247001499370e-01, -2.84817495755985104766e-02,
       -5.77027029648944159157e-03, -2.37630166566501626084e-05)
_QQ = (1.0, 3.97917223959155352819e-01, 6.50222499887672944485e-02, 5.08130628187576562776e-03,
       1.32494738004321644526e-04, -3.96022827877536812320e-06)
# erf on [0.84375, 1.25]: erx + PA(s) / QA(s), s = |x| - 1
_PA = (-2.36211856075265944077e-03, 4.14856118683748331666e-01, -3.72207876035701323847e-01,
       3.18346619901161753674e-01, -1.10894694282396677476e-01, 3.54783043256182359371e-02,
       -2.16637559486879084300e-03)
_QA = (1.0, 1.06420880400844228286e-01, 5.40397917702171048937e-01, 7.18286544141962662868e-02,
       1.26171219808761642112e-01, 1.36370839120290507362e-02, 1.19844998467991074170e-02)
# erfc on [1.25, 1/0.35] and [1/0.35, 28]: exp(-x^2 - 0.5625 + R(1/x^2) / S(1/x^2)) / x
_RA = (-9.86494403484714822705e-03, -6.93858572707181764372e-01, -1.05586262253232909814e+01,
       -6.23753324503260060396e+01, -1.62396669462573470355e+02, -1.84605092906711035994e+02,
       -8.12874355063065934246e+01, -9.81432934416914548592e+00)
_SA = (1.0, 1.96512716674392571292e+01, 1.37657754143519042600e+02, 4.34565877475229228821e+02,
       6.45387271733267880336e+02, 4.29008140027567833386e+02, 1.08635005541779435134e+02,
       6.57024977031928170135e+00, -6.04244152148580987438e-02)
_RB = (-9.86494292470009928597e-03, -7.99283237680523006574e-01, -1.77579549177547519889e+01,
       -1.60636384855821916062e+02, -6.37566443368389627722e+02, -1.02509513161107724954e+03,
       -4.83519191608651397019e+02)
_SB = (1.0, 3.03380607434824582924e+01, 3.25792512996573918826e+02, 1.53672958608443695994e+03,
       3.19985821950859553908e+03, 2.55305040643316442583e+03, 4.74528541206955367215e+02,
       -2.24409524465858183362e+01)

# Interval bounds. fdlibm compares the high 32 bits of |x| with these numbers' high words;
# their low words are zero, so comparing |x| with them is the same test.
_TINY_ERF = 2.0 ** -28
_TINY_ERFC = 2.0 ** -56
_SUBNORMAL = 2.0 ** -1015  # below it 8 * x keeps the bits x * efx would lose
_SMALL = 0.84375
_NEAR_ONE = 1.25
_ERF_MID = float.fromhex("0x1.6db6e00000000p+1")   # about 1/0.35, for erf
_ERFC_MID = float.fromhex("0x1.6db6d00000000p+1")  # the same for erfc (fdlibm's differ by one)
_SIX = 6.0
_ERFC_BIG = 28.0


def _poly(coefficients: Sequence[float], z: np.ndarray) -> np.ndarray:
    """c0 + z * (c1 + z * (c2 + ...)): Horner's rule, as fdlibm writes it."""
    out = z * coefficients[-1]
    out += coefficients[-2]
    for c in coefficients[-3::-1]:
        out *= z
        out += c
    return out


def _tail(ax: np.ndarray, wide: bool) -> np.ndarray:
    """erfc(ax) * ax for 1.25 <= ax < 28 (``wide``: from about 1/0.35): fdlibm's
    exp(-z*z - 0.5625) * exp((z - ax) * (z + ax) + R/S), z being ax with its low 32 bits
    cleared (so that z*z is exact)."""
    s = 1.0 / (ax * ax)
    r, q = (_poly(_RB, s), _poly(_SB, s)) if wide else (_poly(_RA, s), _poly(_SA, s))
    z = (ax.view(np.uint64) & np.uint64(0xFFFFFFFF00000000)).view(np.float64)
    return np.exp(-z * z - 0.5625) * np.exp((z - ax) * (z + ax) + r / q)


def _small_ratio(x: np.ndarray) -> np.ndarray:
    z = x * x
    return _poly(_PP, z) / _poly(_QQ, z)


def _near_one(ax: np.ndarray) -> np.ndarray:
    s = ax - 1.0
    return _poly(_PA, s) / _poly(_QA, s)


#: Elements computed at a time: the temporaries of a chunk stay in the processor's cache, which
#: makes the dozens of passes of the polynomials several times faster than on whole arrays.
CHUNK = 32768


def _chunked(kernel: Callable[[np.ndarray, list[slice]], np.ndarray], bounds: Sequence[float],
             x: np.ndarray) -> np.ndarray:
    """``kernel`` on x, a chunk at a time, each chunk grouped by interval (``_by_interval``)."""
    x = np.asarray(x, dtype=np.float64)
    flat = x.reshape(-1)  # (ascontiguousarray would make a 0-d array 1-d)
    out = np.empty_like(flat)
    with np.errstate(all="ignore"):
        for start in range(0, flat.size, CHUNK):
            order, grouped, parts = _by_interval(flat[start:start + CHUNK], bounds)
            out[start:start + CHUNK][order] = kernel(grouped, parts)
    return out.reshape(x.shape)


def _by_interval(x: np.ndarray, bounds: Sequence[float]) -> tuple[np.ndarray, np.ndarray,
                                                                   list[slice]]:
    """x's elements grouped by the interval of |x| among ``bounds`` (nan in the last): the
    order that groups them, x in that order, and each interval's slice of it. One sort and
    one gather cost far less than a boolean gather and scatter per interval."""
    ax = np.abs(x)
    where = np.zeros(x.shape, np.int8)
    ends = [x.size]
    for bound in reversed(bounds):
        above = ~(ax < bound)  # nan is above every bound
        where += above.view(np.int8)
        ends.append(x.size - int(np.count_nonzero(above)))
    ends.reverse()
    order = np.argsort(where, kind="stable")
    starts = [0, *ends[:-1]]
    return order, x[order], [slice(a, b) for a, b in zip(starts, ends)]


_ERF_BOUNDS = (_SMALL, _NEAR_ONE, _ERF_MID, _SIX)
_ERFC_BOUNDS = (_SMALL, _NEAR_ONE, _ERFC_MID, _ERFC_BIG)


def erf(x: np.ndarray) -> np.ndarray:
    """erf of a float64 array (any shape), as fdlibm computes it."""
    return _chunked(_erf_kernel, _ERF_BOUNDS, x)


def erfc(x: np.ndarray) -> np.ndarray:
    """erfc of a float64 array (any shape), as fdlibm computes it."""
    return _chunked(_erfc_kernel, _ERFC_BOUNDS, x)


def _erf_kernel(xs: np.ndarray, parts: list[slice]) -> np.ndarray:
    small, near, mid, wide, big = parts
    done = np.empty_like(xs)
    v = xs[small]
    r = _small_ratio(v)
    r *= v
    r += v
    tiny = np.abs(v) < _TINY_ERF
    if tiny.any():
        t = v[tiny]
        r[tiny] = np.where(np.abs(t) < _SUBNORMAL, 0.125 * (8.0 * t + _EFX8 * t), t + _EFX * t)
    done[small] = r
    v = xs[near]
    done[near] = np.copysign(_ERX + _near_one(np.abs(v)), v)
    for part, is_wide in ((mid, False), (wide, True)):
        v = xs[part]
        a = np.abs(v)
        done[part] = np.copysign(1.0 - _tail(a, is_wide) / a, v)
    v = xs[big]  # +-1; nan stays nan
    done[big] = np.where(np.isnan(v), v, np.copysign(1.0, v))
    return done


def _erfc_kernel(xs: np.ndarray, parts: list[slice]) -> np.ndarray:
    small, near, mid, wide, big = parts
    done = np.empty_like(xs)
    v = xs[small]
    xy = _small_ratio(v)
    xy *= v
    done[small] = np.where(v < 0.25, 1.0 - (v + xy), 0.5 - (xy + (v - 0.5)))
    tiny = np.abs(v) < _TINY_ERFC
    if tiny.any():
        done[small][tiny] = 1.0 - v[tiny]
    v = xs[near]
    pq = _near_one(np.abs(v))
    done[near] = np.where(v >= 0, (1.0 - _ERX) - pq, 1.0 + (_ERX + pq))
    for part, is_wide in ((mid, False), (wide, True)):
        v = xs[part]
        a = np.abs(v)
        r = _tail(a, is_wide)
        r /= a
        done[part] = np.where(v > 0, r, np.where(a >= _SIX, 2.0, 2.0 - r))
    v = xs[big]  # 0 for large x, 2 for large -x; nan stays nan
    done[big] = np.where(np.isnan(v), v, np.where(v > 0, 0.0, 2.0))
    return done
