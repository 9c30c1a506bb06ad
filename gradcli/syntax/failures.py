"""A syntax error that Lark found, once explained: what the parser's callers catch.

Kept apart from gradcli/syntax/diagnostics.py, which reads Lark's exceptions, so that
catching one does not import Lark: most expressions are parsed without it.
"""

from __future__ import annotations

from typing import NamedTuple

from gradcli.errors import GradcliError


class Diagnosis(NamedTuple):
    """The error to show, and whether more input could have completed the text (REPL)."""

    error: GradcliError
    incomplete: bool


class ParseFailure(Exception):
    """A syntax error from Lark, explained, before it becomes the user's GradcliError."""

    def __init__(self, diagnosis: Diagnosis) -> None:
        super().__init__(diagnosis.error.message)
        self.diagnosis = diagnosis
