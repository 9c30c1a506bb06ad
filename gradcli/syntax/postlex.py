"""Python-style indentation for the gradcli grammar: Lark's Indenter with user-facing errors.

Lark's Indenter turns the whitespace after each newline into _INDENT/_DEDENT tokens and
drops newlines inside brackets. This subclass adds what a tool for humans needs: Python's
rule against ambiguous mixes of tabs and spaces, a clear error for a dedent to a level that
was never opened, and a limit on bracket nesting so that absurd input fails fast.

The quick parser makes the same tokens for the texts it takes (``QuickParser._script_tokens``
in syntax/quick.py): a change here needs the same change there, which the agreement tests of
tests/test_quick_parser.py would show.
"""

from __future__ import annotations

from collections.abc import Iterator

from lark.indenter import Indenter
from lark.lexer import Token

from gradcli.errors import GradcliError
from gradcli.syntax.nodes import DEFAULT_MAX_DEPTH
from gradcli.syntax.tokens import end, start

#: An indentation measured twice: with tab stops every 8 columns and with a tab as one
#: column. Python calls indentation ambiguous when the two measures disagree on an order.
Widths = tuple[int, int]


class GradcliIndenter(Indenter):
    """The postlexer of grammars/gradcli.lark.

    It is stateful while a text is being parsed, so a parser that owns it must not parse
    two texts at once (gradcli.syntax.parser holds a lock).
    """

    NL_type = "_NEWLINE"
    OPEN_PAREN_types = ["LPAR", "LSQB"]  # noqa: RUF012 (declared as lists by Indenter)
    CLOSE_PAREN_types = ["RPAR", "RSQB"]  # noqa: RUF012
    INDENT_type = "_INDENT"
    DEDENT_type = "_DEDENT"
    tab_len = 8

    def __init__(self, max_depth: int = DEFAULT_MAX_DEPTH) -> None:
        super().__init__()
        self.max_depth = max_depth
        self._levels: list[Widths] = [(0, 0)]

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        self.paren_level = 0
        self.indent_level = [0]
        self._levels = [(0, 0)]
        return self._process(stream)

    def _process(self, stream: Iterator[Token]) -> Iterator[Token]:
        last = None
        for token in stream:
            last = token
            if token.type == self.NL_type:
                yield from self.handle_NL(token)
                continue
            if token.type in self.OPEN_PAREN_types:
                self._check_depth(token)
            yield token
            # Counted after the parser took the token: a closer it rejects changes nothing.
            if token.type in self.OPEN_PAREN_types:
                self.paren_level += 1
            elif token.type in self.CLOSE_PAREN_types and self.paren_level > 0:
                self.paren_level -= 1
        while len(self._levels) > 1:
            self._levels.pop()
            self.indent_level.pop()
            yield _borrow(self.DEDENT_type, last)

    def handle_NL(self, token: Token) -> Iterator[Token]:
        if self.paren_level > 0:
            return
        yield token
        widths = _measure(token.rsplit("\n", 1)[-1])
        top = self._levels[-1]
        if widths[0] > top[0]:
            _check_tabs(widths, top, token)
            self._levels.append(widths)
            self.indent_level.append(widths[0])
            yield _borrow(self.INDENT_type, token)
            return
        while widths[0] < self._levels[-1][0]:
            self._levels.pop()
            self.indent_level.pop()
            yield _borrow(self.DEDENT_type, token)
        if widths[0] != self._levels[-1][0]:
            raise _indentation_error(
                "unindent does not match any outer indentation level", token,
                "indent this line exactly as far as one of the blocks it closes")
        _check_tabs(widths, self._levels[-1], token)

    def _check_depth(self, token: Token) -> None:
        if self.paren_level >= self.max_depth:
            line, column = start(token)
            raise GradcliError(
                kind="limit",
                message=f"too many nested brackets: the nesting depth limit is {self.max_depth} "
                        "(--max-nesting)",
                line=line, column=column, end_column=column + 1,
                hint="split the expression into several statements, or raise the limit with "
                     "--max-nesting N")


def _measure(indent: str) -> Widths:
    """Widths of an indentation made of spaces and tabs (see Widths)."""
    column = 0
    for char in indent:
        column = (column // 8 + 1) * 8 if char == "\t" else column + 1
    return column, len(indent)


def _check_tabs(widths: Widths, other: Widths, token: Token) -> None:
    """Reject indentation whose order against ``other`` depends on the tab size."""
    by_stops = (widths[0] > other[0]) - (widths[0] < other[0])
    by_chars = (widths[1] > other[1]) - (widths[1] < other[1])
    if by_stops != by_chars:
        raise _indentation_error(
            "inconsistent use of tabs and spaces in indentation", token,
            "indent with spaces only (4 per level)")


def _indentation_error(message: str, newline: Token, hint: str) -> GradcliError:
    # The newline token ends where the indented line's first character starts.
    line, column = end(newline)
    return GradcliError(kind="syntax", message=message, line=line, column=column, hint=hint)


def _borrow(kind: str, token: Token | None) -> Token:
    if token is None:
        return Token(kind, "", 0, 1, 1, 1, 1, 0)
    return Token.new_borrow_pos(kind, "", token)
