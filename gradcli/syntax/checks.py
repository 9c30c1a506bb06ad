"""Whole-program checks no grammar rule can make: misplaced ``return``, ``break``, ``continue``.

Python reports these as syntax errors before running anything, and so does gradcli.
"""

from __future__ import annotations

from gradcli.errors import GradcliError
from gradcli.syntax import nodes as n

_LOOPS = (n.While, n.For)


def check_placement(program: n.Program) -> None:
    """Raise a syntax GradcliError for the first misplaced return, break or continue."""
    # (statement, inside a function, inside a loop of the current function); no recursion.
    pending: list[tuple[n.Stmt, bool, bool]] = [(s, False, False) for s in reversed(program.body)]
    while pending:
        statement, in_function, in_loop = pending.pop()
        _check(statement, in_function, in_loop)
        if isinstance(statement, n.FunctionDef):
            # A def starts afresh: `break` in its body cannot leave an enclosing loop.
            in_function, in_loop = True, False
        elif isinstance(statement, _LOOPS):
            in_loop = True
        for block in _blocks(statement):
            pending.extend((s, in_function, in_loop) for s in reversed(block))


def _check(statement: n.Stmt, in_function: bool, in_loop: bool) -> None:
    if isinstance(statement, n.Return) and not in_function:
        raise _misplaced(statement, "'return' outside function")
    if isinstance(statement, n.Break) and not in_loop:
        raise _misplaced(statement, "'break' outside loop")
    if isinstance(statement, n.Continue) and not in_loop:
        raise _misplaced(statement, "'continue' not properly in loop")


def _blocks(statement: n.Stmt) -> tuple[tuple[n.Stmt, ...], ...]:
    if isinstance(statement, n.If):
        return statement.body, statement.orelse
    if isinstance(statement, (n.While, n.For, n.With, n.FunctionDef)):
        return (statement.body,)
    return ()


def _misplaced(statement: n.Stmt, message: str) -> GradcliError:
    return GradcliError(kind="syntax", message=message, line=statement.line,
                        column=statement.column, end_column=statement.end_column)
