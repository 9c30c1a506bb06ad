"""`gradcli repl` through a pseudo-terminal, typed as a person would."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")
#: Every test drives a session of its own on a terminal (a process each).
pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def repl(tmp_path: Path):
    env = {**os.environ, "HOME": str(tmp_path), "NO_COLOR": "1", "TERM": "dumb",
           "COLUMNS": "100"}
    child = pexpect.spawn(sys.executable, ["-m", "gradcli", "repl"], cwd=str(ROOT), env=env,
                          encoding="utf-8", timeout=30, dimensions=(40, 100))
    child.expect_exact(">>> ")
    yield child
    child.close(force=True)


def send(child, line: str, prompt: str = ">>> ") -> str:
    child.sendline(line)
    child.expect_exact(prompt)
    return child.before.replace("\r\n", "\n")


def test_session_keeps_state_and_prints_like_pytorch(repl) -> None:
    send(repl, "x = torch.arange(4.0, requires_grad=True)")
    out = send(repl, "y = 2 * torch.dot(x, x); y")
    assert "tensor(28., grad_fn=<MulBackward0>)" in out
    send(repl, "y.backward()")
    assert "tensor([ 0.,  4.,  8., 12.])" in send(repl, "x.grad")


def test_blocks_continue_with_dots(repl) -> None:
    send(repl, "def f(a):", prompt="... ")
    send(repl, "    b = a * 2", prompt="... ")
    send(repl, "    while b.norm() < 1000:", prompt="... ")
    send(repl, "        b = b * 2", prompt="... ")
    send(repl, "    return b", prompt="... ")
    send(repl, "")
    out = send(repl, "f(torch.tensor(1.5))")
    assert "tensor(1536.)" in out


def test_errors_do_not_end_the_session(repl) -> None:
    out = send(repl, "z = foo + 1")
    assert "error[name]" in out and "name 'foo' is not defined" in out and "^^^" in out
    assert "Traceback" not in out
    assert "tensor(2)" in send(repl, "torch.tensor(2)")


def test_vars_and_help(repl) -> None:
    send(repl, "w = torch.ones(2, 3, requires_grad=True)")
    send(repl, "l = (w * 3).sum()")
    send(repl, "l.backward()")
    out = send(repl, ":vars")
    assert "w" in out and "(2, 3)" in out and "float32" in out and "SumBackward0" in out
    assert ":vars" in send(repl, ":help")


def test_ctrl_c_cancels_input_and_ctrl_d_exits(repl) -> None:
    repl.send("x = (1 +")
    repl.expect_exact("x = (1 +")  # echoed: readline has the line
    repl.sendcontrol("c")
    repl.expect_exact(">>> ")
    assert "KeyboardInterrupt" in repl.before
    assert "3" in send(repl, "1 + 2")
    repl.sendcontrol("d")
    repl.expect(pexpect.EOF)
    repl.close()
    assert repl.exitstatus == 0
