"""Every file in examples/ runs and its output is checked.

Every example's output is checked against torch's by test_golden_scripts.py (seeded random
numbers are PyTorch's); here, the results they exist to show.
"""

from __future__ import annotations

import re
from pathlib import Path

from cli_runner import Completed, run_cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def run(path: Path) -> Completed:
    """``gradcli run PATH`` in this process (tests/cli_runner.py)."""
    return run_cli(["run", str(path)], cwd=ROOT, timeout=300)


def test_every_example_has_expected_output() -> None:
    for path in EXAMPLES.glob("*.py"):
        assert path.with_suffix(".out").is_file(), f"{path.name} has no expected output"


def test_linear_regression_recovers_the_true_parameters() -> None:
    out = run(EXAMPLES / "linear_regression.py").stdout
    w0, w1, b = map(float, re.search(r"w = \[(\S+), (\S+)\], b = (\S+)", out).groups())
    assert (w0, w1, b) == (2.0, -3.4, 4.2)
    losses = [float(v) for v in re.findall(r"loss (\S+)", out)]
    assert losses == sorted(losses, reverse=True) and losses[-1] < 1e-4


def test_batch_file_runs_through_eval_stdin() -> None:
    text = (EXAMPLES / "batch.txt").read_text()
    proc = run_cli(["eval", "-", "--let", "x=tensor([1.0, 2.0])", "--format", "json"], text,
                   cwd=ROOT)
    expressions = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    assert len(proc.stdout.splitlines()) == len(expressions)
    assert proc.returncode == 1  # the file shows a failing line on purpose
