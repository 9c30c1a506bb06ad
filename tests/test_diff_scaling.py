"""gradcli diff on long chains (issue 18): simplifying and printing grow with the size of
the result, not with its square or cube, and printing stays within --max-memory."""

from __future__ import annotations

import json
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from cli_runner import run_cli

from gradcli.interpreter.evaluate import EvalOptions, Evaluator
from gradcli.limits import MAX_NESTING, set_max_nesting
from gradcli.render.diff_output import inline
from gradcli.symbolic import simplify
from gradcli.symbolic.derive import DiffResult, differentiate


def chain(n: int) -> str:
    """sin(sin(...sin(x))), n deep: its derivative is a product of n factors cos(...)."""
    return "sin(" * n + "x" + ")" * n


def derive(text: str) -> DiffResult:
    """diff's derivative of ``text`` in the scalar x, unchecked (the check is not the point)."""
    values = {"x": np.array(0.5)}
    evaluator = Evaluator(EvalOptions(dtype="float64"), lambda _: np.zeros(0))
    evaluator.bound.update(values)
    return differentiate(text, values, ["x"], 1, evaluator, check=False)


@pytest.fixture(autouse=True)
def _deep() -> Iterator[None]:
    """Room for the chains: --max-nesting 2000, and the recursion limit `gradcli diff` sets."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
    set_max_nesting(2000)
    yield
    set_max_nesting(MAX_NESTING)


def _flattenings(monkeypatch: pytest.MonkeyPatch, n: int) -> int:
    """How many times simplify splits a node into factors for the chain of depth n."""
    calls = [0]
    factors = simplify._factors

    def counted(*args: object, **kwargs: object) -> None:
        calls[0] += 1
        factors(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(simplify, "_factors", counted)
    derive(chain(n))
    monkeypatch.setattr(simplify, "_factors", factors)
    return calls[0]


def test_a_product_chain_is_simplified_in_linear_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each prefix of the product was flattened and rebuilt whole: n**2/2 splits (80,000 at
    n = 400). A product in its simplest form that grows by one factor is known simplest."""
    small, big = _flattenings(monkeypatch, 100), _flattenings(monkeypatch, 400)
    assert big <= 6 * small, (small, big)  # 4x deeper: 4x the work, not 16x


def test_printing_a_deep_chain_takes_memory_linear_in_its_text() -> None:
    """The printer kept the text of every prefix of the product: the cube of the depth (100 MB
    for the 400K characters of a 400-deep chain's derivative)."""
    result = derive(chain(400))
    (d,) = result.derivatives
    tracemalloc.start()
    try:
        text = inline(d.node)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert text.startswith("cos(sin(sin(") and text.endswith(")))*cos(sin(x))*cos(x)")
    assert text.count("*") == 399
    assert peak < 10 * len(text) + (1 << 20), (peak, len(text))  # 2.96 MB here


@pytest.mark.parametrize("fmt", ["plain", "json", "latex"])
def test_printing_stays_within_max_memory(tmp_path: Path, fmt: str) -> None:
    """The printed text is sized before it is made: a limit error naming --max-memory (the
    printer of an 800-deep chain took 0.85 GB, whatever the flag said)."""
    from gradcli.engine.memory import resident

    budget = resident() + (4 << 20)
    proc = run_cli(["diff", chain(800), "--shape", "x=", "--max-nesting", "1000",
                    "--no-check", "--format", fmt, "--max-memory", str(budget)], cwd=tmp_path)
    assert proc.returncode == 1, proc
    assert "Traceback" not in proc.stdout + proc.stderr
    if fmt == "json":
        error = json.loads(proc.stdout)["error"]
        assert error["kind"] == "limit" and "(--max-memory)" in error["message"]
    else:
        assert proc.stderr.startswith("error[limit]: ") and "(--max-memory)" in proc.stderr


@pytest.mark.slow
def test_a_1600_deep_chain_prints_exactly(tmp_path: Path) -> None:
    """The printer makes children first, without recursion; each factor is whole."""
    proc = run_cli(["diff", chain(1600), "--shape", "x=", "--max-nesting", "2000",
                    "--format", "plain"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    factors = proc.stdout.rstrip("\n").split("*")
    assert len(factors) == 1600
    assert factors[-1] == "cos(x)" and factors[0] == "cos(" + chain(1599) + ")"
    assert all(f == "cos(" + chain(1599 - i) + ")" for i, f in enumerate(factors))
