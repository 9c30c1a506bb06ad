"""The values the language has besides tensors and Python numbers: functions and namespaces."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..engine.ops import OpSpec


@dataclass(frozen=True)
class Builtin:
    """A Python builtin of the language (len, range, print, ...)."""

    name: str
    fn: Callable[..., Any]

    def __repr__(self) -> str:
        return f"<built-in function {self.name}>"


@dataclass(frozen=True)
class OpFunction:
    """A function of the op table, as ``sum`` or ``torch.sum``."""

    spec: OpSpec

    def __repr__(self) -> str:
        return f"<built-in method {self.spec.name} of type object>"


@dataclass(frozen=True)
class BoundMethod:
    """``x.sum``: an op-table function with its first argument bound."""

    spec: OpSpec
    self_value: Any

    def __repr__(self) -> str:
        return f"<built-in method {self.spec.name} of Tensor object>"


@dataclass(eq=False)
class UserFunction:
    """A ``def`` of the script, with the scopes it can read (closures)."""

    name: str
    params: tuple[Any, ...]
    defaults: dict[str, Any]
    #: The body, compiled (statements.compile_block): run(interpreter).
    body: Callable[[Any], None]
    enclosing: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    #: The text the def was written in (a REPL input may call a def of an earlier one).
    source: str = ""

    def __repr__(self) -> str:
        return f"<function {self.name}>"


@dataclass(frozen=True)
class Namespace:
    """``torch`` and ``torch.autograd``: attribute access to functions and dtypes."""

    name: str
    members: dict[str, Any]

    def __repr__(self) -> str:
        return f"<module '{self.name}'>"
