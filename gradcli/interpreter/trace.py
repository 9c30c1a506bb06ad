"""The backward pass made visible (``--trace``) and checked (``--detect-anomaly``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..engine import Tensor
from ..engine.autograd import Node
from ..engine.ops import derivative_of
from ..errors import GradcliError
from ..results import TraceStep
from ..syntax.nodes import end_on_line


def not_finite(t: Tensor) -> str | None:
    """"nan" or "inf" when a floating tensor holds one (nan first), else None."""
    data = t.data
    if data.dtype.kind != "f" or np.isfinite(data).all():
        return None
    return "nan" if np.isnan(data).any() else "inf"


class Tracer:
    """Called by the engine for each node as backward runs it."""

    def __init__(self, variables: dict[str, Tensor], source: str, detect_anomaly: bool,
                 record: bool = True) -> None:
        self.names = {id(t): n for n, t in variables.items()}
        self.source = source
        self.detect_anomaly = detect_anomaly
        self.record = record
        self.steps: list[TraceStep] = []
        self.running: dict[int, np.ndarray] = {}

    def step(self, node: Node, g: Tensor, outs: Sequence[Tensor | None]) -> None:
        if self.detect_anomaly:
            self._check(node, outs)
        if not self.record:
            return
        sent: list[tuple[str, Any]] = []
        leaves: list[tuple[str, Any]] = []
        for edge, out in zip(node.edges, outs):
            if edge is None:
                continue
            if isinstance(edge, Node):
                sent.append((edge.name, None if out is None else out.data))
                continue
            name = self.names.get(id(edge), "leaf")
            sent.append((name, None if out is None else out.data))
            if out is not None:
                key = id(edge)
                self.running[key] = out.data if key not in self.running else self.running[key] + out.data
                leaves.append((name, self.running[key]))
        self.steps.append(TraceStep(len(self.steps) + 1, node.name, tuple(node.out_meta[0]), g.data,
                                    derivative_of(node.name), sent, leaves))

    def _check(self, node: Node, outs: Sequence[Tensor | None]) -> None:
        for i, out in enumerate(outs):
            if out is None:
                continue
            bad = not_finite(out)
            if bad is None:
                continue
            origin = node.origin
            line, column, end = ((None, None, None) if origin is None else
                                 (origin.line, origin.column, end_on_line(origin)))
            raise GradcliError(
                "value", f"anomaly in backward: Function '{node.name}' returned {bad} values in "
                f"its {i}th output; its forward operation is the one marked below",
                line, column, source=self.source, end_column=end,
                hint="a gradient became non-finite here although the forward value may be "
                "finite (e.g. where() hides sqrt of a negative number, but its gradient still "
                "flows); mask the input before the operation instead")
