"""``gradcli run`` (a script) and ``gradcli repl`` (a session): programs of statements."""

import os
import sys
from typing import Any

import typer

from ..errors import GradcliError
from ..limits import MAX_CALL_DEPTH, MAX_STEPS
from .app import app
from .boundary import guard, stdin
from .options import (
    MAX_ELEMENTS,
    DetectAnomaly,
    Dtype,
    DtypeOption,
    MaxDepth,
    MaxElements,
    MaxSteps,
    Precision,
    RunFormat,
    Seed,
)
from .runtime import limits, loader


def _program_interpreter(fmt: RunFormat, dtype: Dtype, seed: int | None, run_limits: Any,
                         options: Any) -> Any:
    """An interpreter whose echoes and prints go to stdout in ``fmt``."""
    from ..engine import dtypes
    from ..engine.ops import manual_seed, set_loader
    from ..interpreter.core import Interpreter
    from ..render import script_output
    from ..render.text import print_text

    dtypes.set_default_float(dtype.value)
    if seed is not None:
        manual_seed(seed)
    set_loader(loader([False]))

    def out(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    interp = Interpreter(limits=run_limits, to_text=lambda v: print_text(v, options))
    if fmt is RunFormat.json:
        interp.write = lambda text: out(script_output.print_json(text, interp.line))
        interp.echo = lambda value, stmt: out(script_output.echo_json(value, stmt.line, options))
    else:
        interp.write = out
        interp.echo = lambda value, stmt: out(script_output.echo_plain(value, options))
    return interp


@app.command("run", epilog="""Examples:

  gradcli run examples/seed_002.py

  gradcli run train.py --format json | jq -c 'select(.repr)'

  printf 'x = torch.arange(4.0, requires_grad=True)\\nx * x\\n' | gradcli run -""")
def run_command(
    script: str = typer.Argument(..., metavar="SCRIPT", help="The script file, or - for stdin."),
    fmt: RunFormat = typer.Option(RunFormat.plain, "--format", "-f",
                                  help="plain: what Python with torch prints; json: JSON Lines."),
    dtype: DtypeOption = Dtype.float32,
    seed: Seed = None,
    precision: Precision = 4,
    max_elements: MaxElements = MAX_ELEMENTS,
    max_steps: MaxSteps = MAX_STEPS,
    max_depth: MaxDepth = MAX_CALL_DEPTH,
    detect_anomaly: DetectAnomaly = False,
) -> None:
    """Run a script: echo each top-level expression's value as Python's prompt does."""
    from ..render.text import PrintOptions

    origin = "stdin" if script == "-" else script
    with guard(origin):
        from ..syntax.parser import parse_program

        source = _read_script(script)
        program = parse_program(source)
        interp = _program_interpreter(fmt, dtype, seed, limits(max_steps, max_depth,
                                                               max_elements),
                                      PrintOptions(precision=precision))
        if detect_anomaly:
            from ..engine import autograd
            from ..interpreter.trace import Tracer

            interp.detect_anomaly = True
            autograd.ANOMALY_HOOK[0] = Tracer({}, source, True, record=False).step
        from ..render.progress import script_progress

        with script_progress(interp, len(source.splitlines()), origin):
            interp.run(program, source)


def _read_script(path: str) -> str:
    if path == "-":
        return str(stdin().read())
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        raise GradcliError("io", f"cannot read '{path}': no such file",
                           hint=f"the working directory is {os.getcwd()}") from None
    except IsADirectoryError:
        raise GradcliError("io", f"cannot read '{path}': it is a directory") from None
    except UnicodeDecodeError as e:
        raise GradcliError("io", f"cannot read '{path}': not UTF-8 text ({e.reason} at byte "
                           f"{e.start})") from None
    except OSError as e:
        raise GradcliError("io", f"cannot read '{path}': {e.strerror}") from None


@app.command("repl", epilog="""Commands: :help (or help, ?) this help; help(sin) or ?sin a
function's signature, derivative rule and example; :vars every variable (shape, dtype,
grad_fn, .grad); :quit (or exit, quit) leave.

Keys: Tab completes variables, functions, torch. and F. members, and tensor methods and
attributes after a dot. Ctrl-C cancels the input being typed, or stops the one running;
Ctrl-D on an empty line leaves. Up and Down recall earlier inputs, kept in ~/.gradcli_history.

Piped input runs without prompts.

Examples:

  gradcli repl

  >>> x = torch.arange(4.0, requires_grad=True)

  >>> y = 2 * torch.dot(x, x); y.backward(); x.grad

  printf 'x = torch.ones(3)\\nprint(x.sum())\\n' | gradcli repl""")
def repl_command(
    dtype: DtypeOption = Dtype.float32,
    seed: Seed = None,
    max_elements: MaxElements = MAX_ELEMENTS,
    max_steps: MaxSteps = MAX_STEPS,
    max_depth: MaxDepth = MAX_CALL_DEPTH,
) -> None:
    """An interactive session: type statements, see values as PyTorch prints them."""
    with guard("repl"):
        from ..engine.ops import set_loader
        from ..repl import Repl

        set_loader(loader([True]))  # the session reads standard input: load('-') cannot
        stdin()
        Repl(dtype.value, seed, limits(max_steps, max_depth, max_elements)).loop()
