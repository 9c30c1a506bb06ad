"""Where a Lark token starts and ends, as plain 1-based (line, column) pairs.

Lark types token positions as optional because a token can be made by hand; every token
the lexer or the postlexer produces has them. The quick parser's tokens (syntax/quick.py) have
the same attributes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lark import Token


def start(token: Token) -> tuple[int, int]:
    """The line and column of the token's first character (1, 1 for a token of the quick
    parser passed on as plain text, syntax/quick.py: an error found in it goes to Lark)."""
    return getattr(token, "line", None) or 1, getattr(token, "column", None) or 1


def end(token: Token) -> tuple[int, int]:
    """The line and column just past the token's last character."""
    return token.end_line or 1, token.end_column or 1
