"""A GradcliError as a short, located message: kind, position, source line with a caret, hint."""

from __future__ import annotations

from ..errors import GradcliError


def format_error(err: GradcliError, origin: str = "input") -> str:
    """Render for stderr, e.g.::

        error[shape]: mul: shapes (3,) and (4,) do not broadcast ...
         --> expr:1:3
          |
        1 | x * y
          |   ^
          = hint: broadcasting aligns shapes from the right
    """
    lines = [f"error[{err.kind}]: {err.message}"]
    text = err.source_line()
    if err.line is not None:
        lines.append(f" --> {origin}:{err.line}:{err.column}")
    if text is not None and err.line is not None and err.column is not None:
        gutter = str(err.line)
        pad = " " * len(gutter)
        width = 1
        if err.end_column is not None and err.end_column > err.column:
            width = err.end_column - err.column
        width = max(1, min(width, len(text) - err.column + 1))
        shown = text.expandtabs(1)
        lines += [f"{pad} |", f"{gutter} | {shown}",
                  f"{pad} | {' ' * (err.column - 1)}{'^' * width}"]
    if err.hint:
        lines.append(f"  = hint: {err.hint}")
    return "\n".join(lines)
