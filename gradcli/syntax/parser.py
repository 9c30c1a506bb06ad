"""Parse gradcli source into the AST: the only reader of grammars/gradcli.lark.

Public API: ``parse_expression`` (one expression, for ``gradcli eval``), ``parse_program``
(scripts and REPL input), ``needs_more_input`` (REPL continuation lines), and
``cache_file`` (where the LALR tables are cached). Every failure is a GradcliError whose
``source`` is the text given, so that it can be shown with a caret.

The LALR tables are built once per grammar version and kept in a private user cache
directory through Lark's ``cache=`` option; ``_engine`` memoises the loaded parser for the
life of the process. One-line expressions after the first go through the quick parser of
gradcli/syntax/quick.py, a lean driver over the same tables (about 3x faster); anything it
cannot take exactly as Lark would, every error included, is parsed by Lark.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import sys
import tempfile
import threading
from pathlib import Path
from typing import Literal

import lark
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput, VisitError
from lark.lexer import PatternStr

from gradcli.errors import GradcliError
from gradcli.syntax import nodes as n
from gradcli.syntax.builder import AstBuilder, DepthGauge, Origin
from gradcli.syntax.checks import check_placement
from gradcli.syntax.diagnostics import Diagnosis, diagnose
from gradcli.syntax.nodes import DEFAULT_MAX_DEPTH
from gradcli.syntax.postlex import GradcliIndenter
from gradcli.syntax.quick import QuickParser

_GRAMMAR = "gradcli.lark"
_OPTIONS = {
    "parser": "lalr",
    "lexer": "contextual",
    "start": ["file_input", "eval_input"],
    "propagate_positions": True,
    "maybe_placeholders": True,
}
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


def parse_expression(text: str, *, max_depth: int = DEFAULT_MAX_DEPTH) -> n.Expr:
    """Parse exactly one expression (a bare tuple ``a, b`` counts as one).

    A statement is a syntax error that says which statement it found.
    """
    text = _without_bom(text)
    _check_size(text)
    try:
        return _Session(max_depth).expression(text)
    except _ParseFailure as failure:
        error = _statement_instead(text, max_depth) or failure.diagnosis.error
        raise error.located(None, None, source=text) from None
    except GradcliError as error:
        raise error.located(None, None, source=text) from None


def parse_program(text: str, *, max_depth: int = DEFAULT_MAX_DEPTH) -> n.Program:
    """Parse a script or a REPL input into a Program."""
    text = _without_bom(text)
    _check_size(text)
    try:
        _check_first_line(text)
        program = _Session(max_depth).program(text)
        check_placement(program)
        return program
    except _ParseFailure as failure:
        raise failure.diagnosis.error.located(None, None, source=text) from None
    except GradcliError as error:
        raise error.located(None, None, source=text) from None


def needs_more_input(text: str, *, max_depth: int = DEFAULT_MAX_DEPTH) -> bool:
    """True when ``text`` could still become a valid program: the REPL should read on.

    ``text`` is the lines typed so far joined by ``"\\n"`` (as ``code.InteractiveConsole``
    does). That is so when a bracket or a triple-quoted string is unclosed, a line ends
    with ``\\`` or ``:``, or a block statement has not yet been ended by an empty line.
    Any other error is False: parse the text to report it.
    """
    text = _without_bom(text)
    if not text.strip() or _code_size(text) > MAX_SOURCE_CHARS:
        return False
    try:
        _check_first_line(text)
        program = _Session(max_depth).program(text)
    except _ParseFailure as failure:
        return failure.diagnosis.incomplete
    except GradcliError:
        return False
    ends_with_empty_line = text.rstrip(" \t").endswith("\n")
    return bool(program.body) and isinstance(program.body[-1], _COMPOUND) \
        and not ends_with_empty_line


def cache_file() -> Path | None:
    """The file that holds the LALR tables for this grammar, or None when uncacheable."""
    directory = _cache_directory()
    if directory is None:
        return None
    key = hashlib.sha256("\0".join((
        _grammar_text(), lark.__version__, sys.version, repr(sorted(_OPTIONS.items())),
    )).encode("utf-8")).hexdigest()[:20]
    return directory / f"grammar-{key}.lark-cache"


# ---------------------------------------------------------------- parsing


class _ParseFailure(Exception):
    """A syntax error from Lark, explained, before it becomes the user's GradcliError."""

    def __init__(self, diagnosis: Diagnosis) -> None:
        super().__init__(diagnosis.error.message)
        self.diagnosis = diagnosis


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
        engine = _engine()
        builder = AstBuilder(origin, self.gauge, self._parse_field)
        if start == "eval_input":
            # From the second expression on: a one-shot eval does not pay the ~3 ms it
            # takes to build the quick parser.
            engine.expressions += 1
            if engine.expressions > 1:
                quick = engine.quick(_terminated(text), builder, self.max_depth)
                if quick is not None:
                    return quick
        try:
            tree = engine.parse(_terminated(text), start, self.max_depth)
        except _ParseFailure as failure:
            _relocate(failure.diagnosis.error, origin)
            raise
        except GradcliError as error:
            raise _relocate(error, origin) from None
        try:
            node: n.Node = builder.transform(tree)
        except VisitError as exc:
            if isinstance(exc.orig_exc, (GradcliError, _ParseFailure)):
                raise exc.orig_exc from None
            raise
        return node

    def _parse_field(self, text: str, line: int, column: int) -> n.Expr:
        """Parse the expression of an f-string field that starts at (line, column)."""
        try:
            return self.expression(text, Origin(line, column))
        except _ParseFailure as failure:
            # Complete as far as the REPL is concerned: the string around it is closed.
            error = failure.diagnosis.error
            error.message = "f-string: " + error.message
            raise error from None


class _Engine:
    """The Lark parser, its postlexer, what error messages need to know about tokens, and
    the quick parser that reads one-line expressions from Lark's tables (syntax/quick.py)."""

    def __init__(self, parser: Lark, postlex: GradcliIndenter, literals: dict[str, str]) -> None:
        self.parser = parser
        self.postlex = postlex
        self.literals = literals
        self.lock = threading.RLock()
        self._quick: QuickParser | Literal[False] | None = None
        self.expressions = 0  # parsed as eval_input

    def parse(self, text: str, start: str, max_depth: int) -> Tree[Token]:
        # The postlexer is stateful: one parse at a time.
        with self.lock:
            self.postlex.max_depth = max_depth
            try:
                return self.parser.parse(text, start=start)
            except UnexpectedInput as exc:
                raise _ParseFailure(diagnose(exc, text, self.literals)) from None

    def quick(self, text: str, builder: AstBuilder, max_depth: int) -> n.Node | None:
        """The expression ``text`` through the quick parser, or None when Lark must parse it."""
        with self.lock:
            if self._quick is None:
                try:
                    self._quick = QuickParser(
                        self.parser, AstBuilder, "eval_input", self.postlex.NL_type,
                        (self.postlex.OPEN_PAREN_types, self.postlex.CLOSE_PAREN_types))
                except (AttributeError, KeyError, TypeError, ValueError):
                    # Lark's internals moved: Lark parses everything (a test notices).
                    self._quick = False
            if self._quick is False:
                return None
            node: n.Node | None = self._quick.parse(text, builder, max_depth)
            return node


@functools.lru_cache(maxsize=1)
def _engine() -> _Engine:
    postlex = GradcliIndenter()
    path = cache_file()
    parser = Lark(_grammar_text(), postlex=postlex, cache=str(path) if path else False,
                  **_OPTIONS)
    literals = {t.name: t.pattern.value for t in parser.terminals
                if isinstance(t.pattern, PatternStr)}
    return _Engine(parser, postlex, literals)


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


# ---------------------------------------------------------------- grammar and cache


@functools.lru_cache(maxsize=1)
def _grammar_text() -> str:
    """The grammar: packaged in the wheel as gradcli/grammars/, else in the source tree."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "grammars" / _GRAMMAR
    path = packaged if packaged.is_file() else package.parent / "grammars" / _GRAMMAR
    return path.read_text(encoding="utf-8")


def _cache_directory() -> Path | None:
    """A directory only this user can write to, or None.

    The cache is a pickle; one planted by someone else must never be loaded.
    """
    for candidate in _cache_candidates():
        if _private_directory(candidate):
            return candidate
    return None


def _cache_candidates() -> list[Path]:
    candidates = []
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        candidates.append(Path(xdg) / "gradcli")
    else:
        with contextlib.suppress(RuntimeError):  # no home directory
            candidates.append(Path.home() / ".cache" / "gradcli")
    user = str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    candidates.append(Path(tempfile.gettempdir()) / f"gradcli-{user}")
    return candidates


def _private_directory(directory: Path) -> bool:
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = directory.stat()
    except OSError:
        return False
    if hasattr(os, "getuid") and (status.st_uid != os.getuid() or status.st_mode & 0o022):
        return False
    return os.access(directory, os.W_OK | os.X_OK)
