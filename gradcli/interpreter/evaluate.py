"""``gradcli eval``: bind the --let variables as leaves, evaluate, backpropagate, report.

The result is a plain object (``EvalResult``) that every output format renders.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..engine import EngineError, Size, Tensor, dtypes, functional, no_grad
from ..engine import ops as E
from ..engine.autograd import run_backward
from ..engine.tensor import initial_gradient
from ..errors import STDIN_TWICE, GradcliError
from ..limits import MAX_EVALS
from ..output_size import check_derivatives, check_output
from ..results import CheckResult, EvalResult, GraphResult, HessianResult, JacobianResult
from ..syntax import nodes as N
from ..syntax.parser import expression_shape, parse_expression
from . import plans
from .core import Interpreter, Limits
from .expressions import CONSTANTS
from .meanings import function_hint
from .plans import Planned, tree
from .toolkit import build_graph, gradient_check
from .trace import Tracer


@dataclass
class EvalOptions:
    lets: list[tuple[str, str]] = field(default_factory=list)
    wrt: list[str] = field(default_factory=list)
    grad_output: str | None = None
    no_grad: bool = False
    dtype: str = "float32"
    seed: int | None = None
    limits: Limits = field(default_factory=Limits)
    trace: bool = False
    detect_anomaly: bool = False
    #: How the result will be printed ("json", "plain", "table"; "" for not at all), and
    #: whether in full: its size is checked against --max-memory before it is built.
    output: str = ""
    full: bool = False


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


#: A name that ends in "_": an in-place method (zero_, requires_grad_, ...) or the user's own.
_IN_PLACE_NAME = re.compile(r"[A-Za-z0-9]_(?!\w)")


def _may_write(expr: str, grad_output: str | None) -> bool:
    """Whether evaluating these texts could change a leaf's values in place (conservative)."""
    return bool(_IN_PLACE_NAME.search(expr)
                or grad_output is not None and _IN_PLACE_NAME.search(grad_output))


#: Why a floating variable has no gradient: PyTorch leaves its .grad None.
NOT_USED = "not used (its grad is None, as in PyTorch)"
#: The same for jacobian, hessian and check, whose blocks for it are zeros.
NOT_USED_ZEROS = "not used (its blocks are zeros; its grad would be None, as in PyTorch)"
NOT_DEPENDING = "no gradient: the result does not depend on it (its grad is None)"
_WHOLE_NUMBER = re.compile(r"\s*[+-]?\d+\s*")


def constant_note(value: Any, text: str) -> str:
    """Why an integer or boolean --let variable has no gradient, and how to give it one."""
    dtype = value.dtype.name if isinstance(value, np.ndarray) else type(value).__name__
    fix = (f"{text.strip()}.0" if _WHOLE_NUMBER.fullmatch(text) else "3.0 or arange(4.0)")
    return f"no gradient: {dtype} is not differentiable; write {fix}"

TUPLE_NOTE = ("the result is a tuple, and tuples are not backpropagated (backward needs one "
              "tensor): pick a part, e.g. (a, b)[0], or combine them, e.g. a.sum() + b.sum()")
_UNDEFINED = re.compile(r"name '(\w+)' is not defined")

#: How many expressions' ASTs an Evaluator keeps: ``check`` evaluates one text 2n + 1 times.
KEPT_ASTS = 64


class Evaluator:
    """Evaluates expressions with a fixed set of --let variables, each time from fresh leaves."""

    def __init__(self, options: EvalOptions, load: Loader,
                 to_text: Callable[[Any], str] = str,
                 write: Callable[[str], None] | None = None) -> None:
        self.options = options
        self.load = load
        #: How print() and str() show values, and where print() writes (the CLI: PyTorch's
        #: text, to stderr, so that stdout holds the results alone).
        self.to_text = to_text
        self.write = write
        self.expr = ""
        self._asts: dict[str, Any] = {}  # text -> AST (ASTs are immutable), oldest first
        self._names: dict[int, tuple[Any, set[str]]] = {}  # id(AST) -> (AST, names it uses)
        #: Whether expressions go through plans (interpreter/plans.py): not where a trace or
        #: an anomaly report reads the nodes.
        self._planned = not (options.trace or options.detect_anomaly)
        self._prepared: dict[str, Any] = {}  # text -> what prepare gave, oldest first
        dtypes.set_default_float(options.dtype)
        #: Each evaluation starts from it: a line's set_default_dtype(...) is its own.
        self._default_float = dtypes.default_float()
        if options.seed is not None:
            E.manual_seed(options.seed)
        E.set_loader(load)
        self.bound: dict[str, np.ndarray | Any] = {}
        for name, text in options.lets:
            if name in self.bound and self.write is not None:
                self.write(f"gradcli: warning: --let {name} is given more than once; the last "
                           f"one ({name}={text.strip()}) is used\n")
            self.bound[name] = value = self._let(name, text)
            if isinstance(value, np.ndarray):
                # Leaves may share it (see _fresh): a write gradcli failed to foresee fails
                # loudly instead of changing the input of the next evaluation.
                value.flags.writeable = False
        floating = [n for n, v in self.bound.items()
                    if isinstance(v, np.ndarray) and v.dtype.kind == "f"]
        for name in options.wrt:
            if name not in self.bound:
                raise GradcliError(
                    "usage", f"--wrt {name}: no such --let variable",
                    hint=("the variables are " + ", ".join(self.bound)) if self.bound
                    else f'bind it first, e.g. --let {name}="arange(4.0)"')
        reported = list(dict.fromkeys(options.wrt)) or list(self.bound)
        self.wrt = [n for n in reported if n in floating]
        #: The reported variables that are constants by their dtype, and why they have no
        #: gradient (said where the gradient would be: it is never silently missing).
        self.constants = {n: constant_note(self.bound[n], dict(options.lets)[n])
                          for n in reported if n not in floating}

    def _let(self, name: str, text: str) -> Any:
        stripped = text.strip()
        if stripped.startswith("@"):
            try:
                data = self.load(stripped[1:])
            except GradcliError as e:
                if e.message == STDIN_TWICE:  # the options alone are wrong: a usage error
                    e.kind = "usage"
                raise
            # The file's own dtype where it has one (as torch.from_numpy), onto gradcli's.
            return data.astype(dtypes.normalize(data.dtype), copy=False)
        try:
            node = parse_expression(stripped)
            # Leaves of the earlier --lets it names, and only those: binding n --lets makes
            # n leaves, not n**2 / 2 (a --let can reach them only by name).
            used = {item.id for item in N.walk(node) if type(item) is N.Name}
            interp = self._interpreter(self._fresh(names=used))
            value = interp.evaluate(node, stripped)
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

    def _fresh(self, share: bool = False, names: set[str] | None = None) -> dict[str, Tensor]:
        """New leaves from the bound values: every evaluation starts with no gradients.

        With ``share`` the leaves hold the bound arrays themselves (no copy of the inputs):
        only for text that calls no in-place method, which alone could change them. With
        ``names``, only the variables of those names.
        """
        out = {}
        bound = self.bound if names is None else {
            n: self.bound[n] for n in names if n in self.bound}
        for name, data in bound.items():
            # The bound arrays are of gradcli's dtypes already (_let): no checks to make.
            t = Tensor._of(data if share else data.copy())
            if data.dtype.kind == "f":
                t.requires_grad = True
            out[name] = t
        return out

    def _interpreter(self, variables: dict[str, Tensor]) -> Interpreter:
        interp = Interpreter(limits=self.options.limits, to_text=self.to_text,
                             detect_anomaly=self.options.detect_anomaly)
        if self.write is not None:
            interp.write = self.write
        interp.globals.update(variables)
        return interp

    def parse(self, expr: str) -> Any:
        """The AST of ``expr``, for ``run`` and ``evaluate`` (which parse it when not given it),
        kept for the next evaluations of the same text (errors are not kept)."""
        node = self._asts.get(expr)
        if node is None:
            node = parse_expression(expr)
            if len(self._asts) >= KEPT_ASTS:
                del self._asts[next(iter(self._asts))]
            self._asts[expr] = node
        return node

    def prepare(self, expr: str) -> Any:
        """What ``run`` evaluates for ``expr``, kept for the next evaluations of the same
        text: a Planned (interpreter/plans.py), whose text is not parsed at all when an
        expression of its shape was compiled lately; else its AST."""
        if not self._planned:
            return self.parse(expr)
        prepared = self._prepared.get(expr)
        if prepared is None:
            shape = expression_shape(expr)
            prepared = None if shape is None else plans.find(shape)
            if prepared is None:
                node = self.parse(expr)
                prepared = node if shape is None else plans.make(shape, node) or node
            if len(self._prepared) >= KEPT_ASTS:
                del self._prepared[next(iter(self._prepared))]
            self._prepared[expr] = prepared
        return prepared

    def run(self, expr: str, node: Any = None) -> tuple[Any, dict[str, Tensor], Interpreter]:
        """Evaluate ``expr`` (prepared: ``node``, its AST or a Planned) on fresh leaves:
        (value, the variables, the interpreter)."""
        self.expr = expr
        dtypes.set_default_float(self._default_float)
        if node is None:
            node = self.prepare(expr)
        variables = self._fresh(share=not _may_write(expr, self.options.grad_output))
        interp = self._interpreter(variables)
        try:
            if self.options.no_grad:
                with no_grad():
                    value = self._evaluate(interp, node, expr)
            else:
                value = self._evaluate(interp, node, expr)
        except GradcliError as e:
            self._hint_let(e)
            raise
        return value, variables, interp

    @staticmethod
    def _evaluate(interp: Interpreter, node: Any, expr: str) -> Any:
        if type(node) is Planned:
            return interp.evaluate_planned(node.plan.code, node.literals, expr)
        return interp.evaluate(node, expr)

    def _hint_let(self, err: GradcliError) -> None:
        """An undefined name in EXPR: say how to give it a value (a newcomer's first error)."""
        undefined = _UNDEFINED.fullmatch(err.message) if err.kind == "name" else None
        if undefined is None:
            return
        name = undefined.group(1)
        if name in CONSTANTS or function_hint(name) is not None:
            return  # the hint says torch.pi, or which function to call
        let = f"give it a value with --let {name}=VALUE, e.g. --let {name}=2.0"
        err.hint = let if err.hint is None else f"{err.hint} Or {let}"

    def evaluate(self, expr: str, node: Any = None) -> EvalResult:
        if node is None:
            node = self.prepare(expr)
        value, variables, interp = self.run(expr, node)
        result = EvalResult(expr, value, variables=variables)
        if isinstance(value, Tensor) and value.requires_grad and not self.options.no_grad:
            options = self.options
            tracer = (Tracer(variables, self.expr, options.detect_anomaly)
                      if options.trace or options.detect_anomaly else None)
            self._backward(value, interp, tracer)
            if tracer is not None and options.trace:
                result.trace = tracer.steps
        if not self.options.no_grad:
            result.grads = {n: variables[n].grad for n in self.wrt}
            missing = [n for n, g in result.grads.items() if g is None]
            if isinstance(value, tuple) and not isinstance(value, Size) and result.grads:
                result.not_backpropagated = "the result is a tuple"
                why = {**{n: "no gradient: not backpropagated, the result is a tuple"
                          for n in missing}, **self.constants}
                result.notes = {n: why[n] for n in self.bound if n in why}
                if self.write is not None:
                    self.write(f"note: {TUPLE_NOTE}\n")
            else:
                result.notes = self.notes(node, missing)
        if self.options.output:
            shapes = [v.data.shape for v in (value, *result.grads.values())
                      if isinstance(v, Tensor)]
            try:
                check_output(shapes, self.options.output, self.options.full)
            except EngineError as e:
                raise self._whole(e.kind, e.message, e.hint) from None
        return result

    def notes(self, node: Any, without: list[str]) -> dict[str, str]:
        """Why each reported variable has no gradient, in --let order: the constants, and the
        floating variables of ``without`` (the expression ``node`` does not use them, or its
        result does not depend on them)."""
        why = dict(self.constants)
        if without:
            used = self._used_names(node)
            for name in without:
                why[name] = NOT_USED if name not in used else NOT_DEPENDING
        return {n: why[n] for n in self.bound if n in why}

    def _used_names(self, node: Any) -> set[str]:
        """The variable names ``node`` uses, kept for the next evaluations of the same AST."""
        node = tree(node)
        entry = self._names.get(id(node))
        if entry is None or entry[0] is not node:
            entry = (node, {n.id for n in N.walk(node) if type(n) is N.Name})
            if len(self._names) >= KEPT_ASTS:
                del self._names[next(iter(self._names))]
            self._names[id(node)] = entry
        return entry[1]

    def _unused_notes(self, expr: str) -> dict[str, str]:
        """The notes of jacobian, hessian and check, whose blocks of a floating variable are
        zeros when the result does not depend on it: the constants, and what is not used."""
        used = self._used_names(self.parse(expr))
        why = {**self.constants, **{n: NOT_USED_ZEROS for n in self.wrt if n not in used}}
        return {n: why[n] for n in self.bound if n in why}

    def _whole(self, kind: str, message: str, hint: str | None = None) -> GradcliError:
        """An error about the whole expression: the caret spans all of it."""
        return GradcliError(kind, message, line=1, column=1, source=self.expr,
                            end_column=len(self.expr) + 1, hint=hint)

    def _backward(self, value: Tensor, interp: Interpreter, tracer: Tracer | None) -> None:
        spec = self.options.grad_output
        if spec is None and value.data.size != 1:
            raise self._whole(
                "grad", f"the result has shape {tuple(value.data.shape)}, not a scalar: "
                "grad can be implicitly created only for scalar outputs",
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
                if not isinstance(gradient, Tensor):
                    try:
                        gradient = E.tensor(gradient)
                    except EngineError as e:
                        raise GradcliError("type", f"--grad-output must be a tensor or numbers: "
                                           f"{e.message}", hint="give ones, or a tensor of the "
                                           "result's shape such as ones_like(...)") from None
                if gradient.data.shape != value.data.shape:
                    raise GradcliError(
                        "shape", f"--grad-output has shape {tuple(gradient.data.shape)} but the "
                        f"result has shape {tuple(value.data.shape)}",
                        hint="the gradient must have the result's shape (or use ones)")
        try:
            root = initial_gradient(value, gradient)
            hook = None if tracer is None else tracer.step
            run_backward([value], [root], on_step=hook)
        except EngineError as e:
            raise self._whole(e.kind, e.message, e.hint) from None

    # -- the derivative toolkit -----------------------------------------------------------
    @contextmanager
    def in_default_float(self, dtype: str) -> Iterator[None]:
        """Evaluations in another default float dtype (the checks' float64), then back."""
        before = self._default_float
        self._default_float = dtypes.parse_dtype(dtype)
        try:
            yield
        finally:
            self._default_float = before
            dtypes.set_default_float(before)

    @contextmanager
    def differentiating(self) -> Iterator[None]:
        """Errors of a backward pass (an op without a derivative...) about the whole expression."""
        try:
            yield
        except EngineError as e:
            raise self._whole(e.kind, e.message, e.hint) from None

    def _variables_for(self, variables: dict[str, Tensor]) -> list[str]:
        return [n for n in self.wrt if n in variables]

    def jacobian(self, expr: str) -> JacobianResult:
        value, variables, _ = self.run(expr)
        value = self.tensor_result(value, "jacobian")
        names = self._variables_for(variables)
        self._size("jacobian", value, [(value.data.shape + variables[n].data.shape,
                                        variables[n].data.dtype.itemsize) for n in names])
        with self.differentiating():
            blocks = functional.jacobian(value, [variables[n] for n in names])
        return JacobianResult(expr, value, dict(zip(names, blocks)), variables,
                              self._unused_notes(expr))

    def hessian(self, expr: str) -> HessianResult:
        value, variables, _ = self.run(expr)
        value = self.tensor_result(value, "hessian")
        if value.data.size != 1:
            raise self._whole("grad", "hessian needs a scalar result, but it has shape "
                              f"{tuple(value.data.shape)}",
                              hint="reduce it, e.g. sum(...); for vector results use jacobian")
        names = self._variables_for(variables)
        self._size("hessian", value, [(variables[a].data.shape + variables[b].data.shape,
                                       variables[a].data.dtype.itemsize)
                                      for a in names for b in names])
        with self.differentiating():
            blocks = functional.hessian(value, [variables[n] for n in names])
        return HessianResult(expr, value, {a: dict(zip(names, row))
                                           for a, row in zip(names, blocks)}, variables,
                             self._unused_notes(expr))

    def _size(self, command: str, value: Tensor,
              blocks: list[tuple[tuple[int, ...], int]]) -> None:
        """Refuse derivative blocks (shape, bytes per element) that, with their output, would
        not fit in --max-memory: before any is computed."""
        try:
            check_derivatives(command, value.data.shape, blocks, self.options.output,
                              self.options.full)
        except EngineError as e:
            raise self._whole(e.kind, e.message, e.hint) from None

    def tensor_result(self, value: Any, command: str) -> Tensor:
        if not isinstance(value, Tensor):
            raise self._whole("type", f"{command} needs a tensor result, not "
                              f"{type(value).__name__}")
        if not dtypes.is_float(value.data.dtype):
            raise self._whole("type", f"{command} needs a floating result, not "
                              f"{value.data.dtype.name}")
        return value

    def check(self, expr: str, eps: float, atol: float, rtol: float,
              max_evals: int = MAX_EVALS) -> CheckResult:
        """Autograd against central finite differences, in float64 (on a sample of the
        elements past ``max_evals`` evaluations)."""
        result = gradient_check(self, expr, eps, atol, rtol, max_evals)
        result.notes = self._unused_notes(expr)
        return result

    def graph(self, expr: str) -> GraphResult:
        return build_graph(self, expr)
