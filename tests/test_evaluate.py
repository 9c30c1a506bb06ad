"""The Evaluator behind eval: fresh leaves per evaluation, shared inputs when nothing can write."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from gradcli.errors import GradcliError
from gradcli.interpreter.core import Interpreter
from gradcli.interpreter.evaluate import EvalOptions, Evaluator
from gradcli.syntax.parser import parse_program


def _evaluator(**lets: str) -> Evaluator:
    return Evaluator(EvalOptions(lets=list(lets.items())), np.load)


def test_leaves_share_the_inputs_when_no_in_place_method_is_called() -> None:
    ev = _evaluator(x="arange(3.0)")
    _, variables, _ = ev.run("sum(x * x)")
    assert variables["x"].data is ev.bound["x"]  # no copy of the input per evaluation


def test_an_in_place_method_gets_its_own_copy_and_the_next_evaluation_sees_the_input() -> None:
    ev = _evaluator(x="arange(3.0)")
    first = ev.evaluate("x.detach().zero_().sum() + x.sum()")
    assert float(first.value.data) == 0.0  # detach shares storage, as in PyTorch
    np.testing.assert_array_equal(ev.bound["x"], [0.0, 1.0, 2.0])
    second = ev.evaluate("x.sum()")
    assert float(second.value.data) == 3.0


def test_gradients_do_not_accumulate_across_evaluations() -> None:
    ev = _evaluator(x="arange(3.0)")
    ev.evaluate("sum(x * x)")
    again = ev.evaluate("sum(x * x)")
    np.testing.assert_array_equal(again.grads["x"].data, [0.0, 2.0, 4.0])


def test_an_evaluation_is_freed_when_its_result_goes_without_the_cyclic_collector() -> None:
    """Nothing of an evaluation is in a reference cycle: its interpreter, leaves and gradients
    go as soon as the result does (they used to wait for the cyclic collector, and a stream of
    big evaluations held one gradient too many, page-faulting a fresh buffer each time)."""
    import gc
    import weakref

    ev = _evaluator(x="arange(1000.0)", w="ones(1000)")
    gc.collect()
    gc.disable()
    try:
        for expr in ["2*dot(x,x)", "sum(exp(x) * sin(w) + x ** 2)", "mean((x - w) ** 2)",
                     "str(x)", "x.sum()"]:
            value, variables, interp = ev.run(expr)
            refs = [weakref.ref(interp), weakref.ref(variables["x"])]
            if not isinstance(value, str):
                refs.append(weakref.ref(value))
            del value, variables, interp
            assert [r() for r in refs] == [None] * len(refs), expr
            result = ev.evaluate(expr)
            grad = weakref.ref(result.grads["x"]) if result.grads.get("x") is not None else None
            del result
            assert grad is None or grad() is None, expr
    finally:
        gc.enable()


def test_an_expression_is_parsed_once_however_often_it_is_evaluated(monkeypatch: Any) -> None:
    """gradcli check evaluates its expression 2n + 1 times (n input elements): one parse."""
    from gradcli.interpreter import evaluate, plans

    texts: list[str] = []
    real = evaluate.parse_expression

    def counting(text: str, **kwargs: Any) -> Any:
        texts.append(text)
        return real(text, **kwargs)

    monkeypatch.setattr(evaluate, "parse_expression", counting)
    plans._PLANS.clear()  # no text of this test is in a plan of an earlier one
    ev = _evaluator(x="arange(5.0)")  # the --let text is parsed: one
    result = ev.check("sum(x * sin(x))", eps=1e-6, atol=1e-5, rtol=1e-4)
    assert result.ok
    assert texts == ["arange(5.0)", "sum(x * sin(x))"]
    ev.evaluate("sum(x * sin(x))")
    assert len(texts) == 2
    # A bounded store: the oldest text goes first (texts of distinct shapes: a text of a
    # shape evaluated lately is not parsed at all, tests/test_plans.py).
    for i in range(evaluate.KEPT_ASTS + 1):
        ev.evaluate("sum(x" + " * x" * i + ")")
    ev.evaluate("sum(x * sin(x))")
    assert texts[-1] == "sum(x * sin(x))" and len(texts) == 2 + evaluate.KEPT_ASTS + 2


def test_a_parse_error_is_raised_every_time() -> None:
    import pytest

    from gradcli.errors import GradcliError

    ev = _evaluator(x="arange(3.0)")
    for _ in range(2):
        with pytest.raises(GradcliError, match="unclosed"):
            ev.evaluate("sum(x")


def test_a_bad_grad_assignment_is_located_at_its_statement() -> None:
    interp = Interpreter(write=lambda s: None)
    with pytest.raises(GradcliError) as caught:
        interp.run(parse_program("x = tensor([1.0, 2.0], requires_grad=True)\n"
                                 "x.grad = tensor([1.0])\n"))
    error = caught.value
    assert (error.kind, error.line, error.column) == ("shape", 2, 1)
    assert "attempting to assign a gradient of size '[1]'" in error.message


# -- no silent missing gradient ---------------------------------------------------------------

def _notes_evaluator(*lets: tuple[str, str], wrt: tuple[str, ...] = ()) -> Evaluator:
    return Evaluator(EvalOptions(lets=list(lets), wrt=list(wrt)), np.load)


INT_NOTE = "no gradient: int64 is not differentiable; write 3.0"


def test_an_integer_variable_is_a_constant_and_every_eval_format_says_so() -> None:
    from rich.console import Console

    from gradcli.render.eval_output import json_object, render_plain, render_table
    from gradcli.render.text import PrintOptions

    ev = _notes_evaluator(("x", "3"), ("y", "2.0"), ("z", "arange(4.0)"), ("b", "x > 1"))
    result = ev.evaluate("x * y")
    assert float(result.value.data) == 6.0 and set(result.grads) == {"y", "z"}
    assert result.notes == {
        "x": INT_NOTE, "z": "not used (its grad is None, as in PyTorch)",
        "b": "no gradient: bool is not differentiable; write 3.0 or arange(4.0)"}
    assert json_object(result)["notes"] == result.notes
    assert render_plain(result, PrintOptions()).splitlines() == [
        "tensor(6., grad_fn=<MulBackward0>)", f"x  {INT_NOTE}", "y.grad = tensor(3.)",
        "z  not used (its grad is None, as in PyTorch)",
        "b  no gradient: bool is not differentiable; write 3.0 or arange(4.0)"]
    console = Console(record=True, width=200, color_system=None)
    render_table(result, PrintOptions(), console)
    text = console.export_text()
    assert INT_NOTE in text and "not used (its grad is None" in text


def test_wrt_an_integer_variable_says_why_there_is_no_gradient() -> None:
    ev = _notes_evaluator(("i", "arange(3)"), ("y", "2.0"), wrt=("i",))
    result = ev.evaluate("sum(i * y)")
    assert result.grads == {}
    assert result.notes == {
        "i": "no gradient: int64 is not differentiable; write 3.0 or arange(4.0)"}


def test_a_used_variable_the_result_does_not_depend_on_is_said_so() -> None:
    result = _notes_evaluator(("x", "arange(3.0)")).evaluate("x.detach().sum()")
    assert result.grads == {"x": None}
    assert result.notes == {"x": "no gradient: the result does not depend on it (its grad is "
                                 "None)"}
    assert _notes_evaluator(("x", "arange(3.0)")).evaluate("sum(x * x)").notes == {}


def test_jacobian_hessian_and_check_give_the_notes_in_every_format() -> None:
    from gradcli.render.derivatives import (
        check_json,
        hessian_json,
        hessian_plain,
        jacobian_json,
        jacobian_plain,
    )
    from gradcli.render.text import PrintOptions

    ev = _notes_evaluator(("n", "3"), ("y", "[1.0, 2.0]"), ("z", "1.0"))
    expected = {"n": INT_NOTE,
                "z": "not used (its blocks are zeros; its grad would be None, as in PyTorch)"}
    jac = ev.jacobian("sum(y ** 2) * n")
    assert jac.notes == expected and set(jac.jacobian) == {"y", "z"}
    assert '"notes": {"n": "no gradient: int64' in jacobian_json(jac)
    assert f"n  {INT_NOTE}" in jacobian_plain(jac, PrintOptions()).splitlines()
    hes = ev.hessian("sum(y ** 2) * n")
    assert hes.notes == expected and '"notes"' in hessian_json(hes)
    assert f"n  {INT_NOTE}" in hessian_plain(hes, PrintOptions()).splitlines()
    chk = ev.check("sum(y ** 2) * n", 1e-6, 1e-5, 1e-3)
    assert chk.ok and chk.notes == expected and '"notes"' in check_json(chk, False)
    only = _notes_evaluator(("i", "arange(3)"), wrt=("i",)).jacobian("i * 2.0")
    assert only.jacobian == {} and only.notes == {
        "i": "no gradient: int64 is not differentiable; write 3.0 or arange(4.0)"}
