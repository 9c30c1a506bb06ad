"""The Evaluator behind eval: fresh leaves per evaluation, shared inputs when nothing can write."""

from __future__ import annotations

import numpy as np

from gradcli.interpreter.evaluate import EvalOptions, Evaluator


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
