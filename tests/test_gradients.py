"""Every op's gradient against central finite differences in float64 (from the op table)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from helpers import central_difference, check_inputs

from gradcli.engine import Tensor, dtypes
from gradcli.engine import ops as E
from gradcli.engine.ops import OPS, GradCheck
from gradcli.interpreter.core import Interpreter
from gradcli.syntax.parser import parse_expression

CHECKS = [(name, i, check) for name, spec in OPS.items() for i, check in enumerate(spec.checks)]


def _evaluate(expr: str, values: dict[str, np.ndarray]) -> tuple[Tensor, dict[str, Tensor]]:
    leaves = {k: Tensor(v.copy(), requires_grad=True) for k, v in values.items()}
    interp = Interpreter()
    interp.globals.update(leaves)
    out = interp.evaluate(parse_expression(expr), expr)
    return out, leaves


def _scalar(expr: str, values: dict[str, np.ndarray], weights: np.ndarray) -> float:
    out, _ = _evaluate(expr, values)
    return float(np.sum(out.data * weights))


@pytest.fixture(autouse=True)
def _float64():
    dtypes.set_default_float("float64")
    yield
    dtypes.set_default_float("float32")


@pytest.mark.parametrize("name, i, check", CHECKS, ids=[f"{n}-{i}" for n, i, _ in CHECKS])
def test_vjp_matches_finite_differences(name: str, i: int, check: GradCheck) -> None:
    values = check_inputs(check, seed=i)
    out, leaves = _evaluate(check.expr, values)
    weights = np.random.default_rng(99).normal(size=out.data.shape)
    out.backward(Tensor(weights))
    for var, base in values.items():
        numeric = central_difference(lambda v: _scalar(check.expr, v, weights), values, var, 1e-6)
        analytic = leaves[var].grad
        assert analytic is not None, f"no gradient reached {var}"
        assert analytic.data.shape == base.shape
        np.testing.assert_allclose(analytic.data, numeric, rtol=1e-5, atol=1e-6,
                                   err_msg=f"{check.expr}: d/d{var}")


@pytest.mark.parametrize("name, i, check", CHECKS, ids=[f"{n}-{i}" for n, i, _ in CHECKS])
def test_raw_and_recorded_backward_agree_to_the_bit(name: str, i: int, check: GradCheck) -> None:
    """backward runs an op's raw-array VJP (``fast=``) when nothing records the backward, and
    its Tensor VJP under create_graph: two implementations of one derivative, which must give
    the same gradients bit for bit."""
    values = check_inputs(check, seed=i)
    results = []
    for create_graph in (False, True):
        out, leaves = _evaluate(check.expr, values)
        weights = Tensor(np.random.default_rng(99).normal(size=out.data.shape))
        grads = E.grad(out, list(leaves.values()), weights, create_graph=create_graph,
                       allow_unused=True)
        results.append([None if g is None else (g.data.dtype, g.data.shape, g.data.tobytes())
                        for g in grads])
    assert results[0] == results[1], check.expr


SECOND = [(n, i, c) for n, i, c in CHECKS if c.second_order]


@pytest.mark.parametrize("name, i, check", SECOND, ids=[f"{n}-{i}" for n, i, _ in SECOND])
def test_gradient_of_gradient_matches_finite_differences(name: str, i: int,
                                                         check: GradCheck) -> None:
    """d/dx <v, grad f(x)> by create_graph, against finite differences of grad f."""
    values = check_inputs(check, seed=i)
    out, _ = _evaluate(check.expr, values)
    weights = Tensor(np.random.default_rng(99).normal(size=out.data.shape))
    probe = {k: np.random.default_rng(7).normal(size=v.shape) for k, v in values.items()}

    def first(vals: dict[str, np.ndarray], create: bool) -> tuple[Any, dict[str, Tensor]]:
        o, leaves = _evaluate(check.expr, vals)
        names = list(leaves)
        grads = E.grad(o, [leaves[n] for n in names], weights, create_graph=create,
                       allow_unused=True)
        return dict(zip(names, grads)), leaves

    grads, leaves = first(values, True)
    total = None
    for k, g in grads.items():
        if g is not None and g.requires_grad:
            term = E.sum(g * Tensor(probe[k]))
            total = term if total is None else total + term
    if total is None:
        pytest.skip("gradient is constant: second derivative is zero")
    total.backward()

    def dot(vals: dict[str, np.ndarray]) -> float:
        gs, _ = first(vals, False)
        return sum(float(np.sum(g.data * probe[k])) for k, g in gs.items() if g is not None)

    for var, base in values.items():
        numeric = central_difference(dot, values, var, 1e-6)
        analytic = leaves[var].grad
        got = np.zeros_like(base) if analytic is None else analytic.data
        np.testing.assert_allclose(got, numeric, rtol=1e-4, atol=1e-5,
                                   err_msg=f"second order of {check.expr}: d/d{var}")


#: Casts: in float64 they are the identity; their VJP (a cast back) is checked by dtype tests.
CASTS = {"to", "float", "double", "long", "int", "bool"}


def test_every_differentiable_op_is_checked() -> None:
    unchecked = [n for n, s in OPS.items()
                 if s.differentiable and not s.checks
                 and n not in CASTS]
    assert not unchecked, f"differentiable ops without a gradient check: {unchecked}"
