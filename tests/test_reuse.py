"""Buffer reuse by reference count (gradcli/engine/reuse.py): on only on the CPython versions
verified, and with it turned off every gradient is still right.

The table-driven gradient checks and the golden jacobians, hessians and eval results run
again here with the reuse off; the reuse changes no bit of any gradient of the op table.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import test_golden_derivatives as golden_derivatives
import test_golden_eval as golden_eval
import test_gradients as gradients
import test_temporaries as temporaries
from helpers import check_inputs

from gradcli.engine import Tensor, autograd, dtypes, reuse
from gradcli.engine import ops as E
from gradcli.engine.ops import GradCheck


@pytest.fixture
def reuse_off() -> Iterator[None]:
    assert reuse.ON[0] == reuse.TRUSTED
    with reuse.turned_off():
        yield
    assert reuse.ON[0] == reuse.TRUSTED


@pytest.fixture
def float64() -> Iterator[None]:
    dtypes.set_default_float("float64")
    yield
    dtypes.set_default_float("float32")


def test_on_only_where_verified() -> None:
    assert reuse.verified("cpython", (3, 10)) and reuse.verified("cpython", (3, 13))
    assert not reuse.verified("cpython", (3, 14))  # numpy issue 28681
    assert not reuse.verified("cpython", (3, 15))
    assert not reuse.verified("pypy", (3, 10))
    assert not reuse.verified("graalpy", (3, 11))
    assert reuse.TRUSTED == reuse.verified()
    assert reuse.ON[0] == reuse.TRUSTED


@pytest.mark.skipif(not reuse.TRUSTED, reason="reference counts not verified on this Python")
def test_counts_tell_a_lone_buffer() -> None:
    """The counts measured at import hold on this Python: a buffer held by one variable is
    owned, one held twice or a view is not, and nothing is while the reuse is off."""
    a = np.empty(3)
    assert autograd._owned(a)
    b = a
    assert not autograd._owned(a)
    del b
    assert not autograd._owned(a[1:])
    with reuse.turned_off():
        assert not autograd._owned(a)
    assert autograd._owned(a)


#: Backward passes where one gradient buffer reaches two consumers (an add sends its gradient
#: to both inputs): a count that took a shared buffer for a lone one would write into it under
#: the other's feet (what numpy met on Python 3.14). (function, its derivative, in numpy)
SHARED = {
    "x*2 + x*3": (lambda x: E.sum((x * 2 + x * 3) * x), lambda x: 10 * x),
    "sin(2x) + cos(2x)": (lambda x: E.sum(E.sin(x * 2) + E.cos(x * 2)),
                          lambda x: 2 * np.cos(2 * x) - 2 * np.sin(2 * x)),
    "y = 2x used thrice": (lambda x: _thrice(x * 2),
                           lambda x: 2 * (np.cos(2 * x) + 1 - np.tanh(2 * x) ** 2 + 4 * x)),
    "-y + exp(y)": (lambda x: (lambda y: E.sum(-y + E.exp(y)))(x + 1),
                    lambda x: np.exp(x + 1) - 1),
}


def _thrice(y: Tensor) -> Tensor:
    return E.sum(E.sin(y) + E.tanh(y) + y * y)


@pytest.mark.parametrize("name", SHARED)
@pytest.mark.parametrize("on", [True, False], ids=["reuse", "no-reuse"])
def test_a_shared_gradient_is_never_written_into(name: str, on: bool) -> None:
    f, derivative = SHARED[name]
    values = np.linspace(0.1, 1.0, 5)
    x = Tensor(values.copy(), requires_grad=True)
    if on:
        f(x).backward()
    else:
        with reuse.turned_off():
            f(x).backward()
    assert x.grad is not None
    np.testing.assert_allclose(x.grad.data, derivative(values), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name, i, check", gradients.CHECKS,
                         ids=[f"{n}-{i}" for n, i, _ in gradients.CHECKS])
def test_vjps_without_reuse(name: str, i: int, check: GradCheck, float64: None,
                            reuse_off: None) -> None:
    gradients.test_vjp_matches_finite_differences(name, i, check)
    gradients.test_raw_and_recorded_backward_agree_to_the_bit(name, i, check)


@pytest.mark.parametrize("name, i, check", gradients.SECOND,
                         ids=[f"{n}-{i}" for n, i, _ in gradients.SECOND])
def test_second_order_without_reuse(name: str, i: int, check: GradCheck, float64: None,
                                    reuse_off: None) -> None:
    gradients.test_gradient_of_gradient_matches_finite_differences(name, i, check)


def _gradients(check: GradCheck, seed: int) -> list[Any]:
    values = check_inputs(check, seed=seed)
    out, leaves = gradients._evaluate(check.expr, values)
    weights = Tensor(np.random.default_rng(99).normal(size=out.data.shape))
    out.backward(weights)
    return [None if t.grad is None else (t.grad.data.dtype, t.grad.data.shape,
                                         t.grad.data.tobytes()) for t in leaves.values()]


@pytest.mark.skipif(not reuse.TRUSTED, reason="reference counts not verified on this Python")
@pytest.mark.parametrize("name, i, check", gradients.CHECKS,
                         ids=[f"{n}-{i}" for n, i, _ in gradients.CHECKS])
def test_reuse_changes_no_bit(name: str, i: int, check: GradCheck, float64: None) -> None:
    with_reuse = _gradients(check, i)
    with reuse.turned_off():
        without = _gradients(check, i)
    assert with_reuse == without, check.expr


@pytest.mark.parametrize("case", golden_derivatives.JACOBIANS,
                         ids=[c["id"] for c in golden_derivatives.JACOBIANS])
def test_golden_jacobians_without_reuse(case: dict[str, Any], reuse_off: None) -> None:
    golden_derivatives.test_jacobian_matches_torch(case)


@pytest.mark.parametrize("case", golden_derivatives.HESSIANS,
                         ids=[c["id"] for c in golden_derivatives.HESSIANS])
def test_golden_hessians_without_reuse(case: dict[str, Any], reuse_off: None) -> None:
    golden_derivatives.test_hessian_matches_torch(case)


@pytest.mark.parametrize("case", golden_eval.CASES, ids=[c["id"] for c in golden_eval.CASES])
def test_golden_eval_without_reuse(case: dict[str, Any], reuse_off: None) -> None:
    golden_eval.test_eval_matches_torch(case)


def test_no_temporary_is_written_into_without_reuse(monkeypatch: pytest.MonkeyPatch,
                                                    reuse_off: None) -> None:
    """The interpreter's a + b into a temporary a (ops.into_left) is never even tried."""
    _, count = temporaries.run("y = sum(exp(x) * sin(x) + x ** 2)\ny.backward()\n", True,
                               monkeypatch)
    assert count == 0
