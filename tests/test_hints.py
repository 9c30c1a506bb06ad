"""Hints where a newcomer goes wrong (issue 17 B.4), and errors in colour on a terminal only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gradcli.errors import GradcliError
from gradcli.interpreter.core import Interpreter
from gradcli.interpreter.evaluate import TUPLE_NOTE, EvalOptions, Evaluator
from gradcli.render.errors import format_error
from gradcli.syntax.parser import parse_expression, parse_program

ROOT = Path(__file__).resolve().parent.parent


def eval_error(expr: str, **lets: str) -> GradcliError:
    evaluator = Evaluator(EvalOptions(lets=list(lets.items())), np.load)
    with pytest.raises(GradcliError) as info:
        evaluator.evaluate(expr)
    return info.value


def run_error(source: str) -> GradcliError:
    with pytest.raises(GradcliError) as info:
        Interpreter(write=lambda s: None).run(parse_program(source + "\n"), source)
    return info.value


def test_an_unbound_name_in_eval_hints_let() -> None:
    err = eval_error("x**2")
    assert (err.kind, err.message) == ("name", "name 'x' is not defined")
    assert "--let x=VALUE" in err.hint


def test_a_misspelt_name_in_eval_suggests_both() -> None:
    err = eval_error("xs * 2", x="1.0")
    assert "did you mean 'x'?" in err.hint and "--let xs=VALUE" in err.hint


def test_a_name_in_a_script_gets_no_let_hint() -> None:
    assert "--let" not in run_error("y = q + 1").hint


def test_caret_means_power() -> None:
    with pytest.raises(GradcliError) as info:
        parse_expression("x^2")
    assert info.value.kind == "syntax" and "**" in info.value.hint


@pytest.mark.parametrize("name", ["pi", "e", "inf", "nan"])
def test_constants_hint_torch(name: str) -> None:
    err = eval_error(f"sin({name})", x="1.0")
    assert err.hint.startswith(f"write torch.{name}") and "--let" not in err.hint
    assert run_error(f"y = {name} * 2").hint.startswith(f"write torch.{name}")


def test_torch_pi_is_math_pi() -> None:
    import math

    interp = Interpreter()
    assert interp.evaluate(parse_expression("torch.pi")) == math.pi
    assert abs(float(interp.evaluate(parse_expression("torch.sin(torch.pi / 2)")).data) - 1) < 1e-7


def test_a_tuple_result_says_it_is_not_backpropagated() -> None:
    notes: list[str] = []
    evaluator = Evaluator(EvalOptions(lets=[("x", "1.0")]), np.load, write=notes.append)
    result = evaluator.evaluate("(x, 2 * x)")
    assert result.grads == {"x": None} and result.not_backpropagated
    assert notes == [f"note: {TUPLE_NOTE}\n"] and "not backpropagated" in TUPLE_NOTE
    notes.clear()
    assert evaluator.evaluate("x.shape").not_backpropagated is None and notes == []


def test_backward_of_a_tuple_hints() -> None:
    err = run_error("x = torch.ones(2, requires_grad=True)\n(x, x).backward()")
    assert err.message == "'tuple' object has no attribute 'backward'"  # PyTorch's words
    assert "not backpropagated" in err.hint


@pytest.mark.parametrize(("source", "message"), [
    ("y = x.grad * 2", "unsupported operand types for *: 'NoneType' and 'int'"),
    ("y = 2 * x.grad", "unsupported operand types for *: 'int' and 'NoneType'"),
    ("y = x + x.grad", "unsupported operand types for +: 'Tensor' and 'NoneType'"),
    ("x.grad += 1", "unsupported operand types for +: 'NoneType' and 'int'"),
])
def test_grad_of_none_in_arithmetic_says_why(source: str, message: str) -> None:
    """A TypeError as in PyTorch, with the reason: no backward pass has reached x yet."""
    err = run_error("x = torch.ones(2, requires_grad=True)\n" + source)
    assert (err.kind, err.message) == ("type", message)
    assert "x.grad is None until a backward pass reaches x" in err.hint


def test_none_that_is_no_grad_gets_no_grad_hint() -> None:
    err = run_error("y = None * 2")
    assert err.kind == "type" and err.hint is None


def test_after_backward_grad_arithmetic_works() -> None:
    interp = Interpreter(write=lambda s: None)
    interp.run(parse_program("x = torch.ones(2, requires_grad=True)\n(x * x).sum().backward()\n"
                             "y = x.grad * 2\n"))
    assert interp.globals["y"].data.tolist() == [4.0, 4.0]


ERR = GradcliError("name", "name 'x' is not defined", 1, 1, source="x**2", hint="a hint")


def test_colour_marks_kind_caret_and_hint() -> None:
    text = format_error(ERR, "expr", colour=True)
    assert "\x1b[1m\x1b[31merror[name]\x1b[0m" in text
    assert "\x1b[36ma hint\x1b[0m" in text and "\x1b[1m\x1b[31m^\x1b[0m" in text
    assert "\x1b" not in format_error(ERR, "expr", colour=False)
    plain = format_error(ERR, "expr", colour=False)
    assert plain.startswith("error[name]: name 'x' is not defined") and "  = hint: a hint" in plain


@pytest.mark.slow
@pytest.mark.parametrize(("env", "coloured"), [({}, True), ({"NO_COLOR": "1"}, False)])
def test_errors_are_coloured_on_a_terminal_only(env: dict[str, str], coloured: bool) -> None:
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(sys.executable, ["-m", "gradcli", "eval", "x**2"], cwd=str(ROOT),
                          env={**os.environ, "TERM": "xterm", **env}, encoding="utf-8")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1 and "--let x=VALUE" in child.before
    assert ("\x1b[31m" in child.before) is coloured
    piped = subprocess.run([sys.executable, "-m", "gradcli", "eval", "x**2"], cwd=str(ROOT),
                           capture_output=True, text=True, env={**os.environ, "TERM": "xterm"})
    assert piped.returncode == 1 and "\x1b" not in piped.stderr and "--let x=VALUE" in piped.stderr
