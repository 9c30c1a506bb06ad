"""Write an AST back as source text that parses to an equal tree (positions aside).

Each node type has a renderer. Leaves return ``(text, precedence)``; inner nodes are
generators that yield ``(child, least precedence allowed unparenthesised)``, receive the
child's text, and return their own ``(text, precedence)``. A small driver runs them with
an explicit stack, so deep trees cannot exhaust Python's stack. Statements render as
lines; blocks are indented by four spaces.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from typing import Any

from gradcli.syntax import nodes as n

# Precedence levels of the grammar, lowest first.
TEST, OR, AND, NOT, COMPARE, ARITH, TERM, FACTOR, POWER, ATOM = range(10)
_STATEMENT = 100

Request = tuple[n.Node, int]
Rendered = tuple[str, int]
Renderer = Generator[Request, str, Rendered]
Handler = Callable[[Any], Rendered | Renderer]

_INDENT = "    "


def unparse(node: n.Node) -> str:
    """Source text for ``node``: an expression, a statement, or a whole Program.

    Raises ValueError for trees no source text can produce (a NaN number, an f-string
    whose fields need both kinds of quotes).
    """
    return _render(node)


def _render(root: n.Node) -> str:
    stack: list[tuple[Renderer, int]] = []
    request: Request = (root, TEST)
    while True:
        node, least = request
        outcome = _HANDLERS[type(node)](node)
        text: str | None
        if isinstance(outcome, tuple):
            text = _wrap(outcome, least)
        else:
            stack.append((outcome, least))
            text = None
        # Hand results up until a renderer asks for another child.
        while True:
            if not stack:
                assert text is not None
                return text
            renderer, renderer_least = stack[-1]
            try:
                request = renderer.send(text)  # type: ignore[arg-type]
                break
            except StopIteration as stop:
                stack.pop()
                text = _wrap(stop.value, renderer_least)


def _wrap(rendered: Rendered, least: int) -> str:
    text, precedence = rendered
    return f"({text})" if precedence < least else text


# ---------------------------------------------------------------- atoms


def _name(node: n.Name) -> Rendered:
    return node.id, ATOM


def _number(node: n.Number) -> Rendered:
    value = node.value
    if isinstance(value, float):
        if math.isnan(value):
            raise ValueError("NaN has no literal")
        if math.isinf(value):
            return ("1e999" if value > 0 else "-1e999"), ATOM
    return repr(value), ATOM


def _string(node: n.String) -> Rendered:
    return repr(node.value), ATOM


def _constant(node: n.Constant) -> Rendered:
    return repr(node.value), ATOM


def _ellipsis(node: n.EllipsisLit) -> Rendered:
    return "...", ATOM


def _fstring(node: n.FString) -> Rendered:
    for quote in ('"', "'"):
        body = _fstring_body(node.parts, quote, in_spec=False)
        if body is not None:
            return f"f{quote}{body}{quote}", ATOM
    raise ValueError("this f-string cannot be written on one line with either quote")


def _fstring_body(parts: tuple[str | n.FormattedValue, ...], quote: str,
                  in_spec: bool) -> str | None:
    out = []
    for part in parts:
        if isinstance(part, str):
            escaped = _escape(part, quote)
            if in_spec and ("{" in part or "}" in part):
                return None
            out.append(escaped if in_spec else escaped.replace("{", "{{").replace("}", "}}"))
            continue
        field = _field(part, quote)
        if field is None:
            return None
        out.append(field)
    return "".join(out)


def _field(value: n.FormattedValue, quote: str) -> str | None:
    # Fields are separate renders; f-strings nest at most as deep as there are quotes.
    expression = unparse(value.value)
    if quote in expression or "\\" in expression or "\n" in expression:
        return None
    text = "{" + expression
    if value.conversion is not None:
        text += "!" + value.conversion
    if value.format_spec is not None:
        spec = _fstring_body(value.format_spec.parts, quote, in_spec=True)
        if spec is None:
            return None
        text += ":" + spec
    return text + "}"


def _escape(text: str, quote: str) -> str:
    """``text`` as the inside of a one-line literal delimited by ``quote``."""
    out = []
    for char in text:
        if char == "\\" or char == quote:
            out.append("\\" + char)
        elif char in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[char])
        elif char.isprintable():
            out.append(char)
        else:
            out.append(char.encode("unicode_escape").decode("ascii"))
    return "".join(out)


# ---------------------------------------------------------------- compound expressions


def _items(items: tuple[n.Expr, ...]) -> Generator[Request, str, list[str]]:
    texts = []
    for item in items:
        texts.append((yield item, TEST))
    return texts


def _list(node: n.ListLit) -> Renderer:
    texts = yield from _items(node.items)
    return "[" + ", ".join(texts) + "]", ATOM


def _tuple(node: n.TupleLit) -> Renderer:
    texts = yield from _items(node.items)
    return "(" + _tuple_body(texts) + ")", ATOM


def _tuple_body(texts: list[str]) -> str:
    return texts[0] + "," if len(texts) == 1 else ", ".join(texts)


def _unary(node: n.UnaryOp) -> Renderer:
    operand = yield node.operand, FACTOR
    return node.op + operand, FACTOR


_BINARY_LEVELS = {"+": ARITH, "-": ARITH, "*": TERM, "/": TERM, "//": TERM, "%": TERM,
                  "@": TERM}


def _binary(node: n.BinOp) -> Renderer:
    if node.op == "**":
        # Right-associative, and its left operand is a primary: (-x)**2, (a**b)**c.
        left = yield node.left, ATOM
        right = yield node.right, FACTOR
        return f"{left} ** {right}", POWER
    level = _BINARY_LEVELS[node.op]
    left = yield node.left, level
    right = yield node.right, level + 1
    return f"{left} {node.op} {right}", level


def _compare(node: n.Compare) -> Renderer:
    text = yield node.left, ARITH
    for op, comparator in zip(node.ops, node.comparators, strict=True):
        text += f" {op} " + (yield comparator, ARITH)
    return text, COMPARE


def _bool(node: n.BoolOp) -> Renderer:
    level = OR if node.op == "or" else AND
    texts = []
    for value in node.values:
        texts.append((yield value, level + 1))
    return f" {node.op} ".join(texts), level


def _not(node: n.Not) -> Renderer:
    operand = yield node.operand, NOT
    return "not " + operand, NOT


def _if_exp(node: n.IfExp) -> Renderer:
    body = yield node.body, OR
    test = yield node.test, OR
    orelse = yield node.orelse, TEST
    return f"{body} if {test} else {orelse}", TEST


def _call(node: n.Call) -> Renderer:
    func = yield node.func, ATOM
    texts = yield from _items(node.args)
    for keyword in node.keywords:
        texts.append(f"{keyword.name}=" + (yield keyword.value, TEST))
    return f"{func}({', '.join(texts)})", ATOM


def _attribute(node: n.Attribute) -> Renderer:
    value = yield node.value, ATOM
    if isinstance(node.value, n.Number):
        value = f"({value})"  # `1.T` would read as the float `1.` followed by a name
    return f"{value}.{node.attr}", ATOM


def _subscript(node: n.Subscript) -> Renderer:
    value = yield node.value, ATOM
    index = node.index
    if isinstance(index, n.TupleLit) and index.items:
        # Bare, because slices are only allowed directly inside the brackets.
        inner = _tuple_body((yield from _items(index.items)))
    else:
        inner = yield index, TEST
    return f"{value}[{inner}]", ATOM


def _slice(node: n.Slice) -> Renderer:
    parts = []
    for part in (node.lower, node.upper, node.step):
        parts.append("" if part is None else (yield part, TEST))
    text = f"{parts[0]}:{parts[1]}"
    return (text + f":{parts[2]}" if node.step is not None else text), TEST


# ---------------------------------------------------------------- statements


def _block(header: str, body: tuple[n.Stmt, ...]) -> Generator[Request, str, str]:
    lines = [header + ":"]
    for statement in body or (n.Pass(),):
        text = yield statement, TEST
        lines.extend(_INDENT + line for line in text.split("\n"))
    return "\n".join(lines)


def _program(node: n.Program) -> Renderer:
    texts = []
    for statement in node.body:
        texts.append((yield statement, TEST))
    return "".join(text + "\n" for text in texts), _STATEMENT


def _expr_stmt(node: n.ExprStmt) -> Renderer:
    return (yield node.value, TEST), _STATEMENT


def _assign(node: n.Assign) -> Renderer:
    texts = yield from _items((*node.targets, node.value))
    return " = ".join(texts), _STATEMENT


def _aug_assign(node: n.AugAssign) -> Renderer:
    target = yield node.target, TEST
    value = yield node.value, TEST
    return f"{target} {node.op}= {value}", _STATEMENT


def _function_def(node: n.FunctionDef) -> Renderer:
    params = []
    for param in node.params:
        default = "" if param.default is None else "=" + (yield param.default, TEST)
        params.append(param.name + default)
    text = yield from _block(f"def {node.name}({', '.join(params)})", node.body)
    return text, _STATEMENT


def _return(node: n.Return) -> Renderer:
    if node.value is None:
        return "return", _STATEMENT
    return "return " + (yield node.value, TEST), _STATEMENT


def _if(node: n.If) -> Renderer:
    test = yield node.test, TEST
    text = yield from _block(f"if {test}", node.body)
    if len(node.orelse) == 1 and isinstance(node.orelse[0], n.If):
        text += "\nel" + (yield node.orelse[0], TEST)
    elif node.orelse:
        text += "\n" + (yield from _block("else", node.orelse))
    return text, _STATEMENT


def _while(node: n.While) -> Renderer:
    test = yield node.test, TEST
    return (yield from _block(f"while {test}", node.body)), _STATEMENT


def _for(node: n.For) -> Renderer:
    target = yield node.target, ARITH
    iterable = yield node.iter, TEST
    return (yield from _block(f"for {target} in {iterable}", node.body)), _STATEMENT


def _with(node: n.With) -> Renderer:
    header = "with " + (yield node.context, TEST)
    if node.target is not None:
        header += " as " + (yield node.target, ARITH)
    return (yield from _block(header, node.body)), _STATEMENT


def _assert(node: n.Assert) -> Renderer:
    text = "assert " + (yield node.test, TEST)
    if node.msg is not None:
        text += ", " + (yield node.msg, TEST)
    return text, _STATEMENT


def _import(node: n.Import) -> Rendered:
    return f"import {node.module}" + _alias(node.alias), _STATEMENT


def _import_from(node: n.ImportFrom) -> Rendered:
    names = ", ".join(name.name + _alias(name.alias) for name in node.names)
    return f"from {node.module} import {names}", _STATEMENT


def _alias(alias: str | None) -> str:
    return "" if alias is None else f" as {alias}"


def _keyword_statement(word: str) -> Handler:
    return lambda node: (word, _STATEMENT)


_HANDLERS: dict[type, Handler] = {
    n.Name: _name, n.Number: _number, n.String: _string, n.Constant: _constant,
    n.EllipsisLit: _ellipsis, n.FString: _fstring, n.ListLit: _list, n.TupleLit: _tuple,
    n.UnaryOp: _unary, n.BinOp: _binary, n.Compare: _compare, n.BoolOp: _bool, n.Not: _not,
    n.IfExp: _if_exp, n.Call: _call, n.Attribute: _attribute, n.Subscript: _subscript,
    n.Slice: _slice,
    n.Program: _program, n.ExprStmt: _expr_stmt, n.Assign: _assign,
    n.AugAssign: _aug_assign, n.FunctionDef: _function_def, n.Return: _return, n.If: _if,
    n.While: _while, n.For: _for, n.With: _with, n.Assert: _assert, n.Import: _import,
    n.ImportFrom: _import_from, n.Break: _keyword_statement("break"),
    n.Continue: _keyword_statement("continue"), n.Pass: _keyword_statement("pass"),
}
