"""``gradcli ops``: every function, with its signature, derivative rule and grad_fn."""

import sys

import typer

from .app import app
from .boundary import guard
from .options import OpsFormat
from .output import console


@app.command("ops", epilog="""Examples:

  gradcli ops

  gradcli ops --format json | jq '.[] | select(.category == "reduction") | .name'""")
def ops_command(
    fmt: OpsFormat = typer.Option(OpsFormat.table, "--format", "-f", help="Output format."),
) -> None:
    """List every function: name, signature, derivative rule, PyTorch grad_fn."""
    with guard():
        from ..render import ops_listing

        if fmt is OpsFormat.json:
            sys.stdout.write(ops_listing.render_json() + "\n")
        elif fmt is OpsFormat.markdown:
            sys.stdout.write(ops_listing.render_markdown())
        else:
            ops_listing.render_table(console())
