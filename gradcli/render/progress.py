"""A progress line on stderr for long work (``eval -``, ``run``): on a terminal, after a second.

It is drawn only when stderr is a terminal (not ``TERM=dumb``) and the results go elsewhere
(stdout is a pipe or a file: results on the terminal are progress enough, and raw writes to
it would tear the line). It appears once the work has run for ``DELAY`` seconds (or
``GRADCLI_PROGRESS_DELAY``), is redrawn by Rich's own thread (it moves while one long line or
statement runs), and is erased when the work ends; what is written to stderr meanwhile is
printed above it. Stdout is never touched."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

#: Seconds of work before the line appears (GRADCLI_PROGRESS_DELAY changes it).
DELAY = 1.0


def _delay() -> float:
    try:
        return max(0.0, float(os.environ.get("GRADCLI_PROGRESS_DELAY", DELAY)))
    except ValueError:
        return DELAY


def wanted() -> bool:
    """Whether a progress line may be drawn: stderr is a terminal, stdout is not."""
    return (os.environ.get("TERM") != "dumb" and _isatty(sys.stderr)
            and not _isatty(sys.stdout))


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def rate(count: float, seconds: float) -> str:
    return f"{count / seconds:,.0f}" if seconds > 0 else "?"


class ProgressLine:
    """``with ProgressLine(describe):`` around the work; ``describe(seconds)`` says how far it
    is (it runs on the drawing thread: it must only read counters)."""

    def __init__(self, describe: Callable[[float], str], enabled: bool = True) -> None:
        self.describe = describe
        self.enabled = enabled
        self.start = time.monotonic()
        self._live: Any = None
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self._closed = False

    def __enter__(self) -> ProgressLine:
        if self.enabled and wanted():
            self._timer = threading.Timer(_delay(), self._show)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._closed = True
            if self._timer is not None:
                self._timer.cancel()
            if self._live is not None:
                self._live.stop()

    def __rich__(self) -> Any:
        from rich.text import Text

        return Text(self.describe(time.monotonic() - self.start), style="dim")

    def _show(self) -> None:
        from rich.console import Console
        from rich.live import Live

        with self._lock:
            if self._closed:
                return
            console = Console(stderr=True)
            self._live = Live(self, console=console, transient=True, refresh_per_second=4,
                              redirect_stdout=False, redirect_stderr=True)
            self._live.start()


class StreamProgress:
    """For ``eval -``: wraps the stream's batches (the line is up while they last) and each
    batch's expressions (each one counts as done when the next is asked for)."""

    def __init__(self) -> None:
        self.done = 0
        # Typed lines: the time between them is the typist's, not work.
        self.line = ProgressLine(self.describe, enabled=not _isatty(sys.stdin))

    def describe(self, seconds: float) -> str:
        return f"eval -: {self.done:,} lines done, {rate(self.done, seconds)} lines/s, {seconds:.0f} s"

    def batches(self, batches: Iterator[T]) -> Iterator[T]:
        with self.line:
            yield from batches

    def each(self, items: Iterable[T]) -> Iterator[T]:
        for item in items:
            yield item
            self.done += 1


def script_progress(interp: Any, lines: int, name: str) -> ProgressLine:
    """For ``run``: the statement running and the loop steps taken, read from ``interp``."""
    def describe(seconds: float) -> str:
        return (f"run {name}: line {interp.line} of {lines}, {interp.steps:,} loop steps "
                f"({rate(interp.steps, seconds)}/s), {seconds:.0f} s")

    return ProgressLine(describe)
