"""A GradcliError as a short, located message: kind, position, source line with a caret, hint.

On a terminal the kind and caret are red and the hint cyan; never with ``NO_COLOR`` set, with
``TERM=dumb``, or when stderr is a pipe or a file.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from ..errors import SHOWN, GradcliError, clipped

RED, CYAN, BOLD, RESET = "\x1b[31m", "\x1b[36m", "\x1b[1m", "\x1b[0m"


def use_colour(stream: Any = None) -> bool:
    """Whether text for ``stream`` (stderr by default) may carry colour codes."""
    stream = sys.stderr if stream is None else stream
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def format_error(err: GradcliError, origin: str = "input", colour: bool | None = None) -> str:
    """Render for stderr (``colour``: None decides by stderr, see use_colour), e.g.::

        error[shape]: mul: shapes (3,) and (4,) do not broadcast ...
         --> expr:1:3
          |
        1 | x * y
          |   ^
          = hint: broadcasting aligns shapes from the right
    """
    if colour is None:
        colour = use_colour()

    def paint(text: str, style: str) -> str:
        return f"{style}{text}{RESET}" if colour else text

    lines = [f"{paint(f'error[{err.kind}]', BOLD + RED)}{paint(':', BOLD)} {clipped(err.message)}"]
    text = err.source_line()
    if err.line is not None:
        lines.append(f" --> {origin}:{err.line}:{err.column}")
    if text is not None and err.line is not None and err.column is not None:
        gutter = str(err.line)
        pad = " " * len(gutter)
        width = 1
        if err.end_column is not None and err.end_column > err.column:
            width = err.end_column - err.column
        width = max(1, min(width, len(text) - err.column + 1, SHOWN))
        shown, column = _window(text.expandtabs(1), err.column)
        lines += [f"{pad} |", f"{gutter} | {shown}",
                  f"{pad} | {' ' * (column - 1)}{paint('^' * width, BOLD + RED)}"]
    if err.hint:
        lines.append(f"  = {paint('hint:', BOLD + CYAN)} {paint(clipped(err.hint), CYAN)}")
    return "\n".join(lines)


def _window(text: str, column: int) -> tuple[str, int]:
    """At most SHOWN characters of a source line around ``column`` (a 13 MB line is not
    repeated whole), marked with ellipses and the line's length; the column in them."""
    if len(text) <= SHOWN:
        return text, column
    start = max(0, min(column - 1 - SHOWN // 2, len(text) - SHOWN))
    before = "…" if start else ""
    after = "…" if start + SHOWN < len(text) else ""
    return (f"{before}{text[start:start + SHOWN]}{after} ({len(text):,} characters)",
            column - start + len(before))
