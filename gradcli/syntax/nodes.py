"""The gradcli AST: frozen value classes, one per grammar rule that builds a node.

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

import sys
from collections.abc import Callable, Iterator
from dataclasses import FrozenInstanceError, field
from types import FunctionType
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING or sys.version_info >= (3, 11):
    from typing import dataclass_transform
else:
    def dataclass_transform(**_: Any) -> Callable[[type], type]:
        return lambda cls: cls

#: The deepest tree the parser builds, and the deepest nesting of brackets it reads.
DEFAULT_MAX_DEPTH = 200
#: The limit of this run: the command line sets it from --max-nesting.
NESTING = {"max_depth": DEFAULT_MAX_DEPTH}

#: The source span of every node: keyword-only, default 0, outside ``==``, hash and repr.
POSITION_FIELDS = ("line", "column", "end_line", "end_column")


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
class NodeType(type):
    """Makes each node class behave as ``@dataclass(frozen=True, slots=True)``, cheaply.

    The dataclass decorator compiles six methods per class with ``exec`` and builds each
    class twice: over the whole AST, about 30 ms of every ``gradcli eval``. Here ``==``,
    ``hash``, ``repr``, freezing and pickling are written once, on Node, and ``__init__`` is
    a hand-written template whose parameters are renamed after the class's fields, so that
    it has the dataclass's signature, defaults and error messages.

    A class's own annotations are its content fields (positional, in order, optionally with
    a default); Node's annotations are the position fields. ``_fields`` lists the content
    fields, as in ``ast``.
    """

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any]) -> NodeType:
        parent: Any = next((base for base in bases if isinstance(base, NodeType)), None)
        if parent is None:  # Node: the position fields, which every template sets
            for f in POSITION_FIELDS:
                del namespace[f]  # field(...) specs, for type checkers only
            namespace["__slots__"] = POSITION_FIELDS
            fields: tuple[str, ...] = ()
            defaults: dict[str, Any] = {}
        else:
            own = tuple(namespace.get("__annotations__", ()))
            namespace["__slots__"] = own
            fields = parent._fields + own
            # A default in the class would hide the slot of the same name: __init__ keeps it.
            defaults = {**parent._defaults, **{f: namespace.pop(f) for f in own if f in namespace}}
        namespace.update(_fields=fields, _defaults=defaults, __match_args__=fields)
        cls: Any = super().__new__(mcs, name, bases, namespace)
        cls.__init__ = _make_init(cls, fields, defaults)
        return cls  # type: ignore[no-any-return]


def _make_init(cls: type, fields: tuple[str, ...], defaults: dict[str, Any]) -> FunctionType:
    """The template for ``len(fields)`` fields, with the fields' names, defaults and setters."""
    if len(fields) >= len(_INIT_TEMPLATES):
        raise TypeError(f"{cls.__name__} has {len(fields)} fields: write an __init__ template "
                        f"for that many")
    first_default = next((i for i, f in enumerate(fields) if f in defaults), len(fields))
    for f in fields[first_default:]:
        if f not in defaults:
            raise TypeError(f"non-default argument {f!r} follows default argument")
    template = _INIT_TEMPLATES[len(fields)](*(getattr(cls, f).__set__ for f in fields))
    names = ("self", *fields, *template.__code__.co_varnames[1 + len(fields):])
    code = template.__code__.replace(co_varnames=names)
    init = FunctionType(code, template.__globals__, "__init__",
                        tuple(defaults[f] for f in fields[first_default:]) or None,
                        template.__closure__)
    init.__kwdefaults__ = template.__kwdefaults__
    init.__qualname__ = f"{cls.__qualname__}.__init__"  # named so in argument errors
    return init


Setter = Callable[[Any, Any], None]


def _init_0() -> Callable[..., None]:
    def __init__(self: Node, *, line: int = 0, column: int = 0, end_line: int = 0,
                 end_column: int = 0) -> None:
        _place(self, line, column, end_line, end_column)
    return __init__


def _init_1(set0: Setter) -> Callable[..., None]:
    def __init__(self: Node, f0: Any, *, line: int = 0, column: int = 0, end_line: int = 0,
                 end_column: int = 0) -> None:
        set0(self, f0)
        _place(self, line, column, end_line, end_column)
    return __init__


def _init_2(set0: Setter, set1: Setter) -> Callable[..., None]:
    def __init__(self: Node, f0: Any, f1: Any, *, line: int = 0, column: int = 0,
                 end_line: int = 0, end_column: int = 0) -> None:
        set0(self, f0)
        set1(self, f1)
        _place(self, line, column, end_line, end_column)
    return __init__


def _init_3(set0: Setter, set1: Setter, set2: Setter) -> Callable[..., None]:
    def __init__(self: Node, f0: Any, f1: Any, f2: Any, *, line: int = 0, column: int = 0,
                 end_line: int = 0, end_column: int = 0) -> None:
        set0(self, f0)
        set1(self, f1)
        set2(self, f2)
        _place(self, line, column, end_line, end_column)
    return __init__


_INIT_TEMPLATES: tuple[Callable[..., Callable[..., None]], ...] = (
    _init_0, _init_1, _init_2, _init_3)


class Node(metaclass=NodeType):
    """Base of every AST node: the source span (see the module docstring)."""

    _fields: ClassVar[tuple[str, ...]]
    _defaults: ClassVar[dict[str, Any]]

    line: int = field(default=0, kw_only=True, compare=False, repr=False)
    column: int = field(default=0, kw_only=True, compare=False, repr=False)
    end_line: int = field(default=0, kw_only=True, compare=False, repr=False)
    end_column: int = field(default=0, kw_only=True, compare=False, repr=False)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() == other._values()  # type: ignore[attr-defined]
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields)
        return f"{self.__class__.__qualname__}({shown})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __getstate__(self) -> list[Any]:
        return [getattr(self, f) for f in (*POSITION_FIELDS, *self._fields)]

    def __setstate__(self, state: list[Any]) -> None:
        for f, value in zip((*POSITION_FIELDS, *self._fields), state, strict=True):
            object.__setattr__(self, f, value)

    def _values(self) -> tuple[Any, ...]:
        """The content fields, which alone decide ``==`` and the hash."""
        return tuple([getattr(self, f) for f in self._fields])


_SET_LINE, _SET_COLUMN, _SET_END_LINE, _SET_END_COLUMN = (
    getattr(Node, f).__set__ for f in POSITION_FIELDS)


def _place(node: Node, line: int, column: int, end_line: int, end_column: int) -> None:
    _SET_LINE(node, line)
    _SET_COLUMN(node, column)
    _SET_END_LINE(node, end_line)
    _SET_END_COLUMN(node, end_column)


def maker(cls: type[Node]) -> Callable[..., Node]:
    """A function that makes a node of ``cls`` from its content fields and then its
    ``line``, ``column``, ``end_line`` and ``end_column``, all positional, with no defaults:
    what the quick parser's compiled programs call (syntax/quick.py), about a third quicker
    than ``cls(...)`` with the positions as keywords."""
    new = object.__new__
    setters = [getattr(cls, f).__set__ for f in cls._fields]
    set_line, set_column, set_end_line, set_end_column = (_SET_LINE, _SET_COLUMN,
                                                          _SET_END_LINE, _SET_END_COLUMN)
    if len(setters) == 1:
        (set0,) = setters

        def make1(f0: Any, line: int, column: int, end_line: int, end_column: int) -> Node:
            node = new(cls)
            set0(node, f0)
            set_line(node, line)
            set_column(node, column)
            set_end_line(node, end_line)
            set_end_column(node, end_column)
            return node  # type: ignore[no-any-return]
        return make1
    if len(setters) == 2:
        set0, set1 = setters

        def make2(f0: Any, f1: Any, line: int, column: int, end_line: int,
                  end_column: int) -> Node:
            node = new(cls)
            set0(node, f0)
            set1(node, f1)
            set_line(node, line)
            set_column(node, column)
            set_end_line(node, end_line)
            set_end_column(node, end_column)
            return node  # type: ignore[no-any-return]
        return make2
    if len(setters) == 3:
        set0, set1, set2 = setters

        def make3(f0: Any, f1: Any, f2: Any, line: int, column: int, end_line: int,
                  end_column: int) -> Node:
            node = new(cls)
            set0(node, f0)
            set1(node, f1)
            set2(node, f2)
            set_line(node, line)
            set_column(node, column)
            set_end_line(node, end_line)
            set_end_column(node, end_column)
            return node  # type: ignore[no-any-return]
        return make3
    raise TypeError(f"no maker for {cls.__name__}'s {len(setters)} fields")


def end_on_line(node: Node) -> int | None:
    """``node.end_column`` when the node ends on the line it starts on, else None (a caret
    under a span that crosses lines would underline the wrong text)."""
    return node.end_column if node.end_line == node.line else None


class Expr(Node):
    """Base of the expression nodes."""


class Stmt(Node):
    """Base of the statement nodes."""


# ---------------------------------------------------------------- expressions


class Name(Expr):
    """A variable or function name: ``x``, ``torch``. Grammar: ``name``."""

    id: str


class Number(Expr):
    """An ``int`` (``3``, ``0x1F``) or ``float`` (``4.0``, ``1e-3``, ``.5``, ``1.``) literal.

    Grammar: ``number``.
    """

    value: int | float


class String(Expr):
    """A string literal with its escapes decoded; adjacent literals are joined.

    Grammar: ``strings`` (when none of the adjacent literals is an f-string).
    """

    value: str


class FormattedValue(Node):
    """One ``{value!conversion:format_spec}`` field of an f-string.

    ``conversion`` is ``"r"``, ``"s"``, ``"a"`` or None; ``format_spec`` is an FString (it
    may hold fields of its own, as in ``{x:{width}}``) or None. ``{x=}`` is stored as the
    text ``"x="`` followed by ``{x!r}``, as Python does.
    """

    value: Expr
    conversion: str | None = None
    format_spec: FString | None = None


class FString(Expr):
    """An f-string: literal text (``str``) and fields (FormattedValue), in order.

    Adjacent text is merged and empty text dropped, so ``f""`` has no parts.
    Grammar: ``strings`` (when one of the adjacent literals is an f-string).
    """

    parts: tuple[str | FormattedValue, ...]


class Constant(Expr):
    """``True``, ``False`` or ``None``. Grammar: ``constant``."""

    value: bool | None


class EllipsisLit(Expr):
    """``...`` (used in indexing: ``x[..., None]``). Grammar: ``ellipsis_lit``."""


class ListLit(Expr):
    """A list literal ``[a, b]``; the interpreter makes it a tensor. Grammar: ``list_lit``."""

    items: tuple[Expr, ...]


class TupleLit(Expr):
    """A tuple: ``(a, b)``, ``(a,)``, ``()``, ``a, b`` or a multi-item index ``x[a, b]``.

    Grammar: ``tuple_lit`` (parenthesised), ``bare_tuple``, ``index_tuple``.
    """

    items: tuple[Expr, ...]


class UnaryOp(Expr):
    """``-operand`` or ``+operand``. Grammar: ``unary_op``."""

    op: str
    operand: Expr


class BinOp(Expr):
    """``left op right`` for the arithmetic operators and ``**``. Grammar: ``bin_op``."""

    op: str
    left: Expr
    right: Expr


class Compare(Expr):
    """A comparison, chained as in Python: ``a < b <= c`` has two ops and comparators.

    Grammar: ``compare`` (with one ``comp_tail`` per operator).
    """

    left: Expr
    ops: tuple[str, ...]
    comparators: tuple[Expr, ...]


class BoolOp(Expr):
    """``a and b and c`` or ``a or b``: two or more values. Grammar: ``and_test``, ``or_test``."""

    op: str
    values: tuple[Expr, ...]


class Not(Expr):
    """``not operand``. Grammar: ``not_test``."""

    operand: Expr


class IfExp(Expr):
    """``body if test else orelse``. Grammar: ``if_exp``."""

    test: Expr
    body: Expr
    orelse: Expr


class Keyword(Node):
    """A keyword argument ``name=value`` of a Call. Grammar: ``keyword``."""

    name: str
    value: Expr


class Call(Expr):
    """``func(*args, **keywords)``: any callee (a name, a method ``x.sum``, ...).

    Grammar: ``call`` (with ``arguments``).
    """

    func: Expr
    args: tuple[Expr, ...] = ()
    keywords: tuple[Keyword, ...] = ()


class Attribute(Expr):
    """``value.attr``; any name parses, the interpreter allows its own list.

    Grammar: ``attribute``.
    """

    value: Expr
    attr: str


class Slice(Expr):
    """``lower:upper:step`` inside a subscript; absent parts are None. Grammar: ``slice``."""

    lower: Expr | None = None
    upper: Expr | None = None
    step: Expr | None = None


class Subscript(Expr):
    """``value[index]``: ``index`` is an expression, a Slice, or a TupleLit of those.

    Grammar: ``subscript``.
    """

    value: Expr
    index: Expr


# ---------------------------------------------------------------- statements


class ExprStmt(Stmt):
    """An expression on its own line (its value is echoed by scripts and the REPL).

    Grammar: ``expr_stmt``.
    """

    value: Expr


class Assign(Stmt):
    """``t1 = t2 = value``: one or more targets, assigned left to right. Grammar: ``assign``."""

    targets: tuple[Expr, ...]
    value: Expr


class AugAssign(Stmt):
    """``target op= value``; ``op`` is the binary operator (``"+"`` for ``+=``).

    Grammar: ``aug_assign``.
    """

    target: Expr
    op: str
    value: Expr


class Param(Node):
    """A parameter of a FunctionDef, with its default expression or None. Grammar: ``param``."""

    name: str
    default: Expr | None = None


class FunctionDef(Stmt):
    """``def name(params): body``. Grammar: ``function_def``."""

    name: str
    params: tuple[Param, ...]
    body: tuple[Stmt, ...]


class Return(Stmt):
    """``return`` or ``return value``. Grammar: ``return_stmt``."""

    value: Expr | None = None


class If(Stmt):
    """``if test: body else: orelse``; an ``elif`` is an If alone in ``orelse``.

    Grammar: ``if_stmt`` (with ``elif_clause`` and ``else_clause``).
    """

    test: Expr
    body: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...] = ()


class While(Stmt):
    """``while test: body``. Grammar: ``while_stmt``."""

    test: Expr
    body: tuple[Stmt, ...]


class For(Stmt):
    """``for target in iter: body``; ``target`` may be a TupleLit. Grammar: ``for_stmt``."""

    target: Expr
    iter: Expr
    body: tuple[Stmt, ...]


class Break(Stmt):
    """``break``. Grammar: ``break_stmt``."""


class Continue(Stmt):
    """``continue``. Grammar: ``continue_stmt``."""


class Pass(Stmt):
    """``pass``. Grammar: ``pass_stmt``."""


class With(Stmt):
    """``with context: body`` or ``with context as target: body``. Grammar: ``with_stmt``."""

    context: Expr
    target: Expr | None
    body: tuple[Stmt, ...]


class Assert(Stmt):
    """``assert test`` or ``assert test, msg``. Grammar: ``assert_stmt``."""

    test: Expr
    msg: Expr | None = None


class Import(Stmt):
    """``import module`` or ``import module as alias``; ``module`` is dotted (``a.b``).

    ``import a, b`` gives one Import per module. Grammar: ``import_module``.
    """

    module: str
    alias: str | None = None


class ImportAlias(Node):
    """One ``name`` or ``name as alias`` of an ImportFrom. Grammar: ``import_alias``."""

    name: str
    alias: str | None = None


class ImportFrom(Stmt):
    """``from module import names``. Grammar: ``import_from``."""

    module: str
    names: tuple[ImportAlias, ...]


class Program(Node):
    """A script or REPL input: its statements in order. Grammar: ``file_input``."""

    body: tuple[Stmt, ...]


def iter_child_nodes(node: Node) -> Iterator[Node]:
    """Yield the nodes directly below ``node``, in field order (f-string parts included)."""
    for name in node._fields:
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
