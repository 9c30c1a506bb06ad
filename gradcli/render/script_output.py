"""What ``gradcli run`` writes for each echoed value and print(): plain text or JSON Lines."""

from __future__ import annotations

from typing import Any

from ..engine import Tensor
from ..output_size import check_output
from .eval_output import describe
from .jsonfmt import dumps
from .text import PrintOptions, to_text


def echo_plain(value: Any, options: PrintOptions) -> str:
    return to_text(value, options) + "\n"


def echo_json(value: Any, line: int, options: PrintOptions) -> str:
    if isinstance(value, Tensor):  # its JSON is sized first (--max-memory)
        check_output([value.data.shape], "json", False)
    data, shape, dtype, grad_fn = describe(value)  # the same JSON as eval's
    obj = {"line": line, "repr": to_text(value, options), "value": data, "shape": shape,
           "dtype": dtype, "grad_fn": grad_fn}
    return dumps(obj) + "\n"


def print_json(text: str, line: int) -> str:
    return dumps({"line": line, "print": text}) + "\n"
