"""Results to stdout in the chosen format (Rich tables on a console), print() to stderr."""

import sys
from collections.abc import Callable
from typing import Any

from .boundary import quiet_pipe
from .options import EvalFormat


def emit(result: Any, fmt: EvalFormat, options: Any, flush: bool = True) -> None:
    """An evaluation's result (and its --trace) in ``fmt``."""
    from ..render import eval_output

    if fmt is EvalFormat.json:
        sys.stdout.write(eval_output.render_json(result) + "\n")
    elif fmt is EvalFormat.plain:
        sys.stdout.write(eval_output.render_plain(result, options) + "\n")
    else:
        eval_output.render_table(result, options, console())
    if result.trace is not None and fmt is not EvalFormat.json:
        from ..render import derivatives

        if fmt is EvalFormat.plain:
            sys.stdout.write(derivatives.trace_plain(result.trace, options) + "\n")
        else:
            derivatives.trace_table(result.trace, options, console())
    if flush:
        sys.stdout.flush()


def console() -> Any:
    """A Rich console on stdout for which a closed pipe is no failure."""
    from rich.console import Console

    class _PipeConsole(Console):
        def on_broken_pipe(self) -> None:  # Rich would exit 1; a closed pipe is no failure
            self.quiet = True
            quiet_pipe()

    return _PipeConsole(highlight=False)


def side_channel() -> tuple[Callable[[Any], str], Callable[[str], None]]:
    """print() inside an expression: PyTorch's text, on stderr (stdout holds the results)."""
    from ..render.text import print_text

    def write(text: str) -> None:
        sys.stdout.flush()  # the results before it come first (2>&1)
        sys.stderr.write(text)
        sys.stderr.flush()

    return print_text, write
