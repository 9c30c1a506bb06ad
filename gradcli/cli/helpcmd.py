"""``gradcli help [COMMAND]``: a command's --help (gradcli's own without one), as git help."""

import difflib
import sys

import typer

from .app import app


def _commands(incomplete: str) -> list[str]:
    """The command names that begin with what was typed (shell completion)."""
    return [info.name for info in app.registered_commands
            if info.name is not None and info.name.startswith(incomplete)]


@app.command("help", epilog="""Examples:

  gradcli help
  gradcli help eval""")
def help_command(
    ctx: typer.Context,
    command: str | None = typer.Argument(None, metavar="[COMMAND]", autocompletion=_commands,
                                         help="The command to explain; none: all of them."),
) -> None:
    """Show the help of COMMAND (what 'gradcli COMMAND --help' shows), or gradcli's."""
    root = ctx.parent
    assert root is not None
    group = root.command
    if command is None:
        sys.stdout.write(group.get_help(root) + "\n")
        return
    found = group.get_command(root, command)  # type: ignore[attr-defined]
    if found is None:
        from ..errors import GradcliError
        from .boundary import fail

        names = group.list_commands(root)  # type: ignore[attr-defined]
        close = difflib.get_close_matches(command, names, n=1)
        hint = (f"did you mean 'gradcli help {close[0]}'?" if close
                else "the commands are " + ", ".join(names))
        fail(GradcliError("usage", f"no such command '{command}'", hint=hint), "input")
    with found.make_context(command, ["--help"], parent=root, resilient_parsing=True) as sub:
        sys.stdout.write(found.get_help(sub) + "\n")
