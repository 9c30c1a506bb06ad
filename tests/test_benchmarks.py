"""The benchmark harness runs (a smoke test, not a timed one: no assertion is about speed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENGINES = {"numpy", "gradcli", "gradcli-interp"}
WORKLOADS = {"elementwise", "dot", "matmul_tanh", "mse", "chain20"}


@pytest.mark.slow
def test_run_quick_writes_the_figures(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick",
                           "--json", str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "ratio to hand-written numpy" in proc.stdout
    data = json.loads(out.read_text())
    assert {"meta", "big", "small_ops", "eval_stream", "targets"} <= set(data)
    assert ENGINES <= set(data["meta"]["engines"])
    rows = data["big"]
    assert {r["workload"] for r in rows} == WORKLOADS
    assert {r["dtype"] for r in rows} == {"float32", "float64"}
    for row in rows:
        assert {"engine", "n", "median_s", "ratio_to_numpy", "ratio_to_torch", "check",
                "mem_rss_extra", "mem_ratio_to_numpy"} <= set(row)
        assert row["median_s"] > 0
        # Every engine's value and gradients agree with hand-written numpy's.
        assert row["check"] == "ok", row
    engines = data["small_ops"]["engines"]
    assert {"gradcli script (interpreter)", "gradcli engine from Python",
            "numpy, no gradients"} <= set(engines)
    for entry in engines.values():
        assert entry["us_per_op"] > 0
        assert entry["check"] in ("ok", None)
    stream = data["eval_stream"]
    assert stream["check"] == "ok"
    assert stream["expr_per_s_gross"] > 0


@pytest.mark.slow
def test_targets_writes_the_figures_without_torch(tmp_path: Path) -> None:
    """Issue 19's targets (benchmarks/targets.py) in the test venv: gradcli and numpy only."""
    out = tmp_path / "targets.json"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "targets.py"),
                           "--repeats", "1", "--stream-lines", "30", "--steps", "100",
                           "--tiny", "12", "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    data = json.loads(out.read_text())
    assert data["stream"]["check"] == "ok"
    assert data["stream"]["gradcli_lines_per_s_net"] is None or \
        data["stream"]["gradcli_lines_per_s_net"] > 0
    assert data["script"]["gradcli_to_numpy"] is None or data["script"]["gradcli_to_numpy"] > 0
    assert data["script"]["gradcli_run_net_s"] is not None
    assert data["tiny"]["gradcli_us"] > 0
    assert set(data["dot"]["checks"].values()) == {"ok"}
    for figures in data["parse"]["texts"].values():
        assert figures["gradcli_us"] > 0 and figures["compile_us"] > 0
    if data["torch"] is None:
        assert data["stream"]["torch_lines_per_s"] is None
