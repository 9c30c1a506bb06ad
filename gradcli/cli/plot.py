"""``gradcli plot``: options in, the points from the interpreter, the drawing from render/."""

import os
import shutil
import sys
from enum import Enum
from typing import Any

import typer

from ..errors import GradcliError
from .app import app
from .boundary import guard, json_error, stderr
from .options import MAX_ELEMENTS, Dtype, Let, MaxElements, Seed
from .runtime import toolkit_evaluator


class PlotFormat(str, Enum):
    terminal = "terminal"
    csv = "csv"
    json = "json"


@app.command("plot", epilog="""Examples:

  gradcli plot "sin(x)" --x x=-6.3:6.3

  gradcli plot "x**3 - 1/x" --x x=0.2:3 --tangent 1

  gradcli plot "a*tanh(x)" "relu(x)" --let a=2.0 --order 2 -o act.png

  gradcli plot "log(x)" --x x=0.1:10:100 --format csv > points.csv""")
def plot_command(
    exprs: list[str] = typer.Argument(..., metavar="EXPR...",
                                      help="The functions of the free variable to draw."),
    x_range: str = typer.Option("x=-5:5:201", "--x", metavar="NAME=START:STOP[:N]",
                                help="The free variable and N points from START to STOP."),
    let: Let = [],
    order: int = typer.Option(1, "--order", min=1, max=2, metavar="1|2",
                              help="2 adds the second derivative f''."),
    tangent: float | None = typer.Option(None, "--tangent", metavar="X0",
                                         help="Draw the tangent line at X0 and print its equation."),
    output: str | None = typer.Option(None, "--output", "-o", metavar="FILE",
                                      help="Write FILE.png, .svg or .pdf with matplotlib "
                                      '(pip install "gradcli[plot]").'),
    fmt: PlotFormat = typer.Option(PlotFormat.terminal, "--format", "-f",
                                   help="terminal: draw it; csv, json: print the points."),
    seed: Seed = None,
    max_elements: MaxElements = MAX_ELEMENTS,
) -> None:
    """Draw f(x) and its derivative f'(x), computed by autograd at every point."""
    with guard("expr"):
        if output is not None and fmt is not PlotFormat.terminal:
            raise GradcliError("usage", f"-o writes a picture, --format {fmt.value} prints the "
                               "points: choose one", hint="run the command twice for both")
        from ..interpreter.plotting import parse_range, plot_points

        evaluator = toolkit_evaluator(let, [], Dtype.float64, seed, max_elements)
        name, x = parse_range(x_range)
        if tangent is not None and not abs(tangent) < float("inf"):
            raise GradcliError("usage", f"--tangent must be a finite number, not {tangent}")
        same_random = seed if seed is not None else int.from_bytes(os.urandom(7), "little")
        try:
            result = plot_points(evaluator, list(exprs), name, x, order, tangent, same_random)
        except GradcliError as err:
            if fmt is not PlotFormat.json or err.kind == "usage":
                raise
            json_error(err.source or " ".join(exprs), err)  # a pipeline reads stdout (SPEC 2)
        for curve in result.curves:
            gaps = int(curve.undefined.sum())
            if gaps:
                drawn = " and left as gaps" if fmt is PlotFormat.terminal else ""
                stderr(f"note: {gaps} of {len(x)} points of {curve.expr} are undefined (f or "
                        f"a derivative is NaN or infinite there){drawn}")
        _show(result, output, fmt)


def _show(result: Any, output: str | None, fmt: PlotFormat) -> None:
    from ..render import plot_data

    if output is not None:
        from ..render.plot_file import render_file

        render_file(result, output)
        sys.stdout.write("".join(f"{line}\n" for line in plot_data.tangent_lines(result)))
    elif fmt is PlotFormat.csv:
        sys.stdout.write(plot_data.render_csv(result))
        for line in plot_data.tangent_lines(result):
            stderr(line)
    elif fmt is PlotFormat.json:
        sys.stdout.write(plot_data.render_json(result) + "\n")
    else:
        from ..render.plot_terminal import render_terminal

        size = shutil.get_terminal_size((80, 24))
        color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        sys.stdout.write(render_terminal(result, size.columns, size.lines, color))
    sys.stdout.flush()
