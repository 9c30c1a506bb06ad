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


@pytest.mark.slow
@pytest.mark.parametrize("word", ["exit", "exit()", "quit", "quit()"])
def test_exit_and_quit_leave_as_in_python(repl, word: str) -> None:
    repl.sendline(word)
    repl.expect(pexpect.EOF)
    repl.close()
    assert repl.exitstatus == 0


@pytest.mark.slow
@pytest.mark.parametrize("word", ["help", "?", "help()"])
def test_help_words_show_the_help(repl, word: str) -> None:
    out = send(repl, word)
    assert ":vars" in out and "help(sin)" in out and "Tab completes" in out


@pytest.mark.slow
@pytest.mark.parametrize("asked", ["help(sin)", "?sin", "help(torch.sin)", "? x.sin"])
def test_help_on_a_function_is_its_op_table_entry(repl, asked: str) -> None:
    from gradcli.engine.ops import OPS
    from gradcli.render.ops_listing import rows

    row = rows([OPS["sin"]])[0]
    out = send(repl, asked)
    for part in ("signature", "summary", "derivative", "grad_fn", "example"):
        assert row[part] and row[part] in out, (part, out)
    assert "error" not in out


@pytest.mark.slow
def test_help_on_an_unknown_name_suggests_one(repl) -> None:
    out = send(repl, "?sn")
    assert "no function named 'sn'" in out and "did you mean 'sin'?" in out


def complete(child, typed: str, shown: str) -> str:
    """Type ``typed`` and Tab; readline must have extended the line to ``shown``."""
    child.send(typed + "\t")
    child.expect_exact(shown)
    child.sendcontrol("c")  # drop the line
    child.expect_exact("KeyboardInterrupt")
    child.expect_exact(">>> ")
    return child.before


@pytest.mark.slow
@pytest.mark.parametrize(("typed", "shown"), [
    ("tor", "torch."),               # a namespace, with its dot
    ("torch.sqr", "torch.sqrt("),    # a function of torch, with its bracket
    ("F.log_so", "F.log_softmax("),  # F, once imported
    ("whi", "while "),               # a keyword
    ("my_va", "my_variable"),        # a variable of the session
    ("my_variable.is_le", "my_variable.is_leaf"),             # a tensor attribute
    ("my_variable.backw", "my_variable.backward("),            # a tensor method
    (":va", ":vars"),                # a REPL command
])
def test_tab_completes(repl, typed: str, shown: str) -> None:
    send(repl, "my_variable = torch.ones(2, requires_grad=True)")
    send(repl, "import torch.nn.functional as F")
    complete(repl, typed, shown)


@pytest.mark.slow
def test_tab_lists_the_choices_and_runs_nothing(repl) -> None:
    send(repl, "x = torch.ones(2)")
    repl.send("x.grad\t")  # two matches (grad, grad_fn): a second Tab lists them
    repl.expect_exact("\a")
    repl.send("\t")
    repl.expect_exact("x.grad     x.grad_fn")
    repl.sendcontrol("c")
    repl.expect_exact("KeyboardInterrupt")
    repl.expect_exact(">>> ")
    assert "tensor([1., 1.])" in send(repl, "x")


#: Runs the REPL with a completer that gets a SIGINT while it runs: readline calls it from C,
#: and Python's readline module drops what it raises.
_SIGINT_IN_COMPLETER = """
import os, signal
from gradcli import repl_complete
from gradcli.launch import main
matches = repl_complete.Completer.matches
def interrupted(self, text):
    os.kill(os.getpid(), signal.SIGINT)
    for _ in range(100000):  # the handler runs in here, under readline's call
        pass
    return matches(self, text)
repl_complete.Completer.matches = interrupted
main()
"""


@pytest.mark.slow
def test_ctrl_c_during_a_completion_cancels_the_line(tmp_path: Path) -> None:
    """A KeyboardInterrupt raised in the completer was dropped by readline: the Ctrl-C was
    lost and the line stayed. It is held back and cancels the line as one typed at the
    prompt does."""
    env = {**os.environ, "HOME": str(tmp_path), "NO_COLOR": "1", "TERM": "dumb",
           "COLUMNS": "100"}
    child = pexpect.spawn(sys.executable, ["-c", _SIGINT_IN_COMPLETER, "repl"], cwd=str(ROOT),
                          env=env, encoding="utf-8", timeout=10, dimensions=(40, 100))
    try:
        child.expect_exact(">>> ")
        child.send("undefined_na\t")
        child.expect_exact("KeyboardInterrupt")
        child.expect_exact(">>> ")
        out = send(child, "1 + 1")
        assert "2" in out and "undefined_na" not in out
    finally:
        child.close(force=True)


def test_while_the_repl_waits_for_a_line_signals_are_looked_at(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Readline acts on a signal only when one interrupts its wait: ticks (SIGALRM every
    repl.TICK seconds) while it waits, so that a Ctrl-C that came while it was busy is acted
    on within a tick; none after, and the SIGALRM handler is given back."""
    import signal
    import time

    from gradcli import repl

    ticks: list[float] = []
    monkeypatch.setattr(repl, "_tick", lambda signum, frame: ticks.append(time.monotonic()))
    before = signal.getsignal(signal.SIGALRM)
    start = time.monotonic()
    with repl._ticking():
        while time.monotonic() - start < 3.5 * repl.TICK:
            time.sleep(0.01)
    assert 2 <= len(ticks) <= 4, ticks
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_completer_looks_names_up_without_evaluating() -> None:
    from gradcli.interpreter.core import Interpreter
    from gradcli.repl_complete import Completer

    interp = Interpreter()
    c = Completer(interp)
    assert c.matches("sigm") == ["sigmoid("]
    assert "torch.nn." in c.matches("torch.n")
    assert c.matches("1:aran") == ["1:arange("]  # x[1:ar: readline gives the text after [
    assert c.matches("foo().") == [] and c.matches("undefined.") == []
    assert {"exit", "quit", "help"} <= set(c.matches("")) - set(interp.builtins)


@pytest.mark.slow
def test_piped_input_prints_no_prompts() -> None:
    import subprocess

    proc = subprocess.run([sys.executable, "-m", "gradcli", "repl"], cwd=str(ROOT),
                          input="x = 1 + 1\nif x:\n    print(x)\n\nhelp(exp)\nquit\nprint(9)\n",
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert ">>>" not in proc.stdout + proc.stderr and "..." not in proc.stdout + proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.startswith("2\nexp(input)") and "9" not in proc.stdout


@pytest.mark.slow
def test_repl_help_lists_commands_history_and_keys() -> None:
    import subprocess

    out = subprocess.run([sys.executable, "-m", "gradcli", "repl", "--help"], cwd=str(ROOT),
                         capture_output=True, text=True, timeout=60,
                         env={**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}).stdout
    for part in (":vars", ":help", "help(sin)", ":quit", "~/.gradcli_history", "Ctrl-C",
                 "Ctrl-D", "Tab", "Examples"):
        assert part in out, part


def test_help_on_a_variable_or_an_attribute_says_what_it_is(capsys) -> None:
    from gradcli.interpreter.core import Limits
    from gradcli.repl import Repl

    repl = Repl("float32", None, Limits())
    repl.execute("w = torch.ones(2)")
    repl.execute("help(w)")
    repl.execute("?w.grad")
    repl.execute("?w.sum")
    out = capsys.readouterr().out
    assert "w is a variable of this session" in out
    assert "w.grad: a tensor attribute, not a function" in out
    assert "sum(input, dim=None" in out
