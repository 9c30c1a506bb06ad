"""In-place arithmetic methods: ``x.add_(y)``, ``x.sub_(y, alpha=2)``, ``x.mul_(2)``,
``x.div_(y)``, ``x.clamp_(min=0)``. Each computes out of place and writes the result into
``x`` (inplace.apply_, as ``x += y`` does): PyTorch's errors for a leaf that requires grad or a
result that does not fit ``x``, and its node names (AddBackward0 ...) on ``x`` afterwards."""

from __future__ import annotations

from typing import Any

from ..errors import type_error
from ..tensor import Tensor
from .arithmetic import add, div, mul, sub
from .elementwise import clamp
from .inplace import apply_
from .table import GradCheck, op

_PAIR = {"a": (2, 3), "b": (3,)}


def _target(input: Any, name: str) -> Tensor:
    if not isinstance(input, Tensor):
        raise type_error(f"{name}() is a method of a tensor, not of {type(input).__name__}",
                         hint=f"e.g. x.{name}(...)")
    return input


@op("add_(input, other, alpha=1)", category="in-place", summary="input += alpha * other, in place",
    example="x.add_(1)", grad_fn="AddBackward0", function=False,
    derivative="as add, the result written into input",
    checks=(GradCheck("a.clone().add_(b, alpha=2)", _PAIR),))
def add_(input: Any, other: Any, alpha: Any = 1) -> Tensor:
    return apply_(_target(input, "add_"), lambda t, o: add(t, o, alpha=alpha), other)


@op("sub_(input, other, alpha=1)", category="in-place", summary="input -= alpha * other, in place",
    example="w.sub_(0.1 * w.grad)", grad_fn="SubBackward0", function=False,
    derivative="as sub, the result written into input",
    checks=(GradCheck("a.clone().sub_(b)", _PAIR),))
def sub_(input: Any, other: Any, alpha: Any = 1) -> Tensor:
    return apply_(_target(input, "sub_"), lambda t, o: sub(t, o, alpha=alpha), other)


@op("mul_(input, other)", category="in-place", summary="input *= other, in place",
    example="x.mul_(2)", grad_fn="MulBackward0", function=False,
    derivative="as mul, the result written into input",
    checks=(GradCheck("a.clone().mul_(b)", _PAIR),))
def mul_(input: Any, other: Any) -> Tensor:
    return apply_(_target(input, "mul_"), mul, other)


@op("div_(input, other)", category="in-place", summary="input /= other, in place",
    example="x.div_(2)", grad_fn="DivBackward0", function=False,
    derivative="as div, the result written into input",
    checks=(GradCheck("a.clone().div_(b)", _PAIR, "positive"),))
def div_(input: Any, other: Any) -> Tensor:
    return apply_(_target(input, "div_"), div, other)


@op("clamp_(input, min=None, max=None)", category="in-place",
    summary="clamp in place: input limited to [min, max]", example="x.clamp_(min=0)",
    grad_fn="ClampBackward1",  # also torch.clamp_(x, ...), as PyTorch has it
    derivative="as clamp, the result written into input",
    checks=(GradCheck("a.clone().clamp_(min=-0.5, max=0.5)", {"a": (5,)}, "distinct"),))
def clamp_(input: Any, min: Any = None, max: Any = None) -> Tensor:
    return apply_(_target(input, "clamp_"), lambda t, _: clamp(t, min, max), None)
