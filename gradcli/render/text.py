"""Any value of the language as PyTorch and Python would print it (echo, print, plain)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..engine import DType, Size, Tensor, dtypes
from ..engine.autograd import Node
from ..engine.ops import ReturnTypes
from .torch_repr import size_repr, tensor_repr


@dataclass(frozen=True)
class PrintOptions:
    precision: int = 4
    full: bool = False


def tensor_text(t: Tensor, options: PrintOptions = PrintOptions()) -> str:
    return tensor_repr(
        t.data, t.data.dtype.name, default_float=dtypes.default_float().name,
        requires_grad=t.requires_grad and t.grad_fn is None,
        grad_fn=None if t.grad_fn is None else t.grad_fn.name,
        precision=options.precision, full=options.full)


def to_text(value: Any, options: PrintOptions = PrintOptions()) -> str:
    """``repr(value)`` as Python with torch would give it."""
    if isinstance(value, Tensor):
        return tensor_text(value, options)
    if isinstance(value, ReturnTypes):
        first, second = value.fields
        return (f"torch.return_types.{value.fn}(\n{first}={to_text(value[0], options)},\n"
                f"{second}={to_text(value[1], options)})")
    if isinstance(value, Size):
        return size_repr(tuple(value))
    if isinstance(value, tuple):
        inner = ", ".join(to_text(v, options) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(to_text(v, options) for v in value) + "]"
    if isinstance(value, Node):
        return f"<{value.name} object at {hex(id(value))}>"
    if isinstance(value, DType):
        return repr(value)
    return repr(value)


def print_text(value: Any, options: PrintOptions = PrintOptions()) -> str:
    """``str(value)``, what print() shows: strings without quotes, the rest as repr."""
    return value if isinstance(value, str) else to_text(value, options)


def body_text(t: Tensor, options: PrintOptions) -> str:
    """A tensor's values as PyTorch lays them out, without ``tensor(`` and the suffixes."""
    bare = Tensor(t.data)
    text = tensor_text(bare, options)
    if not text.startswith("tensor("):
        return text
    inner = text[len("tensor("):-1]
    return "\n".join(line[len("tensor("):] if i else line
                     for i, line in enumerate(inner.split("\n")))
