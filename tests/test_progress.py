"""The progress line of long work: on stderr when it is a terminal and stdout is not, after a
second; never otherwise, and never a change to what stdout receives (issue 17 B.6)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from gradcli.render import progress

ROOT = Path(__file__).resolve().parent.parent


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADCLI_PROGRESS_DELAY", "0.05")
    monkeypatch.setenv("TERM", "xterm")


def slow_stream(stream: progress.StreamProgress, lines: int, pause: float) -> list[int]:
    seen = []
    for batch in stream.batches(iter([list(range(lines))])):
        for item in stream.each(batch):
            time.sleep(pause)
            seen.append(item)
    return seen


def test_shown_on_a_terminal_after_the_delay_then_erased(quick, monkeypatch) -> None:
    err, out = Terminal(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    stream = progress.StreamProgress()
    assert slow_stream(stream, 12, 0.05) == list(range(12))
    shown = err.getvalue()
    assert "eval -: " in shown and " lines done, " in shown and " lines/s, " in shown
    assert shown.rstrip().endswith("\x1b[2K")  # erased at the end (transient)
    assert out.getvalue() == "" and stream.done == 12
    assert sys.stderr is err  # the redirection of stderr is undone


def test_nothing_before_the_delay(quick, monkeypatch) -> None:
    monkeypatch.setenv("GRADCLI_PROGRESS_DELAY", "5")
    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    slow_stream(progress.StreamProgress(), 3, 0.01)
    assert err.getvalue() == ""


@pytest.mark.parametrize("case", ["stderr piped", "stdout a terminal", "TERM=dumb",
                                  "stdin typed"])
def test_never_otherwise(quick, monkeypatch, case: str) -> None:
    err = io.StringIO() if case == "stderr piped" else Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(sys, "stdout", Terminal() if case == "stdout a terminal" else io.StringIO())
    monkeypatch.setattr(sys, "stdin", Terminal() if case == "stdin typed" else io.StringIO())
    if case == "TERM=dumb":
        monkeypatch.setenv("TERM", "dumb")
    threads = set(threading.enumerate())  # another test's thread may end meanwhile
    slow_stream(progress.StreamProgress(), 6, 0.03)
    assert err.getvalue() == "" and set(threading.enumerate()) <= threads


def test_script_line_reads_the_interpreter() -> None:
    class Interp:
        line, steps = 7, 250_000

    line = progress.script_progress(Interp(), 40, "train.py")
    assert line.describe(2.0) == "run train.py: line 7 of 40, 250,000 loop steps (125,000/s), 2 s"


LOOP = 'i = 0\nprint("start")\nwhile i < 400000:\n    i = i + 1\nprint(i)\n'


@pytest.mark.slow
def test_run_shows_progress_and_stdout_is_unchanged(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    (tmp_path / "loop.py").write_text(LOOP)
    gradcli = f"{sys.executable} -m gradcli run loop.py"
    # The work takes a second or more (rich is imported on the drawing thread meanwhile);
    # the line is asked for at once.
    env = {**os.environ, "TERM": "xterm", "PYTHONPATH": str(ROOT), "GRADCLI_PROGRESS_DELAY": "0"}
    child = pexpect.spawn("sh", ["-c", f"{gradcli} > out.txt"], cwd=str(tmp_path), env=env,
                          encoding="utf-8", timeout=120)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert re.search(r"run loop\.py: line [45] of 5, [\d,]+ loop steps \([\d,]+/s\)", child.before)
    piped = subprocess.run(["sh", "-c", gradcli], cwd=str(tmp_path), env=env,
                           capture_output=True, text=True, timeout=120)
    assert (tmp_path / "out.txt").read_text() == piped.stdout == "start\n400000\n"
    assert piped.stderr == ""


@pytest.mark.slow
def test_eval_stream_shows_progress_and_stdout_is_unchanged(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    (tmp_path / "lines.txt").write_text("sum(exp(x / 1e5) * x)\nnosuch\n" * 10)
    gradcli = (f"{sys.executable} -m gradcli eval - --let x='arange(100000.0)' --format json "
               "< lines.txt")
    # The work takes a second or more (rich is imported on the drawing thread meanwhile);
    # the line is asked for at once.
    env = {**os.environ, "TERM": "xterm", "PYTHONPATH": str(ROOT), "GRADCLI_PROGRESS_DELAY": "0"}
    child = pexpect.spawn("sh", ["-c", f"{gradcli} > out.jsonl"], cwd=str(tmp_path), env=env,
                          encoding="utf-8", timeout=300)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1  # the bad lines
    assert "eval -: " in child.before and " lines done, " in child.before
    piped = subprocess.run(["sh", "-c", gradcli], cwd=str(tmp_path), env=env,
                           capture_output=True, text=True, timeout=300)
    assert (tmp_path / "out.jsonl").read_text() == piped.stdout
    assert len(piped.stdout.splitlines()) == 20 and piped.stderr == ""
