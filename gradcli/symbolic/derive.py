"""``gradcli diff``: read the expression, differentiate it, simplify, and check the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import GradcliError
from . import expr as X
from .check import Check, Disagreement, compare
from .differentiate import gradients
from .expr import Node
from .jacobian import jacobian
from .reader import call, read
from .simplify import simplify
from .steps import Steps, chain_rule

#: The random point of the check for --shape variables: away from 0, where log, sqrt and
#: the subgradients of relu and abs live.
POINT_SEED, POINT_LOW, POINT_HIGH = 0, 0.2, 1.2

GRADIENT, ELEMENTWISE, JACOBIAN, HESSIAN, SECOND_ELEMENTWISE = (
    "gradient", "element-wise", "jacobian", "hessian", "second element-wise")


@dataclass
class Derivative:
    """d(expression)/d(variable): the simplified node, and how it was checked."""

    name: str
    node: Node
    #: GRADIENT (the variable's shape), ELEMENTWISE (dy_i/dx_i, a diagonal Jacobian),
    #: JACOBIAN (output.shape + variable.shape), HESSIAN, SECOND_ELEMENTWISE (its diagonal).
    form: str
    shape: tuple[int, ...]
    check: Check | None = None
    #: The chain rule, with --steps.
    steps: Steps | None = None


@dataclass
class DiffResult:
    expr: str
    output: Node
    derivatives: list[Derivative] = field(default_factory=list)
    variables: dict[str, Node] = field(default_factory=dict)

    @property
    def output_name(self) -> str:
        """What the labels call the expression's value (dy_i/dx_i): not one of its variables."""
        return next(n for n in ("y", "f", "u", "out", "result") if n not in self.variables)


def random_point(shapes: dict[str, tuple[int, ...]]) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(POINT_SEED)
    return {name: rng.uniform(POINT_LOW, POINT_HIGH, size=shape) for name, shape in shapes.items()}


def differentiate(text: str, values: dict[str, np.ndarray], wrt: list[str], order: int,
                  evaluator: Any, steps: bool = False, check: bool = True) -> DiffResult:
    """Every derivative asked for; checked against autograd (``evaluator``'s) unless not
    ``check``."""
    variables = {name: X.var(name, tuple(v.shape), _kind(v)) for name, v in values.items()}
    output = read(text, dict(variables))
    if not isinstance(output, Node):
        raise GradcliError("type", f"{text} is a number, not an expression of the variables",
                           hint="diff differentiates expressions of --let or --shape variables")
    if output.kind != "f":
        raise GradcliError("type", "the expression's value is not floating, so it has no "
                           "derivative")
    result = DiffResult(text, output, variables=variables)
    targets = [variables[name] for name in wrt]
    scalar = output.ndim == 0
    if order == 2 and not scalar:
        raise GradcliError("grad", f"--order 2 needs a scalar expression, but it has shape "
                           f"{output.shape}", hint="reduce it, e.g. sum(...)")
    seed = None if scalar else call("expand", [X.const(1)], {"sizes": output.shape})
    firsts = gradients(output, targets, seed)
    reference = _autograd(evaluator, text, wrt, order)
    for v in targets:
        first = simplify(firsts[v.name])
        chain = chain_rule(output, v, set(variables)) if steps and order == 1 else None
        if order == 1 and scalar:
            d = Derivative(v.name, first, GRADIENT, v.shape, steps=chain)
            want = reference[v.name]
        elif order == 1:
            d, want = _first(output, first, v, reference[v.name])
            d.steps = chain
        else:
            d, want = _second(first, v, reference[v.name][v.name])
        result.derivatives.append(_checked(d, values, want if check else None))
    return result


def _first(output: Node, elementwise: Node, v: Node, reference: Any
           ) -> tuple[Derivative, np.ndarray]:
    """The Jacobian of a non-scalar: element-wise when it is diagonal, else a matrix."""
    want = _data(reference)
    diagonal = _diagonal(want, output.shape, v.shape)
    if diagonal is not None:
        return Derivative(v.name, elementwise, ELEMENTWISE, v.shape), diagonal
    node = jacobian(output, v)
    return Derivative(v.name, node, JACOBIAN, output.shape + v.shape), want


def _second(first: Node, v: Node, reference: Any) -> tuple[Derivative, np.ndarray]:
    """Second derivatives: of a scalar variable, the derivative of the derivative; else the
    Hessian, element-wise when it is diagonal."""
    want = _data(reference)
    if v.ndim == 0:
        return Derivative(v.name, simplify(gradients(first, [v])[v.name]), HESSIAN, ()), want
    diagonal = _diagonal(want, v.shape, v.shape)
    if diagonal is not None:
        seed = call("expand", [X.const(1)], {"sizes": first.shape})
        node = simplify(gradients(first, [v], seed)[v.name])
        return Derivative(v.name, node, SECOND_ELEMENTWISE, v.shape), diagonal
    return Derivative(v.name, jacobian(first, v), HESSIAN, v.shape + v.shape), want


def _data(value: Any) -> np.ndarray:
    return np.asarray(getattr(value, "data", value), dtype=np.float64)


def _diagonal(square: np.ndarray, out_shape: tuple[int, ...], var_shape: tuple[int, ...]
              ) -> np.ndarray | None:
    """The diagonal of an element-wise Jacobian (autograd's numbers), or None."""
    if out_shape != var_shape:
        return None
    k = int(np.prod(var_shape))
    flat = square.reshape(k, k)
    if np.count_nonzero(flat - np.diag(np.diag(flat))) or not np.any(flat):
        return None
    return np.diag(flat).reshape(var_shape).copy()


def _checked(d: Derivative, values: dict[str, np.ndarray], want: Any) -> Derivative:
    if want is None:
        return d
    want = np.asarray(getattr(want, "data", want))
    d.check = compare(d.node, values, want, expand_to=d.shape)
    if not d.check.ok:
        raise Disagreement(d.name, d.node, d.check)
    return d


def _autograd(evaluator: Any, text: str, wrt: list[str], order: int) -> Any:
    """Autograd's derivatives (what the result is checked against, and what tells an
    element-wise Jacobian from a full one)."""
    evaluator.wrt = list(wrt)
    if order == 2:
        return evaluator.hessian(text).hessian
    return evaluator.jacobian(text).jacobian


def _kind(value: np.ndarray) -> str:
    kind = value.dtype.kind
    return "f" if kind == "f" else "b" if kind == "b" else "i"
