"""Build the AST (gradcli.syntax.nodes) from the parse, checking what the grammar cannot.

One method per grammar rule, named after it (``RULES``); each is called with the span of the
reduction and the rule's children as named arguments, never by index into a token list.
Both parsers call them as they reduce: the quick parser directly (syntax/quick.py), Lark
through a non-recursive Transformer made from this class (syntax/lark_engine.py), so that
a deep tree cannot exhaust Python's stack. A DepthGauge stops trees deeper than the limit
before anything downstream walks them recursively.

Lark is not imported here: tokens and spans are read by their attributes.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Iterable
from types import FunctionType
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from gradcli.errors import GradcliError
from gradcli.syntax import nodes as n
from gradcli.syntax.fstrings import Field, FStringError, Piece, decode_string, split_fstring
from gradcli.syntax.tokens import start

if TYPE_CHECKING:
    from lark import Token
    from lark.tree import Meta

NodeT = TypeVar("NodeT", bound=n.Node)

#: Python keywords the language leaves out; they cannot be names either, so that every
#: gradcli program means the same thing to Python.
UNSUPPORTED_KEYWORDS = frozenset({
    "async", "await", "class", "del", "except", "finally", "global", "lambda",
    "nonlocal", "raise", "try", "yield",
})
#: Every Python keyword: none can be a name, although the contextual lexer reads a keyword
#: as a NAME where the keyword itself cannot appear (``x = if``).
PYTHON_KEYWORDS = frozenset(keyword.kwlist)
_DUNDER = re.compile(r"__\w*__")
#: Python's own limit for turning digits into an int (sys.get_int_max_str_digits()).
MAX_INT_DIGITS = 4300

KEYWORDS_HINT = "gradcli scripts use def, if/elif/else, while, for, with, assert and import"


def unsupported_keyword_message(word: str) -> str:
    return f"'{word}' is a Python keyword that gradcli does not support"


#: Parses the source text of an f-string field found at (line, column) of the source.
FieldParser = Callable[[str, int, int], n.Expr]


class Origin(NamedTuple):
    """Where a parsed text starts in the user's source (not (1, 1) for an f-string field)."""

    line: int = 1
    column: int = 1

    def map(self, line: int, column: int) -> tuple[int, int]:
        """The source position of (line, column) of the parsed text."""
        if line == 1:
            return self.line, column + self.column - 1
        return line + self.line - 1, column


#: The origin of a text parsed for itself.
_START = Origin()


class DepthGauge:
    """Measures the depth of each node as it is built and enforces the limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._depths: dict[int, int] = {}

    def register(self, node: NodeT) -> NodeT:
        # Children are alive (the parent holds them), so their ids are still theirs. (The loop
        # is n.iter_child_nodes written out: this runs for every node of every parse.)
        depths = self._depths
        depth = 1
        for name in node._fields:
            value = getattr(node, name)
            if isinstance(value, n.Node):
                below = depths.get(id(value), 1)
                if below >= depth:
                    depth = below + 1
            elif isinstance(value, tuple):
                for item in value:
                    if isinstance(item, n.Node):
                        below = depths.get(id(item), 1)
                        if below >= depth:
                            depth = below + 1
        if depth > self.limit:
            raise GradcliError(
                kind="limit",
                message=f"the code is nested too deeply: the nesting depth limit is {self.limit} "
                        "(--max-nesting)",
                line=node.line, column=node.column,
                hint="split it into several statements with intermediate variables, or raise "
                     "the limit with --max-nesting N")
        self._depths[id(node)] = depth
        return node


class _Unmeasured:
    """A gauge that measures nothing, for a tree whose shape was measured before (the quick
    parser's compiled programs, syntax/quick.py)."""

    @staticmethod
    def register(node: NodeT) -> NodeT:
        return node


_UNMEASURED = _Unmeasured()


class _Tail(NamedTuple):
    """One ``op operand`` step of a chained comparison."""

    op: str
    operand: n.Expr


class _Arguments(NamedTuple):
    """The arguments of a call, split into positional and keyword ones."""

    args: tuple[n.Expr, ...]
    keywords: tuple[n.Keyword, ...]


class _Clause(NamedTuple):
    """An ``elif test: body`` clause, with where it starts."""

    test: n.Expr
    body: tuple[n.Stmt, ...]
    line: int
    column: int


class AstBuilder:
    """Turns one parse into nodes; make a new one per parse."""

    def __init__(self, origin: Origin, gauge: DepthGauge, parse_field: FieldParser) -> None:
        self._origin = origin
        self._whole_source = origin == _START
        self._gauge = gauge
        self._parse_field = parse_field

    @property
    def whole_source(self) -> bool:
        """Whether positions are those of the text parsed (not an f-string field's)."""
        return self._whole_source

    def swap_gauge(self, gauge: DepthGauge | None) -> DepthGauge:
        """Measure depths with ``gauge`` from now on (None: not at all); the gauge so far."""
        old = self._gauge
        self._gauge = _UNMEASURED if gauge is None else gauge  # type: ignore[assignment]
        return old

    # ------------------------------------------------------------ helpers

    def _make(self, cls: type[NodeT], meta: Meta, **fields: Any) -> NodeT:
        if self._whole_source:  # positions map to themselves (the common case, made direct)
            return self._gauge.register(cls(**fields, line=meta.line, column=meta.column,
                                            end_line=meta.end_line, end_column=meta.end_column))
        return self._gauge.register(cls(**fields, **self._span(meta)))

    def _span(self, meta: Meta) -> dict[str, int]:
        if self._whole_source:  # positions map to themselves
            return {"line": meta.line, "column": meta.column, "end_line": meta.end_line,
                    "end_column": meta.end_column}
        line, column = self._origin.map(meta.line, meta.column)
        end_line, end_column = self._origin.map(meta.end_line, meta.end_column)
        return {"line": line, "column": column, "end_line": end_line, "end_column": end_column}

    def _block(self, cls: type[NodeT], meta: Meta, last: Iterable[n.Stmt], **fields: Any) -> NodeT:
        """A compound statement: it ends where its last statement ends, not at the dedent."""
        span = self._span(meta)
        final = list(last)[-1]
        span["end_line"], span["end_column"] = final.end_line, final.end_column
        return self._gauge.register(cls(**fields, **span))

    def _error(self, message: str, line: int, column: int, hint: str | None = None,
               end_column: int | None = None) -> GradcliError:
        return GradcliError(kind="syntax", message=message, line=line, column=column,
                            hint=hint, end_column=end_column)

    def _token_error(self, message: str, token: Token, hint: str | None = None) -> GradcliError:
        line, column = self._origin.map(*start(token))
        return self._error(message, line, column, hint, column + len(token))

    def _identifier(self, token: Token) -> str:
        name = str(token)
        if _DUNDER.fullmatch(name):
            raise self._token_error(
                f"names with double underscores such as '{name}' are not allowed", token,
                "gradcli does not expose Python internals")
        if name in UNSUPPORTED_KEYWORDS:
            raise self._token_error(unsupported_keyword_message(name), token, KEYWORDS_HINT)
        if name in PYTHON_KEYWORDS:
            raise self._token_error(f"'{name}' is a keyword and cannot be used as a name", token)
        return name

    # ------------------------------------------------------------ program

    def file_input(self, meta: Meta, *items: Any) -> n.Program:
        body = _flatten(items)
        if meta.empty:
            return n.Program(body=body, line=1, column=1, end_line=1, end_column=1)
        return self._make(n.Program, meta, body=body)

    def eval_input(self, meta: Meta, expression: n.Expr) -> n.Expr:
        return expression

    # ------------------------------------------------------------ simple statements

    def simple_stmt(self, meta: Meta, *statements: Any) -> tuple[n.Stmt, ...]:
        return _flatten(statements)

    def expr_stmt(self, meta: Meta, value: n.Expr) -> n.ExprStmt:
        return self._make(n.ExprStmt, meta, value=value)

    def assign(self, meta: Meta, *expressions: n.Expr) -> n.Assign:
        *targets, value = expressions
        for target in targets:
            self._check_target(target, "assign to", "to compare values use '=='")
        return self._make(n.Assign, meta, targets=tuple(targets), value=value)

    def aug_assign(self, meta: Meta, target: n.Expr, op: Token, value: n.Expr) -> n.AugAssign:
        if isinstance(target, (n.TupleLit, n.ListLit)):
            raise self._error(
                f"{_describe(target)} cannot be the target of an augmented assignment ('{op}')",
                target.line, target.column)
        self._check_target(target, "assign to")
        return self._make(n.AugAssign, meta, target=target, op=str(op)[:-1], value=value)

    def pass_stmt(self, meta: Meta) -> n.Pass:
        return self._make(n.Pass, meta)

    def break_stmt(self, meta: Meta) -> n.Break:
        return self._make(n.Break, meta)

    def continue_stmt(self, meta: Meta) -> n.Continue:
        return self._make(n.Continue, meta)

    def return_stmt(self, meta: Meta, value: n.Expr | None) -> n.Return:
        return self._make(n.Return, meta, value=value)

    def assert_stmt(self, meta: Meta, test: n.Expr, msg: n.Expr | None) -> n.Assert:
        return self._make(n.Assert, meta, test=test, msg=msg)

    def import_stmt(self, meta: Meta, *modules: n.Import) -> tuple[n.Import, ...]:
        return modules

    def import_module(self, meta: Meta, module: str, alias: Token | None) -> n.Import:
        return self._make(n.Import, meta, module=module, alias=self._optional_identifier(alias))

    def import_from(self, meta: Meta, module: str, *names: n.ImportAlias) -> n.ImportFrom:
        return self._make(n.ImportFrom, meta, module=module, names=names)

    def import_alias(self, meta: Meta, name: Token, alias: Token | None) -> n.ImportAlias:
        return self._make(n.ImportAlias, meta, name=self._identifier(name),
                          alias=self._optional_identifier(alias))

    def dotted_name(self, meta: Meta, *names: Token) -> str:
        return ".".join(self._identifier(name) for name in names)

    def _optional_identifier(self, token: Token | None) -> str | None:
        return None if token is None else self._identifier(token)

    # ------------------------------------------------------------ compound statements

    def suite(self, meta: Meta, *statements: Any) -> tuple[n.Stmt, ...]:
        return _flatten(statements)

    def if_stmt(self, meta: Meta, test: n.Expr, body: tuple[n.Stmt, ...],
                elifs: list[_Clause], orelse: tuple[n.Stmt, ...] | None) -> n.If:
        tail = orelse or ()
        for clause in reversed(elifs):
            # An elif is an If alone in the orelse of the one before, as in Python's AST.
            ends = tail[-1] if tail else clause.body[-1]
            nested = n.If(test=clause.test, body=clause.body, orelse=tail, line=clause.line,
                          column=clause.column, end_line=ends.end_line,
                          end_column=ends.end_column)
            tail = (self._gauge.register(nested),)
        return self._block(n.If, meta, body + tail, test=test, body=body, orelse=tail)

    def elif_clauses(self, meta: Meta, *clauses: _Clause) -> list[_Clause]:
        return list(clauses)

    def elif_clause(self, meta: Meta, test: n.Expr, body: tuple[n.Stmt, ...]) -> _Clause:
        line, column = self._origin.map(meta.line, meta.column)
        return _Clause(test, body, line, column)

    def else_clause(self, meta: Meta, body: tuple[n.Stmt, ...]) -> tuple[n.Stmt, ...]:
        return body

    def while_stmt(self, meta: Meta, test: n.Expr, body: tuple[n.Stmt, ...]) -> n.While:
        return self._block(n.While, meta, body, test=test, body=body)

    def for_stmt(self, meta: Meta, target: n.Expr, iterable: n.Expr,
                 body: tuple[n.Stmt, ...]) -> n.For:
        self._check_target(target, "use", suffix=" as a loop variable")
        return self._block(n.For, meta, body, target=target, iter=iterable, body=body)

    def with_stmt(self, meta: Meta, context: n.Expr, target: n.Expr | None,
                  body: tuple[n.Stmt, ...]) -> n.With:
        if target is not None:
            self._check_target(target, "assign to")
        return self._block(n.With, meta, body, context=context, target=target, body=body)

    def function_def(self, meta: Meta, name: Token, params: tuple[n.Param, ...] | None,
                     body: tuple[n.Stmt, ...]) -> n.FunctionDef:
        return self._block(n.FunctionDef, meta, body, name=self._identifier(name),
                           params=params or (), body=body)

    def params(self, meta: Meta, *params: n.Param) -> tuple[n.Param, ...]:
        seen: set[str] = set()
        defaults = False
        for param in params:
            if param.name in seen:
                raise self._error(f"duplicate parameter '{param.name}' in function definition",
                                  param.line, param.column)
            if defaults and param.default is None:
                raise self._error(
                    f"parameter '{param.name}' without a default follows a parameter with one",
                    param.line, param.column, "give it a default or move it before the others")
            seen.add(param.name)
            defaults = defaults or param.default is not None
        return params

    def param(self, meta: Meta, name: Token, default: n.Expr | None) -> n.Param:
        return self._make(n.Param, meta, name=self._identifier(name), default=default)

    # ------------------------------------------------------------ operators

    def if_exp(self, meta: Meta, body: n.Expr, test: n.Expr, orelse: n.Expr) -> n.IfExp:
        return self._make(n.IfExp, meta, test=test, body=body, orelse=orelse)

    def or_test(self, meta: Meta, *values: n.Expr) -> n.BoolOp:
        return self._make(n.BoolOp, meta, op="or", values=values)

    def and_test(self, meta: Meta, *values: n.Expr) -> n.BoolOp:
        return self._make(n.BoolOp, meta, op="and", values=values)

    def not_test(self, meta: Meta, operand: n.Expr) -> n.Not:
        return self._make(n.Not, meta, operand=operand)

    def compare(self, meta: Meta, left: n.Expr, *tails: _Tail) -> n.Compare:
        return self._make(n.Compare, meta, left=left, ops=tuple(t.op for t in tails),
                          comparators=tuple(t.operand for t in tails))

    def comp_tail(self, meta: Meta, op: str, operand: n.Expr) -> _Tail:
        return _Tail(op, operand)

    def comp_op(self, meta: Meta, *words: Token) -> str:
        return " ".join(words)

    def bin_op(self, meta: Meta, left: n.Expr, op: Token, right: n.Expr) -> n.BinOp:
        return self._make(n.BinOp, meta, op=str(op), left=left, right=right)

    def unary_op(self, meta: Meta, op: Token, operand: n.Expr) -> n.UnaryOp:
        return self._make(n.UnaryOp, meta, op=str(op), operand=operand)

    # ------------------------------------------------------------ calls, attributes, indexing

    def call(self, meta: Meta, func: n.Expr, arguments: _Arguments | None) -> n.Call:
        arguments = arguments or _Arguments((), ())
        return self._make(n.Call, meta, func=func, args=arguments.args,
                          keywords=arguments.keywords)

    def arguments(self, meta: Meta, *items: n.Expr | n.Keyword) -> _Arguments:
        args: list[n.Expr] = []
        keywords: list[n.Keyword] = []
        for item in items:
            if isinstance(item, n.Keyword):
                if any(k.name == item.name for k in keywords):
                    raise self._error(f"keyword argument repeated: '{item.name}'",
                                      item.line, item.column)
                keywords.append(item)
            elif keywords:
                raise self._error("positional argument follows keyword argument",
                                  item.line, item.column,
                                  "put positional arguments before keyword arguments")
            else:
                args.append(item)
        return _Arguments(tuple(args), tuple(keywords))

    def keyword(self, meta: Meta, name: Token, value: n.Expr) -> n.Keyword:
        return self._make(n.Keyword, meta, name=self._identifier(name), value=value)

    def attribute(self, meta: Meta, value: n.Expr, name: Token) -> n.Attribute:
        return self._make(n.Attribute, meta, value=value, attr=self._identifier(name))

    def subscript(self, meta: Meta, value: n.Expr, index: n.Expr) -> n.Subscript:
        return self._make(n.Subscript, meta, value=value, index=index)

    def slice(self, meta: Meta, lower: n.Expr | None, upper: n.Expr | None,
              step: n.Expr | None = None) -> n.Slice:
        return self._make(n.Slice, meta, lower=lower, upper=upper, step=step)

    def index_tuple(self, meta: Meta, *items: n.Expr) -> n.TupleLit:
        return self._make(n.TupleLit, meta, items=items)

    # ------------------------------------------------------------ atoms

    def name(self, meta: Meta, token: Token) -> n.Name:
        return self._make(n.Name, meta, id=self._identifier(token))

    def number(self, meta: Meta, token: Token) -> n.Number:
        return self._make(n.Number, meta, value=self._number_value(token))

    def _number_value(self, token: Token) -> int | float:
        text = token.replace("_", "")
        if text[:2].lower() not in ("0x", "0o", "0b") and ("." in text or "e" in text
                                                          or "E" in text):
            return float(text)
        if len(text) > MAX_INT_DIGITS:
            raise self._token_error(
                f"integer literal too long: {len(text)} digits (at most {MAX_INT_DIGITS})", token,
                "write it as a float, e.g. 1e300, or compute it, e.g. 10 ** 400")
        try:
            return int(text, 0)
        except ValueError:
            raise self._token_error(
                "leading zeros in decimal integer literals are not permitted", token,
                "write the number without leading zeros (or with 0o for octal)") from None

    def constant(self, meta: Meta, token: Token) -> n.Constant:
        values = {"True": True, "False": False, "None": None}
        return self._make(n.Constant, meta, value=values[str(token)])

    def ellipsis_lit(self, meta: Meta) -> n.EllipsisLit:
        return self._make(n.EllipsisLit, meta)

    def tuple_lit(self, meta: Meta, *items: n.Expr) -> n.TupleLit:
        return self._make(n.TupleLit, meta, items=items)

    def bare_tuple(self, meta: Meta, *items: n.Expr) -> n.TupleLit:
        return self._make(n.TupleLit, meta, items=items)

    def list_lit(self, meta: Meta, *items: n.Expr) -> n.ListLit:
        return self._make(n.ListLit, meta, items=items)

    def strings(self, meta: Meta, *tokens: Token) -> n.String | n.FString:
        parts: list[str | n.FormattedValue] = []
        for token in tokens:
            if token.type == "FSTRING":
                parts.extend(self._fstring_parts(token, self._pieces(token)))
            else:
                parts.append(self._string_value(token))
        if all(token.type == "STRING" for token in tokens):
            return self._make(n.String, meta, value="".join(parts))  # type: ignore[arg-type]
        return self._make(n.FString, meta, parts=_merge_text(parts))

    def _string_value(self, token: Token) -> str:
        try:
            value = decode_string(token)
        except (SyntaxError, ValueError):
            raise self._token_error("invalid escape sequence in string literal", token) from None
        if isinstance(value, bytes):
            raise self._token_error("bytes literals are not supported", token,
                                    "remove the b prefix")
        return value

    def _pieces(self, token: Token) -> tuple[Piece, ...]:
        try:
            return split_fstring(token)
        except FStringError as exc:
            line, column = self._locate(token, exc.offset)
            raise self._error(exc.message, line, column) from None

    def _fstring_parts(self, token: Token,
                       pieces: tuple[Piece, ...]) -> list[str | n.FormattedValue]:
        parts: list[str | n.FormattedValue] = []
        for piece in pieces:
            if isinstance(piece, str):
                parts.append(piece)
                continue
            if piece.debug_text is not None:
                parts.append(piece.debug_text)
            parts.append(self._formatted_value(token, piece))
        return parts

    def _formatted_value(self, token: Token, piece: Field) -> n.FormattedValue:
        value = self._parse_field(piece.expression, *self._locate(token, piece.offset))
        spec = None
        if piece.spec is not None:
            spec_parts = _merge_text(self._fstring_parts(token, piece.spec))
            spec = self._gauge.register(n.FString(parts=spec_parts, **self._piece_span(
                token, piece.start, piece.end)))
        node = n.FormattedValue(value=value, conversion=piece.conversion, format_spec=spec,
                                **self._piece_span(token, piece.start, piece.end))
        return self._gauge.register(node)

    def _piece_span(self, token: Token, start: int, end: int) -> dict[str, int]:
        line, column = self._locate(token, start)
        end_line, end_column = self._locate(token, end)
        return {"line": line, "column": column, "end_line": end_line, "end_column": end_column}

    def _locate(self, token: Token, offset: int) -> tuple[int, int]:
        """The source position of character ``offset`` of ``token``."""
        before = token[:offset]
        newlines = before.count("\n")
        line, column = start(token)
        if newlines == 0:
            return self._origin.map(line, column + offset)
        return self._origin.map(line + newlines, offset - before.rfind("\n"))

    # ------------------------------------------------------------ targets

    def _check_target(self, target: n.Expr, verb: str, hint: str | None = None,
                      suffix: str = "") -> None:
        pending = [target]
        while pending:
            current = pending.pop()
            if isinstance(current, (n.TupleLit, n.ListLit)):
                pending.extend(current.items)
            elif not isinstance(current, (n.Name, n.Attribute, n.Subscript)):
                shown_hint = hint if isinstance(current, (n.Compare, n.Call)) else None
                end_column = current.end_column if current.end_line == current.line else None
                raise self._error(f"cannot {verb} {_describe(current)}{suffix}",
                                  current.line, current.column, shown_hint, end_column)


#: The rule methods of AstBuilder by rule name: its public functions. Each takes the builder,
#: the span of the reduction (``.line``, ``.column``, ``.end_line``, ``.end_column``) and the
#: rule's children.
RULES: dict[str, Callable[..., Any]] = {
    name: member for name, member in vars(AstBuilder).items()
    if isinstance(member, FunctionType) and not name.startswith("_")}


#: What some rule methods build, as Python expressions for the quick parser's compiled
#: programs (syntax/quick.py), which build a tree of the whole source (positions as parsed)
#: without calling the method or measuring depths. Each is the method's result when it
#: raises no error: ``{0}``, ``{1}``... are the children, ``{items}`` all of them as a
#: tuple, ``{at}`` the four positions, ``{id0}`` the identifier of child 0 (which goes
#: through ``_identifier`` when it may be refused). The names are those of ``DIRECT_NAMES``
#: (the nodes' makers, ``nodes.maker``). ``call`` and ``arguments`` (a call without
#: keywords) are made in syntax/quick.py.
DIRECT: dict[str, str] = {
    "eval_input": "{0}",
    "expr_stmt": "ExprStmt({0}, {at})",
    "name": "Name({id0}, {at})",
    "number": "Number(int({0}) if {0}.isdigit() and {0}[0] != '0' and len({0}) < 20 "
              "else float({0}) if '.' in {0} and '_' not in {0} and {0}[:2] not in _BASES "
              "else builder._number_value({0}), {at})",
    "bin_op": "BinOp({1}, {0}, {2}, {at})",
    "unary_op": "UnaryOp({0}, {1}, {at})",
    "attribute": "Attribute({0}, {id1}, {at})",
    "subscript": "Subscript({0}, {1}, {at})",
    "tuple_lit": "TupleLit({items}, {at})",
    "bare_tuple": "TupleLit({items}, {at})",
    "index_tuple": "TupleLit({items}, {at})",
    "list_lit": "ListLit({items}, {at})",
    "keyword": "Keyword({id0}, {1}, {at})",
}
#: An identifier of child ``{i}`` for ``DIRECT``: only a dunder or a keyword can be refused.
DIRECT_IDENTIFIER = ("({i} if {i} not in PYTHON_KEYWORDS and {i}[:2] != '__' "
                     "else builder._identifier({i}))")
DIRECT_NAMES: dict[str, Any] = {
    "PYTHON_KEYWORDS": PYTHON_KEYWORDS,
    "_BASES": frozenset({"0x", "0X", "0o", "0O", "0b", "0B"}),
    **{cls.__name__: n.maker(cls) for cls in (
        n.ExprStmt, n.Name, n.Number, n.BinOp, n.UnaryOp, n.Attribute, n.Subscript, n.TupleLit,
        n.ListLit, n.Call, n.Keyword, n.Assign)},
}


def _flatten(items: Iterable[Any]) -> tuple[n.Stmt, ...]:
    """Statements from a mix of statements and tuples of them (simple_stmt, imports)."""
    out: list[n.Stmt] = []
    for item in items:
        if isinstance(item, tuple):
            out.extend(item)
        else:
            out.append(item)
    return tuple(out)


def _merge_text(parts: Iterable[str | n.FormattedValue]) -> tuple[str | n.FormattedValue, ...]:
    """Join adjacent text and drop empty text, so equal f-strings have equal parts."""
    out: list[str | n.FormattedValue] = []
    for part in parts:
        if isinstance(part, str) and out and isinstance(out[-1], str):
            out[-1] += part
        elif part != "":
            out.append(part)
    return tuple(out)


_DESCRIPTIONS: tuple[tuple[type[n.Node], str], ...] = (
    (n.Call, "a function call"),
    (n.Number, "a literal"), (n.String, "a literal"), (n.FString, "an f-string"),
    (n.Constant, "a literal"), (n.EllipsisLit, "'...'"),
    (n.TupleLit, "a tuple"), (n.ListLit, "a list"),
    (n.Compare, "a comparison"), (n.BoolOp, "a boolean expression"),
    (n.Not, "a boolean expression"), (n.IfExp, "a conditional expression"),
    (n.Slice, "a slice"),
)


def _describe(node: n.Node) -> str:
    """A few words for the kind of ``node``, for messages."""
    for cls, words in _DESCRIPTIONS:
        if isinstance(node, cls):
            return words
    return "an expression"
