"""The op table: every function of the language, declared once.

Each entry carries its implementation (forward and, beside it in the same module, its VJP),
the PyTorch grad_fn name(s) it records, its signature, its symbolic derivative rules (text in
the language, which ``gradcli diff`` reads and ``gradcli ops`` shows), an example, and how to
check its gradient. The language's builtins and tensor methods, the
``gradcli ops`` listing, the README's function list and the gradient tests all read it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class GradCheck:
    """How the generic finite-difference test exercises an op.

    ``expr`` is a gradcli expression over variables named in ``shapes`` (float64 leaves);
    ``domain`` picks their random values: "real", "positive" (0.5..2), "unit" (-0.9..0.9),
    or "distinct" (well-separated values, for max/min/sort-like ops).
    """

    expr: str
    shapes: Mapping[str, tuple[int, ...]]
    domain: str = "real"
    second_order: bool = True


@dataclass(frozen=True)
class OpSpec:
    name: str
    impl: Callable[..., Any]
    signature: str
    category: str
    summary: str
    example: str
    derivative: str = "not differentiable"
    grad_fn: str = ""
    method: bool = True
    function: bool = True
    aliases: tuple[str, ...] = ()
    checks: tuple[GradCheck, ...] = field(default_factory=tuple)
    #: The parameter ``x`` fills in ``x.name(...)`` (the first one unless said otherwise).
    self_arg: str | None = None
    #: Symbolic derivative rules, one per differentiable parameter: an expression of the
    #: language over ``grad`` (the gradient of the result), ``result`` and the parameters,
    #: whose value is that parameter's gradient (it may have the broadcast shape: whoever
    #: applies it sums it back). ``gradcli diff`` reads them; ``derivative`` is made of them.
    rules: tuple[tuple[str, str], ...] = ()


OPS: dict[str, OpSpec] = {}
#: Other spellings of a function name (``torch.autograd.grad`` is ``grad``, ``absolute``...).
ALIASES: dict[str, str] = {}

CATEGORIES = (
    "creation", "arithmetic", "comparison", "element-wise", "reduction", "linear algebra",
    "shape", "indexing", "autograd", "data",
)


def op(signature: str, *, category: str, summary: str, example: str,
       rules: Mapping[str, str] | None = None, grad_fn: str = "", method: bool = True,
       function: bool = True, aliases: tuple[str, ...] = (),
       checks: tuple[GradCheck, ...] = (),
       self_arg: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as the language function named in ``signature``."""
    assert category in CATEGORIES, category

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        name = signature.split("(", 1)[0]
        assert name not in OPS, f"{name} declared twice"
        pairs = tuple((rules or {}).items())
        OPS[name] = OpSpec(name, fn, signature, category, summary, example, describe(pairs),
                           grad_fn, method, function, aliases, checks, self_arg, pairs)
        for alias in aliases:
            ALIASES[alias] = name
        return fn

    return register


def describe(rules: tuple[tuple[str, str], ...]) -> str:
    """The derivative column of ``gradcli ops``, made of the symbolic rules."""
    if not rules:
        return "not differentiable"
    if len(rules) == 1:
        return rules[0][1]
    return "; ".join(f"d/d{param} = {text}" for param, text in rules)


def lookup(name: str) -> OpSpec | None:
    return OPS.get(ALIASES.get(name, name))


_DERIVATIVES: dict[str, str] = {}


def derivative_of(grad_fn: str) -> str:
    """The derivative rule of the first op that records ``grad_fn`` (for --trace and graph)."""
    if not _DERIVATIVES:
        for spec in OPS.values():
            for token in spec.grad_fn.replace(",", " ").split():
                if token.endswith(("Backward0", "Backward1", "Backward2", "Backward4")):
                    _DERIVATIVES.setdefault(token, spec.derivative)
        _DERIVATIVES.setdefault("SumBackward1", "grad broadcast back to input's shape")
        _DERIVATIVES.setdefault("ExpandBackward0", "grad summed over the expanded dimensions")
        _DERIVATIVES.setdefault("IndexPutBackward0", "grad gathered at the indices")
    return _DERIVATIVES.get(grad_fn, "")
