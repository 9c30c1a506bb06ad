"""The first derivative under create_graph is PyTorch's node: its grad_fn name and whether it
requires grad, for every gradient check of the op table that torch evaluates
(tests/golden/double_backward_golden.json, written by make_double_backward_golden.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gradcli.interpreter.evaluate import EvalOptions, Evaluator

GOLDEN = json.loads((Path(__file__).parent / "golden" / "double_backward_golden.json").read_text())
CASES = [c for c in GOLDEN["cases"] if "skipped" not in c]

#: Where gradcli's first derivative is another node than PyTorch's, and why it is left so:
#: {(case id, variable): reason}, for the plain and (``_w``) the weighted sum alike. Each
#: must still differ (a fixed one is taken off the list).
_LEFT = {
    **{("einsum_0", v): "PyTorch's einsum runs through bmm with unsqueezes and squeezes "
       "(engine/ops/einsum.py)" for v in "ab"},
    **{("einsum_2", v): "as einsum_0" for v in "abc"},
    # The batched and broadcast einsum cases (`...`), golden since 2026-12-06 (night).
    **{(c, v): "as einsum_0" for c in ("einsum_4", "einsum_5", "einsum_7") for v in "ab"},
}
#: Only with a weighted sum (with the plain sum neither records a node).
_LEFT_WEIGHTED = {
    ("einsum_1", "a"): "PyTorch's einsum of a diagonal is diagonal(), whose backward is "
    "DiagonalBackwardBackward0",
    ("einsum_6", "a"): "as einsum_1 (a diagonal over the batch dims)",
}
KNOWN = {**_LEFT, **{(f"{c}_w", v): why for (c, v), why in {**_LEFT, **_LEFT_WEIGHTED}.items()}}


def _params() -> list[Any]:
    out = []
    for c in CASES:
        for name in c["grads"]:
            marks = ()
            if (c["id"], name) in KNOWN:
                marks = (pytest.mark.xfail(strict=True, reason=KNOWN[c["id"], name]),)
            out.append(pytest.param(c, name, id=f"{c['id']}-{name}", marks=marks))
    return out


def _derivatives(case: dict[str, Any]) -> dict[str, Any]:
    """{variable: (grad_fn name, requires_grad) of d sum(expr) / d variable, or None}."""
    names = [n for n, _ in case["lets"] if n != case["weights"]]
    total = f"({case['expr']}) * {case['weights']}" if case["weights"] else case["expr"]
    expr = f"grad(sum({total}), [{', '.join(names)}], create_graph=True, allow_unused=True)"
    opts = EvalOptions(lets=[tuple(kv) for kv in case["lets"]], dtype="float64", seed=0)
    grads = Evaluator(opts, np.load).evaluate(expr).value
    return {n: None if g is None else (g.grad_fn.name if g.grad_fn else None, g.requires_grad)
            for n, g in zip(names, grads)}


_CACHE: dict[str, dict[str, Any]] = {}


@pytest.mark.parametrize(("case", "name"), _params())
def test_first_derivative_is_torchs_node(case: dict[str, Any], name: str) -> None:
    if case["id"] not in _CACHE:
        _CACHE[case["id"]] = _derivatives(case)
    expected = case["grads"][name]
    expected = None if expected is None else (expected["grad_fn"], expected["requires_grad"])
    assert _CACHE[case["id"]][name] == expected


def test_known_differences_are_cases() -> None:
    ids = {(c["id"], n) for c in CASES for n in c["grads"]}
    assert set(KNOWN) <= ids, set(KNOWN) - ids
