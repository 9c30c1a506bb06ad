"""``gradcli diff``: the derivative as an expression (the maths is in ``symbolic/``, the
printing in ``render/diff_output``)."""

import sys
from enum import Enum
from typing import Any

import typer

from ..errors import GradcliError
from ..limits import MAX_NESTING
from .app import app
from .boundary import guard, json_or_raise, stderr
from .options import (
    MAX_ELEMENTS,
    Dtype,
    Let,
    MaxElements,
    MaxInput,
    MaxMemory,
    MaxNesting,
    Seed,
    Wrt,
)
from .output import console
from .runtime import Budget, toolkit_evaluator


class DiffFormat(str, Enum):
    text = "text"
    plain = "plain"
    latex = "latex"
    json = "json"


@app.command("diff", epilog="""Examples:

  gradcli diff "(dot(x, w) - y)**2" --wrt w --let x="arange(3.0)" --let w="ones(3)" --let y=2.0

  gradcli diff "sum((X @ w - y)**2)" --wrt w --shape X=5,3 --shape w=3 --shape y=5 --format plain

  gradcli diff "sum(sigmoid(W @ x))" --shape W=2,3 --shape x=3 --steps --format latex""")
def diff_command(
    expr: str = typer.Argument(..., metavar="EXPR", help="The expression to differentiate."),
    let: Let = [],
    shape: list[str] = typer.Option([], "--shape", "-s", metavar="NAME=DIMS",
                                    help="A variable with a shape and no "
                                    "value: NAME=3,4 (NAME= for a scalar). Repeatable."),
    wrt: Wrt = [],
    order: int = typer.Option(1, "--order", metavar="1|2", min=1, max=2,
                              help="1: first derivatives; 2: second derivatives."),
    steps: bool = typer.Option(False, "--steps", help="Show the chain rule step by step."),
    fmt: DiffFormat = typer.Option(DiffFormat.text, "--format", "-f", help="Output format."),
    no_check: bool = typer.Option(False, "--no-check",
                                  help="Do not compare the result with autograd."),
    seed: Seed = None,
    max_elements: MaxElements = MAX_ELEMENTS,
    max_memory: MaxMemory = None,
    max_input: MaxInput = None,
    max_nesting: MaxNesting = MAX_NESTING,
) -> None:
    """The derivative as an expression: in matrix form, simplified, checked against autograd."""
    with guard("expr"):
        evaluator = toolkit_evaluator(let, [], Dtype.float64, seed,
                                      Budget(max_elements, max_memory, max_input, max_nesting))
        code = json_or_raise(lambda: _run(expr, evaluator, shape, list(wrt), order, steps, fmt,
                                          no_check), expr, fmt is DiffFormat.json)
        if code:
            raise typer.Exit(code)


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


def _run(expr: str, evaluator: Any, shape_options: list[str], wrt: list[str], order: int,
         steps: bool, fmt: DiffFormat, no_check: bool) -> int:
    """Differentiate and print; the exit code (1: the check found a bug in gradcli)."""
    import numpy as np

    from ..render import diff_output
    from ..symbolic.check import Disagreement
    from ..symbolic.derive import differentiate, random_point

    shapes = dict(parse_shape(s) for s in shape_options)
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
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))  # deep expressions recurse
    try:
        result = differentiate(expr, values, wrt or floating, order, evaluator, steps,
                               check=not no_check)
    except GradcliError as err:  # shown under the expression, with its caret
        raise err.located(1, 1, source=expr) from None
    except Disagreement as err:
        stderr(f"gradcli: internal error: {err}\n  derivative: {diff_output.inline(err.node)}\n"
               "  = hint: this is a bug in gradcli; --no-check prints the derivative unchecked")
        return 1
    if fmt is DiffFormat.json:
        sys.stdout.write(diff_output.render_json(result) + "\n")
    elif fmt is DiffFormat.plain:
        sys.stdout.write(diff_output.render_plain(result) + "\n")
    elif fmt is DiffFormat.latex:
        sys.stdout.write(diff_output.render_latex(result) + "\n")
    else:
        diff_output.render_text(result, console(), steps)
    sys.stdout.flush()
    return 0
