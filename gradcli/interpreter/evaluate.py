"""``gradcli eval``: bind the --let variables as leaves, evaluate, backpropagate, report.

The result is a plain object (``EvalResult``) that every output format renders.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..engine import Tensor, dtypes, no_grad
from ..engine import ops as E
from ..errors import GradcliError
from ..results import EvalResult
from ..syntax.parser import parse_expression
from .core import Interpreter, Limits


@dataclass
class EvalOptions:
    lets: list[tuple[str, str]] = field(default_factory=list)
    wrt: list[str] = field(default_factory=list)
    grad_output: str | None = None
    no_grad: bool = False
    dtype: str = "float32"
    seed: int | None = None
    limits: Limits = field(default_factory=Limits)


Loader = Callable[[str], np.ndarray]


def split_let(text: str) -> tuple[str, str]:
    """``NAME=VALUE`` from a --let option, refusing anything else as a usage error."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep:
        raise GradcliError("usage", f"--let needs NAME=VALUE, got {text!r}",
                           hint='e.g. --let x="arange(4.0)"')
    if not name.isidentifier():
        raise GradcliError("usage", f"--let name {name!r} is not a valid variable name",
                           hint="names are letters, digits and _, not starting with a digit")
    if not value.strip():
        raise GradcliError("usage", f"--let {name}= has no value", hint=f'e.g. --let {name}="1.0"')
    return name, value


class Evaluator:
    """Evaluates expressions with a fixed set of --let variables, each time from fresh leaves."""

    def __init__(self, options: EvalOptions, load: Loader) -> None:
        self.options = options
        self.load = load
        self.expr = ""
        dtypes.set_default_float(options.dtype)
        if options.seed is not None:
            E.manual_seed(options.seed)
        E.set_loader(load)
        self.bound: dict[str, np.ndarray | Any] = {}
        for name, text in options.lets:
            self.bound[name] = self._let(name, text)
        floating = [n for n, v in self.bound.items()
                    if isinstance(v, np.ndarray) and v.dtype.kind == "f"]
        for name in options.wrt:
            if name not in self.bound:
                raise GradcliError(
                    "usage", f"--wrt {name}: no such --let variable",
                    hint=("the variables are " + ", ".join(self.bound)) if self.bound
                    else f'bind it first, e.g. --let {name}="arange(4.0)"')
            if name not in floating:
                raise GradcliError("usage", f"--wrt {name}: {name} is not a floating tensor, so "
                                   "it has no gradient", hint="make it floating, e.g. arange(4.0)")
        self.wrt = list(options.wrt) or floating

    def _let(self, name: str, text: str) -> Any:
        stripped = text.strip()
        if stripped.startswith("@"):
            data = self.load(stripped[1:])
            if data.dtype.kind == "f":
                data = data.astype(dtypes.default_float())
            return data
        interp = self._interpreter(self._fresh())
        try:
            value = interp.evaluate(parse_expression(stripped), stripped)
        except GradcliError as e:
            e.message = f"in --let {name}: {e.message}"
            raise
        if isinstance(value, Tensor):
            return value.data.copy()
        if isinstance(value, (bool, int, float)):
            return E.tensor(value).data
        if isinstance(value, (list, tuple)):
            return E.tensor(list(value)).data
        raise GradcliError("type", f"--let {name} must be a tensor or a number, not "
                           f"{type(value).__name__}", source=stripped)

    def _fresh(self) -> dict[str, Tensor]:
        """New leaves from the bound values: every evaluation starts with no gradients."""
        out = {}
        for name, data in self.bound.items():
            t = Tensor(data.copy())
            if data.dtype.kind == "f":
                t.requires_grad_(True)
            out[name] = t
        return out

    def _interpreter(self, variables: dict[str, Tensor]) -> Interpreter:
        interp = Interpreter(limits=self.options.limits)
        interp.globals.update(variables)
        return interp

    def evaluate(self, expr: str) -> EvalResult:
        self.expr = expr
        node = parse_expression(expr)
        variables = self._fresh()
        interp = self._interpreter(variables)
        if self.options.no_grad:
            with no_grad():
                value = interp.evaluate(node, expr)
        else:
            value = interp.evaluate(node, expr)
        result = EvalResult(expr, value, variables=variables)
        if isinstance(value, Tensor) and value.requires_grad:
            self._backward(value, interp)
        if not self.options.no_grad:
            result.grads = {n: variables[n].grad for n in self.wrt}
        return result

    def _backward(self, value: Tensor, interp: Interpreter) -> None:
        spec = self.options.grad_output
        if spec is None and value.data.size != 1:
            raise GradcliError(
                "grad", f"the result has shape {tuple(value.data.shape)}, not a scalar: "
                "grad can be implicitly created only for scalar outputs",
                line=1, column=1, source=self.expr, end_column=len(self.expr) + 1,
                hint="reduce it, e.g. sum(...), or give --grad-output ones (or a tensor of that "
                "shape)")
        gradient: Any = None
        if spec is not None:
            if spec.strip() == "ones":
                gradient = E.ones_like(value)
            else:
                text = spec.strip()
                try:
                    gradient = interp.evaluate(parse_expression(text), text)
                except GradcliError as e:
                    e.message = f"in --grad-output: {e.message}"
                    raise
                gradient = gradient if isinstance(gradient, Tensor) else E.tensor(gradient)
                if gradient.data.shape != value.data.shape:
                    raise GradcliError(
                        "shape", f"--grad-output has shape {tuple(gradient.data.shape)} but the "
                        f"result has shape {tuple(value.data.shape)}",
                        hint="the gradient must have the result's shape (or use ones)")
        from ..engine import EngineError

        try:
            value.backward(gradient)
        except EngineError as e:
            raise GradcliError(e.kind, e.message, line=1, column=1, source=self.expr,
                               end_column=len(self.expr) + 1, hint=e.hint) from None
