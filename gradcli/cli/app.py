"""The Typer app and its root options (--version, --debug); the commands register on it."""

# No ``from __future__ import annotations`` in this package: Typer reads every command's
# annotations at each start, and string annotations would be compiled and evaluated every time.
import sys

import typer

from .. import __version__

app = typer.Typer(
    name="gradcli",
    help="Evaluate PyTorch-flavoured expressions and show their gradients.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"gradcli {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks of internal errors."),
) -> None:
    """gradcli: values and gradients of tensor expressions, from the shell."""
