"""The command line (Typer): options in, result objects to the renderers, errors to exit codes.

No maths here. Heavy modules (rich, the interpreter) are imported inside the commands so
that ``gradcli --version`` and one-shot JSON evaluations start fast.
"""

# No ``from __future__ import annotations`` here: Typer reads every command's annotations
# at each start, and string annotations would be compiled and evaluated every time.
import errno
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Any, NoReturn

import typer

from . import __version__
from .errors import GradcliError
from .limits import MAX_CALL_DEPTH, MAX_STEPS

EXIT_INTERRUPTED = 130

app = typer.Typer(
    name="gradcli",
    help="Evaluate PyTorch-flavoured expressions and show their gradients.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class EvalFormat(str, Enum):
    table = "table"
    json = "json"
    plain = "plain"


class Dtype(str, Enum):
    float32 = "float32"
    float64 = "float64"


def _debug() -> bool:
    return os.environ.get("GRADCLI_DEBUG", "") not in ("", "0") or "--debug" in sys.argv


def _stderr(text: str) -> None:
    try:
        sys.stdout.flush()  # what came before it on stdout comes first (2>&1)
    except OSError:  # the output is what failed (a full disk): the error still goes out
        _drop_output()
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _drop_output() -> None:
    """Send what is left of stdout to /dev/null, so that the flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


class _ClosedStdout:
    """Standard output when the process was started without it (``>&-``): writing to it is
    an input/output error, as for any command-line tool, not a crash."""

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OSError(errno.EBADF, "standard output is closed")


def _stdin() -> Any:
    """Standard input, or an io error when the process was started without it (``<&-``)."""
    if sys.stdin is None:
        raise GradcliError("io", "cannot read standard input: there is no standard input",
                           hint="pipe the input in, e.g. echo 'x + 1' | gradcli ...")
    return sys.stdin


def _fail(err: GradcliError, origin: str) -> NoReturn:
    from .render.errors import format_error

    _stderr(format_error(err, origin))
    raise typer.Exit(err.exit_code)


@contextmanager
def _guard(origin: str = "input") -> Iterator[None]:
    """Map every way a command can end to SPEC's exit codes, with no traceback."""
    try:
        yield
    except GradcliError as err:
        _fail(err, origin)
    except KeyboardInterrupt:
        _stderr("gradcli: interrupted")
        # Not typer.Exit: main() takes an exit code of 130 from typer for a Ctrl-C no guard saw.
        raise SystemExit(EXIT_INTERRUPTED) from None
    except BrokenPipeError:
        _quiet_pipe()
    except (typer.Exit, typer.Abort, SystemExit):
        raise
    except OSError as exc:  # the machine's, not gradcli's: a full disk, a closed stream
        if _debug():
            raise
        _fail(_io_failure(exc), origin)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback
        if _debug():
            raise
        engine_error = _engine_error()
        if engine_error is not None and isinstance(exc, engine_error):
            # A problem with the user's input that no caller located: an error of its kind.
            _fail(GradcliError(exc.kind, exc.message, hint=exc.hint), origin)
        _stderr(f"gradcli: internal error: {type(exc).__name__}: {exc}\n"
                "  = hint: this is a bug in gradcli; rerun with --debug for the traceback")
        raise typer.Exit(1) from None


#: What failing writes to stdout raise: a full disk or quota, a file too big, a closed stream.
_WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EBADF}


def _io_failure(exc: OSError) -> GradcliError:
    """An OSError that reached the top: the machine's problem, not gradcli's."""
    what = "write the output" if exc.errno in _WRITE_ERRORS else "read or write a standard stream"
    return GradcliError("io", f"cannot {what}: {exc.strerror or exc}",
                        hint="check where the output goes (a full disk?) and that standard "
                        "input and output are open")


def _engine_error() -> Any:
    """The engine's error class if the engine is loaded (it raised it then), else None."""
    errors = sys.modules.get("gradcli.engine.errors")
    return None if errors is None else errors.EngineError


def _quiet_pipe() -> NoReturn:
    # The reader went away (`| head -1`): stop quietly, and keep Python from complaining
    # again when it flushes stdout at exit.
    _drop_output()
    raise SystemExit(0)  # not typer.Exit: main() calls this too, outside the click app


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


def _limits(max_steps: int, max_depth: int, max_elements: int) -> Any:
    from .engine.ops import set_max_elements
    from .interpreter.core import Limits

    set_max_elements(max_elements)
    return Limits(max_steps=max_steps, max_depth=max_depth)


def _loader(stdin_used: list[bool]) -> Callable[[str], Any]:
    def load(spec: str) -> Any:
        from .data_io import load_data  # only when some --let reads a file
        from .engine.ops import LIMITS

        if spec == "-":
            if stdin_used[0]:
                raise GradcliError("usage", "standard input can be read only once",
                                   hint="use @- for one --let at most, and not with EXPR -")
            stdin_used[0] = True
        return load_data(spec, max_elements=LIMITS["max_elements"])

    return load


MAX_ELEMENTS_HELP = "Largest tensor allowed, in elements (checked before allocating)."
#: The seeds torch.manual_seed takes: 64-bit, a negative one taken modulo 2**64.
SEED_MIN, SEED_MAX = -2**63, 2**64 - 1
SEED_HELP = "Seed for rand, randn and normal (64-bit, as torch.manual_seed)."
LET_HELP = ("Bind NAME to an expression (x=\"arange(4.0)\") or to data: @file.npy, "
            "@file.npz:key, @file.csv, @file.json, @- (a JSON array on stdin). Repeatable.")


@app.command("eval", epilog="""Examples:

  gradcli eval "2*dot(x,x)" --let x="arange(4.0)"

  gradcli eval "sum(tanh(W @ x))" --let W="randn(3, 4)" --let x="ones(4)" --seed 0 --format json

  gradcli eval "x * x" --let x="arange(3.0)" --grad-output ones --format plain

  printf '2*x\\nsum(x**2)\\n' | gradcli eval - --let x=3.0 --format json""")
def eval_command(
    expr: str = typer.Argument(..., metavar="EXPR",
                               help="The expression, or - to read one per line from stdin."),
    let: list[str] = typer.Option([], "--let", "-l", help=LET_HELP),
    wrt: list[str] = typer.Option([], "--wrt", "-w",
                                  help="Report the gradient of this variable only. Repeatable."),
    grad_output: str | None = typer.Option(
        None, "--grad-output", "-g",
        help="Gradient of a non-scalar result (backward(gradient)): an expression or 'ones'."),
    fmt: EvalFormat = typer.Option(EvalFormat.table, "--format", "-f", help="Output format."),
    dtype: Dtype = typer.Option(Dtype.float32, "--dtype", help="Default floating dtype."),
    seed: int | None = typer.Option(None, "--seed", min=SEED_MIN, max=SEED_MAX, help=SEED_HELP),
    precision: int = typer.Option(4, "--precision", min=0, max=30,
                                  help="Decimals shown in table and plain output."),
    full: bool = typer.Option(False, "--full", help="Print big tensors in full, without '...'."),
    no_grad: bool = typer.Option(False, "--no-grad", help="Evaluate only; compute no gradients."),
    trace: bool = typer.Option(False, "--trace",
                               help="Show the backward pass step by step (the chain rule)."),
    detect_anomaly: bool = typer.Option(
        False, "--detect-anomaly",
        help="Stop at the first operation whose value or gradient is NaN or infinite."),
    max_elements: int = typer.Option(250_000_000, "--max-elements", min=1, help=MAX_ELEMENTS_HELP),
    max_steps: int = typer.Option(MAX_STEPS, "--max-steps", min=1,
                                  help="Most loop iterations a program may run."),
    max_depth: int = typer.Option(MAX_CALL_DEPTH, "--max-depth", min=1,
                                  help="Deepest function call nesting."),
) -> None:
    """Evaluate EXPR, backpropagate, and print the value and the gradients."""
    from .render.text import PrintOptions

    options = PrintOptions(precision=precision, full=full)
    origin = "expr" if expr != "-" else "stdin"
    with _guard(origin):
        from .interpreter.evaluate import EvalOptions, Evaluator, split_let

        stdin_used = [expr == "-"]
        opts = EvalOptions(lets=[split_let(text) for text in let], wrt=list(wrt),
                           grad_output=grad_output, no_grad=no_grad, dtype=dtype.value, seed=seed,
                           limits=_limits(max_steps, max_depth, max_elements), trace=trace,
                           detect_anomaly=detect_anomaly)
        # With --format json a bad --let is an error object too (a pipeline reads stdout).
        evaluator = _with_origin(lambda: _json_or_raise(
            lambda: Evaluator(opts, _loader(stdin_used), *_side_channel()), expr,
            fmt is EvalFormat.json), "--let")
        if expr == "-":
            code = _eval_stream(evaluator, fmt, options)
            raise typer.Exit(code)
        _emit(_json_or_raise(lambda: evaluator.evaluate(expr), expr, fmt is EvalFormat.json),
              fmt, options)


def _json_or_raise(compute: Callable[[], Any], expr: str, json: bool) -> Any:
    """The result; with --format json an error in EXPR is an error object on stdout in its
    place (SPEC 2), otherwise the text on stderr."""
    try:
        return compute()
    except GradcliError as err:
        if not json or err.kind == "usage":
            raise
        _json_error(expr, err)


def _json_error(expr: str, err: GradcliError) -> NoReturn:
    from .render.jsonfmt import dumps, error_object

    sys.stdout.write(dumps(error_object(expr, err)) + "\n")
    sys.stdout.flush()
    raise typer.Exit(err.exit_code)


def _side_channel() -> tuple[Callable[[Any], str], Callable[[str], None]]:
    """print() inside an expression: PyTorch's text, on stderr (stdout holds the results)."""
    from .render.text import print_text

    def write(text: str) -> None:
        sys.stdout.flush()  # the results before it come first (2>&1)
        sys.stderr.write(text)
        sys.stderr.flush()

    return print_text, write


def _with_origin(make: Callable[[], Any], origin: str) -> Any:
    try:
        return make()
    except GradcliError as err:
        _fail(err, origin)


def _emit(result: Any, fmt: EvalFormat, options: Any, flush: bool = True) -> None:
    from .render import eval_output

    if fmt is EvalFormat.json:
        sys.stdout.write(eval_output.render_json(result) + "\n")
    elif fmt is EvalFormat.plain:
        sys.stdout.write(eval_output.render_plain(result, options) + "\n")
    else:
        eval_output.render_table(result, options, _console())
    if result.trace is not None and fmt is not EvalFormat.json:
        from .render import derivatives

        if fmt is EvalFormat.plain:
            sys.stdout.write(derivatives.trace_plain(result.trace, options) + "\n")
        else:
            derivatives.trace_table(result.trace, options, _console())
    if flush:
        sys.stdout.flush()


def _console() -> Any:
    from rich.console import Console

    class _PipeConsole(Console):
        def on_broken_pipe(self) -> None:  # Rich would exit 1; a closed pipe is no failure
            self.quiet = True
            _quiet_pipe()

    return _PipeConsole(highlight=False)


def _eval_stream(evaluator: Any, fmt: EvalFormat, options: Any) -> int:
    """``EXPR = -``: one expression per line; a bad line is reported and the run goes on.

    Results are flushed when the lines read so far are done, before waiting for more: a
    line typed or sent alone is answered at once, and a pipe full of lines costs one write
    per batch instead of one per line. On a terminal every line is flushed."""
    from .render.errors import format_error
    from .render.jsonfmt import dumps, error_object
    from .stdin_lines import line_batches

    each_line = sys.stdout.isatty()
    code = 0
    before = 0  # lines of the earlier batches
    for batch in line_batches(_stdin()):
        expressions = _parsed(evaluator, batch, before)
        before += len(batch)
        for number, line, parsed in expressions:
            try:
                if isinstance(parsed, Exception):
                    raise parsed
                result = evaluator.evaluate(line, parsed)
            except GradcliError as err:
                code = 1
                _on_stdin_line(err, number)
                if fmt is EvalFormat.json:
                    sys.stdout.write(dumps(error_object(line, err)) + "\n")
                else:
                    _stderr(format_error(err, "stdin"))
                continue
            _emit(result, fmt, options, flush=each_line)
        sys.stdout.flush()
    return code


def _on_stdin_line(err: GradcliError, number: int) -> None:
    """Locate an error of the expression on line ``number`` of stdin in the stream: blank and
    comment lines give no output, so the line's own number is what finds it."""
    if err.line is not None:
        err.line += number - 1
        if err.source is not None:
            err.source = "\n" * (number - 1) + err.source


def _parsed(evaluator: Any, batch: list[str], before: int) -> list[tuple[int, str, Any]]:
    """(line number, expression, its AST or the exception its parse raised) for the
    expressions of a batch of lines that follows line ``before``: all parsed before any is
    evaluated, each error raised in its turn, so the output is the same as line by line."""
    parsed: list[tuple[int, str, Any]] = []
    for number, raw in enumerate(batch, start=before + 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            node: Any = evaluator.parse(line)
        except Exception as error:  # noqa: BLE001 - raised again in the line's turn
            node = error
        parsed.append((number, line, node))
    return parsed


class RunFormat(str, Enum):
    plain = "plain"
    json = "json"


def _program_interpreter(fmt: RunFormat, dtype: Dtype, seed: int | None, limits: Any,
                         options: Any) -> Any:
    """An interpreter whose echoes and prints go to stdout in ``fmt``."""
    from .engine import dtypes
    from .engine.ops import manual_seed, set_loader
    from .interpreter.core import Interpreter
    from .render import script_output
    from .render.text import print_text

    dtypes.set_default_float(dtype.value)
    if seed is not None:
        manual_seed(seed)
    set_loader(_loader([False]))

    def out(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    interp = Interpreter(limits=limits, to_text=lambda v: print_text(v, options))
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
    dtype: Dtype = typer.Option(Dtype.float32, "--dtype", help="Default floating dtype."),
    seed: int | None = typer.Option(None, "--seed", min=SEED_MIN, max=SEED_MAX, help=SEED_HELP),
    precision: int = typer.Option(4, "--precision", min=0, max=30, help="Decimals printed."),
    max_elements: int = typer.Option(250_000_000, "--max-elements", min=1, help=MAX_ELEMENTS_HELP),
    max_steps: int = typer.Option(MAX_STEPS, "--max-steps", min=1,
                                  help="Most loop iterations the script may run."),
    max_depth: int = typer.Option(MAX_CALL_DEPTH, "--max-depth", min=1,
                                  help="Deepest function call nesting."),
    detect_anomaly: bool = typer.Option(
        False, "--detect-anomaly",
        help="Stop at the first operation whose value or gradient is NaN or infinite."),
) -> None:
    """Run a script: echo each top-level expression's value as Python's prompt does."""
    from .render.text import PrintOptions

    origin = "stdin" if script == "-" else script
    with _guard(origin):
        from .syntax.parser import parse_program

        source = _read_script(script)
        program = parse_program(source)
        interp = _program_interpreter(fmt, dtype, seed, _limits(max_steps, max_depth,
                                                                max_elements),
                                      PrintOptions(precision=precision))
        if detect_anomaly:
            from .engine import autograd
            from .interpreter.trace import Tracer

            interp.detect_anomaly = True
            autograd.ANOMALY_HOOK[0] = Tracer({}, source, True, record=False).step
        interp.run(program, source)


def _read_script(path: str) -> str:
    if path == "-":
        return str(_stdin().read())
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


@app.command("repl")
def repl_command(
    dtype: Dtype = typer.Option(Dtype.float32, "--dtype", help="Default floating dtype."),
    seed: int | None = typer.Option(None, "--seed", min=SEED_MIN, max=SEED_MAX, help=SEED_HELP),
    max_elements: int = typer.Option(250_000_000, "--max-elements", min=1, help=MAX_ELEMENTS_HELP),
    max_steps: int = typer.Option(MAX_STEPS, "--max-steps", min=1,
                                  help="Most loop iterations one input may run."),
    max_depth: int = typer.Option(MAX_CALL_DEPTH, "--max-depth", min=1,
                                  help="Deepest function call nesting."),
) -> None:
    """An interactive session: type statements, see values as PyTorch prints them."""
    with _guard("repl"):
        from .engine.ops import set_loader
        from .repl import Repl

        set_loader(_loader([True]))  # the session reads standard input: load('-') cannot
        _stdin()
        Repl(dtype.value, seed, _limits(max_steps, max_depth, max_elements)).loop()


class DerivFormat(str, Enum):
    table = "table"
    json = "json"
    plain = "plain"


def _toolkit_evaluator(let: list[str], wrt: list[str], dtype: Dtype, seed: int | None,
                       max_elements: int) -> Any:
    from .interpreter.evaluate import EvalOptions, Evaluator, split_let

    opts = EvalOptions(lets=[split_let(text) for text in let], wrt=list(wrt), dtype=dtype.value,
                       seed=seed, limits=_limits(MAX_STEPS, MAX_CALL_DEPTH, max_elements))
    return _with_origin(lambda: Evaluator(opts, _loader([False]), *_side_channel()), "--let")


WRT_HELP = "Differentiate with respect to this variable only. Repeatable."


@app.command("jacobian", epilog="""Examples:

  gradcli jacobian "tanh(W @ x)" --let W="[[1.0, 2.0], [3.0, 4.0]]" --let x="[0.1, 0.2]"

  gradcli jacobian "softmax(x, 0)" --let x="arange(3.0)" --format json""")
def jacobian_command(
    expr: str = typer.Argument(..., metavar="EXPR", help="The expression."),
    let: list[str] = typer.Option([], "--let", "-l", help=LET_HELP),
    wrt: list[str] = typer.Option([], "--wrt", "-w", help=WRT_HELP),
    fmt: DerivFormat = typer.Option(DerivFormat.table, "--format", "-f", help="Output format."),
    dtype: Dtype = typer.Option(Dtype.float32, "--dtype", help="Default floating dtype."),
    seed: int | None = typer.Option(None, "--seed", min=SEED_MIN, max=SEED_MAX, help=SEED_HELP),
    precision: int = typer.Option(4, "--precision", min=0, max=30, help="Decimals shown."),
    max_elements: int = typer.Option(250_000_000, "--max-elements", min=1, help=MAX_ELEMENTS_HELP),
) -> None:
    """d(output)/d(variable), of shape output.shape + variable.shape, by reverse mode."""
    _derivative("jacobian", expr, let, wrt, fmt, dtype, seed, precision, max_elements)


def _derivative(kind: str, expr: str, let: list[str], wrt: list[str], fmt: DerivFormat,
                dtype: Dtype, seed: int | None, precision: int, max_elements: int) -> None:
    """jacobian and hessian: evaluate, differentiate, print in the chosen format."""
    from .render import derivatives
    from .render.text import PrintOptions

    options = PrintOptions(precision=precision)
    with _guard("expr"):
        evaluator = _toolkit_evaluator(let, wrt, dtype, seed, max_elements)
        result = _json_or_raise(lambda: getattr(evaluator, kind)(expr), expr,
                                fmt is DerivFormat.json)
        if fmt is DerivFormat.json:
            sys.stdout.write(getattr(derivatives, f"{kind}_json")(result) + "\n")
        elif fmt is DerivFormat.plain:
            sys.stdout.write(getattr(derivatives, f"{kind}_plain")(result, options) + "\n")
        else:
            getattr(derivatives, f"{kind}_table")(result, options, _console())


@app.command("hessian", epilog="""Examples:

  gradcli hessian "sum(x ** 3)" --let x="[1.0, 2.0]"

  gradcli hessian "sum((X @ w) ** 2)" --let X="[[1.0, 2.0], [3.0, 4.0]]" --let w="[0.5, -0.5]" --wrt w""")
def hessian_command(
    expr: str = typer.Argument(..., metavar="EXPR", help="The expression (its value must be a scalar)."),
    let: list[str] = typer.Option([], "--let", "-l", help=LET_HELP),
    wrt: list[str] = typer.Option([], "--wrt", "-w", help=WRT_HELP),
    fmt: DerivFormat = typer.Option(DerivFormat.table, "--format", "-f", help="Output format."),
    dtype: Dtype = typer.Option(Dtype.float32, "--dtype", help="Default floating dtype."),
    seed: int | None = typer.Option(None, "--seed", min=SEED_MIN, max=SEED_MAX, help=SEED_HELP),
    precision: int = typer.Option(4, "--precision", min=0, max=30, help="Decimals shown."),
    max_elements: int = typer.Option(250_000_000, "--max-elements", min=1, help=MAX_ELEMENTS_HELP),
) -> None:
    """Second derivatives of a scalar: every block between --wrt variables (reverse over reverse)."""
    _derivative("hessian", expr, let, wrt, fmt, dtype, seed, precision, max_elements)


class CheckFormat(str, Enum):
    table = "table"
    json = "json"


@app.command("check", epilog="""Examples:

  gradcli check "sum(sin(x) * exp(x))" --let x="[0.1, 0.5, 2.0]"

  gradcli check "norm(A @ x)" --let A="randn(3, 3)" --let x="randn(3)" --seed 1 -v --format json""")
def check_command(
    expr: str = typer.Argument(..., metavar="EXPR", help="The expression."),
    let: list[str] = typer.Option([], "--let", "-l", help=LET_HELP),
    wrt: list[str] = typer.Option([], "--wrt", "-w", help=WRT_HELP),
    eps: float = typer.Option(1e-6, "--eps", help="Finite-difference step (positive)."),
    atol: float = typer.Option(1e-5, "--atol", min=0.0, help="Absolute tolerance."),
    rtol: float = typer.Option(1e-3, "--rtol", min=0.0, help="Relative tolerance."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show the worst elements."),
    fmt: CheckFormat = typer.Option(CheckFormat.table, "--format", "-f", help="Output format."),
    seed: int | None = typer.Option(None, "--seed", min=SEED_MIN, max=SEED_MAX, help=SEED_HELP),
    max_elements: int = typer.Option(250_000_000, "--max-elements", min=1, help=MAX_ELEMENTS_HELP),
) -> None:
    """Compare autograd with central finite differences (float64); exit 1 on FAIL."""
    from .render import derivatives

    with _guard("expr"):
        if not 0 < eps < float("inf"):
            raise GradcliError("usage", f"--eps must be a positive number, not {eps}")
        for name, tolerance in (("--atol", atol), ("--rtol", rtol)):
            if not 0 <= tolerance < float("inf"):  # NaN too: no error would pass or fail it
                raise GradcliError("usage", f"{name} must be zero or a positive number, "
                                   f"not {tolerance}")
        ev = _toolkit_evaluator(let, wrt, Dtype.float64, seed, max_elements)
        result = _json_or_raise(lambda: ev.check(expr, eps, atol, rtol), expr,
                                fmt is CheckFormat.json)
        if fmt is CheckFormat.json:
            sys.stdout.write(derivatives.check_json(result, verbose) + "\n")
        else:
            derivatives.check_table(result, verbose, _console())
        sys.stdout.flush()
        if not result.ok:
            raise typer.Exit(1)


class GraphFormat(str, Enum):
    tree = "tree"
    dot = "dot"
    mermaid = "mermaid"


@app.command("graph", epilog="""Examples:

  gradcli graph "2*dot(x,x)" --let x="arange(4.0)"

  gradcli graph "sum(tanh(W @ x))" --let W="[[1.0, 2.0], [3.0, 4.0]]" --let x="[0.1, 0.2]" --format mermaid

  gradcli graph "2*dot(x,x)" --let x="arange(4.0)" -o graph.svg""")
def graph_command(
    expr: str = typer.Argument(..., metavar="EXPR", help="The expression."),
    let: list[str] = typer.Option([], "--let", "-l", help=LET_HELP),
    fmt: GraphFormat = typer.Option(GraphFormat.tree, "--format", "-f", help="Output format."),
    output: str | None = typer.Option(None, "--output", "-o",
                                      help="Write to FILE.dot, or render FILE.svg/.png with Graphviz."),
    dtype: Dtype = typer.Option(Dtype.float32, "--dtype", help="Default floating dtype."),
    seed: int | None = typer.Option(None, "--seed", min=SEED_MIN, max=SEED_MAX, help=SEED_HELP),
    max_elements: int = typer.Option(250_000_000, "--max-elements", min=1, help=MAX_ELEMENTS_HELP),
) -> None:
    """The computation graph: ops with shape, value and the gradient flowing through; leaves."""
    from .render import graph as draw

    with _guard("expr"):
        result = _toolkit_evaluator(let, [], dtype, seed, max_elements).graph(expr)
        if output is not None:
            draw.render_file(draw.to_dot(result), output)
        elif fmt is GraphFormat.dot:
            sys.stdout.write(draw.to_dot(result))
        elif fmt is GraphFormat.mermaid:
            sys.stdout.write(draw.to_mermaid(result))
        else:
            _console().print(draw.to_tree(result))


class OpsFormat(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"


@app.command("ops", epilog="""Examples:

  gradcli ops

  gradcli ops --format json | jq '.[] | select(.category == "reduction") | .name'""")
def ops_command(
    fmt: OpsFormat = typer.Option(OpsFormat.table, "--format", "-f", help="Output format."),
) -> None:
    """List every function: name, signature, derivative rule, PyTorch grad_fn."""
    with _guard():
        from .render import ops_listing

        if fmt is OpsFormat.json:
            sys.stdout.write(ops_listing.render_json() + "\n")
        elif fmt is OpsFormat.markdown:
            sys.stdout.write(ops_listing.render_markdown())
        else:
            ops_listing.render_table(_console())


class DiffFormat(str, Enum):
    text = "text"
    plain = "plain"
    latex = "latex"
    json = "json"


@app.command("diff", epilog="""Examples:

  gradcli diff "(dot(x, w) - y)**2" --wrt w --let x="arange(3.0)" --let w="ones(3)" --let y=2.0

  gradcli diff "sum((X @ w - y)**2)" --wrt w --shape X=5,3 --shape w=3 --shape y=5 --format plain

  gradcli diff "sum(sigmoid(W @ x))" --shape W=2,3 --shape x=3 --steps --format latex""")
def diff_command(
    expr: str = typer.Argument(..., metavar="EXPR", help="The expression to differentiate."),
    let: list[str] = typer.Option([], "--let", "-l", help=LET_HELP),
    shape: list[str] = typer.Option([], "--shape", "-s", help="A variable with a shape and no "
                                    "value: NAME=3,4 (NAME= for a scalar). Repeatable."),
    wrt: list[str] = typer.Option([], "--wrt", "-w", help=WRT_HELP),
    order: int = typer.Option(1, "--order", min=1, max=2,
                              help="1: first derivatives; 2: second derivatives."),
    steps: bool = typer.Option(False, "--steps", help="Show the chain rule step by step."),
    fmt: DiffFormat = typer.Option(DiffFormat.text, "--format", "-f", help="Output format."),
    no_check: bool = typer.Option(False, "--no-check",
                                  help="Do not compare the result with autograd."),
    seed: int | None = typer.Option(None, "--seed", min=SEED_MIN, max=SEED_MAX, help=SEED_HELP),
    max_elements: int = typer.Option(250_000_000, "--max-elements", min=1, help=MAX_ELEMENTS_HELP),
) -> None:
    """The derivative as an expression: in matrix form, simplified, checked against autograd."""
    with _guard("expr"):
        from .cli_diff import run_diff

        evaluator = _toolkit_evaluator(let, [], Dtype.float64, seed, max_elements)
        code = _json_or_raise(lambda: run_diff(expr, evaluator, shape, list(wrt), order, steps,
                                               fmt.value, no_check, _console), expr,
                              fmt is DiffFormat.json)
        if code:
            raise typer.Exit(code)


def _click_exceptions() -> Any:
    try:  # typer vendors click from 0.22 on
        from typer._click import exceptions
    except ImportError:  # pragma: no cover - older typer
        from click import exceptions  # type: ignore[no-redef]
    return exceptions


#: The one-letter options (-x for another letter is the expression -x).
_SHORT = frozenset("lwgfovhs")
#: Options that take no value; every other option takes the next argument as its value.
_FLAGS = frozenset({"--full", "--no-grad", "--trace", "--detect-anomaly", "--debug", "--steps",
                    "--no-check", "--verbose", "-v", "--help", "-h", "--version"})


def expression_first(argv: list[str]) -> list[str]:
    """SPEC 2: an EXPR that begins with ``-`` (``-x**2``, a derivative pasted back) is an
    expression, not an option: it moves behind a ``--`` at the end, where click reads it so."""
    import re

    if "--" in argv:
        return argv
    expecting, command = False, False
    for i, token in enumerate(argv[1:], 1):
        if expecting:
            expecting = False
        elif re.fullmatch(r"--[A-Za-z][\w-]*(=.*)?|-[A-Za-z](\w*=.*)?", token) and (
                token.startswith("--") or token[1] in _SHORT):
            expecting = command and "=" not in token and token not in _FLAGS
        elif not command:
            command = True
        else:
            if token.startswith("-") and token != "-":
                return [*argv[:i], *argv[i + 1:], "--", token]
            return argv
    return argv


def main() -> None:
    """Console-script entry point."""
    sys.argv = expression_first(sys.argv)
    if sys.stdout is None:
        sys.stdout = _ClosedStdout()  # type: ignore[assignment]
    if sys.stderr is None:  # errors cannot be shown; the exit code still tells
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process
    errors = _click_exceptions()
    try:
        code = app(standalone_mode=False)
    except errors.ClickException as err:
        if type(err).__name__ == "NoArgsIsHelpError":  # plain `gradcli`: the help, as a usage error
            sys.stderr.write(err.format_message() + "\n")
            raise SystemExit(2) from None
        # Option-parser mistakes in gradcli's own format (SPEC 2), not click's usage block.
        command = err.ctx.command_path if getattr(err, "ctx", None) else "gradcli"
        _stderr(f"error[usage]: {err.format_message()}\n  = hint: see '{command} --help'")
        raise SystemExit(2) from None
    except typer.Abort:
        _stderr("gradcli: interrupted")
        raise SystemExit(EXIT_INTERRUPTED) from None
    except BrokenPipeError:
        _quiet_pipe()
    except KeyboardInterrupt:
        _stderr("gradcli: interrupted")
        raise SystemExit(EXIT_INTERRUPTED) from None
    except OSError as exc:  # writing --version or --help
        if _debug():
            raise
        from .render.errors import format_error

        error = _io_failure(exc)
        _stderr(format_error(error, "input"))
        raise SystemExit(error.exit_code) from None
    if code == EXIT_INTERRUPTED:
        # typer (0.22 on) ends a Ctrl-C that lands outside the commands' guards (while it reads
        # the options, or while a command imports what it needs) with a silent 130.
        _stderr("gradcli: interrupted")
    raise SystemExit(code if isinstance(code, int) else 0)
