"""``gradcli diff``: the command's options, its errors and exit codes (the maths is in
``symbolic/``, the printing in ``render/diff_output``)."""

import sys
from enum import Enum
from typing import Any

import typer

from .cli import LET_HELP, MAX_ELEMENTS_HELP, SEED_HELP, SEED_MAX, SEED_MIN, _console, _guard, \
    _json_error, _stderr, _toolkit_evaluator, Dtype
from .errors import GradcliError

EPILOG = """Examples:

  gradcli diff "(dot(x, w) - y)**2" --wrt w --let x="arange(3.0)" --let w="ones(3)" --let y=2.0

  gradcli diff "sum((X @ w - y)**2)" --wrt w --shape X=5,3 --shape w=3 --shape y=5 --format plain

  gradcli diff "sum(sigmoid(W @ x))" --shape W=2,3 --shape x=3 --format latex"""


class DiffFormat(str, Enum):
    text = "text"
    plain = "plain"
    latex = "latex"
    json = "json"


def parse_shape(text: str) -> tuple[str, tuple[int, ...]]:
    """``NAME=3,4`` (or ``NAME=`` for a scalar) from a --shape option."""
    name, sep, dims = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise GradcliError("usage", f"--shape needs NAME=DIMS, got {text!r}",
                           hint="e.g. --shape X=5,3, or --shape y= for a scalar")
    try:
        shape = tuple(int(d) for d in dims.replace("(", "").replace(")", "").split(",")
                      if d.strip())
    except ValueError:
        raise GradcliError("usage", f"--shape {name}: {dims!r} is not a list of sizes",
                           hint="e.g. --shape X=5,3") from None
    if any(d < 0 for d in shape):
        raise GradcliError("usage", f"--shape {name}: sizes must not be negative")
    return name, shape


def diff_command(
    expr: str = typer.Argument(..., metavar="EXPR", help="The expression to differentiate."),
    let: list[str] = typer.Option([], "--let", "-l", help=LET_HELP),
    shape: list[str] = typer.Option([], "--shape", "-s",
                                    help="A variable with a shape and no value: NAME=3,4 "
                                    "(NAME= for a scalar). Repeatable."),
    wrt: list[str] = typer.Option([], "--wrt", "-w",
                                  help="Differentiate with respect to this variable. Repeatable."),
    order: int = typer.Option(1, "--order", min=1, max=2, help="1: gradient; 2: second "
                              "derivatives."),
    steps: bool = typer.Option(False, "--steps", help="Show the chain rule step by step."),
    fmt: DiffFormat = typer.Option(DiffFormat.text, "--format", "-f", help="Output format."),
    no_check: bool = typer.Option(False, "--no-check",
                                  help="Do not compare the result with autograd."),
    seed: int | None = typer.Option(None, "--seed", min=SEED_MIN, max=SEED_MAX, help=SEED_HELP),
    max_elements: int = typer.Option(250_000_000, "--max-elements", min=1, help=MAX_ELEMENTS_HELP),
) -> None:
    """The derivative as an expression: gradients in matrix form, simplified and checked."""
    with _guard("expr"):
        shapes = dict(parse_shape(s) for s in shape)
        evaluator = _toolkit_evaluator(let, [], Dtype.float64, seed, max_elements)
        _run(expr, evaluator, shapes, list(wrt), order, steps, fmt, no_check)


def _run(expr: str, evaluator: Any, shapes: dict[str, tuple[int, ...]], wrt: list[str],
         order: int, steps: bool, fmt: DiffFormat, no_check: bool) -> None:
    import numpy as np

    from .render import diff_output
    from .symbolic.check import Disagreement
    from .symbolic.derive import differentiate, random_point

    values = {n: v for n, v in evaluator.bound.items() if isinstance(v, np.ndarray)}
    for name in shapes:
        if name in values:
            raise GradcliError("usage", f"{name} has both --let and --shape",
                               hint="give one of them")
    point = random_point(shapes)
    for name, value in point.items():
        value.flags.writeable = False
        evaluator.bound[name] = value
    values.update(point)
    floating = [n for n, v in values.items() if v.dtype.kind == "f"]
    for name in wrt:
        if name not in values:
            raise GradcliError("usage", f"--wrt {name}: no such variable",
                               hint=f'give it a value or a shape: --let {name}="..." or '
                               f"--shape {name}=3")
        if name not in floating:
            raise GradcliError("usage", f"--wrt {name}: {name} is not floating, so it has no "
                               "derivative", hint="make it floating, e.g. arange(4.0)")
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))  # deep expressions: printing recurses
    try:
        result = differentiate(expr, values, wrt or floating, order, evaluator, steps,
                               check=not no_check)
    except GradcliError as err:
        if fmt is DiffFormat.json and err.kind != "usage":
            _json_error(expr, err)
        raise
    except Disagreement as err:
        _stderr(f"gradcli: internal error: {err}\n  derivative: "
                f"{diff_output.inline(err.node)}\n"
                "  = hint: this is a bug in gradcli; --no-check prints the derivative unchecked")
        raise typer.Exit(1) from None
    finally:
        sys.setrecursionlimit(limit)
    if fmt is DiffFormat.json:
        sys.stdout.write(diff_output.render_json(result) + "\n")
    elif fmt is DiffFormat.plain:
        sys.stdout.write(diff_output.render_plain(result) + "\n")
    elif fmt is DiffFormat.latex:
        sys.stdout.write(diff_output.render_latex(result) + "\n")
    else:
        diff_output.render_text(result, _console(), steps)
    sys.stdout.flush()
