"""Tests of gradcli.syntax: the grammar, the AST, error messages, unparse and the table cache.

The language is a subset of Python, so Python's own parser is the oracle: every valid
snippet must mean to gradcli what it means to Python (compared through ``from_python``,
which turns ``ast`` trees into gradcli nodes), and generated expressions must be accepted
by gradcli exactly when Python accepts them.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path
from typing import Any

import pytest
from expression_strategies import extend
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradcli.errors import GradcliError
from gradcli.syntax import (
    DEFAULT_MAX_DEPTH,
    needs_more_input,
    parse_expression,
    parse_program,
    unparse,
)
from gradcli.syntax import nodes as n
from gradcli.syntax import parser as parser_module

HERE = Path(__file__).parent
REPO = HERE.parent
VALID = sorted((HERE / "parser" / "valid").glob("*.gcl"))
INVALID = sorted((HERE / "parser" / "invalid").glob("*.gcl"))


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# ---------------------------------------------------------------- Python's AST as oracle

_OPERATORS = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
    ast.Mod: "%", ast.MatMult: "@", ast.Pow: "**", ast.UAdd: "+", ast.USub: "-",
    ast.And: "and", ast.Or: "or", ast.Lt: "<", ast.Gt: ">", ast.Eq: "==", ast.GtE: ">=",
    ast.LtE: "<=", ast.NotEq: "!=", ast.In: "in", ast.NotIn: "not in", ast.Is: "is",
    ast.IsNot: "is not",
}
_CONVERSIONS = {-1: None, ord("r"): "r", ord("s"): "s", ord("a"): "a"}


def from_python(node: ast.AST) -> Any:
    """The gradcli tree that means what the Python tree ``node`` means."""
    convert = _PY_CONVERTERS[type(node)]
    return convert(node)


def _all(nodes: list[Any]) -> tuple[Any, ...]:
    return tuple(from_python(node) for node in nodes)


def _body(statements: list[ast.stmt]) -> tuple[n.Stmt, ...]:
    out: list[n.Stmt] = []
    for statement in statements:
        converted = from_python(statement)
        out.extend(converted if isinstance(converted, tuple) else (converted,))
    return tuple(out)


def _constant(node: ast.Constant) -> n.Expr:
    value = node.value
    if value is Ellipsis:
        return n.EllipsisLit()
    if isinstance(value, bool) or value is None:
        return n.Constant(value)
    if isinstance(value, str):
        return n.String(value)
    return n.Number(value)


def _joined(node: ast.JoinedStr) -> n.FString:
    parts = tuple(part.value if isinstance(part, ast.Constant) else from_python(part)
                  for part in node.values)
    return n.FString(parts)


def _formatted(node: ast.FormattedValue) -> n.FormattedValue:
    spec = None if node.format_spec is None else _joined(node.format_spec)  # type: ignore[arg-type]
    return n.FormattedValue(from_python(node.value), _CONVERSIONS[node.conversion], spec)


def _unary(node: ast.UnaryOp) -> n.Expr:
    if isinstance(node.op, ast.Not):
        return n.Not(from_python(node.operand))
    return n.UnaryOp(_OPERATORS[type(node.op)], from_python(node.operand))


def _call(node: ast.Call) -> n.Call:
    keywords = tuple(n.Keyword(k.arg, from_python(k.value)) for k in node.keywords)
    return n.Call(from_python(node.func), _all(node.args), keywords)


def _slice(node: ast.Slice) -> n.Slice:
    parts = (node.lower, node.upper, node.step)
    return n.Slice(*(None if part is None else from_python(part) for part in parts))


def _function(node: ast.FunctionDef) -> n.FunctionDef:
    args = node.args.args
    defaults = [None] * (len(args) - len(node.args.defaults)) + list(node.args.defaults)
    params = tuple(n.Param(a.arg, None if d is None else from_python(d))
                   for a, d in zip(args, defaults, strict=True))
    return n.FunctionDef(node.name, params, _body(node.body))


def _with(node: ast.With) -> n.With:
    item = node.items[0]
    target = None if item.optional_vars is None else from_python(item.optional_vars)
    return n.With(from_python(item.context_expr), target, _body(node.body))


_PY_CONVERTERS: dict[type, Any] = {
    ast.Module: lambda node: n.Program(_body(node.body)),
    ast.Expression: lambda node: from_python(node.body),
    ast.Expr: lambda node: n.ExprStmt(from_python(node.value)),
    ast.Assign: lambda node: n.Assign(_all(node.targets), from_python(node.value)),
    ast.AugAssign: lambda node: n.AugAssign(from_python(node.target),
                                            _OPERATORS[type(node.op)], from_python(node.value)),
    ast.FunctionDef: _function,
    ast.Return: lambda node: n.Return(None if node.value is None else from_python(node.value)),
    ast.If: lambda node: n.If(from_python(node.test), _body(node.body), _body(node.orelse)),
    ast.While: lambda node: n.While(from_python(node.test), _body(node.body)),
    ast.For: lambda node: n.For(from_python(node.target), from_python(node.iter),
                                _body(node.body)),
    ast.Break: lambda node: n.Break(), ast.Continue: lambda node: n.Continue(),
    ast.Pass: lambda node: n.Pass(), ast.With: _with,
    ast.Assert: lambda node: n.Assert(from_python(node.test),
                                      None if node.msg is None else from_python(node.msg)),
    ast.Import: lambda node: tuple(n.Import(a.name, a.asname) for a in node.names),
    ast.ImportFrom: lambda node: n.ImportFrom(
        node.module, tuple(n.ImportAlias(a.name, a.asname) for a in node.names)),
    ast.Name: lambda node: n.Name(node.id), ast.Constant: _constant,
    ast.JoinedStr: _joined, ast.FormattedValue: _formatted,
    ast.List: lambda node: n.ListLit(_all(node.elts)),
    ast.Tuple: lambda node: n.TupleLit(_all(node.elts)),
    ast.UnaryOp: _unary,
    ast.BinOp: lambda node: n.BinOp(_OPERATORS[type(node.op)], from_python(node.left),
                                    from_python(node.right)),
    ast.BoolOp: lambda node: n.BoolOp(_OPERATORS[type(node.op)], _all(node.values)),
    ast.Compare: lambda node: n.Compare(from_python(node.left),
                                        tuple(_OPERATORS[type(op)] for op in node.ops),
                                        _all(node.comparators)),
    ast.IfExp: lambda node: n.IfExp(from_python(node.test), from_python(node.body),
                                    from_python(node.orelse)),
    ast.Call: _call,
    ast.Attribute: lambda node: n.Attribute(from_python(node.value), node.attr),
    ast.Subscript: lambda node: n.Subscript(from_python(node.value), from_python(node.slice)),
    ast.Slice: _slice,
}


# ---------------------------------------------------------------- the folders


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_snippet_means_what_python_means(path: Path) -> None:
    source = read(path)
    assert parse_program(source) == from_python(ast.parse(source))


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_snippet_round_trips_through_unparse(path: Path) -> None:
    program = parse_program(read(path))
    text = unparse(program)
    assert parse_program(text) == program
    assert from_python(ast.parse(text)) == program


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_snippet_is_reported_where_and_how_expected(path: Path) -> None:
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    source = read(path)
    parse = parse_expression if expected.get("mode") == "expression" else parse_program
    with pytest.raises(GradcliError) as caught:
        parse(source)
    error = caught.value
    assert expected["message"] in error.message
    assert (error.line, error.column) == (expected["line"], expected["column"])
    assert error.kind == expected.get("kind", "syntax")
    assert expected.get("hint", "") in (error.hint or "")
    assert error.source == source


def test_the_folders_hold_enough_cases() -> None:
    assert len(VALID) >= 40
    assert len(INVALID) >= 30
    assert all(path.with_suffix(".json").is_file() for path in INVALID)


# ---------------------------------------------------------------- precedence


def E(text: str) -> n.Expr:
    return parse_expression(text)


x, y, z, a, b, c = (n.Name(name) for name in "xyzabc")


@pytest.mark.parametrize("text, tree", [
    ("-x**2", n.UnaryOp("-", n.BinOp("**", x, n.Number(2)))),
    ("a+b*c", n.BinOp("+", a, n.BinOp("*", b, c))),
    ("2**-1", n.BinOp("**", n.Number(2), n.UnaryOp("-", n.Number(1)))),
    ("x**y**z", n.BinOp("**", x, n.BinOp("**", y, z))),
    ("a-b-c", n.BinOp("-", n.BinOp("-", a, b), c)),
    ("a @ b * c", n.BinOp("*", n.BinOp("@", a, b), c)),
    ("a if b else c", n.IfExp(b, a, c)),
    ("a if b else c if x else y", n.IfExp(b, a, n.IfExp(x, c, y))),
    ("a < b <= c", n.Compare(a, ("<", "<="), (b, c))),
    ("not a == b", n.Not(n.Compare(a, ("==",), (b,)))),
    ("a or b and c", n.BoolOp("or", (a, n.BoolOp("and", (b, c))))),
    ("a or b or c", n.BoolOp("or", (a, b, c))),
    ("(a or b) or c", n.BoolOp("or", (n.BoolOp("or", (a, b)), c))),
    ("a not in b is not c", n.Compare(a, ("not in", "is not"), (b, c))),
    ("-x.grad", n.UnaryOp("-", n.Attribute(x, "grad"))),
    ("x.sum()[0]", n.Subscript(n.Call(n.Attribute(x, "sum")), n.Number(0))),
])
def test_precedence_and_associativity(text: str, tree: n.Expr) -> None:
    assert E(text) == tree


def test_literals() -> None:
    assert E("4.0") == n.Number(4.0) and isinstance(E("4").value, int)  # type: ignore[attr-defined]
    assert [E(t) for t in ("1e-3", ".5", "1.", "0x10")] == [
        n.Number(0.001), n.Number(0.5), n.Number(1.0), n.Number(16)]
    assert E("(1,)") == n.TupleLit((n.Number(1),))
    assert E("()") == n.TupleLit(())
    assert E("(1)") == n.Number(1)
    assert E("[[1, 2], [3, 4]]") == n.ListLit((
        n.ListLit((n.Number(1), n.Number(2))), n.ListLit((n.Number(3), n.Number(4)))))
    assert E("True, False, None, ...") == n.TupleLit(
        (n.Constant(True), n.Constant(False), n.Constant(None), n.EllipsisLit()))
    assert E("'a' \"b\"") == n.String("ab")


def test_indexing_forms() -> None:
    one, three = n.Number(1), n.Number(3)
    assert E("x[1:3]").index == n.Slice(one, three)  # type: ignore[attr-defined]
    assert E("x[::2]").index == n.Slice(None, None, n.Number(2))  # type: ignore[attr-defined]
    assert E("x[:, 0]").index == n.TupleLit((n.Slice(), n.Number(0)))  # type: ignore[attr-defined]
    assert E("x[..., None]").index == n.TupleLit(  # type: ignore[attr-defined]
        (n.EllipsisLit(), n.Constant(None)))
    assert E("x[[0, 1], y]").index == n.TupleLit(  # type: ignore[attr-defined]
        (n.ListLit((n.Number(0), one)), y))


def test_calls_split_positional_and_keyword_arguments() -> None:
    call = E("torch.sum(x, dim=0, keepdim=True)")
    assert call == n.Call(n.Attribute(n.Name("torch"), "sum"), (x,), (
        n.Keyword("dim", n.Number(0)), n.Keyword("keepdim", n.Constant(True))))


def test_fstring_fields_are_parsed_expressions() -> None:
    tree = E('f"epoch {epoch + 1}, loss {float(l.mean()):f}"')
    assert tree == n.FString((
        "epoch ", n.FormattedValue(n.BinOp("+", n.Name("epoch"), n.Number(1))),
        ", loss ", n.FormattedValue(
            n.Call(n.Name("float"), (n.Call(n.Attribute(n.Name("l"), "mean")),)),
            None, n.FString(("f",))),
    ))
    assert E('f"{x=}"') == n.FString(("x=", n.FormattedValue(x, "r")))
    assert E('f"{{x}}"') == n.FString(("{x}",))


def test_statements() -> None:
    program = parse_program(textwrap.dedent("""\
        a, b = 1, 2
        x[0] += 1
        if a:
            pass
        elif b:
            pass
        else:
            pass
    """))
    assign, aug, branch = program.body
    assert assign == n.Assign((n.TupleLit((a, b)),), n.TupleLit((n.Number(1), n.Number(2))))
    assert aug == n.AugAssign(n.Subscript(x, n.Number(0)), "+", n.Number(1))
    assert branch == n.If(a, (n.Pass(),), (n.If(b, (n.Pass(),), (n.Pass(),)),))


# ---------------------------------------------------------------- positions


def test_nodes_know_where_they_are() -> None:
    source = "x = f(a,\n      b=2)\nif x:\n    y = f'v {x + 1:.2f}'\n"
    assign, branch = parse_program(source).body
    assert isinstance(assign, n.Assign) and isinstance(branch, n.If)
    call = assign.value
    assert (call.line, call.column, call.end_line, call.end_column) == (1, 5, 2, 11)
    assert (branch.line, branch.column, branch.end_line, branch.end_column) == (3, 1, 4, 25)
    inner = branch.body[0]
    assert isinstance(inner, n.Assign) and isinstance(inner.value, n.FString)
    field = inner.value.parts[1]
    assert isinstance(field, n.FormattedValue)
    assert (field.line, field.column, field.end_column) == (4, 13, 24)
    assert (field.value.line, field.value.column, field.value.end_column) == (4, 14, 19)


def test_a_byte_order_mark_is_ignored() -> None:
    program = parse_program("\ufeffx = 1\n")
    assert program.body[0].column == 1
    assert parse_expression("\ufeffx") == x


def test_positions_do_not_take_part_in_equality() -> None:
    assert E("x + 1") == E("x  +  1")
    assert n.Name("x", line=3, column=4) == n.Name("x")


# ---------------------------------------------------------------- errors


def test_error_examples() -> None:
    cases = {
        "f(1 + )": ("unexpected ')' — expected an expression", 1, 7),
        "f(x, g(y)": ("unclosed '(' opened at line 1, column 2", 1, 10),
        "x $ 2": ("invalid character '$'", 1, 3),
    }
    for text, (message, line, column) in cases.items():
        with pytest.raises(GradcliError) as caught:
            parse_expression(text)
        assert (caught.value.message, caught.value.line, caught.value.column) == (
            message, line, column)
        assert caught.value.kind == "syntax" and caught.value.exit_code == 2


def test_statement_where_an_expression_is_expected() -> None:
    with pytest.raises(GradcliError, match="expected a single expression, found an assignment"):
        parse_expression("x = torch.arange(4.0)")


@pytest.mark.parametrize("text", [
    "(" * 10_000 + "1" + ")" * 10_000,
    "[" * 10_000 + "]" * 10_000,
    "-" * 10_000 + "x",
    "not " * 10_000 + "x",
    "x" + "**x" * 10_000,
    "x" + "+x" * 10_000,
    "f(" * 5_000 + ")" * 5_000,
    "x" + ".y" * 10_000,
])
def test_deep_nesting_is_a_limit_error_not_a_crash(text: str) -> None:
    with pytest.raises(GradcliError) as caught:
        parse_expression(text)
    assert caught.value.kind == "limit"
    assert f"limit is {DEFAULT_MAX_DEPTH}" in caught.value.message


def test_deep_blocks_are_a_limit_error() -> None:
    source = "".join("    " * i + "if x:\n" for i in range(300)) + "    " * 300 + "pass\n"
    with pytest.raises(GradcliError) as caught:
        parse_program(source)
    assert caught.value.kind == "limit"


def test_depth_limit_is_adjustable() -> None:
    text = "-" * 50 + "x"
    assert isinstance(parse_expression(text), n.UnaryOp)
    with pytest.raises(GradcliError, match="limit is 20"):
        parse_expression(text, max_depth=20)


def test_unparse_of_a_deep_tree_does_not_recurse() -> None:
    tree: n.Expr = x
    for _ in range(20_000):
        tree = n.UnaryOp("-", tree)
    assert unparse(tree) == "-" * 20_000 + "x"


# ---------------------------------------------------------------- REPL continuation


@pytest.mark.parametrize("text, more", [
    ("x = 1", False),
    ("if x:", True),
    ("if x:\n    y = 1", True),
    ("if x:\n    y = 1\n", False),
    ("def f(a):\n    return a\n", False),
    ("f(1,", True),
    ("x = [\n1,", True),
    ("f(1,\n2)", False),
    ("x = 1 + \\", True),
    ("x = '''abc", True),
    ("x = 1 +", False),
    ("x = )", False),
    ("for i in range(3):\n    if i:", True),
    ("", False),
    ("# a comment", False),
    ("f'{x +'", False),
    ("class A:", False),
    ("(" * 500, False),
])
def test_needs_more_input(text: str, more: bool) -> None:
    assert needs_more_input(text) is more


# ---------------------------------------------------------------- unparse


@pytest.mark.parametrize("text", [
    "-x**2", "(-x)**2", "2**-1", "(a**b)**c", "a - (b - c)", "(a if b else c) if x else y",
    "not (a and b)", "(a < b) < c", "x[1:2, ::3, ...]", "x[(1, 2)]", "x[()]", "(1).real",
    "f'{x!r:>{w}} {{}} \\n'", "'it\\'s'", "[a, (b,), ()]", "-(-1)", "+x", "1e999",
])
def test_unparse_round_trips(text: str) -> None:
    tree = parse_expression(text)
    assert parse_expression(unparse(tree)) == tree


# ---------------------------------------------------------------- generated expressions

NAMES = st.sampled_from(["x", "y", "w", "torch", "grad"])
LEAVES = st.one_of(
    NAMES,
    st.integers(0, 10**6).map(str),
    st.floats(0, 1e6, allow_nan=False, allow_infinity=False).map(repr),
    st.text(max_size=5).map(repr),
    st.sampled_from(["True", "False", "None", "...", "()", "[]"]),
)
BINARY = st.sampled_from(["+", "-", "*", "/", "//", "%", "@", "**", "<", "==", "!=", ">=",
                          "and", "or", "in", "not in", "is", "is not"])


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return extend(inner, NAMES, BINARY, fstrings=True)


EXPRESSIONS = st.recursive(LEAVES, _extend, max_leaves=12)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRESSIONS)
def test_generated_expressions_agree_with_python(text: str) -> None:
    try:
        expected = from_python(ast.parse(text, mode="eval"))
    except SyntaxError:
        with pytest.raises(GradcliError):
            parse_expression(text)
        return
    tree = parse_expression(text)
    assert tree == expected
    assert parse_expression(unparse(tree)) == tree


def _python_accepts(text: str, mode: str) -> bool:
    """Whether Python compiles ``text`` (which also checks break/return placement)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<generated>", mode, dont_inherit=True)
    except SyntaxError:
        return False
    return True


PY_EXPRESSIONS = EXPRESSIONS.filter(lambda e: _python_accepts(e, "eval"))
SIMPLE_TARGETS = st.one_of(
    NAMES,
    st.tuples(PY_EXPRESSIONS, PY_EXPRESSIONS).map(lambda t: f"({t[0]})[{t[1]}]"),
    st.tuples(PY_EXPRESSIONS, NAMES).map(lambda t: f"({t[0]}).{t[1]}"),
)
TARGETS = st.one_of(SIMPLE_TARGETS, st.lists(NAMES, min_size=1, max_size=3).map(", ".join),
                    st.lists(NAMES, min_size=2, max_size=3).map(lambda t: f"[{', '.join(t)}]"))
AUG_OPS = st.sampled_from(["+=", "-=", "*=", "/=", "//=", "%=", "**=", "@="])


@st.composite
def _small_statement(draw: Any, in_loop: bool, in_function: bool) -> str:
    kinds = ["expr", "assign", "aug", "pass", "assert", "import", "from"]
    kinds += ["break", "continue"] * in_loop + ["return"] * in_function
    kind = draw(st.sampled_from(kinds))
    expr = PY_EXPRESSIONS
    if kind == "expr":
        return draw(expr)
    if kind == "assign":
        targets = draw(st.lists(TARGETS, min_size=1, max_size=2))
        return " = ".join([*targets, draw(expr)])
    if kind == "aug":
        return f"{draw(SIMPLE_TARGETS)} {draw(AUG_OPS)} {draw(expr)}"
    if kind == "assert":
        message = draw(st.one_of(st.none(), expr))
        return f"assert {draw(expr)}" + ("" if message is None else f", {message}")
    if kind == "import":
        return draw(st.sampled_from(["import torch", "import torch.nn.functional as F",
                                     "import torch, numpy", "import torch as t"]))
    if kind == "from":
        names = draw(st.lists(st.tuples(NAMES, st.one_of(st.none(), NAMES)), min_size=1,
                              max_size=3))
        items = ", ".join(a if b is None else f"{a} as {b}" for a, b in names)
        return f"from torch import {items}" if draw(st.booleans()) else \
            f"from torch.nn import ({items},)"
    if kind == "return":
        return draw(st.sampled_from(["return", f"return {draw(expr)}"]))
    return kind


@st.composite
def _suite(draw: Any, indent: str, depth: int, in_loop: bool, in_function: bool) -> str:
    """The block after a ``:``: one line (``if x: pass``) or indented statements."""
    if draw(st.integers(0, 4)) == 0:
        return " " + draw(_small_statement(in_loop, in_function)) + "\n"
    inner = indent + draw(st.sampled_from(["    ", "  ", "\t"]))
    return "\n" + draw(_statements(inner, depth - 1, in_loop, in_function))


@st.composite
def _statements(draw: Any, indent: str, depth: int, in_loop: bool, in_function: bool) -> str:
    """One to three statements at ``indent``, compound ones ``depth`` levels deep at most."""
    out = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["simple"] * 2 + ["if", "while", "for", "def", "with"]
                                    if depth > 0 else ["simple"]))
        if kind == "simple":
            smalls = draw(st.lists(_small_statement(in_loop, in_function), min_size=1,
                                   max_size=2))
            out.append(indent + "; ".join(smalls) + draw(st.sampled_from(["", ";", "  # c"])))
            continue
        loop = in_loop or kind in ("while", "for")
        function = in_function or kind == "def"
        if kind == "def":
            loop = False
        suite = _suite(indent, depth, loop, function)

        expr = PY_EXPRESSIONS
        if kind == "if":
            text = f"{indent}if {draw(expr)}:{draw(suite)}"
            for _ in range(draw(st.integers(0, 2))):
                text += f"{indent}elif {draw(expr)}:{draw(suite)}"
            if draw(st.booleans()):
                text += f"{indent}else:{draw(suite)}"
        elif kind == "while":
            text = f"{indent}while {draw(expr)}:{draw(suite)}"
        elif kind == "for":
            target = draw(st.lists(NAMES, min_size=1, max_size=2).map(", ".join))
            text = f"{indent}for {target} in {draw(expr)}:{draw(suite)}"
        elif kind == "def":
            params = draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), unique=True,
                                   max_size=3))
            defaults = draw(st.integers(0, len(params)))
            signature = ", ".join(p if k < len(params) - defaults else f"{p}={draw(expr)}"
                                  for k, p in enumerate(params))
            text = f"{indent}def {draw(NAMES)}({signature}):{draw(suite)}"
        else:
            alias = draw(st.one_of(st.none(), NAMES))
            text = f"{indent}with {draw(expr)}{'' if alias is None else ' as ' + alias}:{draw(suite)}"
        out.append(text.rstrip("\n"))
    return "\n".join(out) + "\n"


@st.composite
def _misplaced(draw: Any, program: str) -> str:
    """``program`` with one line that may be out of place: break, return, a stray indent..."""
    lines = program.splitlines()
    at = draw(st.integers(0, len(lines)))
    near = lines[at] if at < len(lines) else ""
    indent = near[:len(near) - len(near.lstrip())] + draw(st.sampled_from(["", "", " ", "\t"]))
    line = draw(st.sampled_from(["break", "continue", "return", "return x", "else:", "elif x:",
                                 "pass", "x = 1", "def f():", "import torch"]))
    return "\n".join(lines[:at] + [indent + line] + lines[at:]) + "\n"


VALID_PROGRAMS = _statements("", 2, False, False)
PROGRAMS = st.one_of(
    VALID_PROGRAMS,
    st.tuples(VALID_PROGRAMS, st.sampled_from(["\n", "\n\n", "# note\n", "\n   \n"])).map(
        lambda t: t[1] + t[0]),
    VALID_PROGRAMS.flatmap(_misplaced))


@pytest.mark.slow
@settings(max_examples=200, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(PROGRAMS)
def test_generated_programs_agree_with_python_and_round_trip(text: str) -> None:
    """Scripts (statements and nested blocks) mean what Python means, and survive unparse."""
    if not _python_accepts(text, "exec"):
        with pytest.raises(GradcliError):
            parse_program(text)
        return
    program = parse_program(text)
    assert program == from_python(ast.parse(text))
    assert parse_program(unparse(program)) == program



# ---------------------------------------------------------------- the LALR table cache


def _python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO), **env}, check=False)


@pytest.mark.slow
def test_a_fresh_process_loads_the_cached_tables_instead_of_building_them(
        tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    first = _python("from gradcli.syntax import parse_expression, cache_file\n"
                    "parse_expression('x + 1')\nprint(cache_file())", env)
    assert first.returncode == 0, first.stderr
    cache = Path(first.stdout.strip())
    assert cache.parent == tmp_path / "gradcli" and cache.is_file()
    # Building LALR tables goes through compute_lalr: make it fail in the second process.
    second = _python(textwrap.dedent("""\
        from lark.parsers import lalr_analysis
        def refuse(self):
            raise SystemExit("LALR tables were rebuilt")
        lalr_analysis.LALR_Analyzer.compute_lalr = refuse
        from gradcli.syntax import parse_expression
        print(parse_expression('2 * dot(x, x)'))
    """), env)
    assert second.returncode == 0, second.stderr
    assert "BinOp" in second.stdout


_LARK_LOADED = "\nprint(sorted({m.split('.')[0] for m in sys.modules} & {'lark'}))"


@pytest.mark.slow
def test_with_the_tables_cached_a_text_is_parsed_without_lark(tmp_path: Path) -> None:
    """The quick parser reads its own cached tables: importing and loading Lark is most of
    the parse's share of a one-shot eval's or run's start-up (issue 6). Tabs in a text of
    more lines (or with strings or comments) and errors still go to Lark."""
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    warm = _python("from gradcli.syntax import parse_expression\nparse_expression('x')", env)
    assert warm.returncode == 0, warm.stderr
    assert len(list((tmp_path / "gradcli").glob("*.quick.json"))) == 1
    run = "import sys\nfrom gradcli.syntax import parse_expression, parse_program\n"
    for code in ["parse_expression('2*dot(x, x) + w[1:, None].sum(dim=0)')",
                 "parse_expression('f\"{x}\" + load(\"w.npy\")  # c')",
                 "parse_program('x = 1  # one\\nif x:\\n    print(f\"{x}\", (x,\\n 2))\\n')"]:
        quick = _python(run + f"print({code})" + _LARK_LOADED, env)
        assert quick.returncode == 0, quick.stderr
        assert quick.stdout.split("\n")[1] == "[]", code
    for code in ["parse_program('if x:\\n\\ty\\n')", "parse_expression('(x\\n\\t+ y)')"]:
        lark = _python(run + f"print({code})" + _LARK_LOADED, env)
        assert lark.returncode == 0, lark.stderr
        assert lark.stdout.split("\n")[1] == "['lark']", code
    error = _python(run + "try:\n    parse_expression('f(x')\nexcept Exception as e:\n"
                    "    print(e.kind, e.message)" + _LARK_LOADED, env)
    assert error.stdout.split("\n")[:2] == ["syntax unclosed '(' opened at line 1, column 2",
                                            "['lark']"], error.stderr


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["garbage", "truncated", "format", "rules", "rows", "list",
                                    "start", "action", "symbols", "keywords", "scanner",
                                    "code"])
def test_a_damaged_quick_parser_table_is_made_again(tmp_path: Path, damage: str) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    warm = _python("from gradcli.syntax import parse_expression\nparse_expression('x')", env)
    assert warm.returncode == 0, warm.stderr
    [path] = (tmp_path / "gradcli").glob("*.quick.json")
    good = path.read_bytes()
    tables = json.loads(good)
    damaged = {
        "garbage": b"\x00not json at all",
        "truncated": good[: len(good) // 2],
        "format": json.dumps({**tables, "format": -1}).encode(),
        "rules": json.dumps({**tables, "rules": [["name"]]}).encode(),
        "rows": json.dumps({**tables, "rows": [[1, 2, 3]]}).encode(),
        "list": b"[1, 2]",
        # These pass the parser's construction and fail in the parse:
        "start": json.dumps({**tables, "start": 10**6}).encode(),
        "action": json.dumps({**tables, "rows": [[0, "x"] for _ in tables["rows"]]}).encode(),
        "symbols": json.dumps({**tables, "symbols": []}).encode(),
        "keywords": json.dumps({**tables, "keywords": []}).encode(),
        "scanner": json.dumps({**tables, "scanner": "("}).encode(),
        # Well-formed, but made by other code of the quick parser:
        "code": json.dumps({**tables, "code": "other"}).encode(),
    }[damage]
    path.write_bytes(damaged)
    again = _python("import sys\nfrom gradcli.syntax import parse_expression\n"
                    "print(parse_expression('2 * x'))" + _LARK_LOADED, env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.split("\n")[:2] == [
        "BinOp(op='*', left=Number(value=2), right=Name(id='x'))", "['lark']"]
    assert json.loads(path.read_bytes()) == tables


def test_the_cache_key_reads_lark_s_version() -> None:
    """Read from Lark's source (that this needs no import of Lark, the subprocess tests above
    show)."""
    import lark

    assert parser_module._lark_version() == lark.__version__


@pytest.mark.slow
def test_an_unwritable_cache_location_falls_back_to_the_temporary_directory(
        tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    result = _python("from gradcli.syntax import parse_expression, cache_file\n"
                     "print(parse_expression('x'), cache_file())",
                     {"XDG_CACHE_HOME": str(blocker), "TMPDIR": str(temporary)})
    assert result.returncode == 0, result.stderr
    name, cache = result.stdout.split()
    assert name == "Name(id='x')" and Path(cache).parent.parent == temporary
    assert Path(cache).is_file()


@pytest.mark.slow
def test_without_any_cache_location_the_parser_still_works(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    result = _python(textwrap.dedent(f"""\
        from pathlib import Path
        import gradcli.syntax.parser as parser
        parser._cache_candidates = lambda: [Path({str(blocker)!r}) / "gradcli"]
        print(parser.parse_expression('x'), parser.cache_file())
    """), {})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["Name(id='x')", "None"]


@pytest.mark.slow
def test_the_syntax_package_stays_out_of_numpy_and_the_engine() -> None:
    result = _python("import sys, gradcli.syntax\n"
                     "print(sorted(m for m in sys.modules if m.split('.')[0] == 'numpy'"
                     " or m.startswith('gradcli.engine')))", {})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
