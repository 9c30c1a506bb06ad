"""Did-you-mean by meaning: names a newcomer types for a function gradcli has under another
name point at it, and PyTorch functions gradcli lacks are said to be missing."""

from __future__ import annotations

import pytest
from cli_runner import run_cli

from gradcli.engine.ops import ALIASES, OPS
from gradcli.interpreter.meanings import MEANT, TORCH_ONLY


@pytest.mark.parametrize("name", sorted(MEANT))
def test_each_meant_name_points_at_a_function_that_works(name: str) -> None:
    wrong = run_cli(["eval", f"{name}(x)", "--let", "x=ones(2)"])
    assert wrong.returncode == 1
    assert f"hint: did you mean {MEANT[name]}?" in wrong.stderr
    assert "--let" not in wrong.stderr  # a function, not a value to give
    right = run_cli(["eval", f"{MEANT[name]}", "--no-grad", "--format", "plain"])
    assert right.returncode == 0, right.stderr  # the suggested name exists


def test_the_functions_only_pytorch_has_are_not_in_the_op_table() -> None:
    assert not TORCH_ONLY & (set(OPS) | set(ALIASES))


@pytest.mark.parametrize("expr", ["svd(A)", "torch.svd(A)", "F.relu6(A)"])
def test_a_function_only_pytorch_has_is_said_to_be_missing(expr: str) -> None:
    proc = run_cli(["eval", expr, "--let", "A=eye(2)"])
    assert proc.returncode == 1
    assert "PyTorch has" in proc.stderr and "but gradcli does not (yet)" in proc.stderr
