"""Split an f-string literal into text and fields, with Python 3.11's rules.

The lexer reads a whole f-string as one FSTRING token. This module cuts it into decoded
text pieces and Field records (the embedded expression's source text and where it starts,
the conversion, the format spec); the AST builder parses each expression with the same
grammar, at its true position in the source. Nothing here knows about nodes or Lark.
"""

from __future__ import annotations

import ast
import warnings
from typing import NamedTuple

#: How deep format specs may nest fields: ``{x:{width}}`` is fine, deeper is not (Python).
_MAX_SPEC_NESTING = 2
_OPENERS = "([{"
_CLOSERS = ")]}"


class Field(NamedTuple):
    """One ``{expression!conversion:spec}`` of an f-string; offsets index the token text."""

    expression: str
    offset: int
    start: int
    end: int
    conversion: str | None
    spec: tuple[Piece, ...] | None
    #: For ``{x=}``: the text Python prints before the value (``"x="``).
    debug_text: str | None = None


Piece = str | Field


class FStringError(Exception):
    """A malformed f-string; ``offset`` indexes the token text."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


def split_fstring(token: str) -> tuple[Piece, ...]:
    """Cut the f-string ``token`` (prefix and quotes included) into text and fields."""
    prefix_length = len(token) - len(token.lstrip("fFrR"))
    quote = token[prefix_length:prefix_length + 3]
    if quote not in ('"""', "'''"):
        quote = quote[0]
    raw = "r" in token[:prefix_length].lower()
    scanner = _Scanner(token, prefix_length + len(quote), len(token) - len(quote), raw, quote)
    return scanner.pieces(depth=0)


def decode_string(token: str) -> str | bytes:
    """The value of a plain string literal (not an f-string), escapes decoded."""
    with warnings.catch_warnings():
        # An unknown escape such as "\d" keeps its backslash, as in Python, without a warning.
        warnings.simplefilter("ignore")
        value = ast.literal_eval(token)
    assert isinstance(value, (str, bytes))
    return value


class _Scanner:
    """A cursor over the body of one f-string token."""

    def __init__(self, text: str, start: int, stop: int, raw: bool, quote: str) -> None:
        self.text = text
        self.pos = start
        self.stop = stop
        self.raw = raw
        self.quote = quote

    def pieces(self, depth: int) -> tuple[Piece, ...]:
        """Read text and fields up to the end of the body, or up to the '}' ending a spec."""
        out: list[Piece] = []
        chunk: list[str] = []
        chunk_start = self.pos
        while self.pos < self.stop:
            char = self.text[self.pos]
            if char == "{" and depth == 0 and self._peek(1) == "{":
                chunk.append("{")
                self.pos += 2
            elif char == "{":
                self._flush(chunk, chunk_start, out)
                out.append(self._field(depth))
                chunk_start = self.pos
            elif char == "}" and depth > 0:
                break
            elif char == "}" and self._peek(1) == "}":
                chunk.append("}")
                self.pos += 2
            elif char == "}":
                raise FStringError("f-string: single '}' is not allowed", self.pos)
            elif char == "\\" and not self.raw:
                chunk.append(self._escape())
            else:
                chunk.append(char)
                self.pos += 1
        self._flush(chunk, chunk_start, out)
        return tuple(out)

    def _escape(self) -> str:
        """The source of one backslash escape, kept whole for the decoder."""
        follower = self._peek(1)
        if follower in ("{", "}"):
            # Not an escape: the backslash stays and the brace keeps its meaning (Python).
            self.pos += 1
            return "\\\\"
        if follower == "N" and self._peek(2) == "{":
            # A named character, \N{DIGIT ONE}: its braces do not start a field.
            close = self.text.find("}", self.pos, self.stop)
            if close > 0:
                escape = self.text[self.pos:close + 1]
                self.pos = close + 1
                return escape
        self.pos += 2
        return "\\" + follower

    def _flush(self, chunk: list[str], start: int, out: list[Piece]) -> None:
        if not chunk:
            return
        source = "".join(chunk)
        chunk.clear()
        if self.raw:
            out.append(source)
            return
        try:
            value = decode_string(_quoted(source, self.quote))
        except (SyntaxError, ValueError):
            raise FStringError("f-string: invalid escape sequence", start) from None
        assert isinstance(value, str)
        out.append(value)

    def _field(self, depth: int) -> Field:
        start = self.pos
        self.pos += 1
        expression_start = self.pos
        self._skip_expression(start)
        expression = self.text[expression_start:self.pos]
        debug_text = _debug_text(expression)
        if debug_text is not None:
            expression = expression.rstrip()[:-1]
        if not expression.strip():
            raise FStringError("f-string: empty expression not allowed", start)
        if "\n" in expression:
            raise FStringError("f-string: an expression in braces must fit on one line", start)
        conversion = self._conversion(start)
        spec = self._spec(start, depth)
        if self.pos >= self.stop or self.text[self.pos] != "}":
            raise FStringError("f-string: expecting '}'", start)
        self.pos += 1
        if debug_text is not None and conversion is None and spec is None:
            conversion = "r"
        return Field(expression, expression_start, start, self.pos, conversion, spec, debug_text)

    def _skip_expression(self, start: int) -> None:
        """Advance to the '!', ':' or '}' that ends the expression of the field at ``start``."""
        nesting = 0
        while self.pos < self.stop:
            char = self.text[self.pos]
            if char in _OPENERS:
                nesting += 1
            elif char in _CLOSERS:
                if nesting == 0:
                    if char == "}":
                        return
                    raise FStringError(f"f-string: unmatched '{char}'", self.pos)
                nesting -= 1
            elif char in "'\"":
                self._skip_string(char)
                continue
            elif char == "\\":
                raise FStringError("f-string expression part cannot include a backslash", self.pos)
            elif char == "#":
                raise FStringError("f-string expression part cannot include '#'", self.pos)
            elif nesting == 0 and (char == ":" or (char == "!" and self._peek(1) != "=")):
                return
            self.pos += 1
        raise FStringError("f-string: expecting '}'", start)

    def _skip_string(self, quote: str) -> None:
        end = self.text.find(quote, self.pos + 1, self.stop)
        if end < 0:
            raise FStringError("f-string: unterminated string", self.pos)
        self.pos = end + 1

    def _conversion(self, start: int) -> str | None:
        if self.pos >= self.stop or self.text[self.pos] != "!":
            return None
        conversion = self._peek(1)
        if conversion not in ("r", "s", "a"):
            shown = repr(conversion) if conversion else "nothing"
            raise FStringError(f"f-string: invalid conversion character {shown}: "
                               "expected 's', 'r', or 'a'", self.pos + 1)
        self.pos += 2
        return conversion

    def _spec(self, start: int, depth: int) -> tuple[Piece, ...] | None:
        if self.pos >= self.stop or self.text[self.pos] != ":":
            return None
        if depth + 1 >= _MAX_SPEC_NESTING:
            raise FStringError("f-string: expressions nested too deeply", start)
        self.pos += 1
        return self.pieces(depth + 1)

    def _peek(self, distance: int) -> str:
        index = self.pos + distance
        return self.text[index] if index < self.stop else ""


def _quoted(source: str, quote: str) -> str:
    """``source`` between ``quote``s, as a literal whose value is the text it spells."""
    trailing_backslashes = len(source[:-1]) - len(source[:-1].rstrip("\\"))
    if len(quote) == 3 and source.endswith(quote[0]) and trailing_backslashes % 2 == 0:
        # A quote just before the closing triple quote would close the literal early.
        source = source[:-1] + "\\" + quote[0]
    return quote + source + quote


def _debug_text(expression: str) -> str | None:
    """``"x="`` for the self-documenting field ``{x=}``, else None."""
    stripped = expression.rstrip()
    if stripped.endswith("=") and not stripped.endswith(("==", "!=", "<=", ">=")):
        return expression
    return None
