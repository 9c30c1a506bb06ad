"""The derivative toolkit: check, --trace, --detect-anomaly, and the commands' CLI faces."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from cli_runner import Completed, run_cli
from helpers import check_inputs

from gradcli.engine.ops import OPS
from gradcli.errors import GradcliError
from gradcli.interpreter.evaluate import EvalOptions, Evaluator

ROOT = Path(__file__).resolve().parent.parent
CHECKS = [(name, c) for name, spec in OPS.items() for c in spec.checks]


def evaluator(lets: list[tuple[str, str]], **kw) -> Evaluator:
    return Evaluator(EvalOptions(lets=lets, **kw), np.load)


def cli(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> Completed:
    """``gradcli ARGS`` in this process (tests/cli_runner.py)."""
    return run_cli(args, stdin, cwd=ROOT, env=env)


def _lets(check) -> list[tuple[str, str]]:
    return [(n, f"tensor({v.tolist()})") for n, v in check_inputs(check, seed=3).items()]


@pytest.mark.parametrize("name, check", CHECKS, ids=[f"{n}-{c.expr}" for n, c in CHECKS])
def test_check_passes_on_every_op(name: str, check) -> None:
    result = evaluator(_lets(check)).check(check.expr, 1e-6, 1e-5, 1e-3)
    assert result.ok, result


def test_check_catches_a_wrong_vjp(monkeypatch: pytest.MonkeyPatch) -> None:
    from gradcli.engine.ops import arithmetic

    def wrong(g, node):
        a, b = node.unpack()
        return (g * b * 1.01 if node.needs(0) else None), (g * a if node.needs(1) else None)

    def wrong_fast(g, node, owned):  # the same mistake in the raw-array VJP backward uses
        a, b = node.unpack()
        return (g * b.data * 1.01 if node.needs(0) else None), \
            (g * a.data if node.needs(1) else None)

    monkeypatch.setattr(arithmetic, "_mul_vjp", wrong)
    monkeypatch.setattr(arithmetic, "_mul_fast", wrong_fast)
    result = evaluator([("x", "[1.0, 2.0]"), ("y", "[3.0, -1.0]")]).check(
        "sum(x * y)", 1e-6, 1e-5, 1e-3)
    assert not result.ok
    assert not result.vars["x"].ok and result.vars["y"].ok
    index, analytic, numeric, err = result.vars["x"].worst[0]
    assert analytic == pytest.approx(3.03) and numeric == pytest.approx(3.0)


def test_check_cli_exit_codes_and_json() -> None:
    ok = cli("check", "sum(sin(x) * exp(x))", "--let", "x=[0.1, 0.5, 2.0]", "--format", "json")
    assert ok.returncode == 0
    obj = json.loads(ok.stdout)
    assert obj["ok"] is True and set(obj["vars"]["x"]) == {"max_abs_err", "max_rel_err"}
    # relu's kink at a sample point: autograd says 0, central differences say 0.5.
    bad = cli("check", "sum(relu(x))", "--let", "x=[0.0, 1.0]", "--format", "json", "-v")
    assert bad.returncode == 1
    assert json.loads(bad.stdout)["vars"]["x"]["worst"][0]["index"] == [0]


def test_check_reports_a_nan_error_as_its_maximum() -> None:
    """sqrt at 0: autograd says inf, central differences NaN. The maximum used to skip the
    NaN and report a tiny error beside FAIL, with nothing to say why."""
    bad = cli("check", "sum(sqrt(x))", "--let", "x=[0.0, 1.0]", "--format", "json")
    assert bad.returncode == 1
    assert json.loads(bad.stdout)["vars"]["x"] == {"max_abs_err": "NaN", "max_rel_err": "NaN"}


def test_trace_runs_in_reverse_topological_order_and_sums_to_the_gradients() -> None:
    ev = evaluator([("x", "[1.0, 2.0, 3.0]"), ("w", "[0.5, -1.0, 2.0]")], trace=True)
    expr = "sum(tanh(x * w) + x ** 2) * 2"
    result = ev.evaluate(expr)
    steps = result.trace
    assert steps[0].grad_fn == "MulBackward0" and steps[0].step == 1
    # Each node runs after every node that sends it a gradient.
    position = {s.grad_fn: i for i, s in enumerate(steps)}
    for i, s in enumerate(steps):
        for to, _ in s.sent:
            if to in position:
                assert position[to] > i, f"{to} ran before {s.grad_fn}"
    final = {}
    for s in steps:
        for name, g in s.leaves:
            final[name] = g
    for name, g in result.grads.items():
        np.testing.assert_allclose(final[name], g.data)


def test_detect_anomaly_points_at_the_operation() -> None:
    ev = evaluator([("x", "tensor([-1.0, 0.0, 4.0])")], detect_anomaly=True)
    with pytest.raises(GradcliError) as info:
        ev.evaluate("where(x > 0, sqrt(x), 0).sum()")
    err = info.value
    assert err.kind == "value" and "SqrtBackward0" in err.message and "forward" in err.message
    assert (err.line, err.column, err.end_column) == (1, 14, 21)
    ev = evaluator([("x", "tensor([1.0, 0.0, 4.0])")], detect_anomaly=True)
    with pytest.raises(GradcliError) as info:
        ev.evaluate("where(x > 0, sqrt(x), 0).sum()")
    assert "backward" in info.value.message and "SqrtBackward0" in info.value.message
    assert info.value.column == 14


def test_without_anomaly_detection_nan_gradients_are_reported_not_raised() -> None:
    result = evaluator([("x", "tensor([1.0, 0.0, 4.0])")]).evaluate("where(x > 0, sqrt(x), 0).sum()")
    g = result.grads["x"].data
    assert g[0] == 0.5 and np.isnan(g[1]) and g[2] == 0.25


def test_run_detect_anomaly_in_a_script() -> None:
    proc = cli("run", "-", "--detect-anomaly",
               stdin="import torch\nx = torch.tensor([1.0, 0.0], requires_grad=True)\n"
                     "y = torch.where(x > 0, torch.sqrt(x), 0).sum()\ny.backward()\n")
    assert proc.returncode == 1 and "anomaly in backward" in proc.stderr and "3:" in proc.stderr


def test_hessian_of_a_linear_function_is_zero_and_needs_a_scalar() -> None:
    ev = evaluator([("x", "[1.0, 2.0]"), ("a", "[3.0, 4.0]")], wrt=["x"])
    h = ev.hessian("dot(a, x)").hessian
    assert all(not blk.any() for row in h.values() for blk in row.values())
    with pytest.raises(GradcliError, match="scalar"):
        ev.hessian("x * 2")


def test_jacobian_hessian_cli_json() -> None:
    j = json.loads(cli("jacobian", "x * x", "--let", "x=[1.0, 2.0]", "--format", "json").stdout)
    assert j["jacobian"] == {"x": [[2.0, 0.0], [0.0, 4.0]]}
    h = json.loads(cli("hessian", "sum(x ** 3) + sum(x * y)", "--let", "x=[1.0, 2.0]", "--let",
                       "y=[0.5, 0.5]", "--format", "json").stdout)
    assert h["hessian"]["x"]["x"] == [[6.0, 0.0], [0.0, 12.0]]
    assert h["hessian"]["x"]["y"] == [[1.0, 0.0], [0.0, 1.0]]
    assert h["hessian"]["y"]["y"] == [[0.0, 0.0], [0.0, 0.0]]


def test_eval_trace_json() -> None:
    obj = json.loads(cli("eval", "2*dot(x,x)", "--let", "x=arange(3.0)", "--trace",
                         "--format", "json").stdout)
    assert [s["grad_fn"] for s in obj["trace"]] == ["MulBackward0", "DotBackward0"]
    assert obj["trace"][1]["leaves"] == {"x": [0.0, 4.0, 8.0]}


def test_graph_formats_from_the_cli(tmp_path: Path) -> None:
    import shutil

    args = ["graph", "2*dot(x,x)", "--let", "x=arange(4.0)"]
    tree = cli(*args)
    assert tree.returncode == 0
    assert "MulBackward0" in tree.stdout and "x (see above)" in tree.stdout
    assert "grad=[0., 4., 8., 12.]" in tree.stdout
    mermaid = cli(*args, "--format", "mermaid").stdout
    assert mermaid.startswith("flowchart") and mermaid.count("-->") == 3
    dot = cli(*args, "--format", "dot").stdout
    assert dot.startswith("digraph") and "ellipse" in dot and "box" in dot
    if shutil.which("dot"):
        svg = tmp_path / "g.svg"
        assert cli(*args, "-o", str(svg)).returncode == 0
        assert "<svg" in svg.read_text()
        parsed = subprocess.run(["dot", "-Tsvg"], input=dot, capture_output=True, text=True)
        assert parsed.returncode == 0
    missing = cli(*args, "-o", str(tmp_path / "g.png"), env={"PATH": str(Path(sys.executable).parent)})
    assert missing.returncode == 1 and "graphviz" in missing.stderr.lower()
    assert "--format dot" in missing.stderr
