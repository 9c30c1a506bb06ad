"""Scalar derivatives against SymPy's: 200 random expressions, equal at two points (the
printed line read back by eval), and on the median no longer (in tokens) than SymPy's
simplified derivative."""

from __future__ import annotations

import random
import statistics
from typing import Any

import numpy as np
import pytest
from diff_support import derive, tokens

from gradcli.render.diff_output import inline

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sympy() -> Any:
    """SymPy, imported by the tests that use it (not when the fast tier is collected)."""
    return pytest.importorskip("sympy")

UNARY = ["sin", "cos", "exp", "tanh", "sigmoid", "log", "sqrt"]
BINARY = ["+", "-", "*", "/"]


def _random_expression(rng: random.Random, depth: int) -> str:
    if depth == 0 or rng.random() < 0.2:
        return rng.choice(["x", "y", "x", "y", str(rng.randint(1, 3))])
    if rng.random() < 0.45:
        f = rng.choice(UNARY)
        inner = _random_expression(rng, depth - 1)
        if f in ("log", "sqrt"):
            inner = f"(1 + {inner}**2)"
        return f"{f}({inner})"
    if rng.random() < 0.15:
        return f"({_random_expression(rng, depth - 1)})**{rng.randint(2, 3)}"
    op = rng.choice(BINARY)
    right = _random_expression(rng, depth - 1)
    if op == "/":
        right = f"(2 + {right}**2)"
    return f"({_random_expression(rng, depth - 1)} {op} {right})"


def _sympy(sympy: Any, text: str) -> Any:
    x, y = sympy.symbols("x y")
    names = {"x": x, "y": y, "sigmoid": lambda a: 1 / (1 + sympy.exp(-a)),
             "sin": sympy.sin, "cos": sympy.cos, "exp": sympy.exp, "tanh": sympy.tanh,
             "log": sympy.log, "sqrt": sympy.sqrt}
    return sympy.sympify(text, locals=names)


CASES = [_random_expression(random.Random(seed), 3) for seed in range(200)]
CASES = [c for c in CASES if "x" in c]


def test_random_scalar_expressions_match_sympy(sympy: Any) -> None:
    x, y = sympy.symbols("x y")
    ours_tokens, theirs_tokens = [], []
    for i, text in enumerate(CASES):
        values = {"x": np.array(0.3 + 0.1 * (i % 7)), "y": np.array(-0.4 + 0.05 * (i % 5))}
        (d,) = derive(text, values, ["x"]).derivatives
        printed = inline(d.node)
        theirs = sympy.diff(_sympy(sympy, text), x)
        for point in ((0.7, -0.2), (-1.1, 0.6)):
            want = float(theirs.subs({x: point[0], y: point[1]}).evalf())
            ours = _value(printed, point)  # the printed line, read back by eval
            assert np.isclose(ours, want, rtol=1e-9, atol=1e-9), (text, printed, theirs)
        if i % 4 == 0:  # simplify is slow: the length comparison on a quarter of them
            ours_tokens.append(tokens(printed))
            theirs_tokens.append(tokens(str(sympy.simplify(theirs))))
    # Expression by expression: the median difference (ours minus SymPy's) is not positive.
    assert statistics.median(a - b for a, b in zip(ours_tokens, theirs_tokens)) <= 0


def _value(text: str, point: tuple[float, float]) -> float:
    from gradcli.interpreter.evaluate import EvalOptions, Evaluator

    evaluator = Evaluator(EvalOptions(dtype="float64", no_grad=True), lambda _: np.zeros(0))
    evaluator.bound.update({"x": np.array(point[0]), "y": np.array(point[1])})
    value = evaluator.evaluate(text).value
    return float(np.asarray(getattr(value, "data", value)))
