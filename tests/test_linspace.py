"""linspace gives PyTorch's numbers bit for bit (golden data from torch)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from helpers import golden_array

from gradcli.interpreter.evaluate import EvalOptions, Evaluator

GOLDEN = Path(__file__).parent / "golden"
CASES = {c["id"]: c for c in json.loads((GOLDEN / "eval_cases.json").read_text())}
EXPECTED = json.loads((GOLDEN / "eval_golden.json").read_text())


@pytest.mark.parametrize("case_id", sorted(c for c in CASES if c.startswith("linspace")))
def test_linspace_is_torchs_bit_for_bit(case_id: str) -> None:
    """torch's CPU kernel computes start + step * i for the first half and end - step * (n-1-i)
    for the second, each a fused multiply-add: numpy's linspace differs in last bits (which
    can change how a tensor prints, e.g. the middle of linspace(-7, 7, 561) is -1.04e-07)."""
    case = CASES[case_id]
    got = Evaluator(EvalOptions(dtype=case["dtype"], no_grad=True),
                    np.load).evaluate(case["expr"]).value.data
    exp = EXPECTED[case_id]
    want = golden_array(exp["value"]).astype(exp["dtype"]).reshape(exp["shape"])
    assert got.dtype == want.dtype
    assert got.tobytes() == want.tobytes()
