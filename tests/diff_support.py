"""Helpers for the diff tests: the symbolic derivative at given points, checked by autograd."""

from __future__ import annotations

import re

import numpy as np

from gradcli.interpreter.evaluate import EvalOptions, Evaluator
from gradcli.render.diff_output import inline
from gradcli.symbolic.derive import DiffResult, differentiate

TOKEN = re.compile(r"\d+\.?\d*|\w+|\*\*|//|[^\s\w]")


def tokens(text: str) -> int:
    return len(TOKEN.findall(text))


def point(shapes: dict[str, tuple[int, ...]], seed: int, low: float = 0.2,
          high: float = 1.2) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {name: rng.uniform(low, high, shape) for name, shape in shapes.items()}


def derive(text: str, values: dict[str, np.ndarray], wrt: list[str] | None = None,
           order: int = 1) -> DiffResult:
    """diff's result at ``values``, checked against autograd (a failed check raises)."""
    evaluator = Evaluator(EvalOptions(dtype="float64"), lambda _: np.zeros(0))
    for name, value in values.items():
        evaluator.bound[name] = value
    names = wrt or list(values)
    return differentiate(text, values, names, order, evaluator)


def derivative_text(text: str, shapes: dict[str, tuple[int, ...]], wrt: str,
                    seeds: tuple[int, ...] = (1, 2)) -> str:
    """The printed derivative, checked at one point per seed (the text must not change)."""
    printed = set()
    for seed in seeds:
        result = derive(text, point(shapes, seed), [wrt])
        (d,) = result.derivatives
        assert d.check is not None and d.check.ok
        printed.add(inline(d.node))
    assert len(printed) == 1, printed
    return printed.pop()
