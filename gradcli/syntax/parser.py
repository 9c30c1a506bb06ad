"""Parse gradcli source into the AST, through the parsers of grammars/gradcli.lark.

Public API: ``parse_expression`` (one expression, for ``gradcli eval``), ``parse_program``
(scripts and REPL input) and ``needs_more_input`` (REPL continuation lines). Every failure is
a GradcliError whose ``source`` is the text given, so that it can be shown with a caret.

Expressions and scripts go through the quick parser of gradcli/syntax/quick.py, a lean
driver over Lark's LALR tables (about 3x faster than Lark); anything it cannot take exactly
as Lark would, every error included, is parsed by Lark (gradcli/syntax/lark_engine.py),
which is imported only then.

Both read tables that ship in the package (gradcli/syntax/tables/, made from the grammar by
gradcli/syntax/make_tables.py); ``_engine`` and ``_quick_parser`` load them once per process.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from gradcli.errors import GradcliError
from gradcli.syntax import nodes as n
from gradcli.syntax.builder import RULES, AstBuilder, DepthGauge, Origin
from gradcli.syntax.checks import check_placement
from gradcli.syntax.failures import ParseFailure
from gradcli.syntax.nodes import NESTING
from gradcli.syntax.quick import QuickParser

if TYPE_CHECKING:
    from gradcli.syntax.lark_engine import LarkEngine

#: The tables made by gradcli/syntax/make_tables.py.
_TABLES = Path(__file__).with_name("tables")
_COMPOUND = (n.If, n.While, n.For, n.FunctionDef, n.With)
_TOP = Origin()


# ---------------------------------------------------------------- public API


#: The longest source parsed, in characters: Lark takes about 20 us a character, so that a
#: pasted megabyte would take most of a minute. Data belongs in files (--let x=@file).
MAX_SOURCE_CHARS = 200_000


_COMMENT = re.compile(r"#[^\n]*")


def _code_size(text: str) -> int:
    """Characters of the source but its comments (a '#' in a string may hide a few: this is
    a limit, not a parse)."""
    return len(text) if "#" not in text else len(_COMMENT.sub("", text))


def _check_size(text: str) -> None:
    if len(text) > MAX_SOURCE_CHARS and (size := _code_size(text)) > MAX_SOURCE_CHARS:
        raise GradcliError(
            "limit", f"the source holds {size:,} characters of code, more than the limit of "
            f"{MAX_SOURCE_CHARS:,}", hint="put data in a file and bind it with --let "
            "x=@data.json (or load('data.npy') in a script)")


def parse_expression(text: str, *, max_depth: int | None = None) -> n.Expr:
    """Parse exactly one expression (a bare tuple ``a, b`` counts as one).

    A statement is a syntax error that says which statement it found.
    """
    max_depth = NESTING["max_depth"] if max_depth is None else max_depth
    text = _without_bom(text)
    _check_size(text)
    try:
        return _Session(max_depth).expression(text)
    except ParseFailure as failure:
        error = _statement_instead(text, max_depth) or failure.diagnosis.error
        raise error.located(None, None, source=text) from None
    except GradcliError as error:
        raise error.located(None, None, source=text) from None


#: The longest text expression_shape reads: longer ones are rarely repeated in shape.
_SHAPE_CHARS = 4096
#: What a text with a shape holds none of: strings, comments, continuations, more lines (the
#: quick parser's ELSEWHERE), and the characters that mask literals, so that no text can be
#: the shape of another.
_UNSHAPED = re.compile(r"[\"'#\\\r\n\x00\x01]")
#: A plain literal (expression_shape): a decimal int or float without underscores, touching
#: no letter, digit, "_" or "." on either side, and not after "e+", "e-", "E+" or "E-" (where
#: it could be the end of a number's exponent: the 3 of 2.5e-3).
_PLAIN_LITERAL = re.compile(r"(?<![\w.])(?<![eE][+-])"
                            r"((?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
                            r"|[0-9]+(?:[eE][+-]?[0-9]+)?)(?![\w.])")


def expression_shape(text: str) -> tuple[str, list[int | float], list[int]] | None:
    """The shape of the one-line expression ``text``: (the text with each plain literal
    masked, the literals' values, their columns), or None where it has none: a string, a
    comment, more lines, more than 4,096 characters, an int literal with a leading zero or
    of 20 digits or more (whose parse the AstBuilder checks).

    A plain literal is a decimal int or float without underscores that touches no letter,
    digit, ``_`` or ``.`` on either side and does not follow ``e+``/``e-`` (``_PLAIN_LITERAL``):
    there the tokenizer reads a NUMBER token of exactly those characters, since the token
    before it ends where it starts. Another number (``0x1f``, ``1_0``, the ``5`` of ``x.5``,
    the ``3`` of ``2.5e-3``) stays in the shape as written, so that only the same text shares
    it. A literal is masked as ``\\x00`` (an int) or ``\\x01`` (a float) once per character;
    a text that holds either character has no shape.

    Two texts of one shape have the same tokens at the same places but for the values of
    their plain literals: where one of them parses, both parse alike, positions included,
    into trees that differ only in the values of their Number nodes (one per literal, at
    its column), since no parse check reads a plain literal's value. Whether the text
    parses is not decided here.
    """
    if len(text) > _SHAPE_CHARS or not text or _UNSHAPED.search(text):
        return None
    parts = _PLAIN_LITERAL.split(text)
    if len(parts) == 1:
        return text, [], []
    literals: list[int | float] = []
    columns: list[int] = []
    position = 0
    for i in range(1, len(parts), 2):
        position += len(parts[i - 1])
        value = parts[i]
        columns.append(position + 1)
        position += len(value)
        if value.isdigit():
            if value[0] == "0" and len(value) > 1 or len(value) >= 20:
                return None
            literals.append(int(value))
            parts[i] = "\x00" * len(value)
        else:
            literals.append(float(value))
            parts[i] = "\x01" * len(value)
    return "".join(parts), literals, columns


def parse_program(text: str, *, max_depth: int | None = None) -> n.Program:
    """Parse a script or a REPL input into a Program."""
    max_depth = NESTING["max_depth"] if max_depth is None else max_depth
    text = _without_bom(text)
    _check_size(text)
    try:
        _check_first_line(text)
        program = _Session(max_depth).program(text)
        if "return" in text or "break" in text or "continue" in text:  # else none to place
            check_placement(program)
        return program
    except ParseFailure as failure:
        raise failure.diagnosis.error.located(None, None, source=text) from None
    except GradcliError as error:
        raise error.located(None, None, source=text) from None


def needs_more_input(text: str, *, max_depth: int | None = None) -> bool:
    """True when ``text`` could still become a valid program: the REPL should read on.

    ``text`` is the lines typed so far joined by ``"\\n"`` (as ``code.InteractiveConsole``
    does). That is so when a bracket or a triple-quoted string is unclosed, a line ends
    with ``\\`` or ``:``, or a block statement has not yet been ended by an empty line.
    Any other error is False: parse the text to report it.
    """
    max_depth = NESTING["max_depth"] if max_depth is None else max_depth
    text = _without_bom(text)
    if not text.strip() or _code_size(text) > MAX_SOURCE_CHARS:
        return False
    try:
        _check_first_line(text)
        program = _Session(max_depth).program(text)
    except ParseFailure as failure:
        return failure.diagnosis.incomplete
    except GradcliError:
        return False
    ends_with_empty_line = text.rstrip(" \t").endswith("\n")
    return bool(program.body) and isinstance(program.body[-1], _COMPOUND) \
        and not ends_with_empty_line


# ---------------------------------------------------------------- parsing


class _Session:
    """One call of the public API: the depth limit and the depth gauge of its tree."""

    def __init__(self, max_depth: int) -> None:
        self.max_depth = max_depth
        self.gauge = DepthGauge(max_depth)

    def expression(self, text: str, origin: Origin = _TOP) -> n.Expr:
        node = self.parse(text, "eval_input", origin)
        assert isinstance(node, n.Expr)
        return node

    def program(self, text: str) -> n.Program:
        node = self.parse(text, "file_input", _TOP)
        assert isinstance(node, n.Program)
        return node

    def parse(self, text: str, start: str, origin: Origin) -> n.Node:
        text = _terminated(text)
        node = _quick(text, AstBuilder(origin, self.gauge, self._parse_field), self.max_depth,
                      script=start == "file_input")
        if node is not None:
            return node
        engine = _engine()
        try:
            tree = engine.parse(text, start, self.max_depth)
        except ParseFailure as failure:
            _relocate(failure.diagnosis.error, origin)
            raise
        except GradcliError as error:
            raise _relocate(error, origin) from None
        return engine.build(tree, engine.builder(origin, self.gauge, self._parse_field))

    def _parse_field(self, text: str, line: int, column: int) -> n.Expr:
        """Parse the expression of an f-string field that starts at (line, column)."""
        try:
            return self.expression(text, Origin(line, column))
        except ParseFailure as failure:
            # Complete as far as the REPL is concerned: the string around it is closed.
            error = failure.diagnosis.error
            error.message = "f-string: " + error.message
            raise error from None


#: One parse at a time through the quick parser, whose reductions share its state.
_QUICK_LOCK = threading.RLock()


def _quick(text: str, builder: AstBuilder, max_depth: int,
           script: bool = False) -> n.Node | None:
    """The expression (or ``script``) ``text`` through the quick parser, or None when Lark
    must parse it."""
    with _QUICK_LOCK:
        return _quick_parser().parse(text, builder, max_depth, script)


@functools.lru_cache(maxsize=1)
def _quick_parser() -> QuickParser:
    return QuickParser(json.loads((_TABLES / "quick.json").read_bytes()), RULES)


@functools.lru_cache(maxsize=1)
def _engine() -> LarkEngine:
    from gradcli.syntax.lark_engine import open_engine

    return open_engine(_TABLES / "lark.pickle")


def _without_bom(text: str) -> str:
    """Python ignores a UTF-8 byte order mark at the start of a file; so does gradcli."""
    return text.removeprefix("\ufeff")


def _terminated(text: str) -> str:
    """The grammar ends every statement with a newline; the last line may lack one."""
    return text if not text or text.endswith("\n") else text + "\n"


def _relocate(error: GradcliError, origin: Origin) -> GradcliError:
    """Move an error found in an f-string field to its place in the whole source."""
    if error.line is not None and error.column is not None:
        first_line = error.line == 1
        error.line, error.column = origin.map(error.line, error.column)
        if error.end_column is not None and first_line:
            error.end_column += origin.column - 1
    return error


def _check_first_line(text: str) -> None:
    """Python rejects a script whose first statement is indented; the lexer cannot see it."""
    for number, line in enumerate(text.split("\n"), start=1):
        code = line.lstrip(" \t\f")
        if not code.strip() or code.startswith("#"):
            continue
        if code != line:
            column = len(line) - len(code) + 1
            raise GradcliError(kind="syntax", message="unexpected indent", line=number,
                               column=column, hint="start the first statement in column 1")
        return


def _statement_instead(text: str, max_depth: int) -> GradcliError | None:
    """When ``text`` is a valid program but not an expression, say what it is instead."""
    try:
        program = parse_program(text, max_depth=max_depth)
    except GradcliError:
        return None
    if not program.body:
        return None
    first = program.body[0]
    found = (f"{len(program.body)} statements" if len(program.body) > 1
             else _statement_words(first))
    return GradcliError(
        kind="syntax", message=f"expected a single expression, found {found}",
        line=first.line, column=first.column,
        hint="bind names with --let NAME=VALUE, or put statements in a script for 'gradcli run'")


def _statement_words(statement: n.Stmt) -> str:
    words = {
        n.Assign: "an assignment", n.AugAssign: "an augmented assignment",
        n.FunctionDef: "a function definition", n.If: "an 'if' statement",
        n.While: "a 'while' loop", n.For: "a 'for' loop", n.With: "a 'with' statement",
        n.Assert: "an 'assert' statement", n.Import: "an import", n.ImportFrom: "an import",
        n.Return: "a 'return' statement", n.Pass: "'pass'", n.Break: "'break'",
        n.Continue: "'continue'",
    }
    return words.get(type(statement), "a statement")
