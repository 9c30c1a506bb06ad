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
    #: The backward pass step by step, with --trace.
    trace: list[TraceStep] | None = None
    #: Why a reported variable has no gradient (an integer one, one the expression does not
    #: use...): shown where its gradient would be.
    notes: dict[str, str] = field(default_factory=dict)
    #: Why no backward pass ran although gradients were asked for (a tuple result).
    not_backpropagated: str | None = None


@dataclass
class JacobianResult:
    """d(value)/d(variable) for each reported variable: shape value.shape + variable.shape."""

    expr: str
    value: Tensor
    jacobian: dict[str, Any]
    variables: dict[str, Tensor] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


@dataclass
class HessianResult:
    """Second derivatives of a scalar value: block [a][b] of shape a.shape + b.shape."""

    expr: str
    value: Tensor
    hessian: dict[str, dict[str, Any]]
    variables: dict[str, Tensor] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


@dataclass
class CheckedVariable:
    """Autograd against central differences for one variable."""

    max_abs_err: float
    max_rel_err: float
    ok: bool
    #: The worst elements: (index, analytic, numeric, absolute error), worst first.
    worst: list[tuple[tuple[int, ...], float, float, float]] = field(default_factory=list)


@dataclass
class CheckResult:
    expr: str
    ok: bool
    vars: dict[str, CheckedVariable]
    eps: float
    atol: float
    rtol: float
    notes: dict[str, str] = field(default_factory=dict)


@dataclass
class TraceStep:
    """One node of the backward pass, in the order it ran (``eval --trace``)."""

    step: int
    grad_fn: str
    shape: tuple[int, ...]
    grad_in: Any
    derivative: str
    #: (where the gradient goes: a grad_fn name or a variable name, the gradient or None)
    sent: list[tuple[str, Any]]
    #: Leaves reached by this step: (variable name, its .grad so far)
    leaves: list[tuple[str, Any]] = field(default_factory=list)


@dataclass
class GraphNode:
    """One node of a computation graph, for `gradcli graph`."""

    id: str
    kind: str
    label: str
    shape: tuple[int, ...]
    dtype: str
    value: Any
    grad: Any
    inputs: list[str] = field(default_factory=list)
    derivative: str = ""


@dataclass
class GraphResult:
    expr: str
    nodes: list[GraphNode]
    root: str


@dataclass
class Tangent:
    """The tangent line of a curve at ``x0``: y = slope * x + intercept."""

    x0: float
    y0: float
    slope: float

    @property
    def intercept(self) -> float:
        return self.y0 - self.slope * self.x0


@dataclass
class PlotCurve:
    """One expression of `gradcli plot` at every point of the range: f, f' and maybe f''."""

    expr: str
    f: Any
    df: Any
    d2f: Any = None
    tangent: Tangent | None = None

    @property
    def undefined(self) -> Any:
        """Where f, f' or f'' is NaN or infinite: a gap in every drawing of this curve."""
        import numpy as np

        bad = ~np.isfinite(self.f) | ~np.isfinite(self.df)
        return bad if self.d2f is None else bad | ~np.isfinite(self.d2f)


@dataclass
class PlotResult:
    """The points of `gradcli plot`: the free variable's name and values, one curve each."""

    name: str
    x: Any
    curves: list[PlotCurve]
    order: int = 1
