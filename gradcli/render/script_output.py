"""What ``gradcli run`` writes for each echoed value and print(): plain text or JSON Lines."""

from __future__ import annotations

from typing import Any

from ..engine import Tensor
from ..output_size import check_output
from .jsonfmt import dumps, to_jsonable
from .text import PrintOptions, to_text


def echo_plain(value: Any, options: PrintOptions) -> str:
    return to_text(value, options) + "\n"


def echo_json(value: Any, line: int, options: PrintOptions) -> str:
    if isinstance(value, Tensor):  # its JSON is sized first (--max-memory)
        check_output([value.data.shape], "json", False)
    obj: dict[str, Any] = {"line": line, "repr": to_text(value, options)}
    if isinstance(value, Tensor):
        obj.update(value=to_jsonable(value.data), shape=list(value.data.shape),
                   dtype=value.data.dtype.name,
                   grad_fn=None if value.grad_fn is None else value.grad_fn.name)
    elif isinstance(value, (bool, int, float)):
        obj.update(value=to_jsonable(value), shape=[], dtype=type(value).__name__, grad_fn=None)
    else:
        obj.update(value=None, shape=None, dtype=type(value).__name__, grad_fn=None)
    return dumps(obj) + "\n"


def print_json(text: str, line: int) -> str:
    return dumps({"line": line, "print": text}) + "\n"
