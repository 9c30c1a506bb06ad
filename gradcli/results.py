"""Result objects: what the interpreter produces and every renderer reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .engine import Tensor


@dataclass
class EvalResult:
    """One evaluated expression: its value and the gradient of each reported variable."""

    expr: str
    value: Any
    grads: dict[str, Tensor | None] = field(default_factory=dict)
    variables: dict[str, Tensor] = field(default_factory=dict)
