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
