"""``gradcli repl``: read a statement (or block), run it, echo values as PyTorch prints them.

State is kept across inputs; blocks continue with ``...`` until an empty line; Ctrl-C
cancels the current input, Ctrl-D leaves. ``:vars`` and ``:help`` are REPL commands.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from .errors import GradcliError
from .interpreter.core import Interpreter, Limits

PROMPT, MORE = ">>> ", "... "
HELP = """\
Type statements as in Python with torch: x = torch.arange(4.0, requires_grad=True)
Expression values are echoed; blocks (def, if, while, for, with) end with an empty line.
  :vars   every variable: shape, dtype, requires_grad, grad_fn, whether it has a .grad
  :help   this text          :quit (or Ctrl-D) leave          Ctrl-C cancels the input
Functions: `gradcli ops` lists them all."""


class Repl:
    def __init__(self, dtype: str, seed: int | None, limits: Limits) -> None:
        from .engine import dtypes
        from .engine.ops import manual_seed
        from .render.text import print_text

        dtypes.set_default_float(dtype)
        if seed is not None:
            manual_seed(seed)
        self.console = _console()
        self.err_console = _console(stderr=True)
        self.interp = Interpreter(limits=limits, to_text=print_text, write=self._write,
                                  echo=self._echo)
        self.history_file = os.path.join(os.path.expanduser("~"), ".gradcli_history")
        self._readline = _setup_readline(self.history_file)

    def _write(self, text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    def _echo(self, value: Any, stmt: Any) -> None:
        from rich.text import Text

        from .render.text import to_text

        text = to_text(value)
        if self.console.is_terminal:
            from rich.highlighter import ReprHighlighter

            self.console.print(ReprHighlighter()(Text(text)), soft_wrap=True)
        else:
            self._write(text + "\n")

    def loop(self) -> None:
        if sys.stdin.isatty():
            from . import __version__

            self._write(f"gradcli {__version__} - :help for help, Ctrl-D to leave\n")
        while True:
            try:
                source = self._read()
            except EOFError:
                if sys.stdin.isatty():
                    self._write("\n")
                break
            except KeyboardInterrupt:
                self._write("\nKeyboardInterrupt\n")
                continue
            if source is None:
                continue
            if source.strip() in (":quit", ":q", ":exit"):
                break
            self.execute(source)
        if self._readline is not None:
            try:
                self._readline.write_history_file(self.history_file)
            except OSError:
                pass

    def _read(self) -> str | None:
        from .syntax.parser import needs_more_input

        lines = [_input(PROMPT)]
        if lines[0].strip().startswith(":"):
            return lines[0]
        while needs_more_input("\n".join(lines)):
            try:
                lines.append(_input(MORE))
            except EOFError:
                if sys.stdin.isatty():
                    raise
                break  # piped input ended inside a bracket or block: run it, report what is open
        text = "\n".join(lines)
        return text if text.strip() else None

    def execute(self, source: str) -> None:
        from .render.errors import format_error
        from .syntax.parser import parse_program

        command = source.strip()
        if command == ":help":
            self._write(HELP + "\n")
            return
        if command == ":vars":
            self._vars()
            return
        if command.startswith(":"):
            self.err_console.print(f"unknown command {command}: try :help", markup=False)
            return
        self.interp.steps = 0  # --max-steps counts each input's loops, as its help says
        try:
            self.interp.run(parse_program(source + "\n"), source)
        except GradcliError as err:
            sys.stderr.write(format_error(err, "repl") + "\n")
        except KeyboardInterrupt:
            self._write("\nKeyboardInterrupt\n")

    def _vars(self) -> None:
        from rich.table import Table

        from .engine import Tensor

        table = Table(title="variables", title_justify="left")
        for col in ("name", "shape", "dtype", "requires_grad", "grad_fn", ".grad"):
            table.add_column(col)
        for name, value in sorted(self.interp.globals.items()):
            if isinstance(value, Tensor):
                table.add_row(name, str(tuple(value.data.shape)), value.data.dtype.name,
                              str(value.requires_grad),
                              "" if value.grad_fn is None else value.grad_fn.name,
                              "yes" if value.grad is not None else "no")
            else:
                table.add_row(name, "", type(value).__name__, "", "", "")
        self.console.print(table)


def _input(prompt: str) -> str:
    """Read a line; without a terminal the prompt goes to stderr, as Python's own REPL does."""
    if sys.stdin.isatty():
        return input(prompt)
    sys.stderr.write(prompt)
    sys.stderr.flush()
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.rstrip("\n")


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def _setup_readline(history: str) -> Any:
    if not sys.stdin.isatty():
        return None
    try:
        import readline
    except ImportError:
        return None
    try:
        readline.read_history_file(history)
    except OSError:
        pass
    readline.set_history_length(1000)
    return readline
