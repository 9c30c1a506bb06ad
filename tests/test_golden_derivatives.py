"""`gradcli jacobian` and `gradcli hessian` against torch.autograd.functional (PyTorch 2.13).

The expected data was generated with torch by tests/golden/make_derivative_golden.py; this
test runs without torch.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import golden_array

from gradcli.interpreter.evaluate import EvalOptions, Evaluator

GOLDEN = Path(__file__).parent / "golden"
CASES = json.loads((GOLDEN / "derivative_cases.json").read_text())
EXPECTED = json.loads((GOLDEN / "derivative_golden.json").read_text())
JACOBIANS = [c for c in CASES if c["kind"] == "jacobian"]
HESSIANS = [c for c in CASES if c["kind"] == "hessian"]
# Relative and absolute tolerance by dtype.
TOL = {"float64": 1e-10, "float32": 1e-5}


def _numpy(v: Any) -> np.ndarray:
    """A block as gradcli gives it: a numpy array (or a Tensor, whose .data is one)."""
    data = v if isinstance(v, np.ndarray) else getattr(v, "data", v)
    assert isinstance(data, np.ndarray), f"expected a numpy array, got {type(v).__name__}"
    return data


def _evaluator(case: dict[str, Any]) -> Evaluator:
    opts = EvalOptions(lets=[tuple(kv) for kv in case["lets"]], wrt=case["wrt"] or [],
                       dtype=case["dtype"])
    return Evaluator(opts, np.load)


def _compare(what: str, actual: np.ndarray, expected: Any, shape: list[int], dtype: str,
             case_dtype: str) -> None:
    assert list(actual.shape) == shape, f"{what}: shape {list(actual.shape)}, torch {shape}"
    assert actual.dtype.name == dtype, f"{what}: dtype {actual.dtype.name}, torch {dtype}"
    want = golden_array(expected)
    tol = TOL[case_dtype]
    np.testing.assert_allclose(actual.astype(float), want, rtol=tol, atol=tol, equal_nan=True,
                               err_msg=what)
    if want.size and not np.any(want):
        # Structural zeros (a linear function's hessian, an unused variable's block) are exact.
        assert not np.any(actual), f"{what}: torch gives exact zeros"


def _check_value(case: dict[str, Any], value: Any) -> None:
    exp = EXPECTED[case["id"]]
    _compare("value", _numpy(value), exp["value"], exp["shape"], exp["dtype"], case["dtype"])


def test_golden_data_is_current() -> None:
    """The golden records were generated from the cases as they are now."""
    assert set(EXPECTED) - {"_meta"} == {c["id"] for c in CASES}
    assert EXPECTED["_meta"]["torch"].startswith("2.13")
    for c in CASES:
        exp = EXPECTED[c["id"]]
        assert (exp["expr"], exp["lets"], exp["default_dtype"], exp["kind"]) == (
            c["expr"], c["lets"], c["dtype"], c["kind"]), f"{c['id']}: regenerate the golden data"
        if c["wrt"] is not None:
            assert exp["wrt"] == c["wrt"]
    assert len(JACOBIANS) >= 15 and len(HESSIANS) >= 15


@pytest.mark.parametrize("case", JACOBIANS, ids=[c["id"] for c in JACOBIANS])
def test_jacobian_matches_torch(case: dict[str, Any]) -> None:
    exp = EXPECTED[case["id"]]
    r = _evaluator(case).jacobian(case["expr"])
    _check_value(case, r.value)
    assert list(r.jacobian) == exp["wrt"], "one block per variable, in --wrt (or let) order"
    for name, j in exp["jacobian"].items():
        _compare(f"J[{name}]", _numpy(r.jacobian[name]), j, exp["jacobian_shapes"][name],
                 exp["jacobian_dtypes"][name], case["dtype"])


@pytest.mark.parametrize("case", HESSIANS, ids=[c["id"] for c in HESSIANS])
def test_hessian_matches_torch(case: dict[str, Any]) -> None:
    exp = EXPECTED[case["id"]]
    r = _evaluator(case).hessian(case["expr"])
    _check_value(case, r.value)
    names = exp["wrt"]
    assert list(r.hessian) == names, "one row of blocks per variable, in --wrt (or let) order"
    for a in names:
        assert list(r.hessian[a]) == names, f"H[{a}]: one block per variable"
        for b in names:
            _compare(f"H[{a}][{b}]", _numpy(r.hessian[a][b]), exp["hessian"][a][b],
                     exp["hessian_shapes"][a][b], exp["hessian_dtypes"][a][b], case["dtype"])
    # Symmetric: H[a][b] as an (a.size, b.size) matrix is the transpose of H[b][a].
    # H[a][a] has shape a.shape + a.shape: the variable's size is the square root of its size.
    size = {a: math.isqrt(_numpy(r.hessian[a][a]).size) for a in names}
    tol = TOL[case["dtype"]]
    for a in names:
        for b in names:
            hab = _numpy(r.hessian[a][b]).astype(float).reshape(size[a], size[b])
            hba = _numpy(r.hessian[b][a]).astype(float).reshape(size[b], size[a])
            np.testing.assert_allclose(hab, hba.T, rtol=tol, atol=tol,
                                       err_msg=f"H[{a}][{b}] vs H[{b}][{a}]")


LINEAR = ["hess_linear_sum", "hess_linear_dot", "hess_linear_mean_const", "hess_linear_matvec"]


@pytest.mark.parametrize("case_id", LINEAR)
def test_linear_functions_have_zero_hessian(case_id: str) -> None:
    """PyTorch issues #32304, #36463: the second derivative of a linear function is 0."""
    case = next(c for c in CASES if c["id"] == case_id)
    r = _evaluator(case).hessian(case["expr"])
    for a, row in r.hessian.items():
        for b, block in row.items():
            block = _numpy(block)
            assert block.shape == tuple(EXPECTED[case_id]["hessian_shapes"][a][b])
            assert not np.any(block), f"H[{a}][{b}] of a linear function must be exactly 0"
