"""The interpreter compiles each program and expression once into closures (interpreter/
expressions.py and statements.py): a loop's body is not compiled again at every step, a
repeated text is not compiled again, and what was compiled for one node never answers for
another (whose errors would name the wrong place)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from gradcli.errors import GradcliError
from gradcli.interpreter import expressions, plans, statements
from gradcli.interpreter.core import Interpreter
from gradcli.interpreter.evaluate import EvalOptions, Evaluator, split_let
from gradcli.syntax import nodes as N
from gradcli.syntax.parser import parse_expression, parse_program


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> Counter[type]:
    """How many nodes of each type are compiled from here on."""
    counts: Counter[type] = Counter()
    for table in (expressions._COMPILERS, statements._STATEMENTS):
        for kind, compile_node in list(table.items()):
            def counting(node: Any, *rest: Any, compile_node: Any = compile_node) -> Any:
                counts[type(node)] += 1
                return compile_node(node, *rest)

            monkeypatch.setitem(table, kind, counting)
    return counts


def test_a_loop_and_a_function_are_compiled_once_however_often_they_run(
        compiles: Counter[type]) -> None:
    program = parse_program("def f(a):\n    return a * 2\n"
                            "s = 0\nfor i in range(50):\n    s = s + f(i)\n")
    interp = Interpreter(write=lambda s: None)
    interp.run(program)
    interp.run(program)  # the same node again: its compiled form is kept
    assert interp.globals["s"] == 2 * 2 * sum(range(50)) / 2
    assert compiles[N.For] == 1
    assert compiles[N.Return] == 1
    assert compiles[N.BinOp] == 2  # a * 2 and s + f(i), each once
    assert compiles[N.Call] == 2  # range(50) and f(i)


def test_a_repeated_expression_text_is_parsed_and_compiled_once(compiles: Counter[type]) -> None:
    ev = Evaluator(EvalOptions(lets=[split_let("x=arange(3.0)")]), lambda spec: None)
    compiles.clear()  # the --let's own expression
    plans._PLANS.clear()  # no plan of an earlier test's text of the same shape
    for _ in range(5):  # a text no other test evaluates (the parser keeps trees by text)
        result = ev.evaluate("sum(x * x) + 0.0625")
    assert result.grads["x"].data.tolist() == [0.0, 2.0, 4.0]
    assert compiles[N.Call] == 1 and compiles[N.BinOp] == 2


def test_nodes_equal_but_for_their_place_have_their_own_compiled_form() -> None:
    # Nodes compare equal whatever their positions: the compiled form is kept by identity.
    first, second = parse_program("y = q\n"), parse_program("\n\n  \ny = q\n")
    assert first == second
    for program, line in ((first, 1), (second, 4)):
        with pytest.raises(GradcliError) as caught:
            Interpreter().run(program, "")
        assert caught.value.line == line and caught.value.column == 5


def test_the_kept_compiled_forms_are_bounded() -> None:
    interp = Interpreter()
    interp.globals["x"] = 1.0
    for i in range(expressions.KEPT_COMPILED + 50):
        assert interp.evaluate(parse_expression(f"x + {i}")) == 1.0 + i
    assert len(expressions._COMPILED) <= expressions.KEPT_COMPILED


def test_an_error_in_a_later_step_of_a_loop_names_its_place() -> None:
    program = parse_program("xs = (1, 2, 0, 4)\nt = 0\nfor v in xs:\n"
                            "    t = t + 1 // v\n")
    with pytest.raises(GradcliError) as caught:
        Interpreter().run(program, "")
    err = caught.value
    assert (err.message, err.line, err.column) == ("division by zero", 4, 13)
