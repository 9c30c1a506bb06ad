"""Plans (interpreter/plans.py): an expression whose shape was compiled lately runs through
that compiled closure with its own literals. Whatever goes through a plan must give what
its own parse and compile give: values, dtypes, grad_fn names, gradients, notes, errors and
their places, for every expression of the golden cases with its literals changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from expression_strategies import extend
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gradcli.engine import Tensor
from gradcli.errors import GradcliError
from gradcli.interpreter import plans
from gradcli.interpreter.evaluate import EvalOptions, Evaluator
from gradcli.interpreter.plans import Planned
from gradcli.render.text import to_text
from gradcli.syntax import nodes as N
from gradcli.syntax.parser import expression_shape, parse_expression

GOLDEN = Path(__file__).parent / "golden"
CASES = json.loads((GOLDEN / "eval_cases.json").read_text())

#: Each digit of a literal changed, never to 0 (an int keeps no leading zero).
_OTHER_DIGIT = str.maketrans("0123456789", "1234567891")


def twin(text: str) -> str | None:
    """``text`` with each plain literal's digits changed (a literal of the same length and
    kind: the same shape), or None when it has no literal to change."""
    shape = expression_shape(text)
    if shape is None or not shape[1]:
        return None
    masked = shape[0]
    return "".join(c.translate(_OTHER_DIGIT) if m in "\x00\x01" else c
                   for c, m in zip(text, masked))


def _options(case: dict[str, Any]) -> EvalOptions:
    return EvalOptions(lets=[tuple(kv) for kv in case["lets"]], grad_output=case["grad_output"],
                       dtype=case["dtype"], seed=0)


def _outcome(ev: Evaluator, text: str, node: Any = None) -> Any:
    """Everything an evaluation shows: the value and gradients bit for bit, with their
    dtypes, grad_fn names and text, the notes; or the error, with its place."""
    try:
        with np.errstate(all="ignore"):
            result = ev.evaluate(text, node)
    except GradcliError as e:
        return ("error", e.kind, e.message, e.line, e.column, e.end_column, e.hint)
    grads = {n: None if g is None else _tensor(g) for n, g in result.grads.items()}
    return ("ok", _of(result.value), grads, result.notes, result.not_backpropagated)


def _tensor(t: Tensor) -> Any:
    return (t.data.dtype.name, t.data.shape, t.data.tobytes(),
            None if t.grad_fn is None else t.grad_fn.name, t.requires_grad, to_text(t))


def _of(value: Any) -> Any:
    if isinstance(value, Tensor):
        return _tensor(value)
    if isinstance(value, (tuple, list)):
        return type(value).__name__, [_of(v) for v in value]
    if isinstance(value, float) and value != value:
        return "nan"
    return type(value).__name__, to_text(value)


TWINS = [(c, t) for c in CASES if (t := twin(c["expr"])) is not None]


def test_the_golden_cases_give_twins() -> None:
    """Most golden expressions have literals to change (the test below is not empty)."""
    assert len(TWINS) > 400


@pytest.mark.parametrize("case,other", TWINS, ids=[c["id"] for c, _ in TWINS])
def test_a_planned_expression_is_its_own_parse(case: dict[str, Any], other: str) -> None:
    try:
        planning = Evaluator(_options(case), np.load)
    except GradcliError:
        pytest.skip("a --let of the case fails: nothing is evaluated")
    first = planning.prepare(case["expr"])  # the plan of the shape (or the tree, when none)
    prepared = planning.prepare(other)
    if type(first) is Planned:
        assert type(prepared) is Planned and prepared.plan is first.plan
    planned = _outcome(planning, other, prepared)
    fresh = Evaluator(_options(case), np.load)
    fresh._planned = False
    assert _outcome(fresh, other) == planned


def test_a_stream_of_one_shape_parses_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """After the first line of a shape, no line of that shape is parsed or compiled."""
    import gradcli.interpreter.evaluate as evaluate

    parsed: list[str] = []

    def counted(text: str, **kw: Any) -> Any:
        parsed.append(text)
        return parse_expression(text, **kw)

    monkeypatch.setattr(evaluate, "parse_expression", counted)
    ev = Evaluator(EvalOptions(lets=[("x", "arange(4.0)")]), np.load)
    parsed.clear()
    values = [float(ev.evaluate(f"sum(x*{i} + x**2)").value.item()) for i in range(10, 40)]
    assert values == [6.0 * i + 14.0 for i in range(10, 40)]
    assert parsed == ["sum(x*10 + x**2)"]


def _fresh(lets: list[tuple[str, str]]) -> Evaluator:
    """An Evaluator that takes no plans: every text parsed and compiled."""
    ev = Evaluator(EvalOptions(lets=lets), np.load)
    ev._planned = False
    return ev


def test_the_places_of_errors_are_the_texts_own() -> None:
    lets = [("x", "arange(4.0)")]
    ev = Evaluator(EvalOptions(lets=lets), np.load)
    ev.evaluate("sum(x[1:] * 2)")
    assert type(ev.prepare("sum(x[7:] * 3)")) is Planned
    with pytest.raises(GradcliError) as info:
        ev.evaluate("sum(x[7] * 3)")
    err = info.value
    assert (err.line, err.column, err.end_column, err.source) == (1, 5, 9, "sum(x[7] * 3)")
    assert "index 7 is out of bounds" in err.message
    assert _outcome(_fresh(lets), "sum(x[7] * 3)") == _outcome(ev, "sum(x[7] * 3)")
    ev.evaluate("sum(x) + 3 / 1")
    with pytest.raises(GradcliError) as info:
        ev.evaluate("sum(x) + 3 / 0")
    assert (info.value.message, info.value.column) == ("division by zero", 10)


@pytest.mark.parametrize("first,second,planned", [
    ("sum(x * 10)", "sum(x * 1_0)", False),  # underscores: no shape
    ("sum(x * 10)", "sum(x * 0x1)", False),  # hex: no shape, parsed (and right)
    ("sum(x * 10)", "sum(x * 01)", False),  # a leading zero: no shape (an error of its parse)
    ("sum(x * 10)", "sum(x * 1.)", False),  # an int and a float: two shapes
    ("sum(x * 1.5)", "sum(x * 1e5)", True),  # floats of one length: one shape
    ("sum(x * 1.5)", "sum(x *  15)", False),  # other spaces: another shape
])
def test_literals_that_are_not_plain_are_parsed(first: str, second: str, planned: bool) -> None:
    lets = [("x", "arange(4.0)")]
    plans._PLANS.clear()  # no plan of an earlier test
    ev = Evaluator(EvalOptions(lets=lets), np.load)
    ev.evaluate(first)
    (first_plan,) = plans._PLANS.values()
    try:
        prepared = ev.prepare(second)
    except GradcliError:
        prepared = None
    assert (type(prepared) is Planned and prepared.plan is first_plan) == planned
    assert _outcome(ev, second, prepared) == _outcome(_fresh(lets), second)


@pytest.mark.parametrize("text", ["\x00", "\x01\x01\x01", "sum(x * \x00)", "sum(x*\x00\x00 + x**\x00)"])
def test_a_text_holding_the_masks_is_no_shape(text: str) -> None:
    """The characters that mask literals in a shape: a text that holds them has none, so that
    it cannot be taken for the shape of another text (the nightly fuzz profile sent "7" then
    "\\x00" down a stream: the second ran the first one's plan without its literal)."""
    assert expression_shape(text) is None
    plans._PLANS.clear()
    ev = Evaluator(EvalOptions(lets=[("x", "arange(4.0)")]), np.load)
    for first in ("7", "1.5", "sum(x * 7)", "sum(x*10 + x**2)"):
        ev.evaluate(first)
    with pytest.raises(GradcliError) as info:
        ev.evaluate(text)
    assert info.value.kind == "syntax"


def test_a_text_that_does_not_parse_makes_no_plan() -> None:
    """A bad text of a shape no good text had is parsed, and its error is its parse's."""
    ev = Evaluator(EvalOptions(lets=[("x", "arange(4.0)")]), np.load)
    for _ in range(2):
        with pytest.raises(GradcliError) as info:
            ev.evaluate("x * * 2")
        assert info.value.kind == "syntax"


def test_the_depth_limit_is_part_of_the_shape() -> None:
    from gradcli.syntax.nodes import NESTING

    ev = Evaluator(EvalOptions(lets=[("x", "arange(4.0)")]), np.load)
    ev.evaluate("sum((((x * 1))))")
    saved = NESTING["max_depth"]
    NESTING["max_depth"] = 2
    try:
        with pytest.raises(GradcliError) as info:
            ev.evaluate("sum((((x * 2))))")
        assert info.value.kind == "limit"
    finally:
        NESTING["max_depth"] = saved


def test_trace_and_anomaly_detection_take_no_plans() -> None:
    for options in (EvalOptions(lets=[("x", "arange(4.0)")], trace=True),
                    EvalOptions(lets=[("x", "arange(4.0)")], detect_anomaly=True)):
        ev = Evaluator(options, np.load)
        ev.evaluate("sum(x * 3)")
        assert type(ev.prepare("sum(x * 4)")) is not Planned


def test_plans_are_few() -> None:
    ev = Evaluator(EvalOptions(lets=[("x", "arange(4.0)")]), np.load)
    for i in range(plans.KEPT_PLANS + 10):
        ev.evaluate("sum(x" + " + x" * i + " * 2)")
    assert len(plans._PLANS) <= plans.KEPT_PLANS


def _dump(value: Any, values: dict[int, Any]) -> Any:
    """A tree as nested tuples of classes, fields and positions, with the value of the
    Number node at each column of ``values`` (on line 1) replaced."""
    if isinstance(value, N.Node):
        if type(value) is N.Number and value.line == 1 and value.column in values:
            v = values[value.column]
            return ("Number", (value.line, value.column, value.end_line, value.end_column),
                    ((type(v).__name__, v),))
        return (type(value).__name__, tuple(getattr(value, f) for f in N.POSITION_FIELDS),
                tuple(_dump(getattr(value, f), values) for f in value._fields))
    if isinstance(value, tuple):
        return tuple(_dump(item, values) for item in value)
    return (type(value).__name__, value)


_NUMBERS = st.one_of(
    st.integers(0, 10**6).map(str), st.floats(0, 1e6, allow_nan=False).map(repr),
    st.sampled_from(["1e5", "2.5e-3", ".5", "1.", "1.e3", "00", "07", "0x1f", "1_0", "9" * 20]))
_TEXTS = st.recursive(
    st.one_of(_NUMBERS, st.sampled_from(["x", "y1", "e", "E", "j", "True", "...", "()"])),
    lambda inner: extend(inner, st.sampled_from(["x", "e5", "sum"]),
                         st.sampled_from(["+", "-", "*", "**", "", " ", ".", ",", "<"]),
                         unary=("-", "")),
    max_leaves=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXTS)
# The 3 of an exponent's e-3 followed by .e5 read as a literal of its own (3.e5): found here.
@example("2.5e-3.e5")
@example("1E+2.real")
@example("x-3.e5")
def test_texts_of_one_shape_parse_alike_but_for_their_literals(text: str) -> None:
    """What plans stand on (syntax.parser.expression_shape): a text whose literals are
    changed has the same shape, and where the first parses, the second's tree is the
    first's with its own literals' values at the shape's columns, positions included."""
    shape = expression_shape(text)
    other = twin(text)
    if shape is None or other is None:
        return
    other_shape = expression_shape(other)
    assert other_shape is not None and other_shape[0] == shape[0]
    assert other_shape[2] == shape[2]
    try:
        tree = parse_expression(text)
    except GradcliError:
        return  # no plan is made of a text that does not parse
    expected = _dump(tree, dict(zip(shape[2], other_shape[1])))
    assert _dump(parse_expression(other), {}) == expected, other
