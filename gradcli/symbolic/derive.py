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
from .reader import Unsupported, call, read
from .simplify import simplify
from .steps import Steps, chain_rule

#: The random point of the check for --shape variables: away from 0, where log, sqrt and
#: the subgradients of relu and abs live.
POINT_SEED, POINT_LOW, POINT_HIGH = 0, 0.2, 1.2

GRADIENT, ELEMENTWISE, HESSIAN, SECOND_ELEMENTWISE = ("gradient", "element-wise", "hessian",
                                                     "second element-wise")


@dataclass
class Derivative:
    """d(expression)/d(variable): the simplified node, and how it was checked."""

    name: str
    node: Node
    #: GRADIENT (variable's shape), ELEMENTWISE (dy_i/dx_i, a diagonal Jacobian), and their
    #: second-order kinds.
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


def random_point(shapes: dict[str, tuple[int, ...]]) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(POINT_SEED)
    return {name: rng.uniform(POINT_LOW, POINT_HIGH, size=shape) for name, shape in shapes.items()}


def differentiate(text: str, values: dict[str, np.ndarray], wrt: list[str], order: int,
                  evaluator: Any | None, steps: bool = False) -> DiffResult:
    """Every derivative asked for; checked against ``evaluator`` (autograd) unless None."""
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
    reference = _autograd(evaluator, text, wrt, order, scalar)
    for v in targets:
        first = simplify(firsts[v.name])
        chain = chain_rule(output, v, set(variables)) if steps and order == 1 else None
        if order == 1 and scalar:
            result.derivatives.append(_checked(Derivative(v.name, first, GRADIENT, v.shape,
                                                          steps=chain),
                                               values, None if reference is None
                                               else reference[v.name]))
            continue
        if order == 1:
            want = None if reference is None else _diagonal(reference[v.name], output.shape,
                                                          v.shape, text, v.name)
            result.derivatives.append(_checked(
                Derivative(v.name, first, ELEMENTWISE, v.shape, steps=chain), values, want))
            continue
        second = _second(first, v, reference, text)
        result.derivatives.append(_checked(second, values, None if reference is None else
                                           second_reference(reference, v, text)))
    return result


def _second(first: Node, v: Node, reference: Any, text: str) -> Derivative:
    if v.ndim == 0:
        return Derivative(v.name, simplify(gradients(first, [v])[v.name]), HESSIAN, v.shape)
    seed = call("expand", [X.const(1)], {"sizes": first.shape})
    node = simplify(gradients(first, [v], seed)[v.name])
    return Derivative(v.name, node, SECOND_ELEMENTWISE, v.shape)


def second_reference(reference: Any, v: Node, text: str) -> np.ndarray:
    block = np.asarray(reference[v.name][v.name].data if hasattr(
        reference[v.name][v.name], "data") else reference[v.name][v.name])
    if v.ndim == 0:
        return block
    return _diagonal(block, v.shape, v.shape, text, v.name, second=True)


def _diagonal(jacobian: Any, out_shape: tuple[int, ...], var_shape: tuple[int, ...], text: str,
              name: str, second: bool = False) -> np.ndarray:
    """The diagonal of an element-wise Jacobian, or an error when it is not diagonal."""
    data = np.asarray(getattr(jacobian, "data", jacobian), dtype=np.float64)
    m, k = int(np.prod(out_shape)), int(np.prod(var_shape))
    square = data.reshape(m, k)
    if out_shape == var_shape and np.count_nonzero(square - np.diag(np.diag(square))) == 0:
        return np.diag(square).reshape(var_shape)
    what = "second derivatives" if second else "Jacobian"
    raise Unsupported(
        f"the {what} of {text} with respect to {name} is not element-wise (diagonal); diff "
        "prints element-wise ones and gradients of scalars only for now",
        hint=f"gradcli {'hessian' if second else 'jacobian'} gives its numbers; or "
        f"differentiate a scalar, e.g. sum({text})")


def _checked(d: Derivative, values: dict[str, np.ndarray], want: Any) -> Derivative:
    if want is None:
        return d
    want = np.asarray(getattr(want, "data", want))
    d.check = compare(d.node, values, want, expand_to=d.shape)
    if not d.check.ok:
        raise Disagreement(d.name, d.node, d.check)
    return d


def _autograd(evaluator: Any, text: str, wrt: list[str], order: int, scalar: bool) -> Any:
    if evaluator is None:
        return None
    evaluator.wrt = list(wrt)
    if order == 2:
        return evaluator.hessian(text).hessian
    return evaluator.jacobian(text).jacobian


def _kind(value: np.ndarray) -> str:
    kind = value.dtype.kind
    return "f" if kind == "f" else "b" if kind == "b" else "i"
