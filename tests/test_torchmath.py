"""float32 exp, log, expm1, log1p, sigmoid, pow, the softmax family and the tanh/sigmoid backward
formulas give PyTorch's bits (golden/torchmath_golden.json, made with torch 2.13 by
golden/make_torchmath_golden.py; torch is not needed here)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gradcli.engine import Tensor, torchmath
from gradcli.engine.ops.elementwise import sigmoid_backward, tanh_backward

GOLDEN = json.loads((Path(__file__).parent / "golden" / "torchmath_golden.json").read_text())


def bits(name: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(name), dtype=np.float32).copy()


X = bits(GOLDEN["x"])
GRAD = bits(GOLDEN["grad"])
TANH = bits(GOLDEN["tanh"])
SIGMOID = bits(GOLDEN["sigmoid"])


def differ(ours: Any, ref: np.ndarray) -> np.ndarray:
    """Where the float32 bits differ (any NaN equals any NaN: PyTorch prints them alike)."""
    ours = np.asarray(ours, dtype=np.float32)
    return (ours.view(np.uint32) != ref.view(np.uint32)) & ~(np.isnan(ours) & np.isnan(ref))


EXACT = {
    "sleef_exp": lambda: torchmath.exp32(X),
    "sleef_log": lambda: torchmath.log32(X),
    "sleef_tanh": lambda: torchmath.tanh_sleef32(X),
    "expm1": lambda: torchmath.expm1(X),
    "log1p": lambda: torchmath.log1p(X),
    "sigmoid": lambda: torchmath.sigmoid(X),
    "pow3": lambda: torchmath.power(X, 3),
    "pow-2": lambda: torchmath.power(X, -2),
    "pow-0.5": lambda: torchmath.power(X, -0.5),
    "gelu": lambda: torchmath.gelu(X, None),
    "gelu_tanh": lambda: torchmath.gelu_tanh(X),
    "silu": lambda: torchmath.silu(X),
    "elu0.3": lambda: torchmath.elu(X, 0.3),
    "softplus2,5": lambda: torchmath.softplus(X, 2.0, 5.0),
    "pow4": lambda: torchmath.power(X, 4),
    "pow1.5": lambda: torchmath.power(X, 1.5),
    "pow-3": lambda: torchmath.power(X, -3),
    "tanh_backward": lambda: tanh_backward(Tensor(GRAD), Tensor(TANH)).data,
    "sigmoid_backward": lambda: sigmoid_backward(Tensor(GRAD), Tensor(SIGMOID)).data,
    "softplus_backward2,5": lambda: torchmath.softplus_backward(GRAD, X, 2.0, 5.0),
    "elu_backward0.3": lambda: torchmath.elu_backward(GRAD, X, 0.3),
    "silu_backward": lambda: torchmath.silu_backward(GRAD, X),
}


@pytest.mark.parametrize("name", sorted(EXACT))
def test_bit_for_bit_as_pytorch(name: str) -> None:
    ref = bits(GOLDEN["cases"]["exact"][name])
    bad = differ(EXACT[name](), ref)
    assert not bad.any(), f"{bad.sum()} differ, first at x={X[bad][:5]}"


#: Largest share of elements (%) whose last bit may differ from MKL's, which PyTorch calls for
#: float32 exp, log and tanh: gradcli rounds the float64 value (numpy's own float32 functions
#: differ at 5 to 30 times these rates).
NEAR = {"exp": 1.5, "log": 0.3, "tanh": 1.5}


@pytest.mark.parametrize("name", sorted(NEAR))
def test_mkl_functions_nearly_always_agree_and_within_one_ulp(name: str) -> None:
    ref = bits(GOLDEN["cases"]["near"][name])
    ours = getattr(torchmath, name)(X)
    bad = differ(ours, ref)
    assert bad.mean() * 100 <= NEAR[name]
    ulps = np.abs(ours[bad].view(np.int32).astype(np.int64) - ref[bad].view(np.int32))
    assert (ulps <= 1).all()


def test_sigmoid_tail_and_strided_inputs_take_the_scalar_formula() -> None:
    """PyTorch's vectorised loop takes whole steps of 32 elements (SLEEF's exp); the rest of a
    contiguous input, and a strided row, go through 1 / (1 + exp(-x)) with the C library's exp
    (here correctly rounded): the same inputs give different bits at the two places."""
    x = X[:64].copy()
    x[32:] = x[:32]
    pos = np.concatenate([x, x[:5]])  # 64 vectorised elements, then a tail of 5
    out = torchmath.sigmoid(pos)
    ref = bits(GOLDEN["cases"]["exact"]["sigmoid"])[:32]
    assert not differ(out[:32], ref).any()
    scalar = np.float32(1) / (np.float32(1) + np.exp(-x[:5].astype(np.float64)).astype(np.float32))
    assert not differ(out[64:], scalar).any()
    strided = torchmath.sigmoid(np.repeat(x, 2)[::2])
    assert not differ(strided, np.float32(1) / (np.float32(1) + np.exp(
        -x.astype(np.float64)).astype(np.float32))).any()


def test_other_dtypes_and_scalars_fall_through() -> None:
    x64 = X.astype(np.float64)
    with np.errstate(all="ignore"):
        assert np.array_equal(torchmath.exp(x64), np.exp(x64), equal_nan=True)
        assert np.array_equal(torchmath.log1p(x64), np.log1p(x64), equal_nan=True)
    s = torchmath.expm1(np.float32(0.5))
    assert isinstance(s, np.float32) and s == torchmath.expm132(np.float32(0.5))


def test_gelu_of_a_strided_input_takes_atens_kernel_not_onednns() -> None:
    """PyTorch hands a contiguous float32 gelu to oneDNN (piecewise polynomials); a strided
    one takes ATen's kernel: the two differ in last bits."""
    from gradcli.engine.ops.mathfns import erf_values

    x = np.repeat(X, 2)
    contiguous = torchmath.gelu(x[::2].copy(), erf_values)
    strided = torchmath.gelu(x[::2], erf_values)
    assert not differ(contiguous, bits(GOLDEN["cases"]["exact"]["gelu"])).any()
    # All of a strided input takes the scalar formula with the C library's erff, which
    # gradcli's float64 erf stands in for: a few elements (0.25 %) differ.
    assert differ(strided, bits(GOLDEN["cases"]["exact"]["gelu_strided"])).mean() < 0.005
    assert differ(strided, contiguous).mean() > 0.1


def test_the_engine_ops_use_them() -> None:
    from gradcli.engine.ops.elementwise import exp, log1p, sigmoid

    x = Tensor(X[:96].copy())
    with np.errstate(all="ignore"):
        assert not differ(sigmoid(x).data, bits(GOLDEN["cases"]["exact"]["sigmoid"])[:96]).any()
        assert not differ(log1p(x).data, bits(GOLDEN["cases"]["exact"]["log1p"])[:96]).any()
        near = bits(GOLDEN["cases"]["near"]["exp"])[:96]
        assert differ(exp(x).data, near).mean() < 0.05


@pytest.mark.parametrize("case", GOLDEN["softmax_lastdim"], ids=lambda c: "x".join(map(str, c["shape"])))
def test_softmax_family_along_the_last_dim_as_pytorch(case: dict[str, Any]) -> None:
    from gradcli.engine.ops.reductions import (
        log_softmax,
        log_softmax_backward_data,
        softmax,
        softmax_backward_data,
    )

    shape = tuple(case["shape"])
    x, g = bits(case["x"]).reshape(shape), bits(case["grad"]).reshape(shape)
    last = len(shape) - 1
    sm, lsm = softmax(Tensor(x), -1), log_softmax(Tensor(x), -1)
    assert not differ(sm.data, bits(case["softmax"]).reshape(shape)).any()
    assert not differ(lsm.data, bits(case["log_softmax"]).reshape(shape)).any()
    dsm = softmax_backward_data(Tensor(g), sm, last).data
    dlsm = log_softmax_backward_data(Tensor(g), lsm, last).data
    assert not differ(dsm, bits(case["softmax_backward"]).reshape(shape)).any()
    assert not differ(dlsm, bits(case["log_softmax_backward"]).reshape(shape)).any()


def test_float64_sigmoid_and_sleef_double_exp() -> None:
    def bits64(s: str) -> np.ndarray:
        return np.frombuffer(base64.b64decode(s), dtype=np.float64).copy()

    case = GOLDEN["float64"]
    x = bits64(case["x"])
    assert x.size % 16 == 0  # all of it in PyTorch's vectorised loop
    with np.errstate(all="ignore"):
        exp = torchmath.exp64(x)
        sig = torchmath.sigmoid(x)
    ref_exp, ref_sig = bits64(case["sleef_exp"]), bits64(case["sigmoid"])
    assert np.array_equal(exp.view(np.uint64), ref_exp.view(np.uint64))
    assert np.array_equal(sig.view(np.uint64), ref_sig.view(np.uint64))
