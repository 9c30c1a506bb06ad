"""`gradcli eval` against PyTorch 2.13: values, dtypes, grad_fn names, reprs and gradients.

The expected data was generated with torch by tests/golden/make_eval_golden.py; this test
runs without torch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import golden_array

from gradcli.engine import Tensor
from gradcli.errors import GradcliError
from gradcli.interpreter.evaluate import EvalOptions, Evaluator
from gradcli.render.text import to_text

GOLDEN = Path(__file__).parent / "golden"
CASES = json.loads((GOLDEN / "eval_cases.json").read_text())
EXPECTED = json.loads((GOLDEN / "eval_golden.json").read_text())


def _close(actual: np.ndarray, expected: Any, dtype: str) -> None:
    tol = 1e-12 if dtype == "float64" else 2e-6
    want = golden_array(expected)
    if want.size == 0 and actual.size == 0:  # torch's tolist() of shape (0, 4) is [], shape (0,)
        want = want.reshape(actual.shape)  # (the shapes themselves are compared by the caller)
    np.testing.assert_allclose(actual.astype(float), want, rtol=tol, atol=tol, equal_nan=True)


def _check_value(value: Any, exp: dict[str, Any]) -> None:
    kind = exp["type"]
    if kind == "tensor":
        assert isinstance(value, Tensor), f"expected a tensor, got {value!r}"
        assert list(value.data.shape) == exp["shape"]
        assert value.data.dtype.name == exp["dtype"]
        assert (value.grad_fn.name if value.grad_fn else None) == exp["grad_fn"]
        assert value.requires_grad == exp["requires_grad"]
        _close(value.data, exp["value"], exp["dtype"])
        assert to_text(value) == exp["repr"]
    elif kind == "tuple":
        assert isinstance(value, tuple) and len(value) == len(exp["value"])
        for v, e in zip(value, exp["value"]):
            _check_value(v, e)
    elif kind in ("int", "float", "bool"):
        assert type(value).__name__ == kind
        assert value == pytest.approx(exp["value"], rel=2e-6)
    else:
        assert to_text(value) == exp["repr"]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_eval_matches_torch(case: dict[str, Any]) -> None:
    exp = EXPECTED[case["id"]]
    opts = EvalOptions(lets=[tuple(kv) for kv in case["lets"]], grad_output=case["grad_output"],
                       dtype=case["dtype"], seed=0)
    error = exp.get("error")
    if error is not None:
        with pytest.raises(GradcliError) as info:
            Evaluator(opts, np.load).evaluate(case["expr"])
        assert info.value.kind != "syntax", info.value.message
        return
    result = Evaluator(opts, np.load).evaluate(case["expr"])
    # Cases marked random are compared too: seeded, gradcli draws torch's numbers.
    _check_value(result.value, exp)
    for name, g in exp["grads"].items():
        actual = result.grads.get(name)
        if g is None:
            assert actual is None, f"{name}.grad should be None"
            continue
        assert actual is not None, f"{name}.grad is None"
        _close(actual.data, g, actual.data.dtype.name)
        assert to_text(actual) == exp["grad_reprs"][name]


def test_every_differentiable_op_has_golden_cases() -> None:
    from gradcli.engine.ops import OPS

    text = " ".join(c["expr"] + " " + " ".join(v for _, v in c["lets"]) for c in CASES)
    missing = [name for name, spec in OPS.items() if spec.grad_fn and name not in text]
    assert not missing, f"ops without torch golden cases: {missing}"


def test_every_grad_fn_the_op_table_declares_is_one_torch_recorded() -> None:
    """The table's grad_fn names, case by case, are PyTorch's: each is the grad_fn of some
    golden case's result (grad_fn_names.json, written by torch)."""
    from gradcli.engine.ops import OPS

    recorded = set(json.loads((GOLDEN / "grad_fn_names.json").read_text()).values())
    missing = [(name, grad_fn, case) for name, spec in OPS.items()
               for grad_fn, case in spec.grad_fn if grad_fn not in recorded]
    assert not missing, f"grad_fn names no torch golden case records: {missing}"


#: A function of the same name in torch that is another function: torch.linalg.norm takes
#: ``ord`` and is a matrix norm on matrices, so it is not norm(input, p, dim);
#: torch.binary_cross_entropy_with_logits takes reduction as an int, after pos_weight;
#: torch.linalg.diagonal takes the last two dims by default, and by keyword only; torch.solve
#: is the function removed in 1.9, which only raises.
OTHER_FUNCTIONS = {("norm", "torch.linalg"), ("binary_cross_entropy_with_logits", "torch"),
                   ("diagonal", "torch.linalg"), ("solve", "torch")}


def test_the_op_table_namespaces_are_where_torch_has_each_function() -> None:
    """Each function lives in the torch modules where torch 2.13 has it (torch_namespaces.json,
    written by torch), and the language reaches it there and nowhere else."""
    from gradcli.engine.ops import NAMESPACES, OPS
    from gradcli.interpreter.builtins import TORCH
    from gradcli.interpreter.values import Namespace, OpFunction

    torch_has = json.loads((GOLDEN / "torch_namespaces.json").read_text())
    modules = {"torch": TORCH}
    for where in NAMESPACES[1:]:
        module = TORCH
        for part in where.split(".")[1:]:
            module = module.members[part]
            assert isinstance(module, Namespace)
        modules[where] = module
    for spec in OPS.values():
        for spelling in (spec.name, *spec.aliases):
            declared, real = set(spec.namespaces), set(torch_has[spelling])
            assert declared <= real, f"{spelling}: torch has no {declared - real}"
            assert real - declared <= {w for n, w in OTHER_FUNCTIONS if n == spelling}, (
                f"{spelling}: torch also has it in {real - declared}")
            for where, module in modules.items():
                member = module.members.get(spelling)
                reached = isinstance(member, OpFunction) and member.spec is spec
                assert reached == (where in declared), f"{where}.{spelling}"
