"""tools/torch_diff.py without torch: every kind draws well-formed cases that gradcli takes
(a result or a gradcli error, never an internal one), so the tool does not rot between the
sessions that run it against torch."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from gradcli.errors import GradcliError
from gradcli.syntax.parser import parse_program

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import torch_diff  # noqa: E402


@pytest.mark.parametrize("kind", ["grad", "grad2", "float32", "odd", "calls"])
def test_every_kind_draws_cases_gradcli_evaluates(kind: str) -> None:
    cases = torch_diff.make_cases(kind, 12, seed=3)
    assert len(cases) >= 6
    assert len({c["id"] for c in cases}) == len(cases)
    for case in cases:
        assert set(case) == {"id", "expr", "lets", "dtype", "grad_output", "random"}
        try:
            torch_diff._evaluate(case)
        except GradcliError:
            pass  # a gradcli error is an outcome the tool compares with torch's


def test_the_scripts_kind_draws_scripts_that_parse() -> None:
    sources = torch_diff._draw(torch_diff.scripts(), 10, 3)
    assert len(sources) == 10
    for source in sources:
        assert source.startswith("import torch\n")
        parse_program(source)
