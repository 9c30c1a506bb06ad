"""The command line: exit codes, streams, formats.

Most tests run gradcli in this process (``gradcli.cli.main``); those about the process
itself (the console script, ``python -m gradcli``, start-up, pipes, closed and full streams,
flushing) start one."""

from __future__ import annotations

import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from cli_runner import Completed, run_cli

BIN = Path(sys.executable).parent / "gradcli"
GRADCLI = [str(BIN)] if BIN.exists() else [sys.executable, "-m", "gradcli"]


def gradcli(*args: str, stdin: str | None = None, cwd: Path | None = None) -> Completed:
    """``gradcli ARGS`` in this process (tests/cli_runner.py)."""
    return run_cli(args, stdin, cwd=cwd, env={"COLUMNS": "100"})


def console(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``gradcli ARGS`` through the installed console script, in a process of its own."""
    env = {**os.environ, "COLUMNS": "100"}
    return subprocess.run([*GRADCLI, *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=120)


def strict_json(text: str) -> Any:
    def refuse(name: str) -> None:
        raise ValueError(f"non-strict JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


def no_traceback(proc: Completed | subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout


def test_headline_json_is_exact() -> None:
    proc = gradcli("eval", "2*dot(x,x)", "--let", "x=arange(4.0)", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ('{"expr": "2*dot(x,x)", "value": 28.0, "shape": [], "dtype": "float32", '
                           '"grad_fn": "MulBackward0", "grads": {"x": [0.0, 4.0, 8.0, 12.0]}}\n')
    assert proc.stderr == ""


def test_headline_table() -> None:
    proc = gradcli("eval", "2*dot(x,x)", "--let", "x=arange(4.0)")
    assert proc.returncode == 0
    for fragment in ("28.", "()", "float32", "MulBackward0", "[ 0.,  4.,  8., 12.]"):
        assert fragment in proc.stdout


def test_version_and_module_entry_point() -> None:
    from gradcli import __version__

    assert console("--version").stdout == f"gradcli {__version__}\n"
    assert gradcli("--version").stdout == f"gradcli {__version__}\n"
    proc = subprocess.run([sys.executable, "-m", "gradcli", "--version"], capture_output=True,
                          text=True)
    assert proc.stdout == f"gradcli {__version__}\n"


def test_help_has_examples() -> None:
    proc = gradcli("eval", "--help")
    assert proc.returncode == 0
    assert "Examples" in proc.stdout and "--grad-output" in proc.stdout


def test_plain_prints_pytorch_reprs() -> None:
    proc = gradcli("eval", "x * x", "--let", "x=arange(4.0)", "--grad-output", "ones",
                   "--format", "plain")
    assert proc.stdout == ("tensor([0., 1., 4., 9.], grad_fn=<MulBackward0>)\n"
                           "x.grad = tensor([0., 2., 4., 6.])\n")


def test_nan_and_infinity_stay_strict_json() -> None:
    proc = gradcli("eval", "sum(log(x))", "--let", "x=tensor([0.0, 1.0])", "--format", "json")
    obj = strict_json(proc.stdout)
    assert obj["value"] == "-Infinity"
    assert obj["grads"]["x"] == ["Infinity", 1.0]


def test_stdin_mode_goes_on_after_a_bad_line() -> None:
    proc = gradcli("eval", "-", "--let", "x=tensor([1.0, 2.0])", "--format", "json",
                   stdin="sum(x)\n\n# comment\nnope(x)\nsum(x * x)\n")
    assert proc.returncode == 1
    lines = [strict_json(line) for line in proc.stdout.splitlines()]
    assert [o["expr"] for o in lines] == ["sum(x)", "nope(x)", "sum(x * x)"]
    assert lines[1]["error"]["kind"] == "name" and lines[1]["error"]["column"] == 1
    assert lines[1]["error"]["line"] == 4  # its line of stdin: blank and comment lines count
    assert lines[2]["grads"]["x"] == [2.0, 4.0]
    no_traceback(proc)


@pytest.mark.slow
def test_stdin_lines_are_answered_in_order_across_reads() -> None:
    """Lines are parsed a read's worth at a time (64 KiB) before they are evaluated: errors of
    parsing still come in their line's turn, with the line's number."""
    lines = [f"sum(x * {i})" if i % 997 else "sum(x *" for i in range(1, 9000)]
    lines[4000] = ""  # blank lines count in the numbering
    text = "\n".join(lines)  # the last line has no newline
    assert len(text) > 65536
    proc = gradcli("eval", "-", "--let", "x=tensor([1.0, 2.0])", "--format", "json", stdin=text)
    objs = [strict_json(line) for line in proc.stdout.splitlines()]
    assert [o["expr"] for o in objs] == [line for line in lines if line]
    errors = [997 * k for k in range(1, 10)]  # line numbers
    assert [i for i, o in enumerate(objs, 1) if "error" in o] == [n - (n > 4001) for n in errors]
    assert [o["error"]["line"] for o in objs if "error" in o] == errors
    assert objs[-1]["grads"]["x"] == [8999.0, 8999.0]
    plain = gradcli("eval", "-", "--let", "x=tensor([1.0, 2.0])", "--format", "plain", stdin=text)
    assert re.findall(r" --> stdin:(\d+):8\n.*\n\1 \| sum\(x \*\n", plain.stderr) == [
        str(n) for n in errors]
    assert plain.stdout.count("x.grad = ") == len(objs) - 9


@pytest.mark.parametrize("unbuffered", [False, True])
def test_stdin_results_errors_and_prints_keep_their_order_on_one_stream(unbuffered: bool) -> None:
    """Results are written a batch of lines at a time; stdout is flushed before anything goes
    to stderr (a plain-format error, a print()), so with 2>&1 the order is the lines' order
    (with PYTHONUNBUFFERED=1 too, where the stream makes its own blocks)."""
    text = "sum(x)\nprint(7)\nnope(x)\nsum(x * x)\n" * 3
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # as users run it
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    env["COLUMNS"] = "100"
    proc = subprocess.run([*GRADCLI, "eval", "-", "--let", "x=tensor([1.0, 2.0])", "--format",
                           "plain"], input=text, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, env=env, timeout=120)
    assert proc.returncode == 1
    marks = re.findall(r"^(tensor\(3\.|7$|None$|tensor\(5\.)|(stdin:\d+)", proc.stdout,
                       re.M)
    assert [a or b for a, b in marks] == [
        "tensor(3.", "7", "None", "stdin:3", "tensor(5.",
        "tensor(3.", "7", "None", "stdin:7", "tensor(5.",
        "tensor(3.", "7", "None", "stdin:11", "tensor(5."], proc.stdout


def test_a_stream_writes_its_results_in_blocks_where_python_writes_through(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """PYTHONUNBUFFERED=1 (or python -u) makes stdout write each text through at once: the
    results of a pipe full of lines still go out in blocks, one write per batch of lines."""
    import io

    from gradcli.cli.evaluate import eval_stream
    from gradcli.cli.options import EvalFormat
    from gradcli.interpreter.evaluate import EvalOptions, Evaluator
    from gradcli.render.text import PrintOptions

    writes: list[int] = []

    class Raw(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, data: Any) -> int:
            writes.append(len(data))
            return len(data)

    out = io.TextIOWrapper(Raw(), encoding="utf-8", write_through=True)
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"sum(x * 2)\n" * 300)))
    evaluator = Evaluator(EvalOptions(lets=[("x", "arange(3.0)")], output="json"), np.load)
    assert eval_stream(evaluator, EvalFormat.json, PrintOptions()) == 0
    out.flush()
    assert sum(writes) > 300 * 80 and len(writes) <= 10, writes


@pytest.mark.parametrize("unbuffered", [False, True])
def test_stdin_lines_are_answered_before_more_input_comes(unbuffered: bool) -> None:
    """Output is flushed when the lines read so far are done, even when stdout is a pipe that
    Python would block-buffer (or, with PYTHONUNBUFFERED=1, that the stream makes its own
    blocks on): a producer waiting for each answer is never stuck."""
    import select

    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    proc = subprocess.Popen([*GRADCLI, "eval", "-", "--let", "x=tensor([1.0, 2.0])", "--format",
                             "json"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    assert proc.stdin is not None and proc.stdout is not None
    out = proc.stdout.fileno()
    try:
        for sent, value in [(b"sum(x)\nsum(x * 2)\n", 6.0), (b"sum(x * 3)\n", 9.0)]:
            proc.stdin.write(sent)
            proc.stdin.flush()
            received = b""
            while received.count(b"\n") < sent.count(b"\n"):
                ready, _, _ = select.select([out], [], [], 60)
                assert ready, f"no answer to {sent!r} while stdin stays open"
                chunk = os.read(out, 65536)
                assert chunk, "gradcli ended"
                received += chunk
            assert strict_json(received.splitlines()[-1])["value"] == value
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)
        proc.stdout.close()
        assert proc.stderr is not None
        proc.stderr.close()


def test_stdin_lines_do_not_accumulate_gradients() -> None:
    proc = gradcli("eval", "-", "--let", "x=1.0", "--format", "json", stdin="2*x\n2*x\n")
    assert [strict_json(line)["grads"]["x"] for line in proc.stdout.splitlines()] == [2.0, 2.0]


def test_a_lines_default_dtype_is_its_own() -> None:
    """SPEC: each line is evaluated afresh. A line's set_default_dtype(...) holds for that
    line (its result, and how it prints) and the next one starts from --dtype again."""
    proc = gradcli("eval", "-", "--format", "plain", "--no-grad",
                   stdin="(set_default_dtype(torch.float64), tensor(0.5) + 1)[1]\n"
                         "tensor(0.5).dtype\n")
    assert proc.stdout.splitlines() == ["tensor(1.5000)", "torch.float32"]
    proc = gradcli("eval", "-", "--format", "plain", "--no-grad", "--dtype", "float64",
                   stdin="(set_default_dtype(torch.float32), tensor(0.5).double())[1]\n"
                         "tensor(0.5).dtype\n")
    # float64 printed with float32 the default: PyTorch names its dtype
    assert proc.stdout.splitlines() == ["tensor(0.5000, dtype=torch.float64)", "torch.float64"]


def test_closed_pipe_is_quiet() -> None:
    cmd = " ".join(f"'{a}'" for a in GRADCLI)
    proc = subprocess.run(
        f"yes 'sum(x)' | head -3000 | {cmd} eval - --let x='arange(3.0)' --format json | head -1",
        shell=True, capture_output=True, text=True, timeout=120)
    assert proc.stdout.count("\n") == 1
    assert proc.stderr == ""


def test_let_data_files(tmp_path: Path) -> None:
    np.save(tmp_path / "a.npy", np.array([1.0, 2.0]))
    np.savez(tmp_path / "b.npz", w=np.array([[1.0], [2.0]]))
    (tmp_path / "c.csv").write_text("1,2\n3,4\n")
    (tmp_path / "d.json").write_text("[0.5, 1.5]")
    proc = gradcli("eval", "sum(a * d) + sum(b) + sum(c)", "--let", "a=@a.npy", "--let",
                   "b=@b.npz:w", "--let", "c=@c.csv", "--let", "d=@d.json", "--format", "json",
                   cwd=tmp_path)
    obj = strict_json(proc.stdout)
    assert obj["value"] == 0.5 + 3.0 + 3.0 + 10
    assert obj["grads"] == {"a": [0.5, 1.5], "b": [[1.0], [1.0]], "d": [1.0, 2.0]}  # c is int


def test_let_from_stdin() -> None:
    proc = gradcli("eval", "sum(x ** 2)", "--let", "x=@-", "--format", "json", stdin="[1, 2.5]")
    assert strict_json(proc.stdout)["grads"]["x"] == [2.0, 5.0]


def test_later_lets_use_earlier_ones_and_wrt_filters() -> None:
    proc = gradcli("eval", "sum(x * y)", "--let", "x=arange(3.0)", "--let", "y=x * 2",
                   "--wrt", "y", "--format", "json")
    obj = strict_json(proc.stdout)
    assert obj["value"] == 10.0 and obj["grads"] == {"y": [0.0, 1.0, 2.0]}


def test_grad_output_expression_dtype_seed_and_no_grad() -> None:
    obj = strict_json(gradcli("eval", "x * x", "--let", "x=arange(3.0)", "--grad-output",
                              "tensor([1.0, 0.0, 2.0])", "--format", "json").stdout)
    assert obj["grads"]["x"] == [0.0, 0.0, 8.0]
    obj = strict_json(gradcli("eval", "x / 3", "--let", "x=1.0", "--dtype", "float64",
                              "--format", "json").stdout)
    assert obj["dtype"] == "float64" and obj["value"] == 1 / 3
    a = gradcli("eval", "randn(3)", "--seed", "7", "--format", "json").stdout
    b = gradcli("eval", "randn(3)", "--seed", "7", "--format", "json").stdout
    assert a == b
    obj = strict_json(gradcli("eval", "x * x", "--let", "x=arange(3.0)", "--no-grad",
                              "--format", "json").stdout)
    assert obj["grads"] == {} and obj["grad_fn"] is None


def test_precision_and_full() -> None:
    out = gradcli("eval", "x / 3", "--let", "x=1.0", "--precision", "2", "--format", "plain").stdout
    assert out.startswith("tensor(0.33, grad_fn=<DivBackward0>)")
    big = gradcli("eval", "arange(2000)", "--format", "plain").stdout
    assert "..." in big
    full = gradcli("eval", "arange(2000)", "--format", "plain", "--full").stdout
    assert "..." not in full and "1999" in full


# kind, exit code, arguments, message fragment, (line, column) or None
ERRORS = [
    ("syntax", 2, ["eval", "sum(x"], "unclosed '('", (1, 6)),
    ("syntax", 2, ["eval", "x = 1"], "expected a single expression", (1, 1)),
    ("name", 1, ["eval", "sum(xs)", "--let", "x=arange(3.0)"], "did you mean 'x'", (1, 5)),
    ("type", 1, ["eval", "x.item()", "--let", "x=arange(3.0)"], "cannot be converted", (1, 1)),
    ("shape", 1, ["eval", "x * y", "--let", "x=ones(3)", "--let", "y=ones(4)"],
     "(3,) and (4,)", (1, 1)),
    ("value", 1, ["eval", "arange(0, 5, 0)"], "step must be nonzero", (1, 1)),
    ("grad", 1, ["eval", "x * 2", "--let", "x=arange(3.0)"], "only for scalar outputs", (1, 1)),
    ("limit", 1, ["eval", "ones(100000, 100000)"], "--max-elements", (1, 1)),
    ("io", 1, ["eval", "sum(x)", "--let", "x=@missing.npy"], "missing.npy", None),
    ("usage", 2, ["eval", "sum(x)", "--let", "x"], "NAME=VALUE", None),
    ("usage", 2, ["eval", "sum(x)", "--let", "x=1.0", "--wrt", "z"], "no such --let", None),
]


@pytest.mark.parametrize("kind, code, args, fragment, where", ERRORS,
                         ids=[f"{e[0]}-{i}" for i, e in enumerate(ERRORS)])
def test_error_kinds(kind: str, code: int, args: list[str], fragment: str,
                     where: tuple[int, int] | None) -> None:
    proc = gradcli(*args)
    assert proc.returncode == code
    assert proc.stdout == ""
    assert proc.stderr.startswith(f"error[{kind}]: ")
    assert fragment in proc.stderr
    if where is not None:
        assert f":{where[0]}:{where[1]}\n" in proc.stderr
        assert "^" in proc.stderr
    no_traceback(proc)


def test_unknown_option_is_a_usage_error() -> None:
    proc = gradcli("eval", "1", "--bogus")
    assert proc.returncode == 2 and "No such option" in proc.stderr


def test_json_error_objects_carry_kind_and_position() -> None:
    proc = gradcli("eval", "-", "--format", "json", "--let", "x=ones(3)", stdin="x @ ones(4)\n")
    err = strict_json(proc.stdout)["error"]
    assert err["kind"] == "shape" and err["line"] == 1 and err["column"] == 1


def test_ops_json_lists_the_table() -> None:
    rows = strict_json(gradcli("ops", "--format", "json").stdout)
    by_name = {r["name"]: r for r in rows}
    assert by_name["dot"]["grad_fn"] == "DotBackward0"
    for row in rows:
        assert {"name", "signature", "grad_fn", "derivative"} <= set(row)


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
def test_output_feeds_jq() -> None:
    proc = subprocess.run(
        " ".join(GRADCLI) + " eval 'sum(x)' --let x='arange(3.0)' --format json | jq .value",
        shell=True, capture_output=True, text=True)
    assert proc.stdout == "3\n"


def test_run_json_lines(tmp_path: Path) -> None:
    script = tmp_path / "s.py"
    script.write_text("import torch\nx = torch.arange(3.0, requires_grad=True)\nx * 2\n"
                      "print(f'n = {len(x)}')\nx.shape\n")
    proc = gradcli("run", str(script), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    objs = [strict_json(line) for line in proc.stdout.splitlines()]
    assert objs[0] == {"line": 3, "repr": "tensor([0., 2., 4.], grad_fn=<MulBackward0>)",
                       "value": [0.0, 2.0, 4.0], "shape": [3], "dtype": "float32",
                       "grad_fn": "MulBackward0"}
    assert objs[1] == {"line": 4, "print": "n = 3\n"}
    assert objs[2]["repr"] == "torch.Size([3])"


NON_TENSORS = {"(1, 'a', 2.5)": [1, "a", 2.5], "'a'": "a", "2.5": 2.5, "3": 3, "True": True,
               "x.shape": [2], "(x.sum(), 2)": [2.0, 2], "x.dtype": "torch.float32"}


def test_non_tensor_results_are_the_same_json_in_eval_and_run() -> None:
    script = "x = ones(2)\n" + "\n".join(NON_TENSORS) + "\n"
    proc = gradcli("run", "-", "--format", "json", stdin=script)
    assert proc.returncode == 0, proc.stderr
    echoed = [strict_json(line) for line in proc.stdout.splitlines()]
    assert [obj["value"] for obj in echoed] == list(NON_TENSORS.values())
    for expr, obj in zip(NON_TENSORS, echoed, strict=True):
        proc = gradcli("eval", expr, "--let", "x=ones(2)", "--no-grad", "--format", "json")
        evaluated = strict_json(proc.stdout)
        keys = ("value", "shape", "dtype", "grad_fn")
        assert {k: evaluated[k] for k in keys} == {k: obj[k] for k in keys}, expr


def test_run_syntax_error_is_reported_before_anything_runs(tmp_path: Path) -> None:
    script = tmp_path / "s.py"
    script.write_text("import torch\nprint('started')\nif True\n    pass\n")
    proc = gradcli("run", str(script))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("error[syntax]") and "s.py:3:" in proc.stderr


def test_run_error_stops_with_line_and_caret(tmp_path: Path) -> None:
    script = tmp_path / "s.py"
    script.write_text("import torch\nx = torch.ones(3)\nx\ny = x @ torch.ones(4)\nx\n")
    proc = gradcli("run", str(script))
    assert proc.returncode == 1
    assert proc.stdout == "tensor([1., 1., 1.])\n"
    assert "s.py:4:5" in proc.stderr and "^" in proc.stderr
    no_traceback(proc)


def test_run_runaway_loop_hits_max_steps() -> None:
    proc = gradcli("run", "-", "--max-steps", "10000",
                   stdin="import torch\na = torch.tensor(0.0)\nb = a\n"
                         "while b.norm() < 1000:\n    b = b * 2\n")
    assert proc.returncode == 1 and "error[limit]" in proc.stderr and "--max-steps" in proc.stderr


def test_run_missing_script_and_other_imports() -> None:
    proc = gradcli("run", "no/such/file.py")
    assert proc.returncode == 1 and proc.stderr.startswith("error[io]")
    proc = gradcli("run", "-", stdin="import numpy as np\n")
    assert proc.returncode == 1 and "No module named 'numpy'" in proc.stderr


@pytest.mark.slow
def test_one_shot_json_imports_only_what_it_needs(tmp_path: Path) -> None:
    """Start-up (issue 6): a one-shot JSON eval loads neither Rich, numpy.random, pydantic
    nor Lark, the first run on a fresh machine included (the parser's tables ship)."""
    probe = ("import sys\n"
             "from gradcli.launch import main\n"
             "sys.argv = ['gradcli', 'eval', '2*dot(x,x)', '--let', 'x=arange(4.0)',"
             " '--format', 'json']\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "heavy = ('rich', 'numpy.random', 'pydantic', 'typer._adapters', 'lark')\n"
             "sys.stderr.write(repr(sorted(m for m in sys.modules if m.startswith(heavy))))\n")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    first, second = (subprocess.run([sys.executable, "-c", probe], capture_output=True,
                                    text=True, timeout=120, env=env) for _ in range(2))
    assert json.loads(first.stdout)["value"] == json.loads(second.stdout)["value"] == 28.0
    assert first.stderr == second.stderr == "[]"


@pytest.mark.skipif(not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
                    reason="mallopt is glibc's")
def test_the_command_keeps_freed_big_buffers_for_reuse() -> None:
    """Issue 6: glibc accepts the thresholds gradcli.launch sets (mallopt returns 0 when it
    refuses a value), so big buffers are reused instead of mapped afresh."""
    probe = "from gradcli.launch import tune_malloc\nprint(tune_malloc())\n"
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60)
    assert proc.stdout.strip() == "True", proc.stderr


@pytest.mark.parametrize("command", [
    ["check", "sum(x * len(str(print('hi'))))"],
    ["jacobian", "x * len(str(print('hi')))"],
    ["hessian", "sum(x * x) * len(str(print('hi')))"],
    ["graph", "sum(x) * len(str(print('hi')))", "--format", "dot"]], ids=lambda c: c[0])
def test_print_in_the_derivative_commands_goes_to_stderr(command: list[str]) -> None:
    """As in eval: stdout holds only the result (print() went to stdout and broke the JSON
    and DOT that pipelines read)."""
    fmt = [] if command[0] == "graph" else ["--format", "json"]
    proc = gradcli(*command, "--let", "x=ones(2)", *fmt)
    assert proc.returncode == 0, proc.stderr
    assert "hi\n" in proc.stderr
    if command[0] == "graph":
        assert proc.stdout.startswith("digraph gradcli {"), proc.stdout
    else:
        strict_json(proc.stdout)


@pytest.mark.slow
def test_closed_and_full_standard_streams_are_io_errors() -> None:
    """`>&-`, `> /dev/full`, `<&-`: an io error and exit 1, never a traceback or an
    'internal error'; with stderr closed the exit code still tells."""
    def shell(line: str) -> subprocess.CompletedProcess[str]:
        command = " ".join(shlex.quote(part) for part in GRADCLI)
        return subprocess.run(["bash", "-c", f"{command} {line}"], capture_output=True,
                              text=True, env={**os.environ, "COLUMNS": "100"}, timeout=120,
                              cwd=Path(__file__).resolve().parent.parent)

    for line in ["eval '1+1' --format json >&-", "--version >&-", "ops >&-",
                 "eval '1+1' > /dev/full", "run examples/seed_000.py > /dev/full",
                 "eval - --format json <&-", "run - <&-", "repl <&-"]:
        proc = shell(line)
        assert proc.returncode == 1, (line, proc.stderr)
        assert proc.stderr.startswith("error[io]: cannot "), (line, proc.stderr)
        assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr, line
    assert shell("eval '1+' 2>&-").returncode == 2


@pytest.mark.parametrize(("option", "kind", "code"), [
    (["--seed", "-1"], None, 0), (["--seed", str(2**64)], "usage", 2),
    (["--grad-output", "zeros"], "type", 1), (["--grad-output", "None"], "type", 1)])
def test_seed_and_grad_output_values(option: list[str], kind: str | None, code: int) -> None:
    """A negative seed is PyTorch's (taken modulo 2**64); one beyond 64 bits is a usage error;
    a --grad-output that is no tensor is a type error (all three were internal errors)."""
    proc = gradcli("eval", "sum(randn(2) * x)" if code == 0 else "randn(2) * x", "--let",
                   "x=ones(2)", "--format", "json", *option)
    assert proc.returncode == code, proc.stderr
    if kind == "usage":
        assert proc.stderr.startswith("error[usage]: Invalid value for '--seed'")
    elif kind is not None:
        assert strict_json(proc.stdout)["error"]["kind"] == kind
    assert "internal error" not in proc.stderr


def test_the_limits_defaults_are_one_set_of_numbers() -> None:
    """The flags, the interpreter and the README give the same defaults. --max-steps is low
    enough that the seeds' endless `while b.norm() < 1000` (a = 0) stops at ~1 GB of graph,
    where 100,000,000 steps would have needed ~80 GB."""
    from gradcli.interpreter.core import Limits
    from gradcli.limits import MAX_CALL_DEPTH, MAX_STEPS

    assert (Limits().max_steps, Limits().max_depth) == (MAX_STEPS, MAX_CALL_DEPTH)
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert f"`--max-steps` (loop iterations per program, default {MAX_STEPS:,})" in readme
    assert f"`--max-depth` (function call depth, default {MAX_CALL_DEPTH})" in readme
    for command in ("eval", "run", "repl"):
        assert f"[default: {MAX_STEPS}; x>=1]" in gradcli(command, "--help").stdout


SMOKE = [
    (["eval", "2*dot(x,x)", "--let", "x=arange(4.0)", "--format", "json"], None, '"value": 28.0'),
    (["eval", "2*dot(x,x)", "--let", "x=arange(4.0)"], None, "MulBackward0"),
    (["run", "-"], "import torch\ntorch.ones(2) * 2\n", "tensor([2., 2.])"),
    (["repl"], "1 + 1\n", "2"),
    (["jacobian", "x * x", "--let", "x=[1.0, 2.0]", "--format", "json"], None, "[2.0, 0.0]"),
    (["hessian", "sum(x ** 3)", "--let", "x=[1.0, 2.0]", "--format", "json"], None, "[6.0, 0.0]"),
    (["check", "sum(sin(x))", "--let", "x=[0.1, 0.5]", "--format", "json"], None, '"ok": true'),
    (["graph", "sum(x * x)", "--let", "x=[1.0, 2.0]", "--format", "dot"], None, "digraph gradcli {"),
    (["ops", "--format", "json"], None, '"DotBackward0"'),
]


@pytest.mark.slow
@pytest.mark.parametrize(("args", "stdin", "fragment"), SMOKE,
                         ids=["eval-json", "eval-table", "run", "repl", "jacobian", "hessian", "check",
                              "graph", "ops"])
def test_every_command_runs_through_the_console_script(args: list[str], stdin: str | None,
                                                        fragment: str) -> None:
    """One process per command: what the in-process tests cannot see (the script, its
    imports, the streams of a real process) works for each of them, and gives what the same
    command gives in-process, byte for byte."""
    proc = console(*args, stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    assert fragment in proc.stdout, proc.stdout
    no_traceback(proc)
    inside = gradcli(*args, stdin=stdin)
    assert (inside.returncode, inside.stdout, inside.stderr) == (0, proc.stdout, proc.stderr)


def test_two_runs_in_one_process_share_no_settings() -> None:
    """What one run sets (dtype, seed, limits --max-memory, --max-input and --max-nesting
    included, grad mode, anomaly hook, loader, recursion limit, streams) is gone when the next
    begins, as if each had a process of its own."""
    from gradcli.engine import state

    def value(*args: str, stdin: str | None = None) -> Any:
        proc = gradcli(*args, "--format", "json", stdin=stdin)
        return strict_json(proc.stdout.splitlines()[-1]) if proc.stdout else proc

    streams, recursion, before = (sys.stdin, sys.stdout, sys.stderr), sys.getrecursionlimit(), \
        state.snapshot()
    assert value("eval", "x / 3", "--let", "x=1.0", "--dtype", "float64")["dtype"] == "float64"
    assert value("eval", "x / 3", "--let", "x=1.0")["dtype"] == "float32"
    seeded = value("eval", "randn(6)", "--seed", "7")["value"]
    assert value("eval", "randn(3)", "--seed", "7")["value"] == seeded[:3]
    assert value("eval", "randn(3)")["value"] not in (seeded[:3], seeded[3:])
    assert value("eval", "sum(ones(100))", "--max-elements", "10")["error"]["kind"] == "limit"
    assert value("eval", "sum(ones(100))")["value"] == 100.0
    assert value("eval", "x * x", "--let", "x=arange(3.0)", "--no-grad")["grads"] == {}
    assert value("eval", "sum(x * x)", "--let", "x=arange(3.0)")["grads"]["x"] == [0.0, 2.0, 4.0]
    anomaly = value("eval", "sum(sqrt(x))", "--let", "x=[0.0, 1.0]", "--detect-anomaly")
    assert anomaly["error"]["kind"] == "value"
    assert value("eval", "sum(sqrt(x))", "--let", "x=[0.0, 1.0]")["grads"]["x"][0] == "Infinity"
    sqrt = ("import torch\nx = torch.tensor([0.0, 1.0], requires_grad=True)\n"
            "torch.sqrt(x).sum().backward()\nprint(x.grad)\n")
    assert gradcli("run", "-", "--detect-anomaly", stdin=sqrt).returncode == 1
    assert gradcli("run", "-", stdin=sqrt).stdout == "tensor([   inf, 0.5000])\n"
    loop = "i = 0\nwhile i < 100:\n    i = i + 1\nprint(i)\n"
    assert gradcli("run", "-", "--max-steps", "10", stdin=loop).returncode == 1
    assert gradcli("run", "-", stdin=loop).stdout == "100\n"
    deep = "def f(n):\n    if n == 0:\n        return 0\n    return f(n - 1) + 1\nprint(f(150))\n"
    assert gradcli("run", "-", "--max-depth", "2000", stdin=deep).stdout == "150\n"
    assert gradcli("run", "-", "--max-depth", "100", stdin=deep).returncode == 1
    assert gradcli("run", "-", stdin=deep).stdout == "150\n"
    assert value("eval", "sum(x)", "--let", "x=@-", stdin="[1, 2]")["value"] == 3.0
    big = "sum(zeros(10**6))"  # 8 MB checked against the budget before it is made
    assert value("eval", big, "--max-memory", "1K")["error"]["kind"] == "limit"
    assert value("eval", big)["value"] == 0.0
    script = "print(1)\n" + "#" * 2000 + "\n"
    assert "--max-input" in gradcli("run", "-", "--max-input", "1K", stdin=script).stderr
    assert gradcli("run", "-", stdin=script).stdout == "1\n"
    chain = "*".join(["x"] * 30)
    assert value("eval", chain, "--let", "x=1.0", "--max-nesting", "10")["error"]["kind"] == "limit"
    assert value("eval", chain, "--let", "x=1.0")["value"] == 1.0
    assert value("eval", "x", "--let", "x=1.0", "--max-nesting", "10000")["value"] == 1.0
    from gradcli.limits import MAX_INPUT
    from gradcli.reading import LIMIT
    from gradcli.syntax.nodes import DEFAULT_MAX_DEPTH, NESTING

    assert (LIMIT["max_input"], NESTING["max_depth"]) == (MAX_INPUT, DEFAULT_MAX_DEPTH)
    assert (sys.stdin, sys.stdout, sys.stderr) == streams
    assert sys.getrecursionlimit() == recursion
    assert state.snapshot() == before
