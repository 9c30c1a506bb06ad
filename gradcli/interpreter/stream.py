"""``gradcli eval -``: the expressions of a stream of lines, each answered in its turn."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..engine.errors import EngineError
from ..errors import GradcliError, InternalError
from ..results import EvalResult
from .evaluate import Evaluator


def evaluate_lines(evaluator: Evaluator, batches: Iterable[list[str]],
                   answer: Callable[[EvalResult], None],
                   refuse: Callable[[str, GradcliError], None],
                   batch_done: Callable[[], None]) -> int:
    """Evaluate the expression on each line of ``batches`` (lists of lines, one per read of
    the stream); 1 if some line failed, else 0.

    Blank and comment lines are skipped. A batch is parsed before any of its lines is
    evaluated (parsing lines one after another keeps the parser's code and data in cache);
    each line then gets its result (``answer``) or its error (``refuse``, located at its line
    of the stream) in its turn, and the run goes on, whatever the line raised (a bug in
    gradcli is an internal error of its line). ``batch_done`` follows each batch."""
    code = 0
    before = 0  # lines of the earlier batches
    for batch in batches:
        expressions = parse_batch(evaluator, batch, before)
        before += len(batch)
        for number, line, parsed in expressions:
            code |= evaluate_parsed(evaluator, number, line, parsed, answer, refuse)
        batch_done()
    return code


def evaluate_one(evaluator: Evaluator, number: int, raw: str, parsed: Any,
                 answer: Callable[[EvalResult], None],
                 refuse: Callable[[str, GradcliError], None]) -> int:
    """Line ``number`` of the stream, ``raw``, as evaluate_lines treats it (``parsed``: its
    AST, or None to parse it here); 1 if it failed, else 0."""
    line = raw.strip()
    if not line or line.startswith("#"):
        return 0
    return evaluate_parsed(evaluator, number, line, _not_text(raw, line) or parsed, answer,
                           refuse)


def evaluate_parsed(evaluator: Evaluator, number: int, line: str, parsed: Any,
                    answer: Callable[[EvalResult], None],
                    refuse: Callable[[str, GradcliError], None]) -> int:
    """An expression of parse_batch (``parsed``: its AST or its parse's exception) in its
    turn; 1 if it failed, else 0. Whatever it raises is an error of its line (a bug in
    gradcli an internal error), except a failure of the output itself (OSError), which
    ends the run."""
    try:
        if isinstance(parsed, Exception):
            raise parsed
        result = evaluator.evaluate(line, parsed)
    except Exception as exc:  # noqa: BLE001 - a bug ends its line, never the stream
        refuse(line, _of_line(exc, line, number))
        return 1
    try:
        answer(result)
    except OSError:  # the output failed (a closed pipe, a full disk): the run ends
        raise
    except Exception as exc:  # noqa: BLE001 - a bug in printing ends its line only
        refuse(line, _of_line(exc, line, number))
        return 1
    return 0


def _of_line(exc: Exception, line: str, number: int) -> GradcliError:
    """What ``line``, line ``number`` of the stream, raised, as an error located there."""
    err = exc if isinstance(exc, GradcliError) else _unexpected(exc).located(1, 1, line)
    _on_line(err, number)
    return err


def _unexpected(exc: Exception) -> GradcliError:
    """An exception that is not a user's error, as an error of its line: the machine's (an
    OSError) of kind ``io``, anything else an internal error."""
    if isinstance(exc, EngineError):  # a user's error that no caller located
        return GradcliError(exc.kind, exc.message, hint=exc.hint)
    if isinstance(exc, OSError):
        return GradcliError("io", f"cannot read or write: {exc.strerror or exc}",
                            hint="check the files the expression reads")
    return InternalError(exc)


def _on_line(err: GradcliError, number: int) -> None:
    """Locate an error of the expression on line ``number`` of the stream: blank and comment
    lines give no output, so the line's own number is what finds it."""
    if err.line is not None:
        err.line += number - 1
        if err.source is not None:
            err.source = "\n" * (number - 1) + err.source


def _not_text(raw: str, line: str) -> GradcliError | None:
    """The io error of a line that is not text (stdin_lines.NotText), shown as ``line``."""
    error: GradcliError | None = getattr(raw, "error", None)
    if error is not None:
        error.source = line
    return error


def parse_batch(evaluator: Evaluator, batch: list[str], before: int) -> list[tuple[int, str, Any]]:
    """(line number, expression, its AST or the exception its parse raised) for the
    expressions of a batch of lines that follows line ``before``: all parsed before any is
    evaluated, each error raised in its turn, so the output is the same as line by line."""
    parsed: list[tuple[int, str, Any]] = []
    for number, raw in enumerate(batch, start=before + 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        node: Any = _not_text(raw, line)
        if node is None:
            try:
                node = evaluator.prepare(line)
            except Exception as error:  # noqa: BLE001 - raised again in the line's turn
                node = error
        parsed.append((number, line, node))
    return parsed
