"""Loaded data keeps the file's dtype where it has one (.npy/.npz, as torch.from_numpy).

Text formats (CSV, JSON, standard input) hold no dtype: their floats take the default dtype.
Checked through ``--let x=@FILE`` and ``load("FILE")``, with the leaf's gradient dtype.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from cli_runner import run_cli

from gradcli.cli.runtime import loader
from gradcli.data_io import load_data
from gradcli.interpreter.evaluate import EvalOptions, Evaluator

VALUES = [0.5, 1.5, -2.25]


def _files(tmp: Path) -> dict[str, str]:
    """One file per format and stored dtype: spec -> the dtype torch.from_numpy gives."""
    specs = {}
    for name in ("float16", "float32", "float64", "int32", "int64"):
        np.save(tmp / f"{name}.npy", np.array(VALUES if "float" in name else [1, 2, 3], name))
        specs[f"{name}.npy"] = name
    np.savez(tmp / "z.npz", f32=np.array(VALUES, np.float32), f64=np.array(VALUES))
    specs.update({"z.npz:f32": "float32", "z.npz:f64": "float64"})
    np.save(tmp / "flags.npy", np.array([True, False]))
    specs["flags.npy"] = "bool"
    (tmp / "t.csv").write_text("0.5,1.5,-2.25\n")
    (tmp / "t.json").write_text("[0.5, 1.5, -2.25]")
    (tmp / "i.csv").write_text("1,2,3\n")
    specs.update({"t.csv": "default", "t.json": "default", "i.csv": "int64"})
    return specs


def _expected(stored: str, default: str) -> str:
    if stored == "default":
        return default
    return "float32" if stored == "float16" else stored  # gradcli has no float16


@pytest.mark.parametrize("default", ["float32", "float64"])
def test_each_format_and_dtype_through_let_and_load(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, default: str) -> None:
    monkeypatch.chdir(tmp_path)
    for spec, stored in _files(tmp_path).items():
        want = _expected(stored, default)
        options = EvalOptions(lets=[("x", f"@{spec}")], dtype=default)
        ev = Evaluator(options, loader([False]))
        loaded = ev.evaluate(f'load("{spec}")').value
        assert (spec, str(loaded.dtype)) == (spec, f"torch.{want}")
        result = ev.evaluate("x.sum() * 2" if want.startswith("float") else "x")
        assert (spec, str(result.variables["x"].dtype)) == (spec, f"torch.{want}")
        if want.startswith("float"):
            grad = result.grads["x"]
            assert (spec, str(grad.dtype)) == (spec, f"torch.{want}")
            np.testing.assert_array_equal(grad.data, [2.0, 2.0, 2.0])
            # The values are the file's (0.1 is not rounded to float32 under float64...).
            np.testing.assert_array_equal(result.variables["x"].data, VALUES)
        else:
            assert "x" not in result.grads or result.grads["x"] is None


@pytest.mark.parametrize("default", [np.float32, np.float64])
def test_standard_input_takes_the_default_dtype(default: type) -> None:
    loaded = load_data("-", stdin=io.StringIO("[0.5, 1]"), text_float=default)
    assert loaded.dtype == default
    assert load_data("-", stdin=io.StringIO("[1, 2]"), text_float=default).dtype == np.int64


def test_cli_keeps_a_float64_npy_under_the_float32_default(tmp_path: Path) -> None:
    np.save(tmp_path / "f64.npy", np.array([0.1, 0.2]))
    proc = run_cli(["eval", "x.dtype", "--let", "x=@f64.npy", "--no-grad", "--format",
                    "plain"], None, cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.strip() == "torch.float64"
    proc = run_cli(["eval", "sum(x * x)", "--let", "x=@f64.npy", "--format", "json"], None,
                   cwd=tmp_path)
    assert proc.returncode == 0
    assert '"dtype": "float64"' in proc.stdout and '"x": [0.2, 0.4]' in proc.stdout
