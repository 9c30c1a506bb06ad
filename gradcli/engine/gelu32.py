"""float32 GELU and its derivative as PyTorch computes them on a CPU: oneDNN's kernels.

For a contiguous float32 tensor of two elements or more, torch's ``gelu`` (approximate='none')
and its backward run oneDNN's ``eltwise_gelu_erf``. On AVX-512 machines the forward evaluates
erf(x / sqrt(2)) as one of 25 polynomials of degree 5 in |x|, chosen by the exponent and two
leading mantissa bits of |x| (from about 5.54 on, the constant 1); the backward uses Abramowitz
and Stegun's erf (7.1.26) and oneDNN's own exp (a degree-5 polynomial scaled by a power of 2).
Both with fused multiply-adds. These are those computations step for step (``fma32`` is
exact), so the values are torch's bit for bit. Other tensors take ATen's kernels, elsewhere.
"""

from __future__ import annotations

import numpy as np

from .fma import fma32

# oneDNN's coefficients (src/cpu/x64/injectors/jit_uni_eltwise_injector.cpp, gelu_erf_minimax),
# as float32 bit patterns: one row per degree 0..5, one column per polynomial 0..24.
_COEFFICIENTS = """
a6f2cb94 32827792 3381cc0c 34523d4a 351ac44d 35f36d88 36ee8229 37b8a3bb 3867a213 3940033b
3a2a5a1d 3ae35863 3b7828f2 3c08b14b 3c515ed3 bb503236 bd8d8e5e be8abcd9 bf0c19a2 beccb328
3e176ced 3f470d99 3f7abb28 3f800000 00000000
3f4c422a 3f4c421f 3f4c4207 3f4c41cb 3f4c413b 3f4c3fad 3f4c3a2f 3f4c2d40 3f4c146a 3f4bc341
3f4ad08c 3f48f8cf 3f45fac7 3f404e07 3f3b980f 3f48dff3 3f78b21b 3fbb0704 40019c32 3fe536d6
3f81331e 3e6c8684 3c98f936 00000000 3f800000
b62173f4 3735e4cf 37f2ff89 388c23be 3917535c 39ab2ab0 3a60fadb 3af9b960 3b6e5491 3c0a4ec5
3ca5aa8c 3d2138d9 3d8737d4 3ddfb660 3e0f27ab 3d94004b be0efdeb bf1d96c3 bf89db58 bf6d9897
bef69fb8 bdc4f8a8 bbde6422 00000000 00000000
be081a19 be084570 be08639b be089837 be08f409 be09ab95 be0b66d0 be0e400a be124df8 be1bde02
be2f19c9 be4931bf be685fbc be89c95f be96cbca be8044aa be0550f2 3dcfd6a1 3e94c826 3e79345f
3decec91 3ca46568 3aa1e00a 00000000 00000000
ba3d61db 39f097a3 3a5845dc 3ab1fa35 3b0cefb8 3b653ab6 3bcae527 3c221712 3c6c5840 3cc0a703
3d1dcc19 3d63656d 3d955907 3dbf9910 3dd53f69 3db7dcef 3d639ebe ba6ede48 bd22be69 bd041cf1
bc64f5ab bb097a32 b8ebf380 00000000 00000000
3cb7d80c 3c9b6050 3c978d11 3c92e850 3c8d058b 3c848454 3c6cd623 3c4c824b 3c2a7935 3be0b390
3b0651ac bb232f53 bbd42fa0 bc2c5366 bc492c9e bc2a7aa6 bbd55d04 ba823a76 3b102aa8 3ae25a7e
3a31f792 38b84375 3689bb5a 00000000 00000000
"""
_TABLE = np.array([int(h, 16) for h in _COEFFICIENTS.split()],
                  dtype=np.uint32).view(np.float32).reshape(6, 25)
#: Added to the bits of |x| before the shift by 21 that makes the polynomial's index.
_INDEX_BIAS = np.int32(np.uint32(0xC21FFFFF).view(np.int32))
#: Above it, erf is 1 (polynomial 23).
_ONE_FROM = np.uint32(0x40B15CEE).view(np.float32)


def _f32(bits: int) -> np.float32:
    return np.uint32(bits).view(np.float32)  # type: ignore[no-any-return]


_ONE, _HALF = np.float32(1), np.float32(0.5)
# oneDNN's exp: the bounds of its argument, log2(e), ln(2) and its polynomial's coefficients.
_EXP_LOW, _EXP_HIGH = _f32(0xC2AEAC50), _f32(0x42B17218)
_LOG2E, _LN2 = _f32(0x3FB8AA3B), _f32(0x3F317218)
_EXP_POLY = tuple(_f32(b) for b in (0x3F7FFFFB, 0x3EFFFEE3, 0x3E2AAD40, 0x3D2B9D0D, 0x3C07CFCE))
# Abramowitz and Stegun 7.1.26 (p and a1..a5), 1/sqrt(2) and 1/sqrt(pi), as oneDNN rounds them.
_AS_P = _f32(0x3EA7BA05)
_AS_POLY = tuple(_f32(b) for b in (0x3E827906, 0xBE91A98E, 0x3FB5F0E3, 0xBFBA00E3, 0x3F87DC22))
_INV_SQRT2, _INV_SQRTPI = _f32(0x3F3504F3), _f32(0x3F106EBA)


def takes_onednn(x: np.ndarray) -> bool:
    """Whether torch hands this array to oneDNN (float32, contiguous, two elements or more)."""
    return x.dtype == np.float32 and x.size > 1 and x.flags.c_contiguous


def gelu(x: np.ndarray) -> np.ndarray:
    """0.5 * x * (1 + erf(x / sqrt(2))) of a float32 array, as oneDNN computes it."""
    x = np.asarray(x, dtype=np.float32)
    bits = x.view(np.int32)
    ax = (bits & np.int32(0x7FFFFFFF)).view(np.float32)
    with np.errstate(over="ignore"):  # the index sum wraps for nan, as the int32 add does
        index = (ax.view(np.int32) + _INDEX_BIAS) >> 21
    index = np.clip(index, 1, 24)
    index[_ONE_FROM < ax] = 23
    erf = _TABLE[5][index]
    for degree in (4, 3, 2, 1, 0):
        erf = fma32(erf, ax, _TABLE[degree][index])
    erf = (erf.view(np.int32) ^ (bits & np.int32(-0x80000000))).view(np.float32)
    return x * (erf + np.float32(1)) * np.float32(0.5)


def gelu_slope(x: np.ndarray) -> np.ndarray:
    """The derivative of GELU at each element of a float32 array, as oneDNN computes it:
    0.5 * (1 + erf(r)) + r * exp(-r * r) / sqrt(pi), r = x / sqrt(2)."""
    x = np.asarray(x, dtype=np.float32)
    with np.errstate(over="ignore", invalid="ignore"):  # inf gives nan, as in torch
        r = x * _INV_SQRT2
        q = _exp(-(r * r))
        t = r * _INV_SQRTPI * q
        w = _ONE / fma32(_AS_P, np.abs(r), _ONE)
        poly = fma32(_AS_POLY[4], w, _AS_POLY[3])
        for c in _AS_POLY[2::-1]:
            poly = fma32(poly, w, c)
        erf = np.copysign(fma32(-q * w, poly, _ONE), r)
        return fma32(erf, _HALF, t + _HALF)


def _exp(v: np.ndarray) -> np.ndarray:
    """oneDNN's exp of float32 numbers: 2 * 2^(n-1) * P(v - n ln 2), n = floor(v log2 e + 1/2);
    0 below log of the smallest normal float."""
    below = v < _EXP_LOW
    v = np.maximum(np.minimum(v, _EXP_HIGH), _EXP_LOW)
    n = np.floor(v * _LOG2E + _HALF)
    r = fma32(-n, _LN2, v)
    scale = np.where(below, 0, ((n - _ONE).astype(np.int32) + 127) << 23).astype(np.int32)
    poly = fma32(_EXP_POLY[4], r, _EXP_POLY[3])
    for c in (*_EXP_POLY[2::-1], _ONE):
        poly = fma32(poly, r, c)
    return poly * scale.view(np.float32) * np.float32(2)
