"""Turn Lark's parse failures into GradcliErrors that say what was found and what was expected.

In the spirit of Lark's ``examples/advanced/error_reporting_lalr.py``, a failure is matched
against labelled situations (an unclosed bracket, a missing ':' after a block header, a
missing indented block, ...) before falling back to "unexpected X — expected Y".
Situations are recognised from the parser's context — the tokens it accepts at the failure
and the open constructs on its value stack — rather than with ``match_examples``, whose
state comparison also compares the stack depth, so that an example written at top level
would never match the same mistake inside a function body.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from lark import Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from gradcli.errors import GradcliError
from gradcli.syntax.builder import (
    KEYWORDS_HINT,
    PYTHON_KEYWORDS,
    UNSUPPORTED_KEYWORDS,
    unsupported_keyword_message,
)
from gradcli.syntax.failures import Diagnosis
from gradcli.syntax.tokens import end, start

_OPENERS = {"(": ")", "[": "]"}
_CLOSERS = {")": "(", "]": "["}
_BINARY_OPERATORS = frozenset({
    "+", "-", "*", "/", "//", "%", "@", "**", "<", ">", "==", ">=", "<=", "!=",
    "in", "not", "is", "and", "or", "if",
})
_STRUCTURAL = (":", "in", "else", "import", "as")
_BOUNDARIES = frozenset({"_NEWLINE", "_INDENT", "_DEDENT", ";"})
#: Block keywords and how messages name the construct they start.
_BLOCKS = {
    "if": ("the if condition", "the 'if' statement"),
    "elif": ("the elif condition", "the 'elif' clause"),
    "else": ("'else'", "the 'else' clause"),
    "while": ("the while condition", "the 'while' loop"),
    "for": ("the for loop header", "the 'for' loop"),
    "def": ("the function signature", "the function definition"),
    "with": ("the with expression", "the 'with' statement"),
}
_LOOKALIKES = {
    "\u2212": "-", "\u2013": "-", "\u2014": "-", "\u00d7": "*", "\u00f7": "/",
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": "a space",
}


def diagnose(exc: UnexpectedInput, text: str, literals: Mapping[str, str]) -> Diagnosis:
    """Explain ``exc``, raised while parsing ``text``.

    ``literals`` maps the names of the grammar's fixed-string terminals to their text
    (``RPAR`` to ``)``), so that expected tokens can be named as the user writes them.
    """
    if isinstance(exc, UnexpectedCharacters):
        return _character_failure(exc, text)
    if isinstance(exc, UnexpectedToken):
        return _Failure(exc, text, literals).diagnose()
    return Diagnosis(_error("unexpected end of input", *_end_of(text)), True)


def _error(message: str, line: int, column: int, hint: str | None = None,
           end_column: int | None = None) -> GradcliError:
    return GradcliError(kind="syntax", message=message, line=line, column=column, hint=hint,
                        end_column=end_column)


def _end_of(text: str) -> tuple[int, int]:
    """Just past the last character that is not white space: where input ran out."""
    content = text.rstrip()
    last_line = content.rsplit("\n", 1)[-1]
    return content.count("\n") + 1, len(last_line) + 1


# ---------------------------------------------------------------- characters


def _character_failure(exc: UnexpectedCharacters, text: str) -> Diagnosis:
    position = exc.pos_in_stream or 0
    char = text[position]
    line, column = exc.line or 1, exc.column or 1
    if char in "'\"":
        if text[max(position - 2, 0):position + 1] == char * 3:
            # The lexer read the first two quotes as an empty string.
            return Diagnosis(_error("unterminated triple-quoted string literal",
                                    line, column - 2), True)
        return Diagnosis(_error("unterminated string literal", line, column,
                                f"close the string with {char} on the same line"), False)
    message, hint = _character_message(char)
    return Diagnosis(_error(message, line, column, hint, column + 1), False)


def _character_message(char: str) -> tuple[str, str | None]:
    if char == "{":
        return "'{' is not part of gradcli: there are no dict or set literals", None
    if char == "}":
        return "unmatched '}'", None
    if char == "^":
        return "unsupported operator '^'", "for a power write ** (x**2 is x squared); " \
            "gradcli has no bitwise operators"
    if char in "&|~":
        return f"unsupported operator '{char}'", "gradcli has no bitwise operators"
    if char == "!":
        return "invalid character '!'", "use 'not' to negate or '!=' to compare"
    if char == "\\":
        return "unexpected character after line continuation character", \
            "a backslash must end its line"
    if char.isascii() and char.isprintable():
        return f"invalid character '{char}'", None
    shown = f"'{char}' (U+{ord(char):04X})" if char.isprintable() else f"U+{ord(char):04X}"
    replacement = _LOOKALIKES.get(char)
    hint = f"use {replacement}" if replacement == "a space" else (
        f"use the ASCII '{replacement}'" if replacement else None)
    return f"invalid character {shown}", hint


# ---------------------------------------------------------------- tokens


class _Failure:
    """One UnexpectedToken, with the parser context needed to explain it."""

    def __init__(self, exc: UnexpectedToken, text: str, literals: Mapping[str, str]) -> None:
        self.token: Token = exc.token
        self.text = text
        self.literals = literals
        self.accepts: set[str] = set(exc.accepts or exc.expected)
        parser = exc.interactive_parser
        self.stack: Sequence[Any] = parser.parser_state.value_stack if parser else ()
        self.values = {self._literal(name) for name in self.accepts}
        self.incomplete = self._at_end()

    def _literal(self, terminal: str) -> str:
        return self.literals.get(terminal, terminal)

    # ------------------------------------------------------------ situations

    def diagnose(self) -> Diagnosis:
        for situation in (self._keyword_as_name, self._end_of_input, self._indent,
                          self._bracket, self._missing_colon, self._stray_else,
                          self._attribute_name):
            error = situation()
            if error is not None:
                # More input cannot turn a keyword into a name.
                complete = situation == self._keyword_as_name
                return Diagnosis(error, self.incomplete and not complete)
        return Diagnosis(self._unexpected(self._phrase()), self.incomplete)

    def _at_end(self) -> bool:
        if self.token.type == "$END":
            return True
        # Dedents at the end of input borrow the position of the last newline.
        return self.token.type == "_DEDENT" and not _code_after(self.text, self._offset())

    def _offset(self) -> int:
        return self.token.start_pos or 0

    def _keyword_as_name(self) -> GradcliError | None:
        """A keyword where it cannot be, which the contextual lexer then read as a NAME."""
        for token in (self.token, _last_token(self.stack[-1]) if self.stack else None):
            if token is None or token.type != "NAME" or token not in PYTHON_KEYWORDS:
                continue
            line, column = start(token)
            if token in UNSUPPORTED_KEYWORDS:
                return _error(unsupported_keyword_message(token), line, column, KEYWORDS_HINT,
                              column + len(token))
            if token in ("else", "elif"):
                return _stray(token)
            return _error(f"unexpected keyword '{token}'", line, column, None,
                          column + len(token))
        return None

    def _end_of_input(self) -> GradcliError | None:
        if not self.incomplete:
            return None
        line, column = _end_of(self.text)
        opener = _open_brackets(self.stack)
        if opener:
            last = opener[-1]
            return _error(f"unclosed '{last}' opened at line {last.line}, column {last.column}",
                          line, column, f"add the missing '{_OPENERS[last]}'")
        if "_INDENT" in self.accepts:
            return self._indent_expected(line, column)
        return _error(f"unexpected end of input — expected {self._phrase()}", line, column)

    def _indent(self) -> GradcliError | None:
        if self.token.type == "_INDENT":
            line, column = self._where()
            return _error("unexpected indent", line, column,
                          "indent a line only to start the body of a block (after ':')")
        if "_INDENT" in self.accepts:
            return self._indent_expected(*self._where())
        return None

    def _indent_expected(self, line: int, column: int) -> GradcliError:
        keyword = _header_keyword(self.stack)
        after = ""
        if keyword is not None:
            after = f" after {_BLOCKS[keyword][1]} on line {keyword.line}"
        return _error(f"expected an indented block{after}", line, column,
                      "indent the statements of the block, e.g. by 4 spaces")

    def _bracket(self) -> GradcliError | None:
        closer = self._literal(self.token.type)
        if closer not in _CLOSERS:
            return None
        opener = _open_brackets(self.stack)
        line, column = self._where()
        if not opener:
            return _error(f"unmatched '{closer}'", line, column, None, column + 1)
        last = opener[-1]
        if str(last) == _CLOSERS[closer]:
            return None
        return _error(f"closing '{closer}' does not match '{last}' opened at line {last.line}, "
                      f"column {last.column}", line, column, None, column + 1)

    def _missing_colon(self) -> GradcliError | None:
        if ":" not in self.values or _open_brackets(self.stack):
            return None
        keyword = _header_keyword(self.stack)
        if keyword is None:
            return None
        return self._unexpected(f"':' after {_BLOCKS[keyword][0]}",
                                "add ':' at the end of the line")

    def _stray_else(self) -> GradcliError | None:
        if self.token.type not in ("ELSE", "ELIF") or "PASS" not in self.accepts:
            return None
        return _stray(self.token)

    def _attribute_name(self) -> GradcliError | None:
        if not self.stack or _last_token(self.stack[-1]) != "." or "NAME" not in self.accepts:
            return None
        return self._unexpected("an attribute name after '.'")

    # ------------------------------------------------------------ wording

    def _unexpected(self, expected: str, hint: str | None = None) -> GradcliError:
        line, column = self._where()
        single_line = "\n" not in self.token and self.token.type not in _BOUNDARIES
        return _error(f"unexpected {self._found()} — expected {expected}", line, column,
                      self._hint() or hint,
                      column + len(self.token) if single_line and self.token else None)

    def _where(self) -> tuple[int, int]:
        if self.token.type in ("_INDENT", "_DEDENT"):
            # These borrow the newline's position; the line they concern starts at its end.
            return end(self.token)
        if self.token.type == "$END":
            return _end_of(self.text)
        return start(self.token)

    def _found(self) -> str:
        kind, value = self.token.type, str(self.token)
        if kind == "NAME":
            return f"name '{value}'"
        if kind == "NUMBER":
            return f"number {value}"
        if kind in ("STRING", "FSTRING"):
            shown = value if len(value) <= 24 else value[:20] + "..."
            return f"string {shown}"
        if kind == "_NEWLINE" and not _code_after(self.text, self._offset()):
            return "end of input"
        return {"_NEWLINE": "end of line", "$END": "end of input", "_INDENT": "indent",
                "_DEDENT": "dedent"}.get(kind, f"'{value}'")

    def _phrase(self) -> str:
        phrases: list[str] = []
        expression = "NUMBER" in self.accepts
        if expression:
            phrases.append("an expression")
        elif "NAME" in self.accepts:
            phrases.append("a name")
        closers = [f"'{c}'" for c in _CLOSERS if c in self.values]
        phrases += closers
        if closers and "," in self.values:
            phrases.append("','")
        # 'in' is structural after `for x`, but only a comparison where '==' also fits.
        structural = [w for w in _STRUCTURAL if w != "in" or "==" not in self.values]
        phrases += [f"'{word}'" for word in structural if word in self.values]
        if not expression and self.values & _BINARY_OPERATORS:
            phrases.append("an operator")
        elif "=" in self.values:
            phrases.append("'='")
        if self.token.type in ("_NEWLINE", "$END"):
            pass  # the input ended too early: saying it could end is no help
        elif "_NEWLINE" in self.accepts:
            phrases.append("the end of the line")
        elif "$END" in self.accepts:
            phrases.append("the end of input")
        return _join(phrases) or "something else"

    def _hint(self) -> str | None:
        if self.token.type == "EQUAL" and "NUMBER" not in self.accepts:
            return "to compare values use '=='"
        starts_value = self.token.type in ("NAME", "NUMBER", "STRING", "FSTRING")
        if starts_value and "NUMBER" not in self.accepts and self.values & _BINARY_OPERATORS:
            return "did you forget an operator or a comma?"
        return None


def _stray(token: Token) -> GradcliError:
    line, column = start(token)
    return _error(f"'{token}' without an 'if' block right before it", line, column,
                  "indent 'elif' and 'else' exactly as their 'if'", column + len(token))


def _code_after(text: str, position: int) -> bool:
    """Whether anything but blank lines and comments follows ``position``."""
    return any(line.strip() and not line.strip().startswith("#")
               for line in text[position:].split("\n"))


def _join(phrases: list[str]) -> str:
    if len(phrases) <= 1:
        return "".join(phrases)
    return ", ".join(phrases[:-1]) + " or " + phrases[-1]


def _last_token(value: Any) -> Token | None:
    """The rightmost token of a parse-stack value, without recursion."""
    while isinstance(value, Tree):
        if not value.children:
            return None
        value = value.children[-1]
    return value if isinstance(value, Token) else None


def _open_brackets(stack: Iterable[Any]) -> list[Token]:
    """The brackets opened and not yet closed, outermost first.

    Only tokens sit on the stack unreduced; a reduced tree is a whole construct whose
    brackets are balanced.
    """
    opened: list[Token] = []
    for value in stack:
        if not isinstance(value, Token):
            continue
        if value.type in ("LPAR", "LSQB"):
            opened.append(value)
        elif value.type in ("RPAR", "RSQB") and opened:
            opened.pop()
    return opened


def _header_keyword(stack: Sequence[Any]) -> Token | None:
    """The keyword of the block header being parsed (``if`` in ``if x``), if any."""
    index = len(stack) - 1
    while index >= 0 and isinstance(stack[index], Token) and stack[index].type == "_NEWLINE":
        index -= 1
    for value in reversed(stack[:index + 1]):
        if not isinstance(value, Token):
            continue
        if value.type in _BOUNDARIES or value == ";":
            return None
        if str(value) in _BLOCKS and value.type != "NAME":
            return value
    return None
