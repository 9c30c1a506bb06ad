"""The quick parser (gradcli/syntax/quick.py) against Lark's driver, its reference.

For each expression and script, the tree from the quick parser and the tree from Lark are
compared node by node with their positions, and a text the quick parser leaves to Lark (or
one in error) ends in the same error either way. Texts come from the parser's test folders,
the examples, the golden scripts, hand-written lists of corners and generators.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from expression_strategies import extend
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_parser import PROGRAMS

from gradcli.errors import GradcliError
from gradcli.syntax import nodes as n
from gradcli.syntax import parser as p
from gradcli.syntax.builder import AstBuilder, DepthGauge, Origin
from gradcli.syntax.parser import parse_expression, parse_program
from gradcli.syntax.quick import QuickParser

HERE = Path(__file__).parent


def dump(value: Any) -> Any:
    """A node as nested tuples of its class, fields and positions (which == leaves out)."""
    if isinstance(value, n.Node):
        return (type(value).__name__,
                tuple(getattr(value, f) for f in n.POSITION_FIELDS),
                tuple(dump(getattr(value, f)) for f in value._fields))
    if isinstance(value, tuple):
        return tuple(dump(item) for item in value)
    return (type(value).__name__, value)


def quick(text: str, max_depth: int = n.DEFAULT_MAX_DEPTH) -> n.Node | None:
    builder = AstBuilder(Origin(), DepthGauge(max_depth), _no_fields)
    return p._quick(p._terminated(text), builder, max_depth)


def _no_fields(text: str, line: int, column: int) -> n.Expr:
    raise AssertionError("these tests give the quick parser no f-string")


def outcome(text: str, parse: Callable[[str], n.Node] = parse_expression) -> Any:
    """The tree (dumped, positions included) that ``parse`` makes of ``text``, or its error."""
    try:
        return dump(parse(text))
    except GradcliError as error:
        return (error.kind, error.message, error.line, error.column, error.end_column,
                error.hint)


def lark_outcome(text: str, parse: Callable[[str], n.Node] = parse_expression) -> Any:
    """The outcome with the quick parser turned off."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(p, "_quick", lambda text, builder, depth, script=False: None)
        return outcome(text, parse)


def agree(text: str, parse: Callable[[str], n.Node] = parse_expression) -> None:
    assert outcome(text, parse) == lark_outcome(text, parse), text


LEAVES_FOR_REPLAY = st.one_of(st.sampled_from(["x", "y", "1", "2.5", "True", "()"]))

CORNERS = [
    "2*dot(x,x)", "sum((x*w + 0.001)**2)", "-x**2", "(-x)**2", "x**-y**z", "+-x",
    "a if b else c if d else e", "not a in b", "a not in b", "a is not b", "a is b is not c",
    "a < b <= c == d != e > f >= g", "a or b and not c", "x @ y @ z", "a // b % c / d",
    "x[1]", "x[1:]", "x[:2]", "x[::3]", "x[1:2:3]", "x[1, :, ...]", "x[1,]", "x[:, None]",
    "f()", "f(a)", "f(a,)", "f(a, b=1)", "f(a, b=1,)", "f(*a)", "f(a=1, b)", "f(a=1, a=2)",
    "x.T", "x.sum(dim=0, keepdim=True)", "x.grad.zero_()", "torch.ones(2, 3).sum()",
    "()", "(1,)", "(1, 2)", "(1, 2,)", "[]", "[1]", "[1, 2,]", "[[1, 2], [3, 4]]", "...",
    "True", "False", "None", "0", "00", "007", "0x_ff", "0o17", "0b1_0", "1_000", "1.",
    ".5", "1e-3", "1.5E+3", "1_0.0_1", "1__0", "0x", "1.e5", "x.5", "x..y", "1 .real",
    "a, b", "a, b,", "a,", "x ,y", "  x", "x  ", "\tx", "x\f+y",
    "αβ + γ", "x_1 + _y", "__x__", "__x", "if", "x if y", "x.if", "lambda: 1", "x = 1",
    "x += 1", "import torch", "pass", "f(x", "f(x))", "x[", "(", ")", "", "   ", "1 2",
    "x.", ".x", "x +", "* x", "x ** ** y", "not", "x not y", "x is not not y", "a < not b",
    "x if y else", "print", "print(x)", "f(g(h(i(j(k(1))))))", "x" + "[0]" * 40,
    "-" * 30 + "x", "not " * 20 + "x", "(" * 50 + "x" + ")" * 50, "((((x))))",
    "x[1:2, ::-1][0].sum()", "max(x, key=abs)", "a @ b.T", "x[-1]", "-1", "--1",
    "f(x)(y)[z].w", "True + 1", "None is None", "x in [1, 2]", "x.requires_grad_()",
    # f-string fields are parsed as expressions of their own, at their place in the source
    "f'{x + 1} and {y:>{w}}'", 'f"{x!r:10}"', "f'{x=}'", "f'{ x [0] }' + f'{(a, b)}'",
    "f'{x +}'", "f'{__x__}'",
]


@pytest.mark.parametrize("text", CORNERS)
def test_hand_written_corners_agree_with_lark(text: str) -> None:
    agree(text)


def _folder_expressions() -> list[str]:
    """Every line of the valid parser snippets, as an expression (most are statements)."""
    lines = set()
    for path in sorted((HERE / "parser" / "valid").iterdir()):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                lines.add(line.rstrip(":"))
                if "=" in line:
                    lines.add(line.split("=", 1)[1].strip())
    return sorted(lines)


def test_lines_of_the_parser_snippets_agree_with_lark() -> None:
    texts = _folder_expressions()
    assert len(texts) > 300
    for text in texts:
        agree(text)


def test_the_quick_parser_takes_the_common_cases() -> None:
    """Else the agreement above would test Lark against itself."""
    for text in ["2*dot(x,x)", "sum((x*w + 0.001)**2)", "x[1:2, ::-1][0].sum()",
                 "a if b else c", "x.sum(dim=0, keepdim=True)", "not a in b", "(1,)", "x.T"]:
        assert dump(quick(text)) == lark_outcome(text), text
        assert dump(quick(text + "\n")) == lark_outcome(text), text


@pytest.mark.parametrize("first, second", [
    ("sum((x*w + 0.001)**2)", "sum((alpha*beta   + 12345.5)**2)"),
    ("2*dot(x,x)", "  10*vdot(xs , ys)"),
    ("f(a=1, b=2)", "f(a=1, a=2)"),  # the builder refuses the second: Lark reports it
    ("x.sum(dim=0)", "x.__dict__(dim=0)"),
    ("a if b else c", "long_name if b2 else c3"),
])
def test_texts_of_the_same_kinds_replay_the_first_parse(first: str, second: str) -> None:
    """The tokens' kinds decide every action of an LALR parse, so the second text replays
    the program of the first (QuickParser._replay): with its own values and positions."""
    p._quick_parser()._trees.clear()  # a text parsed before gives its tree again
    assert dump(quick(first)) == lark_outcome(first)
    replayed: list[str] = []
    original = QuickParser._replay

    def spy(self: Any, program: Any, tokens: Any) -> Any:
        replayed.append(second)
        return original(self, program, tokens)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(QuickParser, "_replay", spy)
        result = quick(second)
    assert replayed == [second]
    if result is not None:
        assert dump(result) == lark_outcome(second)
    agree(second)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.recursive(LEAVES_FOR_REPLAY, lambda inner: extend(
    inner, st.sampled_from(["x", "y"]), st.sampled_from(["+", "*", "**", ",", "."]),
    unary=("-", "")), max_leaves=10))
def test_replays_of_generated_expressions_agree_with_lark(text: str) -> None:
    """Each text, then the same with longer names and an indent: the same kinds of tokens
    at other positions, which the second parse replays."""
    quick(text)
    moved = "   " + text.replace("x", "xx_1").replace("y", "yyy")
    result = quick(moved)
    if result is not None:
        assert dump(result) == lark_outcome(moved), moved
    agree(moved)


@pytest.mark.parametrize("text", [
    "x\n+ y", "x\r\n", "(" * 11 + "x" + ")" * 11, "f('a',\tb)", "(x\n\t+ y)",
    # a character no terminal reads: the one-line lexer's matches skip it
    "x $ y", "a$b", "x  $", "$x", "x!", "x ? y", "\u0663 + 1", "x +\v1", "x\x00",
])
def test_what_the_quick_parser_leaves_to_lark(text: str) -> None:
    assert quick(text, max_depth=10) is None
    agree(text)


@pytest.mark.parametrize("text", [
    'f("a")', "x # comment", "x \\\n + y", "(x\n+ y)", "(x  # c\n  + y)", '"""a\nb"""',
    "load('w.npy') @ x", "\tx + 1",
])
def test_strings_comments_and_more_lines_are_read_as_in_a_script(text: str) -> None:
    assert quick(text) is not None
    agree(text)


def test_errors_are_lark_s() -> None:
    """A syntax error (or a check of the builder) is never reported by the quick parser."""
    for text in ["f(x", "x +", "__x__ + (", "f(a=1, b)", "lambda: 1", "x.if", "1 2"]:
        assert quick(text) is None, text
        agree(text)


def test_the_bracket_limit_is_the_postlexer_s() -> None:
    with pytest.raises(GradcliError) as caught:
        parse_expression("(" * 6 + "x" + ")" * 6, max_depth=5)
    assert caught.value.kind == "limit"
    assert quick("(" * 5 + "x" + ")" * 5, max_depth=5) is not None


NAMES = st.sampled_from(["x", "y", "w", "torch", "grad", "if", "not", "in", "True", "αβ"])
LEAVES = st.one_of(
    NAMES,
    st.integers(0, 10**6).map(str),
    st.floats(0, 1e6, allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from(["True", "False", "None", "...", "()", "[]", "0x1f", ".5", "1_0", "'s'"]),
)
BINARY = st.sampled_from(["+", "-", "*", "/", "//", "%", "@", "**", "<", "==", "!=", ">=",
                          "and", "or", "in", "not in", "is", "is not", "", ",", "."])


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return extend(inner, NAMES, BINARY, unary=("-", "+", "not ", ""))


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.recursive(LEAVES, _extend, max_leaves=14))
def test_generated_expressions_agree_with_lark(text: str) -> None:
    agree(text)


def test_fstring_fields_take_the_quick_parser() -> None:
    """The corners above compare f-strings with Lark's trees; this checks that their fields
    did go through the quick parser (with positions mapped from the field's origin)."""
    taken: list[str] = []
    original = p._quick

    def spy(text: str, builder: Any, depth: int, script: bool = False) -> Any:
        node = original(text, builder, depth, script)
        if node is not None:
            taken.append(text)
        return node

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(p, "_quick", spy)
        tree = parse_expression("f'{x + 1} and {y:>{w}}'")
    assert taken == ["x + 1\n", "y\n", "w\n", "f'{x + 1} and {y:>{w}}'\n"]
    assert dump(tree) == lark_outcome("f'{x + 1} and {y:>{w}}'")


def test_a_failure_of_the_quick_parser_is_a_bug_and_is_raised(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The tables ship in the package: a failure over them is not hidden behind Lark."""
    assert p._quick_parser() is not None

    def broken(*args: Any) -> Any:
        raise IndexError("a bug")

    monkeypatch.setattr(QuickParser, "_run", broken)
    monkeypatch.setattr(QuickParser, "_replay", broken)
    p._quick_parser()._trees.clear()
    with pytest.raises(IndexError, match="a bug"):
        quick("a + b")


@pytest.mark.parametrize("texts", [
    ["sum(x*1 + x**2)", "sum(x*22 + x**2)", "  sum(abc*333  +  d**4)"],
    ["2*dot(x,x)", "10*vdot(xs , ys)", "1.5e3*dot( a,b )"],
    ["1.5 + x", "2_0.5 + y", "3.5_0e1_0 + z", ".5 + w", "5. + v", "0x1F + u", "0_7 + t",
     "007 + s", "1e5 + r"],
    ["f(a, b, c)", "g(x.T, y[0], -z)", "h(1, 2.0, 0x3)"],
    ["x.sum(dim=0)", "y.mean(axis=1)", "z.max(key=2)"],
    ["[1, -2, (3, 4)][i]", "[a, +b, (c, d)][j]", "[5, -6, (7, 8)][k]"],
    ["a if b else c", "long_name if b2 else c3", "x1 if y2 else z3"],
    ["f(a=1, b=2)", "f(a=1, c=2)", "f(a=1, a=2)"],  # the builder refuses the last one
    ["x.y(1)", "x.z(2)", "x.__dict__(3)"],
    ["-x ** 2 // 3 % 4 @ y", "+a ** b // c % d @ e", "-p ** 0 // 00 % 1 @ q"],
])
def test_compiled_programs_agree_with_lark(texts: list[str]) -> None:
    """From the second replay of a program on, its compiled form builds the tree
    (QuickParser._compile): each text parsed twice more, at other places."""
    p._quick_parser()._trees.clear()
    for text in texts:
        for moved in (text, " " + text, text + "  "):
            agree(moved)
    compiled = [program for program in p._quick_parser()._programs.values()
                if callable(program.build)]
    assert compiled, "no program was compiled"


@pytest.mark.parametrize("texts", [
    ["x = f(a, b=1, c=2)\n", "y = g(c, d=3, e=4)\n", "z = h(e, f=5, f=6)\n"],  # repeated
    ["x = f(a=1, b)\n", "y = g(c=2, d)\n", "z = h(e=3, f)\n"],  # positional after keyword
    ["x.y = t(k=1)\n", "a.b = u(k=2)\n", "c.__d = v(k=3)\n"],
    ["x[0] = 1\ny = x\n", "a[1] = 2\nb = a\n", "c[2] = 3\nd = c\n"],
    ["x = y = 1\n", "a = b = 2\n", "c = d = 3\n"],
    ["f(x) = 1\n", "g(y) = 2\n", "h(z) = 3\n"],  # the builder refuses a call as a target
    ["a, b = 1, 2\n", "c, d = 3, 4\n", "e, f = 5, 6\n"],
    ["[a, b] = 1, 2\n", "[c, d[0]] = 3, 4\n", "[e, f.g] = 5, 6\n"],
    ["x = 1 + 2\n", "y = 3 + 4\n", "None = 5 + 6\n"],
    ["x = f(k=1)\n", "y = f(in=2)\n", "z = f(__x=3)\n"],
    ["x = 1; y += 2;\n", "a = 3; b += 4;\n", "c = 5; d += 6;\n"],
    ["import torch; x = 1\n", "import numpy; y = 2\n", "import os as o; z = 3\n"],
    ["from a import b; x\n", "from c import d; y\n", "from e import f as g; z\n"],
    ["def f():\n    return 1\n", "def g():\n    return 2\n", "def h():\n    return 3\n"],
    ["while x:\n    pass; break\n", "while y:\n    pass; continue\n"],
    ["assert x, 1\n", "assert y, 2\n", "assert z, 3\n"],
])
def test_compiled_script_programs_agree_with_lark(texts: list[str]) -> None:
    """Assignments and calls with keywords in compiled script programs: the targets the
    builder's check always passes and keyword arguments are made directly; the others go
    through the builder (its errors are Lark's)."""
    p._quick_parser()._trees.clear()
    for text in texts:
        for moved in (text, "\n" + text, text + "\n"):
            agree(moved, parse_program)
    compiled = [program for program in p._quick_parser()._programs.values()
                if callable(program.build)]
    assert compiled, "no program was compiled"


def test_a_compiled_program_is_one_of_its_depth_limit() -> None:
    """A compiled program measures no depth: it builds the trees of one depth limit, which
    the parse that made it kept to."""
    for text in ["-" * 8 + "x", "-" * 8 + "y", "-" * 8 + "z"]:  # 9 nodes deep
        parse_expression(text, max_depth=12)
    program = p._quick_parser()._programs[(("MINUS",) * 8 + ("NAME", "_NEWLINE", "$END"), 12,
                                           False)]
    assert callable(program.build)
    for depth in (8, 9, 12):
        for text in ["-" * 8 + "x", "-" * 8 + "w"]:
            def parse(t: str, depth: int = depth) -> n.Node:
                return parse_expression(t, max_depth=depth)
            assert outcome(text, parse) == lark_outcome(text, parse)


def test_a_text_parsed_again_gives_its_tree_again_and_errors_again() -> None:
    tree = parse_expression("sum(q*7 + q**2)")
    assert parse_expression("sum(q*7 + q**2)") is tree
    for _ in range(2):
        with pytest.raises(GradcliError, match="positional argument follows keyword"):
            parse_expression("f(a=1, q)")
    trees = p._quick_parser()._trees
    assert len(trees) <= 256
    for i in range(300):
        parse_expression(f"q + {i}")
    assert len(trees) == 256 and ("q + 299\n", n.DEFAULT_MAX_DEPTH, False) in trees


# ---------------------------------------------------------------- scripts (file_input)


def quick_script(text: str) -> n.Node | None:
    builder = AstBuilder(Origin(), DepthGauge(n.DEFAULT_MAX_DEPTH), _no_fields)
    return p._quick(p._terminated(text), builder, n.DEFAULT_MAX_DEPTH, script=True)


def agree_script(text: str) -> None:
    agree(text, parse_program)


def _script_files() -> list[Path]:
    return sorted([*(HERE / "parser").glob("*/*.gcl"), *(HERE.parent / "examples").glob("*.py"),
                   *(HERE / "golden").rglob("*.py")])


@pytest.mark.slow
def test_the_scripts_of_the_test_folders_and_examples_agree_with_lark() -> None:
    files = _script_files()
    assert len(files) > 150
    taken = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        agree_script(text)
        if "f'" not in text and 'f"' not in text:  # f-string fields need the whole session
            taken += quick_script(text) is not None
    assert taken > len(files) // 2, taken  # else Lark would be compared with itself


SCRIPT_CORNERS = [
    "", "\n", "# only a comment", "# a\n# b\n", "x", "x\n", "x  # c", "x = 1\n\n\ny = 2\n",
    "if x:\n    y = 1\n", "if x:\n    y = 1\nelse:\n    y = 2", "if x:\n  if y:\n    z\nw\n",
    "def f(a, b=2):\n    return a + b\n\nprint(f(1))\n",
    "for i in range(3):\n    if i:\n        continue\n    s = s + i\n",
    "while x < 3:\n    x += 1\n    # a comment at the block's end\n",
    "while x < 3:\n    x += 1\n# a comment in column 1\n    y = 2\n",
    "with torch.no_grad():\n    y = x * 2\n",
    "f(a,\n  b)\n", "f(a,  # c\n  b)\n", "x = [1,\n     2,\n]\n", "x = (1 +\n  2) * 3\n",
    "x = 1 + \\\n    2\n", "s = 'a'\nt = \"b\"\n", "s = '''a\nb'''\nx = 1\n",
    "s = 'a' 'b'\n", "s = r'\\d' + b'x'\n", "print('x', x)\n", "print(f'{x} and {y!r}')\n",
    "x = 1; y = 2;\n", "import torch\nfrom torch import tanh as t\n",
    "assert x, 'message'\n", "if x:\n    pass\n  y\n", "  x = 1\n", "if x:\ny = 1\n",
    "x = (\n", "x = 1\n    y = 2\n", "def f():\n    return\n", "if x:\n\ty\n",
    "x = 1\r\ny = 2\r\n", "x\f= 1\n", "αβ = 1\nprint(αβ)\n", "x = 'é'\n",
    "if a:\n    if b:\n        if c:\n            d\ne\n", "x = [[[[1]]]]\n",
    "def f():\n    def g():\n        return 1\n    return g()\n",
    "for a, b in zip(x, y):\n    pass\nelse_ = 1\n", "x[1:2, ::3] = 0\n", "x.grad.zero_()\n",
    "if x:  # c\n    y  # d\n# e\n", "if x:\n\n    y\n\n", "if x:\n    y\n    \n",
    "x = 1 if y else 2\n", "x = 1 +\n", "def f(:\n", "if x:\n    break\n", "return 1\n",
    "x = (1,\n# c\n 2)\n", "x = 1  \\\n  + 2\n", "'''doc\nstring'''\nx\n",
]


@pytest.mark.parametrize("text", SCRIPT_CORNERS)
def test_corner_scripts_agree_with_lark(text: str) -> None:
    agree_script(text)


def test_the_quick_parser_takes_common_scripts() -> None:
    for text in ["x = 1\n", "if x:\n    y = 1  # c\nelse:\n    y = 2\n", "f(a,\n  b)\n",
                 "s = '''a\nb'''\n", "x = 1 + \\\n    2\n", "def f(a):\n    return a\n"]:
        assert quick_script(text) is not None, text
        assert dump(quick_script(text)) == lark_outcome(text, parse_program), text
    for text in ["if x:\n\ty\n", "x = 1\r\n", "x = 1\n    y = 2\n", "x = (\n"]:
        assert quick_script(text) is None, text


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck),
          database=None)
@given(PROGRAMS)
def test_generated_scripts_agree_with_lark(text: str) -> None:
    agree_script(text)
    _plain_agrees(text)  # and read line by line, the scanner's tokens


def test_a_compiled_program_s_source_holds_no_text_that_was_parsed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The one use of Python's exec in gradcli (QuickParser._compile) runs source made of the
    tables' rule numbers and slot names: the names, numbers and strings of the parsed texts
    reach the program as data (its ``tokens`` argument), never as code."""
    from gradcli.syntax import quick

    sources: list[str] = []
    real_compile = compile

    def recording(source: str, *rest: Any) -> Any:
        sources.append(source)
        return real_compile(source, *rest)

    monkeypatch.setattr(quick, "compile", recording, raising=False)
    p._quick_parser()._trees.clear()
    p._quick_parser()._programs.clear()
    texts = ["importer(os).system(1) + evil_name_7 * 123456789",
             "importer(os).system(2) + other_name_8 * 987654321",
             "importer(os).system(3) + third_name_9 * 555555555"]
    for text in texts:
        agree(text)
    assert sources, "no program was compiled"
    for source in sources:
        for word in ("importer", "os", "system", "evil_name_7", "other_name_8",
                     "third_name_9", "123456789", "987654321", "555555555"):
            assert word not in re.findall(r"\w+", source), (word, source)


def _plain_agrees(text: str) -> bool:
    """Whether a script read line by line gives the tokens the scanner of all terminals
    gives (False when the text is not plain, so that nothing was compared). They differ
    only after a closing bracket that none opened, a syntax error: the line-by-line reading
    counts brackets per line and stops (None) where the count goes below zero, the scanner
    reads on; either way Lark reports the error."""
    from gradcli.syntax.quick import _NOT_PLAIN

    if _NOT_PLAIN.search(text):
        return False
    parser = p._quick_parser()
    plain, scanned = parser._plain_script_tokens(text), parser._scanned_tokens(text)
    if plain != scanned:
        assert quick_script(text) is None, text
        assert isinstance(lark_outcome(text, parse_program), tuple), text  # an error
        return True
    assert plain == scanned, text
    return True


PLAIN_CORNERS = [
    "", "\n", "\n\n", "  ", "  \n", "   \nx", "\n  \nx\n", "x", "x\n", "x\n  ", "x  \n  \n",
    "x\n\n\ny\n", "x\n  \n\n  y\n", "if x:\n    y\n  \n   \nz\n", "f(a,\n\n  b\n  )\n  x\n",
    "if x:\n    f(1,\n  2)\n    y\nz", "if x:\n  if y:\n    z\n", "x = 1 $ 2\n", "x = 1\n  ?\n",
    "  x = 1\n", "if x:\n    y\n   z\n", "x = (\n", "x = [1,\n     2,\n]\n",
    "x = f(1))\n", "x = )(\ny\n", "f(a]\n", "x = [1)\n",
]


@pytest.mark.parametrize("text", PLAIN_CORNERS)
def test_plain_corners_read_line_by_line_give_the_scanner_s_tokens(text: str) -> None:
    assert _plain_agrees(text)
    agree_script(text)


def test_plain_scripts_read_line_by_line_give_the_scanner_s_tokens() -> None:
    texts = [path.read_text(encoding="utf-8") for path in _script_files()] + SCRIPT_CORNERS
    compared = sum(_plain_agrees(text) for text in texts)
    assert compared > 50, compared
