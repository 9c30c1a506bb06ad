"""Run the gradcli command in this process, as the console script would run it in a child.

``run_cli(args, input=...)`` calls ``gradcli.cli.main`` with fresh byte streams (UTF-8, not
terminals) and gives back what ``subprocess.run(..., capture_output=True, text=True)`` gives:
``returncode``, ``stdout`` and ``stderr``. Like the children the tests used to start, each
run has its working directory, its environment (no GRADCLI_DEBUG nor FORCE_COLOR), a
memory cap (4 GiB more than the test process uses) and a time limit; a run that takes
longer fails the test.

Tests where a process is the point (the console script, start-up, Ctrl-C, closed and
broken pipes, /dev/full, ``python -m gradcli``) still start one.
"""

from __future__ import annotations

import io
import os
import resource
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from gradcli.cli import main

MEMORY_CAP = 4 * 2**30
BIN = Path(sys.executable).parent / "gradcli"
#: The console script, for the tests that need a process.
GRADCLI = [str(BIN)] if BIN.exists() else [sys.executable, "-m", "gradcli"]


@dataclass
class Completed:
    """What a run gave: the same fields as subprocess.CompletedProcess with text=True."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str


class _TooLong(BaseException):
    """The run's time is up (a BaseException: gradcli's guards must not report it)."""


def run_cli(args: Sequence[str], input: str | bytes | None = None, *, cwd: Path | str | None = None,
            env: dict[str, str] | None = None, timeout: float = 120) -> Completed:
    """``gradcli ARGS`` with ``input`` on stdin; ``env`` adds to (or, with None values, removes
    from) the environment, which always has COLUMNS=80 unless given."""
    data = input.encode() if isinstance(input, str) else (input or b"")
    stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline="\n")
    out, err = io.BytesIO(), io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    stderr = io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace",
                              write_through=True)
    changes: dict[str, str | None] = {"COLUMNS": "80", "GRADCLI_DEBUG": None,
                                      "FORCE_COLOR": None, **(env or {})}
    with _environment(changes), _working_directory(cwd), _memory_cap(), _time_limit(timeout, args):
        code = main(list(args), stdin=stdin, stdout=stdout, stderr=stderr)
    for stream in (stdout, stderr):
        try:
            stream.flush()
        except ValueError:  # closed by the run
            pass
    return Completed(list(args), code, _text(out.getvalue()), _text(err.getvalue()))


def _text(data: bytes) -> str:
    """Decoded as subprocess does with text=True (universal newlines)."""
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


@contextmanager
def _environment(changes: dict[str, str | None]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in changes}
    try:
        for name, value in changes.items():
            _set(name, value)
        yield
    finally:
        for name, value in saved.items():
            _set(name, value)


def _set(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


@contextmanager
def _working_directory(path: Path | str | None) -> Iterator[None]:
    before = os.getcwd()
    if path is not None:
        os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def _address_space() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * resource.getpagesize()


@contextmanager
def _memory_cap() -> Iterator[None]:
    """A limit gradcli fails to enforce ends in a MemoryError, not in an exhausted machine."""
    if not os.path.exists("/proc/self/statm"):
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = _address_space() + MEMORY_CAP
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@contextmanager
def _time_limit(seconds: float, args: Sequence[str]) -> Iterator[None]:
    def up(signum: int, frame: object) -> None:
        raise _TooLong

    previous = signal.signal(signal.SIGALRM, up)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _TooLong:
        pytest.fail(f"gradcli {' '.join(a[:60] for a in args)} did not finish in {seconds} s "
                    "(a hang: it should end with a clean error)")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
