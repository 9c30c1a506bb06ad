"""``gradcli eval``: one expression, or one per line of stdin; its value and its gradients."""

import sys
from typing import Any

import typer

from ..limits import MAX_CALL_DEPTH, MAX_NESTING, MAX_STEPS
from .app import app
from .boundary import guard, json_or_raise, show_traceback, stderr, stdin, with_origin
from .options import (
    MAX_ELEMENTS,
    DetectAnomaly,
    Dtype,
    DtypeOption,
    EvalFormat,
    Let,
    MaxDepth,
    MaxElements,
    MaxInput,
    MaxMemory,
    MaxNesting,
    MaxSteps,
    Seed,
)
from .output import emit, side_channel
from .runtime import Budget, limits, loader


@app.command("eval", epilog="""Examples:

  gradcli eval "2*dot(x,x)" --let x="arange(4.0)"

  gradcli eval "sum(tanh(W @ x))" --let W="randn(3, 4)" --let x="ones(4)" --seed 0 --format json

  gradcli eval "x * x" --let x="arange(3.0)" --grad-output ones --format plain

  printf '2*x\\nsum(x**2)\\n' | gradcli eval - --let x=3.0 --format json""")
def eval_command(
    expr: str = typer.Argument(..., metavar="EXPR",
                               help="The expression, or - to read one per line from stdin."),
    let: Let = [],
    wrt: list[str] = typer.Option([], "--wrt", "-w", metavar="NAME",
                                  help="Report the gradient of this variable only. Repeatable."),
    grad_output: str | None = typer.Option(
        None, "--grad-output", "-g", metavar="EXPR",
        help="Gradient of a non-scalar result (backward(gradient)): an expression or 'ones'."),
    fmt: EvalFormat = typer.Option(EvalFormat.table, "--format", "-f", help="Output format."),
    dtype: DtypeOption = Dtype.float32,
    seed: Seed = None,
    precision: int = typer.Option(4, "--precision", metavar="N", min=0, max=30,
                                  help="Decimals shown in table and plain output."),
    full: bool = typer.Option(False, "--full", help="Print big tensors in full, without '...'."),
    no_grad: bool = typer.Option(False, "--no-grad", help="Evaluate only; compute no gradients."),
    trace: bool = typer.Option(False, "--trace",
                               help="Show the backward pass step by step (the chain rule)."),
    detect_anomaly: DetectAnomaly = False,
    max_elements: MaxElements = MAX_ELEMENTS,
    max_memory: MaxMemory = None,
    max_input: MaxInput = None,
    max_nesting: MaxNesting = MAX_NESTING,
    max_steps: MaxSteps = MAX_STEPS,
    max_depth: MaxDepth = MAX_CALL_DEPTH,
    jobs: int = typer.Option(
        1, "--jobs", "-j", min=0, metavar="N",
        help="With EXPR -: evaluate the lines in N processes (0: one per core); the output "
        "is the same, in the same order."),
) -> None:
    """Evaluate EXPR, backpropagate, and print the value and the gradients."""
    from ..render.text import PrintOptions

    options = PrintOptions(precision=precision, full=full)
    origin = "expr" if expr != "-" else "stdin"
    if jobs != 1 and expr != "-":
        raise typer.BadParameter("--jobs is for a stream of lines: EXPR -", param_hint="--jobs")
    with guard(origin):
        from ..interpreter.evaluate import EvalOptions, Evaluator, split_let

        stdin_used = [expr == "-"]
        budget = Budget(max_elements, max_memory, max_input, max_nesting)
        opts = EvalOptions(lets=[split_let(text) for text in let], wrt=list(wrt),
                           grad_output=grad_output, no_grad=no_grad, dtype=dtype.value, seed=seed,
                           limits=limits(max_steps, max_depth, budget), trace=trace,
                           detect_anomaly=detect_anomaly, output=fmt.value, full=full)
        # With --format json a bad --let is an error object too (a pipeline reads stdout).
        evaluator = with_origin(lambda: json_or_raise(
            lambda: Evaluator(opts, loader(stdin_used), *side_channel()), expr,
            fmt is EvalFormat.json), "--let")
        if expr == "-":
            code = eval_stream(evaluator, fmt, options, jobs)
            raise typer.Exit(code)
        json = fmt is EvalFormat.json
        result = json_or_raise(lambda: evaluator.evaluate(expr), expr, json)
        json_or_raise(lambda: emit(result, fmt, options), expr, json)


def eval_stream(evaluator: Any, fmt: EvalFormat, options: Any, jobs: int = 1) -> int:
    """``EXPR = -``: one expression per line; a bad line is reported and the run goes on.
    With ``jobs`` other than 1, in worker processes (not when stdout is a terminal, where
    each line is answered as it is typed, nor where processes cannot be forked).

    Results are flushed when the lines read so far are done, before waiting for more: a
    line typed or sent alone is answered at once, and a pipe full of lines costs one write
    per batch instead of one per line. On a terminal every line is flushed."""
    from ..interpreter.stream import evaluate_lines
    from ..render.errors import format_error
    from ..render.jsonfmt import dumps, error_object
    from ..render.progress import StreamProgress
    from ..stdin_lines import line_batches

    each_line = sys.stdout.isatty()
    progress = StreamProgress()  # on a terminal's stderr, after a second

    def answer(result: Any) -> None:
        progress.done += 1
        emit(result, fmt, options, flush=each_line)

    def counted() -> None:
        progress.done += 1

    def refuse(line: str, err: Any) -> None:
        progress.done += 1
        show_traceback(err)
        if fmt is EvalFormat.json:
            sys.stdout.write(dumps(error_object(line, err)) + "\n")
        else:
            stderr(format_error(err, "stdin"))

    batches = progress.batches(line_batches(stdin()))
    if not each_line:
        _in_blocks(sys.stdout)
    if jobs != 1 and not each_line:
        from ..interpreter import parallel

        if parallel.can_fork():
            return parallel.evaluate_lines_parallel(
                evaluator, batches, answer, refuse, sys.stdout.flush,
                jobs or parallel.cores(), counted)
    return evaluate_lines(evaluator, batches, answer, refuse, sys.stdout.flush)


def _in_blocks(stream: Any) -> None:
    """Results written in blocks, even where Python writes each one through at once
    (PYTHONUNBUFFERED=1 or ``python -u``, common in containers: a write and a wake-up of the
    reader per line cost ~20 us of a 65 us line). The stream flushes them itself when the
    lines read so far are done, and the command ends with the stream."""
    if getattr(stream, "write_through", False) and hasattr(stream, "reconfigure"):
        stream.reconfigure(write_through=False)
