"""The element-wise functions of SPEC 3's new list: PyTorch's error wording (from the torch
golden file), ``gradcli diff`` on them, and the ``torch.nn.functional`` spellings in a script."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from cli_runner import run_cli
from diff_support import derivative_text

from gradcli.errors import GradcliError
from gradcli.interpreter.evaluate import EvalOptions, Evaluator

GOLDEN = Path(__file__).parent / "golden"
CASES = {c["id"]: c for c in json.loads((GOLDEN / "eval_cases.json").read_text())}
EXPECTED = json.loads((GOLDEN / "eval_golden.json").read_text())

#: Golden cases where torch raises, for the new functions: gradcli says it in torch's words.
ERRORS = ["atan2_number_error", "floor_bool_error", "frac_int_error", "softplus_int_error",
          "gelu_bad_approximate_error", "gelu_int_error", "silu_inplace_leaf_error",
          "silu_int_error", "elu_int_error", "leaky_relu_int_error",
          "hardtanh_min_above_max_error"]


@pytest.mark.parametrize("case_id", ERRORS)
def test_errors_are_worded_as_torch_words_them(case_id: str) -> None:
    case = CASES[case_id]
    opts = EvalOptions(lets=[tuple(kv) for kv in case["lets"]], grad_output=case["grad_output"],
                       dtype=case["dtype"], seed=0)
    with pytest.raises(GradcliError) as info:
        Evaluator(opts, np.load).evaluate(case["expr"])
    assert info.value.message == EXPECTED[case_id]["error"]["message"]
    assert info.value.hint


@pytest.mark.parametrize(("expr", "shapes", "wrt", "printed"), [
    ("sum(softplus(x))", {"x": (3,)}, "x", "where(x > 20, ones(3), sigmoid(x))"),
    ("sum(sinh(x))", {"x": (3,)}, "x", "cosh(x)"),
    ("sum(atan2(x, y))", {"x": (3,), "y": (3,)}, "y", "-x/(x**2 + y**2)"),
    ("sum(square(x))", {"x": (3,)}, "x", "2*x"),
    ("sum(leaky_relu(x, 0.2))", {"x": (3,)}, "x", "where(x > 0, ones(3), 0.2*ones(3))"),
])
def test_diff_gives_the_derivative(expr: str, shapes: dict, wrt: str, printed: str) -> None:
    assert derivative_text(expr, shapes, wrt) == printed


@pytest.mark.parametrize("expr", [
    "sum(gelu(x, approximate='tanh'))", "sum(gelu(x))", "sum(elu(x, alpha=0.5))",
    "sum(hardtanh(x, 0.3, 0.9))", "sum(asin(x) * acos(x) + atan(x) + asinh(x) + atanh(x))",
    "sum(log2(x) + log10(x) + exp2(x) + expm1(x) + rsqrt(x) + erf(x) + erfc(x))",
    "sum(silu(x) + clamp_min(x, 0.5) + clamp_max(x, 0.5) + frac(x) + cosh(x))",
])
def test_diff_agrees_with_autograd(expr: str) -> None:
    derivative_text(expr, {"x": (4,)}, "x")  # checked against autograd at two points


def test_the_functional_spellings_in_a_script_print_what_torch_prints() -> None:
    script = "\n".join([
        "import torch",
        "import torch.nn.functional as F",
        "from torch.nn import functional as G",
        "x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)",
        "y = F.leaky_relu(x, negative_slope=0.2) + G.softplus(x, beta=2) "
        "+ F.gelu(x, approximate='tanh')",
        "y.sum().backward()",
        "print(y)",
        "print(x.grad)",
        "print(F.elu(x * 1, inplace=True))",
        "print(F.hardtanh(x, min_val=0.0, max_val=1.0))",
        "print(torch.square(torch.arange(3)), torch.floor(torch.arange(3)))",
        "",
    ])
    proc = run_cli(["run", "-"], script)
    assert proc.returncode == 0, proc.stderr
    # Printed by torch 2.13 running the same script.
    assert proc.stdout == (
        "tensor([ 1.5023, -0.2953,  5.9637], grad_fn=<AddBackward0>)\n"
        "tensor([2.5984, 0.2362, 3.0681])\n"
        "tensor([ 0.5000, -0.6321,  2.0000], grad_fn=<EluBackward1>)\n"
        "tensor([0.5000, 0.0000, 1.0000], grad_fn=<HardtanhBackward0>)\n"
        "tensor([0, 1, 4]) tensor([0, 1, 2])\n")


def test_a_shared_grad_fn_shows_the_rule_of_the_op_it_is_named_for() -> None:
    from gradcli.engine.ops import derivative_of

    # square records PowBackward0 too; --trace and graph show pow's rule for it.
    assert derivative_of("PowBackward0").startswith("d/dinput = grad * exponent")
    assert derivative_of("ClampMinBackward1") == "grad * (input >= min)"
