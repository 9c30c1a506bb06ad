"""EngineError: what the engine raises; the interpreter adds a source position to it."""

from __future__ import annotations


class EngineError(Exception):
    """A problem with the user's computation, with one of gradcli's error kinds.

    The engine knows nothing of source text: callers turn this into a located GradcliError.
    """

    def __init__(self, kind: str, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.hint = hint


def shape_error(message: str, hint: str | None = None) -> EngineError:
    return EngineError("shape", message, hint)


def type_error(message: str, hint: str | None = None) -> EngineError:
    return EngineError("type", message, hint)


def value_error(message: str, hint: str | None = None) -> EngineError:
    return EngineError("value", message, hint)


def grad_error(message: str, hint: str | None = None) -> EngineError:
    return EngineError("grad", message, hint)


def limit_error(message: str, hint: str | None = None) -> EngineError:
    return EngineError("limit", message, hint)
