"""The interpreter writes a + b (a - b) into a's buffer when a is a temporary of the
expression (a BinOp compiled by interpreter/expressions.py, engine ops.into_left): here,
where it must and must not.

Every case runs twice, with the reuse and with it turned off; values and gradients must agree.
The torch golden script tests/golden/scripts/temporaries.py checks the printed values too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from gradcli.engine import ops as E
from gradcli.engine import reuse
from gradcli.interpreter.core import Interpreter
from gradcli.syntax.parser import parse_program

SETUP = ("x = tensor([0.5, 1.0, 1.5, 2.0], requires_grad=True)\n"
         "w = tensor([2.0, -1.0, 0.5, 3.0])\n")


def run(text: str, reuse: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, Any], int]:
    """The script's variables (as arrays, and x.grad) and how often the reuse happened."""
    taken = []
    original = E.into_left

    def spy(op: str, a: Any, b: Any) -> Any:
        out = original(op, a, b) if reuse else None
        taken.append(out is not None)
        return out

    monkeypatch.setattr(E, "into_left", spy)
    interp = Interpreter(write=lambda s: None)
    interp.run(parse_program(SETUP + text))
    values = {name: np.array(v.data) for name, v in interp.globals.items()
              if hasattr(v, "data") and name != "torch"}
    grad = interp.globals["x"].grad
    values["x.grad"] = None if grad is None else np.array(grad.data)
    monkeypatch.undo()
    return values, sum(taken)


@pytest.mark.parametrize(("text", "reused"), [
    ("y = sum(exp(x) * sin(x) + x ** 2)\ny.backward()\n", 1),
    ("y = (x * 2) - 1\nsum(y).backward()\n", 1),
    ("y = (x * w) + w\nsum(y * y).backward()\n", 1),
    ("y = (x * 2) + 1 + 1 + 1\nsum(y).backward()\n", 3),
    ("y = (x * 1) + (x * 1)\nsum(y).backward()\n", 1),
    # held elsewhere: never reused
    ("t = x * 2\ny = t + 1\nsum(y).backward()\n", 0),   # by a variable
    ("y = exp(x) + 1\nsum(y).backward()\n", 0),         # exp saved its output
    ("y = x.detach() + 1\n", 0),                        # shares x's array
    ("y = x.reshape(2, 2) + 1\n", 0),                   # a view of x
    ("y = x[0:2] - 1\n", 0),                            # a view of x
    ("y = ones(3, requires_grad=True) + 1\n", 0),       # a leaf
    ("y = (x * 2) + ones(2, 4)\n", 0),                  # the result is bigger
    ("y = arange(4) * 2 + 0.5\n", 0),                   # int64 + float is float32
    ("l = [x * 2]\ny = l[0] + 1\nsum(y).backward()\n", 0),  # in a list
    ("y = [x * 2][0] + 1\nsum(y).backward()\n", 1),     # the list is gone by then
    # compiled once, run many times: in a loop's body and a function's
    ("s = 0\nfor i in range(3):\n    s = s + ((x * i) - 1)\nsum(s).backward()\n", 3),
    ("def f(v):\n    return (v * 2) + 1\ny = f(x) + f(w)\nsum(y).backward()\n", 3),  # f(x) too
    ("def f(v):\n    t = v * 2\n    return t + 1\ny = f(x)\nsum(y).backward()\n", 0),
])
def test_reuse_only_of_temporaries(text: str, reused: int,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    with_reuse, count = run(text, True, monkeypatch)
    without, _ = run(text, False, monkeypatch)
    assert count == (reused if reuse.TRUSTED else 0)
    assert with_reuse.keys() == without.keys()
    for name, value in without.items():
        if value is None:
            assert with_reuse[name] is None, name
        else:
            np.testing.assert_array_equal(with_reuse[name], value, err_msg=name)


def test_graph_values_are_kept() -> None:
    """gradcli graph keeps each node's output values: a kept output is never overwritten."""
    from gradcli.engine.autograd import KEEP_VALUES

    interp = Interpreter(write=lambda s: None)
    KEEP_VALUES[0] = True
    try:
        interp.run(parse_program(SETUP + "y = (x * 2) + 1\n"))
    finally:
        KEEP_VALUES[0] = False
    node = interp.globals["y"].grad_fn
    (mul_node,) = [e for e in node.edges if e is not None and hasattr(e, "value")]
    np.testing.assert_array_equal(mul_node.value, [1.0, 2.0, 3.0, 4.0])
