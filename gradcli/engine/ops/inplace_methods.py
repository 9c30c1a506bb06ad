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


def _arithmetic(name: str, out_of_place: Any, grad_fn: str, summary: str, example: str,
                check: GradCheck, alpha: bool = False) -> Any:
    """``x.name(other)`` (and ``alpha=`` for add_ and sub_): ``out_of_place``, written into x."""
    if alpha:
        def fn(input: Any, other: Any, alpha: Any = 1) -> Tensor:
            return apply_(_target(input, name), lambda t, o: out_of_place(t, o, alpha=alpha),
                          other)
    else:
        def fn(input: Any, other: Any) -> Tensor:  # type: ignore[misc]
            return apply_(_target(input, name), out_of_place, other)

    fn.__name__ = name
    op(f"{name}(input, other{', alpha=1' if alpha else ''})", category="in-place",
       summary=summary, example=example, grad_fn=grad_fn, function=False,
       derivative=f"as {out_of_place.__name__}, the result written into input",
       checks=(check,))(fn)
    return fn


add_ = _arithmetic("add_", add, "AddBackward0", "input += alpha * other, in place", "x.add_(1)",
                   GradCheck("a.clone().add_(b, alpha=2)", _PAIR), alpha=True)
sub_ = _arithmetic("sub_", sub, "SubBackward0", "input -= alpha * other, in place",
                   "w.sub_(0.1 * w.grad)", GradCheck("a.clone().sub_(b)", _PAIR), alpha=True)
mul_ = _arithmetic("mul_", mul, "MulBackward0", "input *= other, in place", "x.mul_(2)",
                   GradCheck("a.clone().mul_(b)", _PAIR))
div_ = _arithmetic("div_", div, "DivBackward0", "input /= other, in place", "x.div_(2)",
                   GradCheck("a.clone().div_(b)", _PAIR, "positive"))


@op("clamp_(input, min=None, max=None)", category="in-place",
    summary="clamp in place: input limited to [min, max]", example="x.clamp_(min=0)",
    grad_fn="ClampBackward1",  # also torch.clamp_(x, ...), as PyTorch has it
    derivative="as clamp, the result written into input",
    checks=(GradCheck("a.clone().clamp_(min=-0.5, max=0.5)", {"a": (5,)}, "distinct"),))
def clamp_(input: Any, min: Any = None, max: Any = None) -> Tensor:
    return apply_(_target(input, "clamp_"), lambda t, _: clamp(t, min, max), None)
