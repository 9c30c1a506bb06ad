"""The op table: every function of the language, declared once.

Each entry carries its implementation (forward and, beside it in the same module, its VJP),
the PyTorch grad_fn name of each case it records, its signature, the modules of PyTorch it
lives in, its symbolic derivative rules (text in the language, which ``gradcli diff`` reads;
the derivative column is made of them), an example, and how to check its gradient. The
language's builtins, ``torch`` namespaces and tensor methods, the ``gradcli ops`` listing,
the README's function list (``python tools/update_readme.py``), the golden generators and
the gradient tests all read it.
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
    "probability" (0.1..0.9), "above_one" (1.2..3), or "distinct" (well-separated values, for
    max/min/sort-like ops).
    """

    expr: str
    shapes: Mapping[str, tuple[int, ...]]
    domain: str = "real"
    second_order: bool = True


#: The modules of PyTorch a function can live in (``torch.nn.functional.relu``...).
NAMESPACES = ("torch", "torch.nn.functional", "torch.linalg", "torch.autograd")
#: A grad_fn name and the case that records it ("" when there is one case): PowBackward0 for a
#: number exponent, PowBackward1 for tensor ** tensor...
GradFn = tuple[str, str]


@dataclass(frozen=True)
class OpSpec:
    name: str
    impl: Callable[..., Any]
    signature: str
    category: str
    summary: str
    example: str
    derivative: str = "not differentiable"
    grad_fn: tuple[GradFn, ...] = ()
    method: bool = True
    function: bool = True
    aliases: tuple[str, ...] = ()
    checks: tuple[GradCheck, ...] = field(default_factory=tuple)
    #: The parameter ``x`` fills in ``x.name(...)`` (the first one unless said otherwise).
    self_arg: str | None = None
    #: Where PyTorch has it as a function (empty: a Tensor method only, as ``view``).
    namespaces: tuple[str, ...] = ("torch",)
    #: Symbolic derivative rules, one per differentiable parameter: an expression of the
    #: language over ``grad`` (the gradient of the result), ``result`` and the parameters,
    #: whose value is that parameter's gradient (it may have the broadcast shape: whoever
    #: applies it sums it back). ``gradcli diff`` reads them; ``derivative`` is made of them.
    rules: tuple[tuple[str, str], ...] = ()

    @property
    def grad_fns(self) -> tuple[str, ...]:
        """The grad_fn names this function records, one per case."""
        return tuple(name for name, _ in self.grad_fn)

    @property
    def differentiable(self) -> bool:
        return bool(self.grad_fn) and self.grad_fns != ("NotImplemented",)

    def grad_fn_text(self) -> str:
        """``PowBackward0 (number exponent), PowBackward1 (tensor ** tensor)``."""
        return ", ".join(f"{name} ({case})" if case else name for name, case in self.grad_fn)


OPS: dict[str, OpSpec] = {}
#: Other spellings of a function name (``torch.autograd.grad`` is ``grad``, ``absolute``...).
ALIASES: dict[str, str] = {}

CATEGORIES = (
    "creation", "arithmetic", "comparison", "element-wise", "reduction", "linear algebra",
    "shape", "indexing", "loss", "autograd", "data", "in-place",
)


def op(signature: str, *, category: str, summary: str, example: str,
       rules: Mapping[str, str] | None = None, derivative: str = "not differentiable",
       grad_fn: str | tuple[GradFn, ...] = "",
       method: bool = True, function: bool = True, aliases: tuple[str, ...] = (),
       checks: tuple[GradCheck, ...] = (), self_arg: str | None = None,
       namespaces: tuple[str, ...] | None = None,
       ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as the language function named in ``signature``.

    ``grad_fn`` is one name, or (name, case) pairs when the cases record different nodes.
    ``namespaces`` defaults to ``torch`` for a function and to none for a method only.
    ``rules`` are the symbolic derivatives; ``derivative`` is prose for a function that has
    none (dropout's random mask, cat's pieces), which ``gradcli diff`` refuses by name.
    """
    assert category in CATEGORIES, category
    cases: tuple[GradFn, ...] = (
        ((grad_fn, ""),) if grad_fn else ()) if isinstance(grad_fn, str) else tuple(grad_fn)
    assert all(n.removesuffix("_copy").endswith(_NODE_SUFFIXES) or n == "NotImplemented"
               for n, _ in cases), cases
    where = namespaces if namespaces is not None else ("torch",) if function else ()
    assert set(where) <= set(NAMESPACES), where

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        name = signature.split("(", 1)[0]
        assert name not in OPS, f"{name} declared twice"
        pairs = tuple((rules or {}).items())
        OPS[name] = OpSpec(name, fn, signature, category, summary, example,
                           describe(pairs) if pairs else derivative, cases, method, function,
                           aliases, checks, self_arg, where, pairs)
        for alias in aliases:
            ALIASES[alias] = name
        return fn

    return register


def describe(rules: tuple[tuple[str, str], ...]) -> str:
    """The derivative column of ``gradcli ops``, made of the symbolic rules."""
    if len(rules) == 1:
        return rules[0][1]
    return "; ".join(f"d/d{param} = {text}" for param, text in rules)


def lookup(name: str) -> OpSpec | None:
    return OPS.get(ALIASES.get(name, name))


_NODE_SUFFIXES = tuple(f"Backward{i}" for i in range(5))
_DERIVATIVES: dict[str, str] = {}


def derivative_of(grad_fn: str) -> str:
    """The derivative rule of the op named by ``grad_fn`` (pow for PowBackward0, not square),
    else of the first op that records it (for --trace and graph)."""
    if not _DERIVATIVES:
        own: dict[str, str] = {}
        for spec in OPS.values():
            for name in spec.grad_fns:
                _DERIVATIVES.setdefault(name, spec.derivative)
                if name.lower().rsplit("backward", 1)[0] == spec.name.replace("_", ""):
                    own.setdefault(name, spec.derivative)
        _DERIVATIVES.update(own)
        for name in ("IndexPutBackward0", "IndexPutImplBackward0", "SelectBackwardBackward0",
                     "SliceBackwardBackward0", "StackBackward0", "CatBackward0"):
            _DERIVATIVES.setdefault(name, "grad gathered at the indices")
    return _DERIVATIVES.get(grad_fn, "")
