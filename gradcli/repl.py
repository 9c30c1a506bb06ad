"""``gradcli repl``: read a statement (or block), run it, echo values as PyTorch prints them.

State is kept across inputs; blocks continue with ``...`` until an empty line; Ctrl-C
cancels the current input, Ctrl-D (or exit, quit) leaves. ``:vars``, ``:help``/``help``/``?``
and ``help(sin)``/``?sin`` are REPL commands; Tab completes names (repl_complete.py).
"""

from __future__ import annotations

import os
import re
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .errors import GradcliError
from .interpreter.core import Interpreter, Limits
from .interpreter.expressions import TENSOR_ATTRIBUTES

PROMPT, MORE = ">>> ", "... "
HELP = """\
Type statements as in Python with torch: x = torch.arange(4.0, requires_grad=True)
Expression values are echoed; blocks (def, if, while, for, with) end with an empty line.
  :vars             every variable: shape, dtype, requires_grad, grad_fn, whether it has a .grad
  :help, help, ?    this text
  help(sin), ?sin   a function: signature, what it does, derivative rule, grad_fn, example
  :quit, exit, quit, Ctrl-D   leave             Ctrl-C cancels the input
  Tab completes variables, functions, torch. and F. members, tensor methods after a dot
Functions: `gradcli ops` lists them all, `gradcli ops PATTERN` some."""
#: Inputs that end the session (Python's REPL takes exit and quit without the brackets too).
LEAVE = frozenset({":quit", ":q", ":exit", "exit", "exit()", "quit", "quit()"})
HELP_WORDS = frozenset({":help", "help", "help()", "?"})
#: ``help(sin)``, ``help(torch.sin)``, ``?sin``, ``? x.sum``: help on one function.
_HELP_ON = re.compile(r"help\(\s*([A-Za-z_][\w.]*)\s*\)|\?\s*([A-Za-z_][\w.]*)")


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
        if self._readline is not None:
            from .repl_complete import install

            install(self._readline, self.interp)

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
            if source.strip() in LEAVE:
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
        if command in HELP_WORDS:
            self._write(HELP + "\n")
            return
        asked = _HELP_ON.fullmatch(command)
        if asked:
            self._help_on(asked.group(1) or asked.group(2))
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

    def _help_on(self, dotted: str) -> None:
        """``help(sin)``: the op table's entry (``torch.sin``, ``F.relu``, ``x.sum`` too)."""
        import difflib

        from .engine.ops import OPS
        from .render.ops_listing import help_text

        owner, _, name = dotted.rpartition(".")
        method = bool(owner) and owner.split(".")[0] not in ("torch", "F", "nn", "autograd")
        text = help_text(name, method)
        if text is not None:
            self._write(text + "\n")
            return
        if method and name in TENSOR_ATTRIBUTES:
            self._write(f"{dotted}: a tensor attribute, not a function; type {dotted} to see "
                        "it\n")
            return
        if not owner and name in self.interp.globals:
            self._write(f"{name} is a variable of this session: type {name} to see it, :vars "
                        "lists them all\n")
            return
        close = difflib.get_close_matches(name, list(OPS), n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        self.err_console.print(f"no function named '{name}'{hint}: `gradcli ops` lists them all",
                               markup=False)

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


#: While the REPL waits for a line on a terminal, how often (seconds) readline is made to
#: look at the signals that came: see _ticking.
TICK = 0.1


def _input(prompt: str) -> str:
    """Read a line; without a terminal (piped input) no prompt is shown."""
    if sys.stdin.isatty():
        with _ticking():
            return input(prompt)
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.rstrip("\n")


@contextmanager
def _ticking() -> Iterator[None]:
    """A SIGALRM every TICK seconds while the block runs.

    Python's readline acts on a signal only when one interrupts its wait for a key: a Ctrl-C
    that comes while it is busy with the last key (drawing the list of completions, say) is
    seen by nothing until another signal, or the next line, comes. The ticks are those other
    signals: such a Ctrl-C cancels the line within TICK seconds, as one that comes during the
    wait does at once."""
    if not hasattr(signal, "setitimer"):  # no SIGALRM (Windows)
        yield
        return
    try:
        previous = signal.signal(signal.SIGALRM, _tick)
    except ValueError:  # not the main thread: no signal reaches this one
        yield
        return
    signal.setitimer(signal.ITIMER_REAL, TICK, TICK)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        # None: a handler set outside Python, which cannot be put back; the default then.
        signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)


def _tick(signum: int, frame: Any) -> None:
    """Nothing: a tick only makes readline look at the signals (see _ticking)."""


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
