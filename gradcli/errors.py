"""GradcliError: every problem a user can cause, with its kind and where it happened."""

from __future__ import annotations

from dataclasses import dataclass

#: The error kinds of SPEC section 2 and the exit code each one ends the process with.
EXIT_CODES: dict[str, int] = {
    "syntax": 2,
    "usage": 2,
    "name": 1,
    "type": 1,
    "shape": 1,
    "value": 1,
    "grad": 1,
    "limit": 1,
    "io": 1,
}

#: The message of a second read of standard input: an io error in a run (load('-') twice),
#: a usage error among the --let options (two @-), where the command line alone is wrong.
STDIN_TWICE = "standard input can be read only once, and it was read already"


@dataclass
class GradcliError(Exception):
    """A user-facing error.

    ``line`` and ``column`` are 1-based positions in ``source`` (the expression or script
    text) when known; ``end_column`` lets a caret span the offending token; ``hint`` is one
    sentence that tells the user what to do instead.
    """

    kind: str
    message: str
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    source: str | None = None
    end_column: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in EXIT_CODES:
            raise ValueError(f"unknown error kind {self.kind!r}")
        Exception.__init__(self, self.message)

    def __str__(self) -> str:
        return self.message

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.kind]

    def located(self, line: int | None, column: int | None, source: str | None = None,
                end_column: int | None = None) -> GradcliError:
        """Fill in the position if it is not known yet (the innermost position wins)."""
        if self.line is None and line is not None:
            self.line, self.column, self.end_column = line, column, end_column
        if self.source is None and source is not None:
            self.source = source
        return self

    def source_line(self) -> str | None:
        if self.source is None or self.line is None:
            return None
        lines = self.source.splitlines() or [""]  # an empty source has one, empty, line
        if 1 <= self.line <= len(lines):
            return lines[self.line - 1]
        return None


#: The hint of an internal error: the user did nothing wrong, gradcli has a bug.
INTERNAL_HINT = ("this is a bug in gradcli; please report it (rerun with --debug for the "
                 "traceback)")


class InternalError(GradcliError):
    """A bug in gradcli met while running one line or statement: reported as an error of that
    line (kind ``value``, SPEC 2's kinds having none for bugs) so that a stream goes on.
    ``original`` is the exception, for ``--debug``'s traceback."""

    def __init__(self, original: BaseException) -> None:
        super().__init__("value", f"internal error: {type(original).__name__}: {original}",
                         hint=INTERNAL_HINT)
        self.original = original


#: The most characters of a user's text an error repeats (its expression, its message): as
#: many as a source may hold (syntax.parser.MAX_SOURCE_CHARS), so that a line the parser could
#: take is repeated whole and only a longer one (a 13 MB line of bytes that are not text) is
#: clipped.
SHOWN = 200_000


def clipped(text: str, most: int = SHOWN) -> str:
    """``text``, or its start with an ellipsis and its length when it is longer than ``most``
    characters: a 13 MB bad line is not repeated whole in its error."""
    if len(text) <= most:
        return text
    return f"{text[:most]}… ({len(text):,} characters)"
