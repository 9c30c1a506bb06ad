"""gradcli diff from the command line: SPEC 7's examples exactly, formats, paste-back into
eval, errors and exit codes; and the result's size stays linear in the expression's."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from diff_support import derive

from gradcli.render.diff_output import compact, inline

ENV = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}


def gradcli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gradcli", *args], capture_output=True,
                          text=True, env=ENV, timeout=120)


@pytest.mark.slow
def test_spec_examples_print_exactly() -> None:
    first = gradcli("diff", "(dot(x, w) - y)**2", "--wrt", "w", "--let", "x=arange(3.0)",
                    "--let", "w=ones(3)", "--let", "y=2.0")
    assert first.returncode == 0, first.stderr
    assert first.stdout == ("d/dw (dot(x, w) - y)**2 = 2*(dot(x, w) - y)*x            "
                            "shape (3,)   checked ✓\n")
    second = gradcli("diff", "sum((X @ w - y)**2)", "--wrt", "w", "--shape", "X=5,3",
                     "--shape", "w=3", "--shape", "y=5", "--format", "plain")
    assert second.returncode == 0, second.stderr
    assert second.stdout == "2*X.T @ (X @ w - y)\n"


@pytest.mark.slow
def test_json_as_spec_shows() -> None:
    proc = gradcli("diff", "(dot(x, w) - y)**2", "--wrt", "w", "--let", "x=arange(3.0)",
                   "--let", "w=ones(3)", "--let", "y=2.0", "--format", "json")
    data = json.loads(proc.stdout)
    assert data["expr"] == "(dot(x, w) - y)**2"
    entry = data["wrt"]["w"]
    assert entry["derivative"] == "2*(dot(x, w) - y)*x"
    assert entry["shape"] == [3]
    assert entry["check"] == {"ok": True, "max_abs_err": 0.0}
    assert entry["latex"].startswith("2 \\, ")


@pytest.mark.slow
@pytest.mark.parametrize(("expr", "wrt", "lets"), [
    ("sum((X @ w - y)**2)", "w", ["X=[[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]]", "w=[0.3, -0.7]",
                                  "y=[1.0, 0.0, 2.0]"]),
    ("sum((X @ w - y)**2)", "y", ["X=[[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]]", "w=[0.3, -0.7]",
                                  "y=[1.0, 0.0, 2.0]"]),
    ("dot(a, x)", "x", ["a=[1.0, 2.0, 3.0]", "x=[0.5, 0.1, 0.2]"]),
    ("-sum(log_softmax(z, 0) * y)", "z", ["z=[0.1, 2.0, -1.0]", "y=[0.0, 1.0, 0.0]"]),
    ("sum(sigmoid(W @ x))", "W", ["W=[[0.1, 0.2], [0.3, -0.4]]", "x=[1.0, 2.0]"]),
    # a dtype prints as torch.float64, not as the string 'float64' (which x.type refuses)
    ("sum(x.type(torch.float64) * x.to(torch.float64))", "x", ["x=[1.0, 2.0]"]),
    # a number's minus sign and a zero that is an int stay numbers: -1*ones(3), zeros(3)
    # (they printed -(1.0*1).expand(3) and (1 - 1.0*1).expand(3), which eval refuses)
    ("sum(-x, 0)", "x", ["x=[1.0, 2.0, 3.0]"]),
    ("sum(x - x, 0)", "x", ["x=[1.0, 2.0, 3.0]"]),
    # the tie mask 2*(a > b) + (a == b) is made floating before a matmul takes it
    ("sum(maximum(W.T @ y, W.T @ y))", "y", ["W=[[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]]",
                                             "y=[1.0, 0.0, 2.0]"]),
    # minus a product led by a mask: -((m1)*(m2)*cos(x)), not -(m1)*..., a bool negated
    ("sum(-clamp(sin(x), -0.5, 0.5))", "x", ["x=[0.2, 1.0, -2.0]"]),
])
def test_the_plain_line_pastes_back_into_eval(expr: str, wrt: str, lets: list[str]) -> None:
    options = [a for let in lets for a in ("--let", let)]
    derivative = gradcli("diff", expr, "--wrt", wrt, *options, "--format", "plain")
    assert derivative.returncode == 0, derivative.stderr
    text = derivative.stdout.strip()
    pasted = gradcli("eval", text, "--no-grad", *options, "--dtype", "float64",
                     "--format", "json")
    assert pasted.returncode == 0, pasted.stderr
    autograd = gradcli("eval", expr, "--wrt", wrt, *options, "--dtype", "float64",
                       "--format", "json")
    np.testing.assert_allclose(json.loads(pasted.stdout)["value"],
                               json.loads(autograd.stdout)["grads"][wrt], rtol=1e-12)


@pytest.mark.slow
def test_an_expression_that_begins_with_minus() -> None:
    proc = gradcli("diff", "-sum(x**2)", "--shape", "x=3", "--format", "plain")
    assert (proc.returncode, proc.stdout) == (0, "-2*x\n")
    back = gradcli("eval", proc.stdout.strip(), "--no-grad", "--let", "x=[1.0, 2.0, 3.0]",
                   "--format", "json")
    assert json.loads(back.stdout)["value"] == [-2.0, -4.0, -6.0]


@pytest.mark.slow
@pytest.mark.parametrize(("args", "code", "words"), [
    (["sum(x * z)", "--shape", "x=3"], 1, "z has no value and no shape"),
    (["sum(x // 2.0)", "--shape", "x=3"], 1, "floor_divide"),
    (["sum(x)", "--shape", "x=a"], 2, "--shape x"),
    (["sum(x)", "--shape", "x=3", "--wrt", "q"], 2, "--wrt q"),
    (["X @ A", "--shape", "X=2,3", "--shape", "A=3,2"], 1, "Jacobians of vectors"),
    (["sum(x", "--shape", "x=3"], 2, "error[syntax]"),
])
def test_errors(args: list[str], code: int, words: str) -> None:
    proc = gradcli("diff", *args)
    assert proc.returncode == code
    assert words in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_a_json_error_is_an_object_on_stdout() -> None:
    proc = gradcli("diff", "sum(x * z)", "--shape", "x=3", "--format", "json")
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["error"]["kind"] == "name"


def test_a_50_deep_chain_stays_linear_in_size() -> None:
    text = "sin(" * 50 + "x" + ")" * 50
    (d,) = derive(text, {"x": np.array(0.7)}).derivatives
    body, definitions = compact(d.node, {"x"})
    size = len(body) + sum(len(a) + len(b) for a, b in definitions)
    assert size < 30 * 50
    assert len(definitions) <= 50


def test_a_product_of_100_factors_is_a_power() -> None:
    text = "*".join(["x"] * 100)
    (d,) = derive(f"sum({text})", {"x": np.array([0.9, 1.0, 1.1])}).derivatives
    assert inline(d.node) == "100*x**99"


def test_shared_subexpressions_are_named_once() -> None:
    (d,) = derive("sum(sigmoid(W @ x))", {"W": np.ones((2, 3)) / 3, "x": np.ones(3)},
                  ["x"]).derivatives
    assert compact(d.node, {"W", "x"}) == ("W.T @ (s*(1 - s))", [("s", "sigmoid(W @ x)")])


def test_steps_write_the_chain_rule_as_the_seeds_do() -> None:
    from gradcli.render.diff_output import step_lines
    from gradcli.symbolic.derive import differentiate

    values = {"x": np.arange(3.0), "w": np.ones(3), "y": np.array(2.0)}
    (d,) = differentiate("(dot(x, w) - y)**2", values, ["w"], 1, _autograd(values),
                                steps=True).derivatives
    assert step_lines(d) == [
        "a = dot(x, w)", "b = a - y", "z = b**2",
        "dz/db = 2*b", "db/da = 1", "da/dw = x",
        "dz/dw = dz/db * db/da * da/dw = 2*b * 1 * x",
        "d/dw = 2*(dot(x, w) - y)*x   (simplified)"]


def _autograd(values: dict[str, np.ndarray]):
    from gradcli.interpreter.evaluate import EvalOptions, Evaluator

    evaluator = Evaluator(EvalOptions(dtype="float64"), lambda _: np.zeros(0))
    evaluator.bound.update(values)
    return evaluator


def test_a_matrix_step_is_the_map_it_applies() -> None:
    from gradcli.render.diff_output import step_lines
    from gradcli.symbolic.derive import differentiate

    values = {"X": np.ones((5, 3)), "w": np.ones(3), "y": np.ones(5)}
    (d,) = differentiate("sum((X @ w - y)**2)", values, ["w"], 1, _autograd(values),
                                steps=True).derivatives
    assert "da/dw: g ↦ X.T @ g" in step_lines(d)
    assert "dz/dc = ones(5)" in step_lines(d)


def test_the_output_is_not_named_after_a_variable() -> None:
    """dy_i/dx_i names the expression's value y, unless a variable is called y."""
    from cli_runner import run_cli

    mine = run_cli(["diff", "y**2", "--shape", "y=3"], env={"NO_COLOR": "1"})
    assert mine.returncode == 0 and mine.stdout.startswith("df_i/dy_i = 2*y   (f = y**2, ")
    latex = run_cli(["diff", "y**2", "--shape", "y=3", "--format", "latex"])
    assert latex.stdout == "\\frac{\\partial f_i}{\\partial y_i} = 2 \\, y\n"
    usual = run_cli(["diff", "x**3", "--shape", "x=4"], env={"NO_COLOR": "1"})
    assert usual.stdout.startswith("dy_i/dx_i = 3*x**2   (y = x**3, ")
