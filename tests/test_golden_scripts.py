"""`gradcli run SCRIPT` prints exactly what Python with torch prints for the same script.

Every tests/golden/scripts/NAME.py is both a gradcli script and a Python + torch program.
tests/golden/make_script_golden.py ran each under torch as Python's interactive prompt would
and recorded stdout in NAME.out and, for a script whose last statement raises, the exception
in NAME.err.json. This test runs `gradcli run NAME.py` (in this process) and compares; it never
imports torch.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_runner import Completed, run_cli

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "tests" / "golden" / "scripts"
EXAMPLES = ROOT / "examples"
# The examples are golden too (their .out was made with torch; seeded random numbers included).
GOLDEN_EXAMPLES = sorted(EXAMPLES.glob("*.py"))
CASES = sorted(SCRIPTS.glob("*.py")) + GOLDEN_EXAMPLES

# stderr must contain the first PREFIX characters of PyTorch's message (ignoring case: a
# message may start mid-sentence after gradcli's own context, "add: shapes ...: the size
# of tensor a ..."). Where gradcli's message differs from PyTorch's for a good reason, the
# fragment it must contain instead: {script stem: text}. Keep each fragment specific.
MESSAGE_FRAGMENTS: dict[str, str] = {}
PREFIX = 40


def _run(script: Path) -> Completed:
    """``gradcli run NAME.py`` in this process (tests/cli_runner.py: UTF-8 streams)."""
    return run_cli(["run", str(script.relative_to(ROOT))], cwd=ROOT,
                   env={"NO_COLOR": "1", "COLUMNS": "80"}, timeout=300)


def test_corpus_is_complete() -> None:
    assert len(CASES) >= 45
    stems = {p.stem for p in CASES}
    assert {f"seed_00{i}" for i in range(5)} | {"softmax_regression"} <= stems
    for path in CASES:
        assert path.with_suffix(".out").is_file(), f"{path.name} has no .out: regenerate"
    for path in SCRIPTS.iterdir():
        stem = path.name.split(".")[0]
        assert stem in stems, f"{path.name} belongs to no script"
    errors = [p for p in CASES if p.with_suffix(".err.json").is_file()]
    assert len(errors) >= 6
    assert set(MESSAGE_FRAGMENTS) <= {p.stem for p in errors}


@pytest.mark.parametrize("script", CASES, ids=lambda p: p.stem)
def test_script_prints_what_torch_prints(script: Path) -> None:
    expected = script.with_suffix(".out").read_text(encoding="utf-8")
    err_path = script.with_suffix(".err.json")
    proc = _run(script)
    context = f"gradcli run {script.name}: exit {proc.returncode}, stderr:\n{proc.stderr}"
    assert "Traceback (most recent call last)" not in proc.stderr, context
    assert proc.stdout == expected, context
    if err_path.is_file():
        error = json.loads(err_path.read_text(encoding="utf-8"))
        assert proc.returncode == 1, context
        fragment = MESSAGE_FRAGMENTS.get(script.stem, error["message"][:PREFIX])
        assert fragment.casefold() in proc.stderr.casefold(), \
            f"expected {fragment!r} on stderr; {context}"
    else:
        assert proc.returncode == 0, context
        assert proc.stderr == "", context
