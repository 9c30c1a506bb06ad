"""What ``for`` loops, ``zip`` and unpacking iterate over: ranges, tuples, lists, tensor rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..engine import Tensor
from ..engine.ops import rows
from ..errors import GradcliError


def length_of(x: Any) -> int:
    """How many items iterating over ``x`` gives (0 for what is not a sequence)."""
    if isinstance(x, (range, tuple, list, str)):
        return len(x)
    if isinstance(x, Tensor) and x.data.ndim:
        return int(x.data.shape[0])
    return 0


def items_of(x: Any) -> Iterable[Any]:
    if isinstance(x, (range, tuple, list, str)):
        return x
    if isinstance(x, Tensor):
        if x.data.ndim == 0:
            raise GradcliError("type", "iteration over a 0-d tensor")
        # Rows are views, so that gradients flow back through them (UnbindBackward0).
        return rows(x)
    raise GradcliError("type", f"'{type(x).__name__}' object is not iterable",
                       hint="loop over range(n), a tuple, a list or a tensor's rows")
