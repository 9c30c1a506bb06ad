"""The signals of ``return``, ``break`` and ``continue``: exceptions that carry control out
of a function's body or a loop's step."""

from __future__ import annotations

from typing import Any


class ReturnSignal(Exception):
    """``return``: carries its value out of the function's body (Expressions.call_user)."""

    def __init__(self, value: Any) -> None:
        self.value = value


class BreakSignal(Exception):
    """``break``: leaves the innermost loop."""


class ContinueSignal(Exception):
    """``continue``: ends the innermost loop's step."""
