"""The gradcli AST: frozen dataclasses, one per grammar rule that builds a node.

Every node carries its source span: ``line`` and ``column`` (1-based) of its first
character, ``end_line`` and ``end_column`` just past its last character (so a one-character
name at column 5 has ``end_column == 6``, as in Lark). Positions are keyword-only, are
left out of ``==``, ``hash`` and ``repr``, and default to 0 so that tests and tools can
build nodes by hand: two trees are equal when they have the same structure, wherever they
came from.

Guarantees of the parser (gradcli.syntax.parser) that the interpreter may rely on:

- the tree is at most ``max_depth`` nodes deep (DEFAULT_MAX_DEPTH), so recursive walks
  over it are safe;
- ``Number.value`` is non-negative (``-1`` is ``UnaryOp("-", Number(1))``);
- ``Slice`` only appears as ``Subscript.index`` or as an item of a ``TupleLit`` index;
- assignment, ``for`` and ``with`` targets are ``Name``, ``Attribute``, ``Subscript`` or
  ``TupleLit``/``ListLit`` of targets; an ``AugAssign`` target is never a tuple or list;
- no identifier anywhere (names, attributes, parameters, keywords) is a dunder
  (``__x__``) or a Python keyword outside the language;
- ``return`` appears only inside ``def``; ``break``/``continue`` only inside loops;
- keyword arguments follow positional ones and are not repeated; parameters without a
  default come before parameters with one and are not repeated.

Operators are plain strings: ``BinOp.op`` is one of ``+ - * / // % @ **``,
``UnaryOp.op`` is ``+`` or ``-``, ``BoolOp.op`` is ``and`` or ``or``, ``Compare.ops`` holds
``< > == >= <= != in not in is is not``, and ``AugAssign.op`` is the binary operator of
the augmented assignment (``"+"`` for ``+=``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields

#: The deepest tree the parser builds, and the deepest nesting of brackets it reads.
DEFAULT_MAX_DEPTH = 200


@dataclass(frozen=True, slots=True)
class Node:
    """Base of every AST node: the source span (see the module docstring)."""

    line: int = field(default=0, kw_only=True, compare=False, repr=False)
    column: int = field(default=0, kw_only=True, compare=False, repr=False)
    end_line: int = field(default=0, kw_only=True, compare=False, repr=False)
    end_column: int = field(default=0, kw_only=True, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Expr(Node):
    """Base of the expression nodes."""


@dataclass(frozen=True, slots=True)
class Stmt(Node):
    """Base of the statement nodes."""


# ---------------------------------------------------------------- expressions


@dataclass(frozen=True, slots=True)
class Name(Expr):
    """A variable or function name: ``x``, ``torch``. Grammar: ``name``."""

    id: str


@dataclass(frozen=True, slots=True)
class Number(Expr):
    """An ``int`` (``3``, ``0x1F``) or ``float`` (``4.0``, ``1e-3``, ``.5``, ``1.``) literal.

    Grammar: ``number``.
    """

    value: int | float


@dataclass(frozen=True, slots=True)
class String(Expr):
    """A string literal with its escapes decoded; adjacent literals are joined.

    Grammar: ``strings`` (when none of the adjacent literals is an f-string).
    """

    value: str


@dataclass(frozen=True, slots=True)
class FormattedValue(Node):
    """One ``{value!conversion:format_spec}`` field of an f-string.

    ``conversion`` is ``"r"``, ``"s"``, ``"a"`` or None; ``format_spec`` is an FString (it
    may hold fields of its own, as in ``{x:{width}}``) or None. ``{x=}`` is stored as the
    text ``"x="`` followed by ``{x!r}``, as Python does.
    """

    value: Expr
    conversion: str | None = None
    format_spec: FString | None = None


@dataclass(frozen=True, slots=True)
class FString(Expr):
    """An f-string: literal text (``str``) and fields (FormattedValue), in order.

    Adjacent text is merged and empty text dropped, so ``f""`` has no parts.
    Grammar: ``strings`` (when one of the adjacent literals is an f-string).
    """

    parts: tuple[str | FormattedValue, ...]


@dataclass(frozen=True, slots=True)
class Constant(Expr):
    """``True``, ``False`` or ``None``. Grammar: ``constant``."""

    value: bool | None


@dataclass(frozen=True, slots=True)
class EllipsisLit(Expr):
    """``...`` (used in indexing: ``x[..., None]``). Grammar: ``ellipsis_lit``."""


@dataclass(frozen=True, slots=True)
class ListLit(Expr):
    """A list literal ``[a, b]``; the interpreter makes it a tensor. Grammar: ``list_lit``."""

    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class TupleLit(Expr):
    """A tuple: ``(a, b)``, ``(a,)``, ``()``, ``a, b`` or a multi-item index ``x[a, b]``.

    Grammar: ``tuple_lit`` (parenthesised), ``bare_tuple``, ``index_tuple``.
    """

    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class UnaryOp(Expr):
    """``-operand`` or ``+operand``. Grammar: ``unary_op``."""

    op: str
    operand: Expr


@dataclass(frozen=True, slots=True)
class BinOp(Expr):
    """``left op right`` for the arithmetic operators and ``**``. Grammar: ``bin_op``."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Compare(Expr):
    """A comparison, chained as in Python: ``a < b <= c`` has two ops and comparators.

    Grammar: ``compare`` (with one ``comp_tail`` per operator).
    """

    left: Expr
    ops: tuple[str, ...]
    comparators: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class BoolOp(Expr):
    """``a and b and c`` or ``a or b``: two or more values. Grammar: ``and_test``, ``or_test``."""

    op: str
    values: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Not(Expr):
    """``not operand``. Grammar: ``not_test``."""

    operand: Expr


@dataclass(frozen=True, slots=True)
class IfExp(Expr):
    """``body if test else orelse``. Grammar: ``if_exp``."""

    test: Expr
    body: Expr
    orelse: Expr


@dataclass(frozen=True, slots=True)
class Keyword(Node):
    """A keyword argument ``name=value`` of a Call. Grammar: ``keyword``."""

    name: str
    value: Expr


@dataclass(frozen=True, slots=True)
class Call(Expr):
    """``func(*args, **keywords)``: any callee (a name, a method ``x.sum``, ...).

    Grammar: ``call`` (with ``arguments``).
    """

    func: Expr
    args: tuple[Expr, ...] = ()
    keywords: tuple[Keyword, ...] = ()


@dataclass(frozen=True, slots=True)
class Attribute(Expr):
    """``value.attr``; any name parses, the interpreter allows its own list.

    Grammar: ``attribute``.
    """

    value: Expr
    attr: str


@dataclass(frozen=True, slots=True)
class Slice(Expr):
    """``lower:upper:step`` inside a subscript; absent parts are None. Grammar: ``slice``."""

    lower: Expr | None = None
    upper: Expr | None = None
    step: Expr | None = None


@dataclass(frozen=True, slots=True)
class Subscript(Expr):
    """``value[index]``: ``index`` is an expression, a Slice, or a TupleLit of those.

    Grammar: ``subscript``.
    """

    value: Expr
    index: Expr


# ---------------------------------------------------------------- statements


@dataclass(frozen=True, slots=True)
class ExprStmt(Stmt):
    """An expression on its own line (its value is echoed by scripts and the REPL).

    Grammar: ``expr_stmt``.
    """

    value: Expr


@dataclass(frozen=True, slots=True)
class Assign(Stmt):
    """``t1 = t2 = value``: one or more targets, assigned left to right. Grammar: ``assign``."""

    targets: tuple[Expr, ...]
    value: Expr


@dataclass(frozen=True, slots=True)
class AugAssign(Stmt):
    """``target op= value``; ``op`` is the binary operator (``"+"`` for ``+=``).

    Grammar: ``aug_assign``.
    """

    target: Expr
    op: str
    value: Expr


@dataclass(frozen=True, slots=True)
class Param(Node):
    """A parameter of a FunctionDef, with its default expression or None. Grammar: ``param``."""

    name: str
    default: Expr | None = None


@dataclass(frozen=True, slots=True)
class FunctionDef(Stmt):
    """``def name(params): body``. Grammar: ``function_def``."""

    name: str
    params: tuple[Param, ...]
    body: tuple[Stmt, ...]


@dataclass(frozen=True, slots=True)
class Return(Stmt):
    """``return`` or ``return value``. Grammar: ``return_stmt``."""

    value: Expr | None = None


@dataclass(frozen=True, slots=True)
class If(Stmt):
    """``if test: body else: orelse``; an ``elif`` is an If alone in ``orelse``.

    Grammar: ``if_stmt`` (with ``elif_clause`` and ``else_clause``).
    """

    test: Expr
    body: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...] = ()


@dataclass(frozen=True, slots=True)
class While(Stmt):
    """``while test: body``. Grammar: ``while_stmt``."""

    test: Expr
    body: tuple[Stmt, ...]


@dataclass(frozen=True, slots=True)
class For(Stmt):
    """``for target in iter: body``; ``target`` may be a TupleLit. Grammar: ``for_stmt``."""

    target: Expr
    iter: Expr
    body: tuple[Stmt, ...]


@dataclass(frozen=True, slots=True)
class Break(Stmt):
    """``break``. Grammar: ``break_stmt``."""


@dataclass(frozen=True, slots=True)
class Continue(Stmt):
    """``continue``. Grammar: ``continue_stmt``."""


@dataclass(frozen=True, slots=True)
class Pass(Stmt):
    """``pass``. Grammar: ``pass_stmt``."""


@dataclass(frozen=True, slots=True)
class With(Stmt):
    """``with context: body`` or ``with context as target: body``. Grammar: ``with_stmt``."""

    context: Expr
    target: Expr | None
    body: tuple[Stmt, ...]


@dataclass(frozen=True, slots=True)
class Assert(Stmt):
    """``assert test`` or ``assert test, msg``. Grammar: ``assert_stmt``."""

    test: Expr
    msg: Expr | None = None


@dataclass(frozen=True, slots=True)
class Import(Stmt):
    """``import module`` or ``import module as alias``; ``module`` is dotted (``a.b``).

    ``import a, b`` gives one Import per module. Grammar: ``import_module``.
    """

    module: str
    alias: str | None = None


@dataclass(frozen=True, slots=True)
class ImportAlias(Node):
    """One ``name`` or ``name as alias`` of an ImportFrom. Grammar: ``import_alias``."""

    name: str
    alias: str | None = None


@dataclass(frozen=True, slots=True)
class ImportFrom(Stmt):
    """``from module import names``. Grammar: ``import_from``."""

    module: str
    names: tuple[ImportAlias, ...]


@dataclass(frozen=True, slots=True)
class Program(Node):
    """A script or REPL input: its statements in order. Grammar: ``file_input``."""

    body: tuple[Stmt, ...]


def iter_child_nodes(node: Node) -> Iterator[Node]:
    """Yield the nodes directly below ``node``, in field order (f-string parts included)."""
    for name in _structural_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, Node):
            yield value
        elif isinstance(value, tuple):
            yield from (item for item in value if isinstance(item, Node))


def walk(node: Node) -> Iterator[Node]:
    """Yield ``node`` and everything below it, parents first, without recursion."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(iter_child_nodes(current))))


_FIELDS: dict[type[Node], tuple[str, ...]] = {}


def _structural_fields(cls: type[Node]) -> tuple[str, ...]:
    """The fields of ``cls`` that hold its content (not its position)."""
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in fields(cls) if f.compare)
    return names
