"""``gradcli ops``: every function, with its signature, derivative rule and grad_fn."""

import sys

import typer

from .app import app
from .boundary import guard
from .options import OpsFormat
from .output import console


@app.command("ops", epilog="""Examples:

  gradcli ops

  gradcli ops sin

  gradcli ops 'log*'

  gradcli ops --category reduction

  gradcli ops --format json | jq '.[] | select(.category == "reduction") | .name'""")
def ops_command(
    pattern: str | None = typer.Argument(
        None, metavar="[PATTERN]",
        help="Only functions whose name or category contains PATTERN (or matches it, with * ? "
        "[...]). Nothing matched: exit status 1."),
    category: str | None = typer.Option(None, "--category", "-c", metavar="CATEGORY",
                                        help="Only this category (reduction, shape, ...)."),
    fmt: OpsFormat = typer.Option(OpsFormat.table, "--format", "-f", help="Output format."),
) -> None:
    """List every function: name, signature, what it does, derivative rule, PyTorch grad_fn."""
    with guard():
        from ..render import ops_listing

        specs = ops_listing.select(pattern, category)
        if fmt is OpsFormat.json:
            sys.stdout.write(ops_listing.render_json(specs) + "\n")
        elif fmt is OpsFormat.markdown:
            sys.stdout.write(ops_listing.render_markdown(specs))
        else:
            ops_listing.render_table(console(), specs)
