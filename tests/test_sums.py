"""Float sums and means are PyTorch's to the bit (golden/sum_golden.json, made with torch 2.13
by golden/make_sum_golden.py; torch is not needed here): the order of the additions is its
cascade_sum's (engine/summation.py), for every layout, dim set and thread count."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gradcli.engine import Tensor, summation
from gradcli.engine import ops as E

_HERE = Path(__file__).parent / "golden"
_spec = importlib.util.spec_from_file_location("make_sum_golden", _HERE / "make_sum_golden.py")
assert _spec is not None and _spec.loader is not None
MAKE = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(MAKE)
CASES = json.loads((_HERE / "sum_golden.json").read_text())["cases"]


def _numel(case: dict[str, Any]) -> int:
    return int(np.prod(case["shape"]))


def run(case: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> np.ndarray:
    """The case with gradcli's engine, with PyTorch's thread count of the golden."""
    monkeypatch.setattr(summation, "_threads", [case["threads"]])
    dtype = np.dtype(case["dtype"])
    if case["op"].startswith("grad"):
        x = Tensor(MAKE.values(case["xshape"], dtype, case["seed"]), requires_grad=True)
        y = Tensor(MAKE.values(case["shape"], dtype, case["seed"] + 1))
        if case["op"] == "gradsum":
            (E.sum(x + y) * 0.1).backward()
        elif case["op"] == "gradmean":
            (E.mean(x + y) * 0.3).backward()
        else:
            (x + y).backward(Tensor(MAKE.values(case["shape"], dtype, case["seed"] + 2)))
        assert x.grad is not None
        return x.grad.data
    a = MAKE.layout(MAKE.values(case["shape"], dtype, case["seed"]), case["layout"])
    if a.size >= summation.EXACT_BELOW:  # the engine sums as numpy there: the kernel alone
        assert case["op"] == "sum" and case["dims"] is None
        return summation.torch_sum(a, None, False)
    fn = E.sum if case["op"] == "sum" else E.mean
    res = fn(Tensor(a)) if case["dims"] is None else fn(Tensor(a), case["dims"], case["keepdim"])
    return res.data


def check(case: dict[str, Any], got: np.ndarray) -> None:
    assert got.dtype == np.dtype(case["dtype"])
    raw = np.ascontiguousarray(got).tobytes()
    if "hex" in case:
        assert raw.hex() == case["hex"], case["id"]
    else:
        assert raw[:16 * got.itemsize].hex() == case["head"], case["id"]
        assert hashlib.sha256(raw).hexdigest() == case["sha256"], case["id"]


SMALL = [c for c in CASES if _numel(c) < 4096]
LARGE = [c for c in CASES if _numel(c) >= 4096]


def test_small_sums_are_torch_bits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every layout and dim set of small tensors, sums, means and broadcast gradients."""
    assert len(SMALL) > 1000
    for case in SMALL:
        check(case, run(case, monkeypatch))


@pytest.mark.slow
@pytest.mark.parametrize("case", LARGE, ids=[c["id"] for c in LARGE])
def test_large_sums_are_torch_bits(case: dict[str, Any], monkeypatch: pytest.MonkeyPatch
                                   ) -> None:
    check(case, run(case, monkeypatch))


def test_numpy_order_is_not_torch_order() -> None:
    """The goldens can fail: numpy's pairwise sums miss PyTorch's bits in most of them."""
    misses = 0
    cases = [c for c in SMALL if c["op"] == "sum" and c["layout"] == "c"
             and c["dims"] is not None and not c["keepdim"]]
    for case in cases:
        a = MAKE.values(case["shape"], np.dtype(case["dtype"]), case["seed"])
        raw = np.ascontiguousarray(np.sum(a, axis=tuple(case["dims"]))).tobytes()
        misses += raw.hex() != case.get("hex")
    assert misses > len(cases) // 2


def test_thread_split_matters(monkeypatch: pytest.MonkeyPatch) -> None:
    """From 32768 elements on PyTorch's threads each sum a part: one thread's bits differ."""
    a = MAKE.values([1000000], np.dtype("float32"), 9)
    sums = {}
    for n in (1, 2):
        monkeypatch.setattr(summation, "_threads", [n])
        sums[n] = summation.torch_sum(a, None, False).tobytes()
    assert sums[1] != sums[2]


def test_threads_follow_omp_num_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(summation, "_threads", [])
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert summation.threads() == 3
    monkeypatch.setattr(summation, "_threads", [])
    monkeypatch.delenv("OMP_NUM_THREADS")
    monkeypatch.delenv("MKL_NUM_THREADS", raising=False)
    assert summation.threads() >= 1


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_edge_shapes(dtype: str) -> None:
    """Empty tensors sum to zeros, 0-d ones to themselves, -0.0 to +0.0 (PyTorch adds the
    sum to a zero-filled output); a reduction over a dim of one element is 0 + x."""
    dt = np.dtype(dtype)
    assert summation.torch_sum(np.zeros((0, 3), dt), (0,), False).tolist() == [0.0] * 3
    assert summation.torch_sum(np.zeros((0, 3), dt), None, True).shape == (1, 1)
    assert summation.torch_sum(np.array(2.5, dt), None, False).item() == 2.5
    neg = summation.torch_sum(np.full(5, -0.0, dt), None, False)
    assert np.signbit(neg) == np.False_ and neg.shape == ()
    one = summation.torch_sum(np.full((3, 1), -0.0, dt), (1,), True)
    assert one.shape == (3, 1) and not np.signbit(one).any()
    a = np.arange(12, dtype=dt).reshape(3, 4)[::-1]  # a negative stride: summed as a copy
    assert summation.torch_sum(a, (0,), False).tolist() == [12.0, 15.0, 18.0, 21.0]


def test_big_sums_are_numpy_sums(monkeypatch: pytest.MonkeyPatch) -> None:
    """From EXACT_BELOW elements on, sum and mean are numpy's pairwise sums (faster)."""
    case = next(c for c in SMALL if c["op"] == "sum" and c["layout"] == "c"
                and c["shape"] == [50, 5] and c["dims"] == [1] and not c["keepdim"])
    a = MAKE.values(case["shape"], np.dtype(case["dtype"]), case["seed"])
    assert E.sum(Tensor(a), 1).data.tobytes().hex() == case["hex"]
    monkeypatch.setattr(summation, "EXACT_BELOW", a.size)
    got = E.sum(Tensor(a), 1).data
    assert got.tobytes() == np.add.reduce(a, axis=1).tobytes()
    assert got.tobytes().hex() != case["hex"]


def test_losses_reduce_in_pytorchs_sum_order() -> None:
    """mse_loss and l1_loss reduce with PyTorch's sum kernel (apply_loss_reduction): the bits
    torch 2.13 gives for these five elements (numpy's pairwise sum gives others for mse)."""
    a = Tensor(np.sin(np.arange(5) * 1.7).astype(np.float32))
    b = Tensor(np.cos(np.arange(5) * 0.3).astype(np.float32))
    bits = {(E.mse_loss, "mean"): 1063948952, (E.mse_loss, "sum"): 1083349919,
            (E.l1_loss, "mean"): 1061314555, (E.l1_loss, "sum"): 1081276410}
    for (loss, reduction), want in bits.items():
        assert int(loss(a, b, reduction=reduction).data.view(np.int32)) == want, (loss, reduction)
