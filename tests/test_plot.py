"""gradcli plot: the numbers (f' and f'' by autograd against the known derivatives, the
tangent, the undefined points), the refusals, and each output: terminal, csv, json, files."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from cli_runner import run_cli

from gradcli.errors import GradcliError
from gradcli.interpreter.evaluate import EvalOptions, Evaluator, split_let
from gradcli.interpreter.plotting import parse_range, plot_points
from gradcli.render.plot_data import equation, render_csv, render_json
from gradcli.render.plot_terminal import render_terminal
from gradcli.results import PlotResult, Tangent

GOLDEN = Path(__file__).parent / "golden" / "plot_sin_80x24.txt"


def points(*exprs: str, x: str = "x=-5:5:201", lets: tuple[str, ...] = (), order: int = 1,
           tangent: float | None = None) -> PlotResult:
    ev = Evaluator(EvalOptions(lets=[split_let(t) for t in lets], dtype="float64"),
                   lambda spec: np.load(spec))
    name, grid = parse_range(x)
    return plot_points(ev, list(exprs), name, grid, order, tangent, seed=0)


def gradcli(*args: str, env: dict[str, str] | None = None) -> Any:
    """The command in-process (tests/cli_runner), as on a terminal-less 80x24 NO_COLOR run."""
    return run_cli(args, env={"NO_COLOR": "1", "COLUMNS": "80", "LINES": "24", **(env or {})})


# -- the numbers -------------------------------------------------------------------------
def test_derivative_of_sin_is_cos_and_second_is_minus_sin() -> None:
    result = points("sin(x)", x="x=-6.3:6.3:401", order=2)
    curve = result.curves[0]
    assert result.x[0] == -6.3 and result.x[-1] == 6.3 and len(result.x) == 401
    np.testing.assert_allclose(curve.f, np.sin(result.x), rtol=0, atol=1e-15)
    np.testing.assert_allclose(curve.df, np.cos(result.x), rtol=0, atol=1e-15)
    np.testing.assert_allclose(curve.d2f, -np.sin(result.x), rtol=0, atol=1e-15)


def test_derivative_of_the_tangent_example() -> None:
    curve = points("x**3 - 1/x", x="x=0.2:3:57", order=2).curves[0]
    x = np.linspace(0.2, 3, 57)
    np.testing.assert_allclose(curve.df, 3 * x**2 + 1 / x**2, rtol=1e-14)
    np.testing.assert_allclose(curve.d2f, 6 * x - 2 / x**3, rtol=1e-14)


def test_tangent_at_one_is_4x_minus_4() -> None:
    curve = points("x**3 - 1/x", tangent=1.0).curves[0]
    assert curve.tangent == Tangent(x0=1.0, y0=0.0, slope=4.0)
    assert curve.tangent.intercept == -4.0
    assert equation(curve.tangent, "x") == "y = 4.0*x - 4.0"


def test_tangent_equation_text() -> None:
    assert equation(Tangent(0.5, 0.0, 2.0), "t") == "y = 2.0*t - 1.0"
    assert equation(Tangent(0.0, 0.0, 1.0), "x") == "y = 1.0*x + 0.0"
    assert equation(Tangent(1.0, 1.0 / 3 + 0.5, 0.5), "x") == "y = 0.5*x + 0.333333"


def test_log_over_minus_one_to_one_has_101_undefined_points() -> None:
    curve = points("log(x)", x="x=-1:1").curves[0]
    # x < 0: 100 points where log is NaN; x = 0 exactly (point 100): log is -inf, 1/x is inf.
    assert int(curve.undefined.sum()) == 101
    assert np.isneginf(curve.f[100]) and np.isposinf(curve.df[100])
    np.testing.assert_allclose(curve.df[101:], 1 / np.linspace(-1, 1, 201)[101:], rtol=1e-15)


def test_several_expressions_and_let_variables() -> None:
    result = points("a*x**2", "tanh(x)", "b", lets=("a=3.0", "b=2.0 * a"))
    square, tanh, const = result.curves
    np.testing.assert_allclose(square.df, 6 * result.x, rtol=1e-15)
    np.testing.assert_allclose(tanh.df, 1 - np.tanh(result.x) ** 2, rtol=1e-12, atol=1e-15)
    assert np.all(const.f == 6.0) and np.all(const.df == 0.0)


def test_a_number_is_a_constant_function() -> None:
    curve = points("2.5").curves[0]
    assert np.all(curve.f == 2.5) and np.all(curve.df == 0.0)


def test_random_numbers_are_the_same_in_every_evaluation() -> None:
    # Element-wise noise: the checks evaluate the expression again, with the same numbers.
    curve = points("x + 0.1 * randn(201)").curves[0]
    assert np.all(curve.df == 1.0)


# -- refusals ------------------------------------------------------------------------------
@pytest.mark.parametrize("expr, why", [
    ("x - mean(x)", "Jacobian is not diagonal"),
    ("softmax(x, 0)", "Jacobian is not diagonal"),
    ("x / norm(x)", "Jacobian is not diagonal"),
    ("x[0] * x", "Jacobian is not diagonal"),
    ("W @ x", "Jacobian is not diagonal"),
    ("sum(x)", "one number computed from all the points"),
    ("x / max(x).detach()", "value at one point changes"),
    ("where(x > mean(x), 1.0, 0.0)", "value at one point changes"),
])
def test_not_element_wise_is_refused(expr: str, why: str) -> None:
    with pytest.raises(GradcliError) as info:
        points(expr, lets=("W=randn(201, 201)",))
    assert info.value.kind == "value"
    assert f"{expr} is not element-wise in x" in info.value.message and why in info.value.message


def test_a_result_of_another_shape_is_refused() -> None:
    with pytest.raises(GradcliError) as info:
        points("x + zeros(3, 1)")
    assert info.value.kind == "shape" and "shape (3, 201)" in info.value.message


@pytest.mark.parametrize("spec", ["x", "x=1", "x=1:2:3:4", "x=a:b", "x=2:1", "x=0:1:1",
                                  "x=0:1:many", "2x=0:1", "x=0:inf"])
def test_bad_range_is_a_usage_error(spec: str) -> None:
    with pytest.raises(GradcliError) as info:
        parse_range(spec)
    assert info.value.kind == "usage" and "--x" in info.value.message


def test_free_variable_cannot_be_a_let_too() -> None:
    with pytest.raises(GradcliError, match="free variable of --x"):
        points("x", lets=("x=1.0",))


# -- outputs -------------------------------------------------------------------------------
def test_csv_columns_and_values() -> None:
    text = render_csv(points("log(x)", x="x=-1:1:5", order=2))
    assert text.splitlines() == ["x,f,df,d2f", "-1.0,nan,-1.0,-1.0", "-0.5,nan,-2.0,-4.0",
                                 "0.0,-inf,inf,-inf", "0.5,-0.6931471805599453,2.0,-4.0",
                                 "1.0,0.0,1.0,-1.0"]
    several = render_csv(points("x", "2*x", x="x=0:1:2"))
    assert several.splitlines() == ["x,f1,df1,f2,df2", "0.0,0.0,1.0,0.0,2.0", "1.0,1.0,1.0,2.0,2.0"]


def test_json_is_strict_with_nan_strings() -> None:
    obj = json.loads(render_json(points("log(x)", x="x=-1:1:3", tangent=1.0)),
                     parse_constant=lambda c: pytest.fail(f"bare {c}"))
    assert obj["variable"] == "x" and obj["x"] == [-1.0, 0.0, 1.0]
    curve = obj["curves"][0]
    assert curve["f"] == ["NaN", "-Infinity", 0.0] and curve["df"] == [-1.0, "Infinity", 1.0]
    assert curve["undefined"] == 2
    assert curve["tangent"] == {"x0": 1.0, "y0": 0.0, "slope": 1.0, "intercept": -1.0,
                                "equation": "y = 1.0*x - 1.0"}


def test_terminal_plot_of_sin_at_80x24_is_the_golden() -> None:
    text = render_terminal(points("sin(x)", x="x=-6.3:6.3"), 80, 24, color=False)
    assert text == GOLDEN.read_text(encoding="utf-8")
    assert len(text.splitlines()) == 23 and max(len(line) for line in text.splitlines()) <= 80


def test_terminal_colour_is_braille_with_one_colour_per_curve() -> None:
    text = render_terminal(points("sin(x)", "x**2", x="x=-2:2", order=2), 100, 30, color=True)
    colours = {code for code in ("\033[34m", "\033[35m", "\033[32m", "\033[33m", "\033[36m",
                                 "\033[31m") if code in text}
    assert len(colours) == 6  # f, f', f'' of each expression
    assert any("\u2800" < ch <= "\u28ff" for ch in text)


def test_terminal_plot_fits_small_and_wide_terminals() -> None:
    for columns, lines in ((40, 14), (200, 50)):
        text = render_terminal(points("sin(x)", tangent=0.0), columns, lines, color=False)
        *rows, last = text.splitlines()
        assert max(len(r) for r in rows) <= columns and len(rows) + 1 < lines
        assert last == "tangent of sin(x) at x = 0.0: y = 1.0*x + 0.0"


@pytest.mark.slow
def test_command_prints_the_golden_plot_and_notes_gaps() -> None:
    proc = gradcli("plot", "sin(x)", "--x", "x=-6.3:6.3")
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout == GOLDEN.read_text(encoding="utf-8")
    proc = gradcli("plot", "log(x)", "--x", "x=-1:1", "--format", "csv")
    assert proc.returncode == 0 and len(proc.stdout.splitlines()) == 202
    assert proc.stderr.startswith("note: 101 of 201 points of log(x) are undefined")


@pytest.mark.slow
def test_command_tangent_and_errors() -> None:
    proc = gradcli("plot", "x**3 - 1/x", "--x", "x=0.2:3", "--tangent", "1")
    assert proc.returncode == 0
    assert proc.stdout.endswith("tangent of x**3 - 1/x at x = 1.0: y = 4.0*x - 4.0\n")
    proc = gradcli("plot", "x - mean(x)")
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.startswith("error[value]: x - mean(x) is not element-wise in x")
    assert "Traceback" not in proc.stderr
    proc = gradcli("plot", "x", "sum(x)", "--format", "json")
    assert proc.returncode == 1 and proc.stderr == ""
    error = json.loads(proc.stdout)
    assert error["expr"] == "sum(x)" and error["error"]["kind"] == "value"
    proc = gradcli("plot", "sin(x)", "--x", "x=5:1")
    assert proc.returncode == 2 and proc.stderr.startswith("error[usage]: --x x=5:1")
    proc = gradcli("plot", "sin(x)", "-o", "plot.txt")
    assert proc.returncode == 2 and "unknown file extension '.txt'" in proc.stderr


@pytest.mark.slow
def test_other_commands_do_not_import_the_plotting_libraries() -> None:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "gradcli", "eval", "2*x",
                           "--let", "x=1.0", "--format", "json"], capture_output=True, text=True)
    assert proc.returncode == 0 and "gradcli.cli.plot" in proc.stderr
    assert "uniplot" not in proc.stderr and "matplotlib" not in proc.stderr


def test_without_matplotlib_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path) -> None:
    from gradcli.render.plot_file import render_file

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib fails
    with pytest.raises(GradcliError) as info:
        render_file(points("sin(x)"), str(tmp_path / "p.png"))
    assert info.value.kind == "io"
    assert info.value.message == ('writing p.png needs matplotlib, which is not installed: '
                                  'pip install "gradcli[plot]"')
    assert not (tmp_path / "p.png").exists()


MAGIC = {".png": b"\x89PNG\r\n\x1a\n", ".pdf": b"%PDF-"}


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_files_are_real_images(suffix: str, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    path = tmp_path / f"plot{suffix}"
    proc = gradcli("plot", "x**3 - 1/x", "--x", "x=0.2:3", "--tangent", "1", "-o", str(path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "tangent of x**3 - 1/x at x = 1.0: y = 4.0*x - 4.0\n"
    data = path.read_bytes()
    if suffix == ".svg":
        text = data.decode("utf-8")
        assert text.startswith("<?xml") and "<svg" in text and text.rstrip().endswith("</svg>")
        assert "x**3 - 1/x" in text  # the title
    else:
        assert data.startswith(MAGIC[suffix])
    if suffix == ".png":
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert data[12:16] == b"IHDR" and width > 300 and height > 200


def test_undefined_points_are_gaps_in_every_curve_of_the_expression() -> None:
    # log(x) over -1:1: f is NaN for x < 0 where f' = 1/x is finite; neither is drawn there.
    text = render_terminal(points("log(x)", x="x=-1:1"), 80, 24, color=False)
    rows = [r for r in text.splitlines() if r.startswith("│")]
    inside = [r[1:r.rindex("│")] for r in rows]
    half = len(inside[0]) // 2
    assert all(set(r[:half - 1]) <= {" ", "─"} for r in inside)
    assert any("+" in r[half + 1:] for r in inside) and any("x" in r[half + 1:] for r in inside)


@pytest.mark.slow
def test_command_without_matplotlib_exits_1_and_says_what_to_install(tmp_path: Path) -> None:
    fake = tmp_path / "matplotlib"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('No module named matplotlib')\n")
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    proc = subprocess.run([sys.executable, "-m", "gradcli", "plot", "sin(x)", "-o",
                           str(tmp_path / "p.pdf")], capture_output=True, text=True, env=env,
                          timeout=120)  # a process: its imports see the fake matplotlib
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.startswith('error[io]: writing p.pdf needs matplotlib, which is not '
                                  'installed: pip install "gradcli[plot]"')


@pytest.mark.slow
@pytest.mark.parametrize("no_color", [False, True])
def test_on_a_terminal_colour_unless_no_color(no_color: bool) -> None:
    pexpect = pytest.importorskip("pexpect")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
    if no_color:
        env["NO_COLOR"] = "1"
    child = pexpect.spawn(sys.executable, ["-m", "gradcli", "plot", "sin(x)"], env=env,
                          dimensions=(30, 100), encoding="utf-8", timeout=60)
    child.expect(pexpect.EOF)
    child.close()
    text = child.before
    assert child.exitstatus == 0
    plain = re.sub(r"\033\[[0-9;]*m", "", text)
    assert max(len(line.rstrip("\r")) for line in plain.split("\n")) <= 100  # the window's width
    if no_color:
        assert "\033[" not in text and "++ sin(x)" in text
        assert len(text.rstrip().split("\n")) == 29  # the window's 30 lines, less the prompt's
    else:
        assert "\033[34m" in text and "\033[35m" in text
        assert any("\u2800" < ch <= "\u28ff" for ch in text)


def test_the_plotting_libraries_are_imported_by_their_renderers_only() -> None:
    import ast

    package = Path(__file__).resolve().parent.parent / "gradcli"
    where: dict[str, set[str]] = {"uniplot": set(), "matplotlib": set()}
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                if name.split(".")[0] in where:
                    where[name.split(".")[0]].add(path.relative_to(package).as_posix())
    assert where == {"uniplot": {"render/plot_terminal.py"}, "matplotlib": {"render/plot_file.py"}}
