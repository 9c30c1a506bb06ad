"""diff's LaTeX parses: every textbook case's line (label, derivative, steps) rendered by
matplotlib's mathtext (a test-only check, skipped without matplotlib)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from diff_support import derive, point
from test_diff_textbook import TEXTBOOK

from gradcli.render.diff_output import latex_steps
from gradcli.render.latex import LatexPrinter, latex_label
from gradcli.symbolic.derive import differentiate

pytestmark = pytest.mark.slow


def _renders(latex: str) -> None:
    # matplotlib is imported here, not when the fast tier is collected.
    mathtext = pytest.importorskip("matplotlib.mathtext")
    mathtext.math_to_image(f"${latex}$", io.BytesIO(), format="png")


@pytest.mark.parametrize(("expr", "shapes", "wrt"), [c[:3] for c in TEXTBOOK],
                         ids=[f"{c[0]}:{c[2]}" for c in TEXTBOOK])
def test_latex_renders(expr: str, shapes: dict, wrt: str) -> None:
    result = derive(expr, point(shapes, 1), [wrt])
    (d,) = result.derivatives
    _renders(latex_label(result.output, d) + " = " + LatexPrinter().print(d.node))


def test_latex_steps_render() -> None:
    from gradcli.interpreter.evaluate import EvalOptions, Evaluator

    values = {"x": np.arange(3.0), "w": np.ones(3), "y": np.array(2.0)}
    evaluator = Evaluator(EvalOptions(dtype="float64"), lambda _: np.zeros(0))
    evaluator.bound.update(values)
    (d,) = differentiate("(dot(x, w) - y)**2", values, ["w"], 1, evaluator,
                         steps=True).derivatives
    lines = latex_steps(d)
    assert lines[0] == r"a = \langle x, w \rangle"
    for line in lines:
        _renders(line)
