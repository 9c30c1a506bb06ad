"""Tab completion for ``gradcli repl``: names, ``torch.``/``F.`` members, tensor attributes.

Completion only looks names up (a dotted path of variables and namespace members); it never
evaluates anything, so pressing Tab cannot run a computation or change a variable.
"""

from __future__ import annotations

import re
from typing import Any

from .engine import Tensor
from .engine.ops import OPS
from .interpreter.expressions import TENSOR_ATTRIBUTES
from .interpreter.values import Builtin, Namespace, OpFunction, UserFunction
from .interrupts import shielded

#: The language's keywords (builder.py refuses the rest of Python's).
KEYWORDS = ("and", "as", "assert", "break", "continue", "def", "elif", "else", "False", "for",
            "from", "if", "import", "in", "is", "None", "not", "or", "pass", "return", "True",
            "while", "with")
#: The REPL's own commands, and the words it takes as commands (exit, quit, help).
COMMANDS = (":help", ":vars", ":quit")
REPL_WORDS = ("exit", "help", "quit")
#: Where a word to complete starts: after any character that cannot be in a dotted name
#: (but ``:``, which starts a REPL command; in a slice, ``x[1:n``, it is split off here).
DELIMS = " \t\n`~!@#$%^&*()-=+[{]}\\|;'\",<>/?"
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*\.?$|$")
_CALLABLE = (Builtin, OpFunction, UserFunction)


def tensor_members() -> list[str]:
    """What may follow ``x.`` for a tensor x: its attributes and its methods."""
    return sorted(set(TENSOR_ATTRIBUTES) | {n for n, s in OPS.items() if s.method})


class Completer:
    """A ``readline`` completer over an interpreter's variables and the language's names."""

    def __init__(self, interp: Any) -> None:
        self.interp = interp
        self._matches: list[str] = []

    @shielded  # readline calls it from C and drops what it raises: a Ctrl-C is held back
    def complete(self, text: str, state: int) -> str | None:
        if state == 0:
            self._matches = self.matches(text)
        return self._matches[state] if state < len(self._matches) else None

    def matches(self, text: str) -> list[str]:
        """Every completion of ``text`` (a word ending where the cursor is), sorted."""
        if text.startswith(":"):
            return [c for c in COMMANDS if c.startswith(text)]
        if ":" in text:
            before, _, word = text.rpartition(":")
            return [f"{before}:{m}" for m in self.matches(word)]
        if not _DOTTED.fullmatch(text):
            return []
        head, dot, tail = text.rpartition(".")
        if not dot:
            names = {**self.interp.builtins, **self.interp.globals}
            words = [self._word(n, v) for n, v in names.items() if n.startswith(text)]
            words += [k + " " for k in KEYWORDS if k.startswith(text)]
            words += [w for w in REPL_WORDS if w.startswith(text) and w not in names]
            return sorted(set(words))
        owner = self._resolve(head)
        if isinstance(owner, Namespace):
            members = owner.members
            return sorted(f"{head}.{self._word(n, v)}" for n, v in members.items()
                          if n.startswith(tail))
        if isinstance(owner, Tensor):
            return [f"{head}.{n}" + ("(" if n not in TENSOR_ATTRIBUTES else "")
                    for n in tensor_members() if n.startswith(tail)]
        return []

    def _resolve(self, dotted: str) -> Any:
        """The value a dotted name refers to, or None; looked up, never evaluated."""
        first, *rest = dotted.split(".")
        value = self.interp.globals.get(first, self.interp.builtins.get(first))
        for part in rest:
            if isinstance(value, Namespace):
                value = value.members.get(part)
            elif isinstance(value, Tensor) and part in ("grad", "data", "T"):
                value = value.grad if part == "grad" else value.detach()
            else:
                return None
        return value

    @staticmethod
    def _word(name: str, value: Any) -> str:
        """A function's name completes with its ``(``, a namespace's with its ``.``."""
        if isinstance(value, _CALLABLE):
            return name + "("
        if isinstance(value, Namespace):
            return name + "."
        return name


def install(readline: Any, interp: Any) -> None:
    """Bind Tab to completion over ``interp``'s names (GNU readline or libedit)."""
    completer = Completer(interp)
    readline.set_completer(completer.complete)
    readline.set_completer_delims(DELIMS)
    if "libedit" in (readline.__doc__ or ""):
        readline.parse_and_bind("bind ^I rl_complete")
    else:
        readline.parse_and_bind("tab: complete")
