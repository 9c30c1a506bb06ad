"""Issue 18: each attack of the hardening round, as the exact command, the error kind, the
exit code, and no traceback (SPEC sections 2 and 6).

The commands run in this process (tests/cli_runner.py); a child process only where the
process is the point: an endless standard input (/dev/zero), and the peak memory of a run."""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from cli_runner import GRADCLI, Completed, run_cli

from gradcli.errors import GradcliError

CHAIN_201 = "*".join(["x"] * 201)
HUGE_INT_JSON = "[" + "9" * 5000 + "]"


def _files(where: Path) -> None:
    (where / "hi.json").write_text(HUGE_INT_JSON)
    (where / "mixed.json").write_text("[1.5, " + "9" * 400 + "]")
    (where / "nul.csv").write_text("1,2\x003\n")
    (where / "nul_end.csv").write_text("1,2\x00\n")
    np.save(where / "u.npy", np.array([1, 2**64 - 1], dtype=np.uint64))
    np.save(where / "u_small.npy", np.array([1, 2], dtype=np.uint64))
    for name in ("zero.csv", "zero.json"):
        os.symlink("/dev/zero", where / name)
    os.mkfifo(where / "fifo.json")
    (where / "double.py").write_text("s = 'ab'\nfor i in range(40):\n    s = s + s\nlen(s)\n")
    (where / "chain.py").write_text(f"x = 1.0\n{CHAIN_201}\n")
    (where / "tdouble.py").write_text("s = (1,)\nfor i in range(40):\n    s = s + s\nlen(s)\n")


def run(args: list[str], where: Path, stdin: str | None = None) -> Completed:
    """``gradcli ARGS`` in this process, in the directory of the attack files."""
    return run_cli(args, stdin, cwd=where)


def run_on_zero(args: list[str], where: Path) -> subprocess.CompletedProcess[str]:
    """``gradcli ARGS < /dev/zero`` in a child under a 3 GB cap: standard input never ends."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3000 << 20, 3000 << 20))

    with open("/dev/zero", "rb") as zero:
        return subprocess.run([*GRADCLI, *args], cwd=where, stdin=zero, capture_output=True,
                              text=True, timeout=120, preexec_fn=limit)


@pytest.fixture(scope="module")
def where(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("attacks")
    _files(path)
    return path


#: (command, stdin, kind, exit code, words the message must hold). Kind None: no error.
ATTACKS = [
    # 1. internal errors
    (["eval", "'%' % 1"], None, "value", 1, "incomplete format"),
    (["eval", "'%z' % 1"], None, "value", 1, "unsupported format character 'z'"),
    (["eval", "'%s%' % 1"], None, "value", 1, "incomplete format"),
    (["eval", "'%.5' % 1.0"], None, "value", 1, "incomplete format"),
    (["eval", "'%d %d' % 1"], None, "type", 1, "not enough arguments"),
    (["eval", "'%o' % None"], None, "type", 1, "an integer is required, not NoneType"),
    (["eval", "x", "--let", "x=@mixed.json"], None, "io", 1,
     "the item at [1] is an integer too large for a 64-bit float"),
    (["eval", "load('a\\x00.json')"], None, "io", 1, "NUL"),
    (["eval", "x", "--let", "x=@hi.json"], None, "io", 1, "4,300 digits"),
    (["eval", "x", "--let", "x=@-"], HUGE_INT_JSON, "io", 1, "4,300 digits"),
    (["eval", "load('hi.json')"], None, "io", 1, "4,300 digits"),
    (["eval", "int('9' * 5000)"], None, "value", 1, "at most 4,300 digits"),
    (["eval", "2.0 ** 10000"], None, "value", 1, "64-bit float"),
    (["eval", "round(1.5, 10**30)"], None, None, 0, "1.5"),
    (["eval", "len(range(10**20))"], None, "value", 1, "up to 2**63 - 1"),
    (["eval", "'ab'[10**20]"], None, "shape", 1, "index out of range"),
    # 2. unbounded work
    (["eval", "round(1, -10**9)"], None, None, 0, "0"),
    (["eval", "f'{1.5:.999999999f}'"], None, "limit", 1, "--max-elements"),
    (["eval", "'%999999999d' % 1"], None, "limit", 1, "--max-elements"),
    (["eval", "'%*d' % (999999999, 1)"], None, "limit", 1, "--max-elements"),
    (["run", "double.py", "--max-elements", "1000000"], None, "limit", 1, "--max-elements"),
    (["run", "tdouble.py", "--max-elements", "1000000"], None, "limit", 1, "--max-elements"),
    (["run", "/dev/zero", "--max-input", "1M"], None, "limit", 1, "1,048,576 bytes (--max-input)"),
    (["run", "-", "--max-input", "1M"], "zero", "limit", 1, "1,048,576 bytes (--max-input)"),
    (["eval", "-", "--max-input", "1M"], "zero", "limit", 1, "1,048,576 bytes (--max-input)"),
    (["eval", "x", "--let", "x=@-", "--max-input", "1M"], "zero", "limit", 1,
     "1,048,576 bytes (--max-input)"),
    (["run", "/dev/zero"], None, "limit", 1, "268,435,456 bytes (--max-input)"),
    (["run", "chain.py"], None, "limit", 1, "--max-nesting"),
    (["run", "chain.py", "--max-nesting", "300"], None, None, 0, "1.0"),
    (["eval", "x", "--let", "x=@zero.csv"], None, "io", 1, "not a regular file"),
    (["eval", "load('zero.json')"], None, "io", 1, "not a regular file"),
    (["eval", "load('fifo.json')"], None, "io", 1, "FIFO"),
    (["eval", "x", "--let", "x=@hi.json", "--max-input", "1K"], None, "limit", 1,
     "--max-input"),
    # 3. the memory budget: rendering sized before it is built
    (["eval", "zeros(15000,15000)", "--no-grad"], None, "limit", 1, "--max-memory"),
    (["eval", "ones(10**5,10**5,0)"], None, "limit", 1, "--max-memory"),
    (["eval", "zeros(10**8)", "--full", "--no-grad", "--max-memory", "1G"], None, "limit", 1,
     "--max-memory"),
    (["eval", "zeros(10**8)", "--max-memory", "200M"], None, "limit", 1, "--max-memory"),
    # 4. wrong or misleading results
    (["eval", "x", "--let", "x=@u.npy"], None, "io", 1, "does not fit in int64"),
    (["eval", "x", "--let", "x=@u_small.npy"], None, None, 0, "[1, 2]"),
    (["eval", "x", "--let", "x=@nul.csv"], None, "io", 1, "NUL"),
    (["eval", "x", "--let", "x=@nul_end.csv"], None, "io", 1, "NUL"),
    (["eval", "x", "--let", "x=ones(2)", "--no-grad"], None, None, 0, "[1.0, 1.0]"),
    (["eval", "load('-') + load('-')"], "[1]", "io", 1, "read only once"),
    (["eval", "str(no_grad())"], None, None, 0, "<torch.autograd.grad_mode.no_grad object>"),
    (["eval", "str(sum)"], None, None, 0, "<built-in method sum of type object>"),
    (["eval", "'%s' % print"], None, None, 0, "<built-in function print>"),
    (["eval", "normal(0, -0.0, (2,))", "--no-grad"], None, None, 0, "[0.0, 0.0]"),
    (["eval", CHAIN_201, "--let", "x=1.0"], None, "limit", 1, "--max-nesting"),
    (["eval", CHAIN_201, "--let", "x=1.0", "--max-nesting", "300"], None, None, 0, "201.0"),
]


def _ids(attacks: list[tuple[list[str], str | None, str | None, int, str]]) -> list[str]:
    return [" ".join(a)[:50] for a, *_ in attacks]


def _check(proc: Completed | subprocess.CompletedProcess[str], kind: str | None, code: int,
           words: str, json_output: bool) -> None:
    out, err = proc.stdout, proc.stderr
    assert proc.returncode == code, (out, err)
    assert "Traceback" not in out + err and "internal error" not in out + err
    if json_output:
        obj = json.loads(out.splitlines()[-1])
        if kind is None:
            assert "error" not in obj
            assert words in json.dumps(obj)
        else:
            assert obj["error"]["kind"] == kind
            assert words in obj["error"]["message"]
    elif kind is None:
        assert words in out
    else:
        assert f"error[{kind}]" in err
        assert words in err


#: The attacks that take more than about a second each (a 0.9 GB tensor made before its JSON
#: is refused).
SLOW = {"eval zeros(15000,15000) --no-grad"}


@pytest.mark.parametrize(("args", "stdin", "kind", "code", "words"), [
    pytest.param(*attack, marks=[pytest.mark.slow] if " ".join(attack[0]) in SLOW else [])
    for attack in ATTACKS if attack[1] != "zero"], ids=_ids([a for a in ATTACKS if a[1] != "zero"]))
def test_attack(where: Path, args: list[str], stdin: str | None, kind: str | None, code: int,
                words: str) -> None:
    json_output = args[0] == "eval" and args[1] != "-"
    proc = run([*args, "--format", "json"] if json_output else args, where, stdin)
    _check(proc, kind, code, words, json_output)


@pytest.mark.slow
@pytest.mark.parametrize(("args", "stdin", "kind", "code", "words"),
                         [a for a in ATTACKS if a[1] == "zero"],
                         ids=_ids([a for a in ATTACKS if a[1] == "zero"]))
def test_attack_on_endless_stdin(where: Path, args: list[str], stdin: str | None,
                                 kind: str | None, code: int, words: str) -> None:
    json_output = args[0] == "eval" and args[1] != "-"
    proc = run_on_zero([*args, "--format", "json"] if json_output else args, where)
    _check(proc, kind, code, words, json_output)


def test_repeated_let_warns_and_the_last_wins(where: Path) -> None:
    proc = run(["eval", "x", "--let", "x=1", "--let", "x=2", "--format", "plain"], where)
    assert proc.returncode == 0
    value, note = proc.stdout.splitlines()
    assert value == "tensor(2)"
    assert note.endswith("write 2.0")  # the note of an int --let names the last one too
    assert "--let x is given more than once" in proc.stderr


def test_repl_max_steps_counts_each_input(where: Path) -> None:
    source = "i = 0\nwhile i < 8: i += 1\n\ni = 0\nwhile i < 8: i += 1\n\ni\n"
    proc = run(["repl", "--max-steps", "10"], where, source)
    assert proc.returncode == 0
    assert "limit" not in proc.stderr
    assert proc.stdout.splitlines()[-1].endswith("8")


@pytest.mark.slow
def test_an_attack_under_a_small_budget_stays_near_it(where: Path) -> None:
    """200 saved 8 MB tensors in a graph under --max-memory 300M: a limit error, and the
    process's peak memory stays near the budget."""
    script = where / "hoard.py"
    script.write_text("x = ones(2 * 10**6, requires_grad=True)\ny = x\n"
                      "for i in range(200):\n    y = y * x\n")
    code = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], "
            "capture_output=True); print(p.returncode, "
            "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
            "sys.stderr.write(p.stderr.decode())")
    proc = subprocess.run([sys.executable, "-c", code, *GRADCLI, "run", str(script),
                           "--max-memory", "300M"], capture_output=True, text=True, timeout=120)
    rc, peak_kb = map(int, proc.stdout.split())
    assert rc == 1, proc.stderr
    assert "error[limit]" in proc.stderr and "--max-memory" in proc.stderr
    assert peak_kb < 360 * 1024  # the budget plus at most a few tensors


@pytest.mark.parametrize(("text", "expected"), [
    ("4096", 4096), ("512K", 512 << 10), ("256M", 256 << 20), ("2G", 2 << 30),
    ("2GiB", 2 << 30), ("1t", 1 << 40)])
def test_parse_bytes(text: str, expected: int) -> None:
    from gradcli.limits import parse_bytes

    assert parse_bytes(text) == expected


@pytest.mark.parametrize("text", ["", "0", "-1", "1.5G", "12X", "G"])
def test_parse_bytes_refuses(text: str) -> None:
    from gradcli.limits import parse_bytes

    with pytest.raises(ValueError, match="not a size in bytes"):
        parse_bytes(text)


def test_a_stream_goes_on_after_a_bad_format(where: Path) -> None:
    proc = run(["eval", "-", "--format", "json"], where, "1+1\n'%' % 1\n2+2\n")
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert proc.returncode == 1
    assert [line.get("value") for line in lines] == [2, None, 4]
    assert lines[1]["error"]["kind"] == "value"


@pytest.mark.parametrize(("message", "expected"), [
    ("Python int too large to convert to C ssize_t", "up to 2**63 - 1"),
    ("cannot fit 'int' into an index-sized integer", "up to 2**63 - 1"),
    ("int too large to convert to float", "64-bit float"),
])
def test_overflow_messages_name_no_c_types(message: str, expected: str) -> None:
    from gradcli.interpreter.pymessages import overflow_message

    text = overflow_message(OverflowError(message))
    assert expected in text
    assert "ssize_t" not in text and "Python" not in text


def test_digit_limit_message_gives_no_python_advice() -> None:
    from gradcli.interpreter.pymessages import value_message

    try:
        int("9" * 5000)
    except ValueError as e:
        text = value_message(e)
    assert text == "an integer may have at most 4,300 digits; this one has 5,000"


@pytest.mark.parametrize("n", [10, 1000, 5000])
def test_check_samples_past_max_evals_and_says_which(n: int) -> None:
    from gradcli.interpreter.evaluate import EvalOptions, Evaluator

    ev = Evaluator(EvalOptions(lets=[("x", f"linspace(0, 1, {n})")], dtype="float64"),
                   lambda spec: np.zeros(1))
    result = ev.check("sum(sin(x) * x)", 1e-6, 1e-5, 1e-3, max_evals=100)
    checked = result.vars["x"]
    assert result.ok and checked.elements == n
    if 2 * n <= 100:
        assert checked.sample is None
    else:
        assert len(checked.sample) == 50 and len(set(checked.sample)) == 50
        assert all(0 <= i[0] < n for i in checked.sample)


def test_check_sampling_still_finds_a_wrong_gradient() -> None:
    """A derivative wrong at every element fails however few elements are sampled."""
    from gradcli.interpreter.evaluate import EvalOptions, Evaluator

    ev = Evaluator(EvalOptions(lets=[("x", "linspace(0.1, 1, 5000)")], dtype="float64"),
                   lambda spec: np.zeros(1))
    result = ev.check("sum(x * x)", 1e-6, 1e-5, 1e-3, max_evals=20)
    assert result.ok
    result = ev.check("sum(x * x.detach())", 1e-6, 1e-5, 1e-3, max_evals=20)
    assert not result.ok and result.vars["x"].sample is not None


@pytest.fixture
def buggy_sin(monkeypatch: pytest.MonkeyPatch) -> None:
    """``sin`` raising what no code of gradcli expects: an internal error (a bug), simulated."""
    import dataclasses

    from gradcli.interpreter import builtins
    from gradcli.interpreter.values import OpFunction

    def broken(*args: object) -> None:
        raise KeyError("simulated bug")

    names = builtins.global_names() and builtins._GLOBAL_NAMES[0]
    monkeypatch.setitem(names, "sin", OpFunction(dataclasses.replace(names["sin"].spec,
                                                                     impl=broken)))


#: An internal error inside a stream or a script: (command, stdin, the JSON lines' values
#: (None: an error object), the line and column of the error, whether stdout is JSON Lines).
INTERNAL = [
    (["eval", "-", "--format", "json"], "1+1\nsin(1.0)\n2+2\n", [2, None, 4], (2, 1), True),
    (["eval", "-", "--format", "json"], "sin(1.0)\n\n# note\nsin(2.0)\n3\n", [None, None, 3],
     (4, 1), True),
    (["eval", "-", "--format", "plain"], "1+1\nsin(1.0)\n2+2\n", ["2", "4"], (2, 1), False),
    (["eval", "-", "--format", "json", "--jobs", "2"], "1+1\nsin(1.0)\n2+2\n", [2, None, 4],
     (2, 1), True),
    (["run", "-"], "x = 1\nprint(x)\ny = sin(1.0)\nprint(x + 1)\n", ["1"], (3, 1), False),
]


@pytest.mark.parametrize(("args", "stdin", "values", "where_", "json_lines"), INTERNAL,
                         ids=[f"{' '.join(a)} {s[:12]!r}" for a, s, *_ in INTERNAL])
def test_an_internal_error_is_an_error_of_its_line(
        where: Path, buggy_sin: None, args: list[str], stdin: str, values: list[object],
        where_: tuple[int, int], json_lines: bool) -> None:
    proc = run(args, where, stdin)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    if json_lines:
        lines = [json.loads(line) for line in proc.stdout.splitlines()]
        assert [line.get("value") for line in lines] == values
        error = [line["error"] for line in lines if "error" in line][-1]
        assert (error["kind"], error["line"], error["column"]) == ("value", *where_)
        assert error["message"] == "internal error: KeyError: 'simulated bug'"
        assert "please report" in error["hint"]
    else:
        assert [line for line in proc.stdout.splitlines() if line] == values
        assert "error[value]: internal error: KeyError: 'simulated bug'" in proc.stderr
        assert f"stdin:{where_[0]}:{where_[1]}" in proc.stderr
        assert "please report" in proc.stderr


def test_debug_shows_an_internal_errors_traceback_and_the_stream_goes_on(
        where: Path, buggy_sin: None) -> None:
    proc = run(["--debug", "eval", "-", "--format", "json"], where, "sin(1.0)\n2+2\n")
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr and "KeyError: 'simulated bug'" in proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1])["value"] == 4


#: Errors with stderr on a full disk (``2>/dev/full``): the exit code is still the error's.
FULL_STDERR = [("eval '1 +'", 2), ("eval 'nosuch'", 1), ("eval 1 --bogus", 2), ("", 2),
               ("run - <<< 'x = (1'", 2)]


@pytest.mark.slow
def test_a_full_stderr_keeps_the_exit_code(where: Path) -> None:
    command = " ".join(GRADCLI)
    script = "\n".join(f"{command} {line} 2>/dev/full; echo $?" for line, _ in FULL_STDERR)
    proc = subprocess.run(["bash", "-c", script], cwd=where, capture_output=True, text=True,
                          timeout=120)
    assert [int(code) for code in proc.stdout.split()] == [code for _, code in FULL_STDERR]
    assert proc.stderr == ""


BIG = 13_000_000
SHOWN = 200_000  # gradcli.errors.SHOWN (checked below)

#: Streams of odd bytes: (command, stdin, each line's value or error kind). Invalid UTF-8 is
#: an io error of its line (its text in the error with U+FFFD for each bad byte, so that the
#: output stays UTF-8); a lone CR ends a line, as in `run`; a 13 MB line is not repeated.
ODD_STREAMS = [
    (["eval", "-"], b'1+1\n"\xff"\n2+2\n', [2, "io", 4]),
    (["eval", "-"], b"\xc3\n\xe2\x82\n3\n", ["io", "io", 3]),
    (["eval", "-"], b"1+1\r2+2\r\n3\n", [2, 4, 3]),
    (["eval", "-"], b"1\r", [1]),
    (["eval", "-"], b"1+" + b"a" * BIG + b" +\n2+2\n", ["limit", 4]),
    pytest.param(["eval", "-"], b"1\n" + b"\xff" * BIG + b"\n2+2\n", [1, "io", 4],
                 marks=pytest.mark.slow),
    (["eval", "-"], b"1\n" + b"nosuch" * 40_000 + b"\n2+2\n", [1, "limit", 4]),
]


@pytest.mark.parametrize(("args", "stdin", "answers"), ODD_STREAMS,
                         ids=[f"case{i}" for i in range(len(ODD_STREAMS))])
def test_odd_bytes_in_a_stream(where: Path, args: list[str], stdin: bytes,
                               answers: list[object]) -> None:
    proc = run([*args, "--format", "json"], where, stdin)
    assert proc.returncode == (1 if any(isinstance(a, str) for a in answers) else 0)
    assert len(proc.stdout) < 3 * SHOWN  # no line repeated whole
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [line["error"]["kind"] if "error" in line else line["value"]
            for line in lines] == answers
    for line in lines:
        if "error" in line and line["error"]["kind"] == "io":
            assert "not UTF-8 text" in line["error"]["message"]
            assert "\ufffd" in line["expr"]
        if "error" in line and len(line["expr"]) > SHOWN:
            lengths = [len(text.strip()) for text in stdin.split(b"\n")]
            said = re.search(r"… \(([\d,]+) characters\)$", line["expr"])
            assert said and int(said.group(1).replace(",", "")) in lengths
    plain = run(args, where, stdin)
    assert len(plain.stderr) < 3 * SHOWN and "Traceback" not in plain.stderr


def test_errors_repeat_as_much_as_a_source_may_hold() -> None:
    from gradcli.errors import clipped
    from gradcli.render.errors import format_error
    from gradcli.syntax.parser import MAX_SOURCE_CHARS

    assert SHOWN == MAX_SOURCE_CHARS
    assert clipped("a" * SHOWN) == "a" * SHOWN
    assert clipped("ab" * SHOWN) == "ab" * (SHOWN // 2) + f"… ({2 * SHOWN:,} characters)"
    line = "x" * (3 * SHOWN) + "@" + "y" * (3 * SHOWN)
    err = GradcliError("syntax", "bad " + line, line=1, column=3 * SHOWN + 1, source=line,
                       hint=line)
    text = format_error(err, "stdin", colour=False)
    assert len(text) < 4 * SHOWN
    rows = text.splitlines()
    shown, caret = rows[3], rows[4]
    assert shown.startswith("1 | …x") and shown.endswith(f"y… ({len(line):,} characters)")
    assert shown[caret.index("^")] == "@"


@pytest.mark.parametrize("source", [b"x = 1\rprint(x + 1)\r", b"x = 1\r\nprint(x + 1)\n"])
def test_a_lone_cr_ends_a_line_in_run_too(where: Path, source: bytes) -> None:
    (where / "cr.py").write_bytes(source)
    assert run(["run", "cr.py"], where).stdout == "2\n"
    assert run(["run", "-"], where, source).stdout == "2\n"


def test_a_script_on_stdin_that_is_not_utf8_is_an_io_error(where: Path) -> None:
    proc = run(["run", "-"], where, b"x = 1\n\xff\n")
    assert proc.returncode == 1
    assert proc.stderr.startswith("error[io]: cannot read the script on standard input: "
                                  "not UTF-8 text (invalid start byte at byte 6)")


@pytest.mark.slow
@pytest.mark.parametrize("template", ["f({})", "[{}]"])
def test_long_argument_lists_parse_in_linear_time(template: str) -> None:
    """5 times the items, at most ~12 times the time (copying the list at each item made it
    quadratic: 0.3 s at 10^4 items, 61 s at 99,991)."""
    import gc
    import time

    from gradcli.syntax.parser import parse_expression

    def seconds(n: int) -> float:
        text = template.format(",".join(["1"] * n))
        start = time.perf_counter()
        parse_expression(text)
        return time.perf_counter() - start

    # The best of three of each, without the collector (whose passes grow with the live
    # objects, not with this parser's work): a loaded machine made one reading 16x.
    gc.disable()
    try:
        small = min(seconds(16_000) for _ in range(3))
        big = min(seconds(80_000) for _ in range(3))
    finally:
        gc.enable()
    assert big < 12 * small, (small, big)


#: A one-shot command with --format json meeting a bug in gradcli (the simulated one of
#: buggy_sin): the error is a JSON object on stdout as every other error is (SPEC 2), exit 1.
#: (`run --format json` gives its errors on stderr, internal ones too: INTERNAL above.)
ONE_SHOT_INTERNAL = [
    ["eval", "sin(1.0)", "--format", "json"],
    ["eval", "x", "--let", "x=sin(1.0)", "--format", "json"],
    ["jacobian", "sin(x)", "--let", "x=[1.0, 2.0]", "--format", "json"],
    ["hessian", "sum(sin(x))", "--let", "x=[1.0, 2.0]", "--format", "json"],
    ["check", "sum(sin(x))", "--let", "x=[1.0, 2.0]", "--format", "json"],
]


@pytest.mark.parametrize("args", ONE_SHOT_INTERNAL, ids=[" ".join(a[:2]) for a in ONE_SHOT_INTERNAL])
def test_an_internal_error_of_a_one_shot_json_command_is_a_json_object(
        where: Path, buggy_sin: None, args: list[str]) -> None:
    proc = run(args, where)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stdout + proc.stderr
    error = json.loads(proc.stdout.splitlines()[-1])["error"]
    assert error["kind"] == "value"
    assert error["message"] == "internal error: KeyError: 'simulated bug'"
    assert "please report" in error["hint"] and "--debug" in error["hint"]


def test_debug_shows_the_traceback_of_a_one_shot_json_internal_error(
        where: Path, buggy_sin: None) -> None:
    proc = run(["--debug", "eval", "sin(1.0)", "--format", "json"], where)
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr and "KeyError: 'simulated bug'" in proc.stderr
    error = json.loads(proc.stdout)["error"]
    assert error["message"] == "internal error: KeyError: 'simulated bug'"


def test_an_internal_error_in_rendering_json_is_a_json_object(
        where: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bug may be in the output: the JSON of a result (nothing of it was written yet)."""
    from gradcli.render import derivatives, eval_output

    def broken(*args: object) -> str:
        raise KeyError("simulated bug")

    monkeypatch.setattr(eval_output, "render_json", broken)
    monkeypatch.setattr(derivatives, "jacobian_json", broken)
    for args in (["eval", "1+1", "--format", "json"],
                 ["jacobian", "x * 2", "--let", "x=[1.0]", "--format", "json"]):
        proc = run(args, where)
        assert proc.returncode == 1, proc
        answer = json.loads(proc.stdout)
        assert answer["expr"] == args[1]
        error = answer["error"]
        assert (error["kind"], error["line"], error["column"]) == ("value", 1, 1)
        assert error["message"] == "internal error: KeyError: 'simulated bug'"
        assert "please report" in error["hint"]


@pytest.fixture
def no_derivatives(monkeypatch: pytest.MonkeyPatch) -> None:
    """Computing a jacobian or hessian fails the test: its size is refused before."""
    from gradcli.engine import functional

    def computed(*args: object) -> None:
        pytest.fail("the derivative was computed before it was sized")

    monkeypatch.setattr(functional, "jacobian", computed)
    monkeypatch.setattr(functional, "hessian", computed)


@pytest.mark.parametrize("args", [
    ["jacobian", "x * 2", "--let", "x=zeros(10000)", "--format", "json"],
    ["hessian", "sum(x * x)", "--let", "x=zeros(10000)", "--format", "json"],
    ["jacobian", "x * 2", "--let", "x=zeros(3000)", "--format", "json", "--max-memory", "1G"],
    ["jacobian", "x * 2", "--let", "x=zeros(10000)", "--max-memory", "300M"],
    ["hessian", "sum(x * x)", "--let", "x=zeros(10000)", "--format", "plain",
     "--max-memory", "300M"],
], ids=["jacobian-json-1e4", "hessian-json-1e4", "jacobian-json-3e3-1G",
        "jacobian-table-1e4-300M", "hessian-plain-1e4-300M"])
def test_jacobian_and_hessian_are_sized_before_they_are_computed(
        where: Path, no_derivatives: None, args: list[str]) -> None:
    """A 10^4 x 10^4 jacobian is 0.4 GB as float32 and about 20 GB as JSON (which the
    default budget, a quarter of the machine's memory, was not asked about)."""
    proc = run(args, where)
    _check(proc, "limit", 1, "--max-memory", "json" in args)
    message = json.loads(proc.stdout)["error"]["message"] if "json" in args else proc.stderr
    assert f"the {'JSON of the ' if 'json' in args else ''}{args[0]} (block of shape" in message


def test_the_blocks_of_a_jacobian_are_sized_together(where: Path, no_derivatives: None) -> None:
    """Five blocks of 36 MB each fit a budget of 120 MB more than the memory in use one by
    one, not together."""
    from gradcli.engine.memory import resident

    names = "vwxyz"
    lets = [arg for n in names for arg in ("--let", f"{n}=ones(3000)")]
    budget = resident() + (120 << 20)
    proc = run(["jacobian", "*".join(names), *lets, "--max-memory", str(budget)], where)
    _check(proc, "limit", 1, "--max-memory", False)
    assert "the jacobian (blocks of shape (3000, 3000), (3000, 3000)," in proc.stderr


@pytest.mark.parametrize("shape", [(), (0,), (1,), (4,), (10**6,), (0, 3), (2, 3), (5, 1, 7)])
def test_the_json_size_of_a_result_counts_its_elements_and_lists(shape: tuple[int, ...]) -> None:
    """output_bytes for JSON: 200 bytes an element and 80 a nested list (1 + d0 + d0*d1 +
    ... lists), the short way for 0-d and 1-d results too."""
    import math

    from gradcli.output_size import output_bytes

    lists = sum(math.prod(shape[:k]) for k in range(len(shape)))
    assert output_bytes(shape, "json", False) == math.prod(shape) * 200 + lists * 80


def test_cumprod_gradient_at_zeros_under_create_graph_is_within_max_memory(tmp_path: Path) -> None:
    """Recorded for second derivatives, cumprod's gradient at zeros makes n passes over the
    input (n along the dim): a long dim is a limit error within --max-memory, not gigabytes."""
    script = ("x = torch.zeros(4000, dtype=torch.float64, requires_grad=True)\n"
              "g, = torch.autograd.grad(torch.cumprod(x, 0).sum(), x, create_graph=True)\n")
    proc = run(["run", "-", "--max-memory", "200M"], tmp_path, script)
    assert proc.returncode == 1
    assert "error[limit]: cumprod's gradient at zeros under create_graph" in proc.stderr
    assert "Traceback" not in proc.stderr
