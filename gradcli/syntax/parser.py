"""Parse gradcli source into the AST: the only reader of grammars/gradcli.lark.

Public API: ``parse_expression`` (one expression, for ``gradcli eval``), ``parse_program``
(scripts and REPL input), ``needs_more_input`` (REPL continuation lines), and
``cache_file`` (where the LALR tables are cached). Every failure is a GradcliError whose
``source`` is the text given, so that it can be shown with a caret.

Expressions and scripts go through the quick parser of gradcli/syntax/quick.py, a lean
driver over Lark's LALR tables (about 3x faster than Lark); anything it cannot take exactly
as Lark would, every error included, is parsed by Lark (gradcli/syntax/lark_engine.py),
which is imported only then.

Both read tables that are built once per grammar version and kept in a private user cache
directory: Lark's through its ``cache=`` option, the quick parser's as plain data beside it
(gradcli/syntax/quick_tables.py). ``_engine`` and ``_quick_parser`` memoise them for the
life of the process.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import json
import os
import re
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gradcli.errors import GradcliError
from gradcli.syntax import nodes as n
from gradcli.syntax.builder import RULES, AstBuilder, DepthGauge, Origin
from gradcli.syntax.checks import check_placement
from gradcli.syntax.failures import ParseFailure
from gradcli.syntax.nodes import NESTING
from gradcli.syntax.quick import QuickParser

if TYPE_CHECKING:
    from gradcli.syntax.lark_engine import LarkEngine

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


def parse_program(text: str, *, max_depth: int | None = None) -> n.Program:
    """Parse a script or a REPL input into a Program."""
    max_depth = NESTING["max_depth"] if max_depth is None else max_depth
    text = _without_bom(text)
    _check_size(text)
    try:
        _check_first_line(text)
        program = _Session(max_depth).program(text)
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


def cache_file() -> Path | None:
    """The file that holds Lark's LALR tables for this grammar, or None when uncacheable.

    The quick parser's tables are beside it, with the suffix ``.quick.json``.
    """
    directory = _cache_directory()
    if directory is None:
        return None
    key = hashlib.sha256("\0".join((
        _grammar_text(), _lark_version(), sys.version, repr(sorted(_OPTIONS.items())),
    )).encode("utf-8")).hexdigest()[:20]
    return directory / f"grammar-{key}.lark-cache"


@functools.lru_cache(maxsize=1)
def _lark_version() -> str:
    """Lark's ``__version__``, read from its source without importing it (~20 ms), else from
    its installed metadata."""
    spec = importlib.util.find_spec("lark")
    if spec is None or spec.origin is None:
        return "?"
    try:
        source = Path(spec.origin).read_text(encoding="utf-8")
    except OSError:
        return "?"
    found = re.search(r"""^__version__\s*(?::[^=]*)?=\s*["']([^"']+)["']""", source, re.MULTILINE)
    if found:
        return found.group(1)
    from importlib import metadata  # slower (~5 ms): where Lark's source says it otherwise

    try:
        return metadata.version("lark")
    except metadata.PackageNotFoundError:
        return "?"


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
#: The quick parser of the process ("parser"; None when Lark parses everything), and whether
#: its tables were read from the cache ("read") rather than made from Lark's by this process.
_quick_state: dict[str, Any] = {}
#: What a parse over damaged tables can raise (a bad state, symbol or rule number, a value of
#: the wrong type): the tables are then made again from Lark's.
_DAMAGED = (LookupError, TypeError, AttributeError, ValueError, re.error)


def _quick(text: str, builder: AstBuilder, max_depth: int,
           script: bool = False) -> n.Node | None:
    """The expression (or ``script``) ``text`` through the quick parser, or None when Lark
    must parse it."""
    with _QUICK_LOCK:
        quick = _quick_parser()
        if quick is None:
            return None
        try:
            node: n.Node | None = quick.parse(text, builder, max_depth, script)
        except _DAMAGED:
            if not _quick_state["read"]:
                raise  # tables this process made: a bug of the quick parser, not damage
            _quick_state["parser"], _quick_state["read"] = _compile_quick_parser(), False
            return _quick(text, builder, max_depth, script)
    return node


def _quick_parser() -> QuickParser | None:
    """The quick parser, from its cached tables, else from Lark's (cached for the next
    process); None when Lark's internals moved and Lark parses everything (a test notices)."""
    if "parser" not in _quick_state:
        tables = _read_tables(_tables_file())
        quick = None
        if tables is not None and tables.get("code") == _code_key():
            with contextlib.suppress(*_DAMAGED):
                quick = QuickParser(tables, RULES)
        if quick is not None:
            _quick_state["parser"], _quick_state["read"] = quick, True
        else:  # none yet, damaged, or made by other code: made again
            _quick_state["parser"], _quick_state["read"] = _compile_quick_parser(), False
    parser: QuickParser | None = _quick_state["parser"]
    return parser


def _compile_quick_parser() -> QuickParser | None:
    """The quick parser from Lark's tables, which are saved for the next process."""
    from gradcli.syntax.quick_tables import compile_tables

    engine = _engine()
    postlex = engine.postlex
    try:
        tables = compile_tables(engine.parser, postlex.NL_type,
                                (postlex.OPEN_PAREN_types, postlex.CLOSE_PAREN_types),
                                (postlex.INDENT_type, postlex.DEDENT_type))
        quick = QuickParser(tables, RULES)
    except _DAMAGED:  # Lark's internals moved
        return None
    _write_tables(_tables_file(), {**tables, "code": _code_key()})
    return quick


def _tables_file() -> Path | None:
    path = cache_file()
    return path.with_suffix(".quick.json") if path else None


@functools.lru_cache(maxsize=1)
def _code_key() -> str:
    """The quick parser's code, for its cached tables: the cache key covers the grammar,
    Lark and Python, and tables made by other code are made again."""
    digest = hashlib.sha256()
    for name in ("quick.py", "quick_tables.py"):
        with contextlib.suppress(OSError):
            digest.update(Path(__file__).with_name(name).read_bytes())
    return digest.hexdigest()[:20]


def _read_tables(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        tables = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return tables if isinstance(tables, dict) else None


def _write_tables(path: Path | None, tables: dict[str, Any]) -> None:
    """Save the tables for the next process: written aside, then renamed into place, so
    that a process reading at the same time never sees half of them."""
    if path is None:
        return
    with contextlib.suppress(OSError):
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                json.dump(tables, file, separators=(",", ":"))
            os.replace(temporary, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


@functools.lru_cache(maxsize=1)
def _engine() -> LarkEngine:
    from gradcli.syntax.lark_engine import open_engine

    return open_engine(_grammar_text(), cache_file(), _OPTIONS)


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
