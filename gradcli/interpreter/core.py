"""The interpreter: runs syntax nodes on the engine, with Python's scoping and control flow.

Each program or expression is compiled once into a tree of closures (what each node is, is
decided once, not at every visit), kept for the next runs of the same node. Expressions
evaluate to tensors, Python numbers, strings, tuples, lists, ranges and the callables of
``values.py``. Errors from the engine get the position of the node that raised them (the
innermost one); loops count steps and calls count depth against the limits. Statements are
compiled in statements.py, expressions in expressions.py, and what operators do to Python
values is pyvalues.py's; this module holds the interpreter's state and entry points.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import GradcliError
from ..limits import MAX_CALL_DEPTH, MAX_STEPS
from ..syntax import nodes as N
from .builtins import (
    global_names,
)
from .expressions import Expressions, compiled
from .signals import BreakSignal, ContinueSignal, ReturnSignal
from .statements import Statements, compile_block


@dataclass
class Limits:
    """Run-time limits (SPEC section 6); each has a command-line flag."""

    max_steps: int = MAX_STEPS
    max_depth: int = MAX_CALL_DEPTH


#: Python frames one call of a user function takes (about 9) and those the deepest
#: expression may take, with margin: Python's recursion limit must let --max-depth be reached.
_FRAMES_PER_CALL = 16
_FRAMES_BASE = 3000
#: Beyond this the C stack, not the recursion limit, could give out first.
_MOST_FRAMES = 40_000


def _make_room(max_depth: int) -> None:
    wanted = min(_FRAMES_BASE + _FRAMES_PER_CALL * max_depth, _MOST_FRAMES)
    if sys.getrecursionlimit() < wanted:
        sys.setrecursionlimit(wanted)


class Interpreter(Statements, Expressions):
    """Evaluates expressions and runs statements, keeping variables between calls."""

    def __init__(self, *, limits: Limits | None = None,
                 to_text: Callable[[Any], str] = str,
                 write: Callable[[str], None] = lambda s: sys.stdout.write(s),
                 echo: Callable[[Any, Any], None] | None = None,
                 detect_anomaly: bool = False) -> None:
        self.limits = limits or Limits()
        _make_room(self.limits.max_depth)
        self.detect_anomaly = detect_anomaly
        self.to_text = to_text
        self.write = write
        self.echo = echo
        # print and str are shared too: call() runs this interpreter's _print and _str (a
        # bound method kept here would make a cycle, interpreter -> builtins -> method ->
        # interpreter, and the interpreter, its variables and their gradients would wait for
        # the cyclic collector instead of going when the evaluation is done).
        self.builtins = global_names()  # shared, read-only
        self.globals: dict[str, Any] = {}
        self.locals: dict[str, Any] = self.globals
        self.enclosing: tuple[dict[str, Any], ...] = ()
        self.steps = 0
        self.depth = 0
        self.source = ""
        #: Line of the top-level statement running now (for output that names its line).
        self.line = 0
        #: The literals of the expression a plan evaluates (interpreter/plans.py).
        self.literals: list[int | float] = []

    # -- entry points ---------------------------------------------------------------------
    def evaluate(self, node: N.Expr, source: str = "") -> Any:
        """Evaluate one expression node; errors carry positions in ``source``."""
        self.source = source
        try:
            return self.eval(node)
        except GradcliError as e:
            raise e.located(None, None, source) from None

    def evaluate_planned(self, code: Callable[[Any], Any], literals: list[int | float],
                         source: str) -> Any:
        """Evaluate an expression through a plan's closure ``code`` (interpreter/plans.py),
        its literals' values ``literals``: as ``evaluate`` evaluates its tree."""
        self.source = source
        self.literals = literals
        try:
            return code(self)
        except GradcliError as e:
            raise e.located(None, None, source) from None

    def run(self, program: N.Program, source: str = "") -> None:
        """Run a program's statements at top level, echoing expression statements."""
        self.source = source
        try:
            compiled(program, _compile_program)(self)
        except GradcliError as e:
            raise e.located(None, None, source) from None
        except (BreakSignal, ContinueSignal):
            raise GradcliError("syntax", "'break' or 'continue' outside a loop") from None
        except ReturnSignal:
            raise GradcliError("syntax", "'return' outside a function") from None


def _compile_program(program: N.Program) -> Callable[[Any], None]:
    return compile_block(program.body, top=True)
