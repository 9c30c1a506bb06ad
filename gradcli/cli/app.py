"""The Typer app and its root options (--version, --debug); the commands register on it, and
their help is laid out here (whole summaries, examples kept as written, plain usage lines)."""

# No ``from __future__ import annotations`` in this package: Typer reads every command's
# annotations at each start, and string annotations would be compiled and evaluated every time.
import inspect
import re
import sys
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

from .. import __version__

EPILOG = """Examples:

  gradcli eval "2*dot(x,x)" --let x="arange(4.0)"
  gradcli diff "sum(sigmoid(W @ x))" --shape W=2,3 --shape x=3
  printf '2*x\\nx**3\\n' | gradcli eval - --let x=3.0 --format json

'gradcli help COMMAND' (or 'gradcli COMMAND --help') tells more of each command. The full
guide is README.md in gradcli's source tree, also its package description."""


class _Help:
    """Help text as written: a paragraph of indented lines (examples) is printed verbatim,
    the others are wrapped; the usage line names arguments as they are typed (EXPR)."""

    epilog: str | None

    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        if not self.epilog:
            return
        formatter.write_paragraph()
        with formatter.indentation():
            for number, paragraph in enumerate(self.epilog.strip().split("\n\n")):
                if number:
                    formatter.write("\n")
                lines = paragraph.splitlines()
                if all(line.startswith(" ") for line in lines):
                    formatter.write("".join(f"{'':>{formatter.current_indent}}{line}\n"
                                            for line in lines))
                else:
                    formatter.write_text(paragraph)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = super().collect_usage_pieces(ctx)  # type: ignore[misc]
        return [re.sub(r"\{([^{}]*)\}", r"\1", piece) for piece in pieces]


class Command(_Help, TyperCommand):
    """A gradcli command."""


def summary(command: Any) -> str:
    """The first paragraph of a command's help, on one line."""
    return " ".join(inspect.cleandoc(command.help or "").split("\n\n")[0].split())


class Group(_Help, TyperGroup):
    """The gradcli group: each command listed with its whole summary."""

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = [(name, summary(command)) for name in self.list_commands(ctx)
                if (command := self.get_command(ctx, name)) is not None and not command.hidden]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


class _Typer(typer.Typer):
    """Typer whose commands are Command by default."""

    def command(self, *args: Any, cls: Any = None, **kwargs: Any) -> Any:
        return super().command(*args, cls=cls or Command, **kwargs)


app = _Typer(
    name="gradcli",
    cls=Group,
    help="Evaluate PyTorch-flavoured expressions and show their gradients.",
    epilog=EPILOG,
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
