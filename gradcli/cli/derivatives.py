"""``gradcli jacobian``, ``hessian``, ``check`` and ``graph``: what the derivatives are."""

import sys

import typer

from ..errors import GradcliError
from ..limits import MAX_EVALS, MAX_NESTING
from .app import app
from .boundary import guard, json_or_raise
from .options import (
    MAX_ELEMENTS,
    CheckFormat,
    DerivFormat,
    Dtype,
    DtypeOption,
    GraphFormat,
    Let,
    MaxElements,
    MaxEvals,
    MaxInput,
    MaxMemory,
    MaxNesting,
    Precision,
    Seed,
    Wrt,
)
from .output import console
from .runtime import Budget, toolkit_evaluator


@app.command("jacobian", epilog="""Examples:

  gradcli jacobian "tanh(W @ x)" --let W="[[1.0, 2.0], [3.0, 4.0]]" --let x="[0.1, 0.2]"

  gradcli jacobian "softmax(x, 0)" --let x="arange(3.0)" --format json""")
def jacobian_command(
    expr: str = typer.Argument(..., metavar="EXPR", help="The expression."),
    let: Let = [],
    wrt: Wrt = [],
    fmt: DerivFormat = typer.Option(DerivFormat.table, "--format", "-f", help="Output format."),
    dtype: DtypeOption = Dtype.float32,
    seed: Seed = None,
    precision: Precision = 4,
    max_elements: MaxElements = MAX_ELEMENTS,
    max_memory: MaxMemory = None,
    max_input: MaxInput = None,
    max_nesting: MaxNesting = MAX_NESTING,
) -> None:
    """d(output)/d(variable), of shape output.shape + variable.shape, by reverse mode."""
    _derivative("jacobian", expr, let, wrt, fmt, dtype, seed, precision,
                Budget(max_elements, max_memory, max_input, max_nesting))


def _derivative(kind: str, expr: str, let: list[str], wrt: list[str], fmt: DerivFormat,
                dtype: Dtype, seed: int | None, precision: int, budget: Budget) -> None:
    """jacobian and hessian: evaluate, differentiate, print in the chosen format."""
    from ..render import derivatives
    from ..render.text import PrintOptions

    options = PrintOptions(precision=precision)
    with guard("expr"):
        evaluator = toolkit_evaluator(let, wrt, dtype, seed, budget, fmt.value)
        json = fmt is DerivFormat.json
        result = json_or_raise(lambda: getattr(evaluator, kind)(expr), expr, json)
        if json:
            text = json_or_raise(lambda: getattr(derivatives, f"{kind}_json")(result), expr, json)
            sys.stdout.write(text + "\n")
        elif fmt is DerivFormat.plain:
            sys.stdout.write(getattr(derivatives, f"{kind}_plain")(result, options) + "\n")
        else:
            getattr(derivatives, f"{kind}_table")(result, options, console())


@app.command("hessian", epilog="""Examples:

  gradcli hessian "sum(x ** 3)" --let x="[1.0, 2.0]"

  gradcli hessian "sum((X @ w) ** 2)" --let X="[[1.0, 2.0], [3.0, 4.0]]" --let w="[0.5, -0.5]" --wrt w""")
def hessian_command(
    expr: str = typer.Argument(..., metavar="EXPR", help="The expression (its value must be a scalar)."),
    let: Let = [],
    wrt: Wrt = [],
    fmt: DerivFormat = typer.Option(DerivFormat.table, "--format", "-f", help="Output format."),
    dtype: DtypeOption = Dtype.float32,
    seed: Seed = None,
    precision: Precision = 4,
    max_elements: MaxElements = MAX_ELEMENTS,
    max_memory: MaxMemory = None,
    max_input: MaxInput = None,
    max_nesting: MaxNesting = MAX_NESTING,
) -> None:
    """Second derivatives of a scalar: every block between --wrt variables (reverse over reverse)."""
    _derivative("hessian", expr, let, wrt, fmt, dtype, seed, precision,
                Budget(max_elements, max_memory, max_input, max_nesting))


@app.command("check", epilog="""Examples:

  gradcli check "sum(sin(x) * exp(x))" --let x="[0.1, 0.5, 2.0]"

  gradcli check "norm(A @ x)" --let A="randn(3, 3)" --let x="randn(3)" --seed 1 -v --format json""")
def check_command(
    expr: str = typer.Argument(..., metavar="EXPR", help="The expression."),
    let: Let = [],
    wrt: Wrt = [],
    eps: float = typer.Option(1e-6, "--eps", metavar="X", help="Finite-difference step (positive)."),
    atol: float = typer.Option(1e-5, "--atol", metavar="X", min=0.0, help="Absolute tolerance."),
    rtol: float = typer.Option(1e-3, "--rtol", metavar="X", min=0.0, help="Relative tolerance."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show the worst elements."),
    max_evals: MaxEvals = MAX_EVALS,
    fmt: CheckFormat = typer.Option(CheckFormat.table, "--format", "-f", help="Output format."),
    seed: Seed = None,
    max_elements: MaxElements = MAX_ELEMENTS,
    max_memory: MaxMemory = None,
    max_input: MaxInput = None,
    max_nesting: MaxNesting = MAX_NESTING,
) -> None:
    """Compare autograd with central finite differences (float64); exit 1 on FAIL."""
    from ..render import derivatives

    with guard("expr"):
        if not 0 < eps < float("inf"):
            raise GradcliError("usage", f"--eps must be a positive number, not {eps}")
        for name, tolerance in (("--atol", atol), ("--rtol", rtol)):
            if not 0 <= tolerance < float("inf"):  # NaN too: no error would pass or fail it
                raise GradcliError("usage", f"{name} must be zero or a positive number, "
                                   f"not {tolerance}")
        ev = toolkit_evaluator(let, wrt, Dtype.float64, seed,
                               Budget(max_elements, max_memory, max_input, max_nesting))
        result = json_or_raise(lambda: ev.check(expr, eps, atol, rtol, max_evals), expr,
                               fmt is CheckFormat.json)
        if fmt is CheckFormat.json:
            sys.stdout.write(json_or_raise(lambda: derivatives.check_json(result, verbose), expr,
                                           True) + "\n")
        else:
            derivatives.check_table(result, verbose, console())
        sys.stdout.flush()
        if not result.ok:
            raise typer.Exit(1)


@app.command("graph", epilog="""Examples:

  gradcli graph "2*dot(x,x)" --let x="arange(4.0)"

  gradcli graph "sum(tanh(W @ x))" --let W="[[1.0, 2.0], [3.0, 4.0]]" --let x="[0.1, 0.2]" --format mermaid

  gradcli graph "2*dot(x,x)" --let x="arange(4.0)" -o graph.svg""")
def graph_command(
    expr: str = typer.Argument(..., metavar="EXPR", help="The expression."),
    let: Let = [],
    fmt: GraphFormat = typer.Option(GraphFormat.tree, "--format", "-f", help="Output format."),
    output: str | None = typer.Option(None, "--output", "-o", metavar="FILE",
                                      help="Write to FILE.dot, or render FILE.svg/.png with Graphviz."),
    dtype: DtypeOption = Dtype.float32,
    seed: Seed = None,
    max_elements: MaxElements = MAX_ELEMENTS,
    max_memory: MaxMemory = None,
    max_input: MaxInput = None,
    max_nesting: MaxNesting = MAX_NESTING,
) -> None:
    """The computation graph: ops with shape, value and the gradient flowing through; leaves."""
    from ..render import graph as draw

    with guard("expr"):
        budget = Budget(max_elements, max_memory, max_input, max_nesting)
        result = toolkit_evaluator(let, [], dtype, seed, budget).graph(expr)
        if output is not None:
            draw.render_file(draw.to_dot(result), output)
        elif fmt is GraphFormat.dot:
            sys.stdout.write(draw.to_dot(result))
        elif fmt is GraphFormat.mermaid:
            sys.stdout.write(draw.to_mermaid(result))
        else:
            console().print(draw.to_tree(result))
