"""Functions that C code calls and whose exceptions it drops: a Ctrl-C must not land there.

GNU readline calls the REPL's completer from C, and Python's readline module clears any
exception the completer raises: a KeyboardInterrupt raised in it was lost, and the line
typed so far stayed. gradcli's SIGINT handler (gradcli.launch) holds back a Ctrl-C that lands
in a function marked ``shielded``, as it does one that lands in an import, and raises it as
soon as it can end what the user is doing (at the latest within a few milliseconds, while
readline waits for the next key). This module imports nothing of gradcli: launch imports it
at start-up, before the rest of gradcli.
"""

from __future__ import annotations

from collections.abc import Callable
from types import CodeType
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

#: The code of the shielded functions.
SHIELDED: set[CodeType] = set()


def shielded(fn: F) -> F:
    """Mark ``fn`` as called from C code that drops its exceptions (a decorator)."""
    SHIELDED.add(fn.__code__)
    return fn
