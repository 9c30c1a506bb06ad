"""Drivers for the fuzz tests: evaluate or run source as the CLI does, in a forked child.

``evaluate`` and ``run_script`` go through the same objects the CLI uses (``Evaluator`` for
``gradcli eval``, an ``Interpreter`` set up like ``gradcli run``'s) and render the result as
the CLI would. ``isolated`` runs one of them in a forked child with small limits, every
warning an error, a time limit and an address-space cap, and returns an ``Outcome``: "ok",
"error" (a GradcliError, rendered as the CLI renders it), or a bug: "internal" (any other
exception), "hang" or "crash".

``KNOWN_BUGS`` are the internal errors already catalogued as strict xfails in
tests/test_errors.py: the fuzz tests reject inputs that end in one of them, so that they
look for new bugs only.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import resource
import select
import shutil
import signal
import sys
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gradcli.data_io import load_data
from gradcli.engine import dtypes
from gradcli.engine import ops as E
from gradcli.errors import GradcliError
from gradcli.interpreter.core import Interpreter, Limits
from gradcli.interpreter.evaluate import EvalOptions, Evaluator
from gradcli.render import eval_output, script_output
from gradcli.render.errors import format_error
from gradcli.render.jsonfmt import dumps, error_object
from gradcli.render.text import PrintOptions, print_text
from gradcli.syntax.parser import _engine, parse_program

#: The kinds a user's expression or script may end with (SPEC section 2).
KINDS = {"syntax", "name", "type", "shape", "value", "grad", "limit", "io"}

MAX_ELEMENTS = 1_000_000
MAX_STEPS = 10_000
#: Seconds one input may take before it counts as a hang.
TIMEOUT = 10.0
#: Extra address space an input may claim above what the process already holds.
HEADROOM = 2 * 1024**3

#: The --let variables every fuzzed expression sees (as in test_errors.py's rows).
LETS = [("x", "arange(6.0).reshape(2, 3)"), ("y", "ones(3)"), ("s", "2.5"),
        ("b", "tensor([True, False])"), ("i", "arange(4)")]

_DATA = Path(tempfile.mkdtemp(prefix="gradcli-fuzz-"))
atexit.register(shutil.rmtree, _DATA, ignore_errors=True)  # forked children skip it (os._exit)
np.save(_DATA / "data.npy", np.arange(6.0).reshape(2, 3))
(_DATA / "data.csv").write_text("1,2,3\n4,5,6\n")
(_DATA / "data.json").write_text("[[1, 2], [3, 4]]")
# Load the parsers' tables here, once, rather than in every forked child: the quick
# parser's, and Lark's, which parses every text in error (most fuzz inputs).
parse_program("0\n")
_engine()

#: File names the fuzzers may pass to load(); everything else is an io error.
DATA_FILES = ("data.npy", "data.csv", "data.json", "missing.npy", "data.npz:key")


def _load(spec: str) -> np.ndarray:
    name = spec.split(":", 1)[0]
    if name not in {f.split(":", 1)[0] for f in DATA_FILES}:
        raise GradcliError("io", f"cannot load {spec!r}: outside the fuzz sandbox")
    return load_data(str(_DATA / spec), max_elements=MAX_ELEMENTS,
                     text_float=dtypes.default_float())


def _address_space() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * resource.getpagesize()


@dataclass
class Outcome:
    """How one input ended: "ok", "error" (a GradcliError), "internal", "hang" or "crash"."""

    status: str
    kind: str | None = None
    message: str = ""
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.status}: {self.kind or ''} {self.message}\n{self.detail}"


def isolated(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Outcome:
    """Run ``fn`` in a forked child with capped memory and time, and say how it ended.

    A child is used because a C-level loop (``max(range(10**12))``) cannot be interrupted
    in-process, and because a limit gradcli fails to enforce must not exhaust the machine.
    ``fn`` returns None or raises; a GradcliError is rendered as the CLI would render it.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        code = 0
        try:
            payload = _child(fn, args, kwargs)
            os.write(write_end, json.dumps(payload).encode())
        except BaseException:  # noqa: BLE001 - the child must end through os._exit
            code = 3
        finally:
            os._exit(code)
    os.close(write_end)
    chunks: list[bytes] = []
    deadline = time.monotonic() + TIMEOUT
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([read_end], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return Outcome("hang", message=f"no result after {TIMEOUT} s")
            chunk = os.read(read_end, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
    _, status = os.waitpid(pid, 0)
    if not chunks:
        return Outcome("crash", message=f"child ended with wait status {status}")
    return Outcome(**json.loads(b"".join(chunks)))


def _child(fn: Callable[..., Any], args: Any, kwargs: Any) -> dict[str, Any]:
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = _address_space() + HEADROOM
    resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY
                                            else min(cap, hard), hard))
    E.set_max_elements(MAX_ELEMENTS)
    E.set_loader(_load)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fn(*args, **kwargs)
    except GradcliError as err:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                format_error(err, "expr")
                dumps(error_object("expr", err))
        except BaseException as exc:  # noqa: BLE001 - reported to the parent as a bug
            return {"status": "internal", "message": f"rendering the error: {describe(exc)}",
                    "detail": traceback.format_exc()}
        return {"status": "error", "kind": err.kind, "message": err.message}
    except BaseException as exc:  # noqa: BLE001 - reported to the parent as a bug
        return {"status": "internal", "message": describe(exc), "detail": traceback.format_exc()}
    return {"status": "ok"}


def _limits() -> Limits:
    return Limits(max_steps=MAX_STEPS, max_depth=50)


def evaluate(expr: str, *, dtype: str = "float32", grad_output: str | None = None,
             no_grad: bool = False) -> None:
    """``gradcli eval EXPR --let ...``, rendered as plain and as JSON."""
    options = EvalOptions(lets=list(LETS), grad_output=grad_output, no_grad=no_grad, dtype=dtype,
                          seed=0, limits=_limits())
    result = Evaluator(options, _load).evaluate(expr)
    eval_output.render_plain(result, PrintOptions())
    eval_output.render_json(result)


def derive(expr: str, command: str) -> None:
    """``gradcli jacobian|hessian|check|graph EXPR --let ...``, rendered as JSON or text."""
    from gradcli.render import derivatives, graph

    options = EvalOptions(lets=list(LETS), seed=0, limits=_limits())
    evaluator = Evaluator(options, _load)
    if command == "check":
        derivatives.check_json(evaluator.check(expr, 1e-6, 1e-5, 1e-3), True)
    elif command == "graph":
        result = evaluator.graph(expr)
        graph.to_dot(result)
        graph.to_mermaid(result)
    else:
        result = getattr(evaluator, command)(expr)
        getattr(derivatives, f"{command}_json")(result)
        getattr(derivatives, f"{command}_plain")(result, PrintOptions())


def run_script(source: str, *, json_lines: bool = False) -> None:
    """``gradcli run -`` (plain or --format json), its output collected and thrown away."""
    out: list[str] = []
    options = PrintOptions()
    dtypes.set_default_float("float32")
    E.manual_seed(0)
    program = parse_program(source)
    interp = Interpreter(limits=_limits(), to_text=lambda v: print_text(v, options))
    if json_lines:
        interp.write = lambda text: out.append(script_output.print_json(text, interp.line))
        interp.echo = lambda value, stmt: out.append(
            script_output.echo_json(value, stmt.line, options))
    else:
        interp.write = out.append
        interp.echo = lambda value, stmt: out.append(script_output.echo_plain(value, options))
    interp.run(program, source)


#: Internal errors catalogued in tests/test_errors.py (rows marked ``BUG:``), each as patterns
#: for the outcome's ``Type: message``, the source, and the traceback. An input ending in one of
#: these is rejected rather than reported again.
KNOWN_BUGS: list[tuple[str, str, str]] = [
    # (message regex, source regex, traceback regex) of internal errors still open. Empty:
    # every bug the catalogue and the fuzzer found so far is fixed.
]


def known_bug(source: str, outcome: Outcome) -> bool:
    """Whether ``outcome`` is a catalogued bug (without a traceback, by message and source)."""
    text = "hang" if outcome.status == "hang" else outcome.message
    return any(re.search(message, text) and re.search(where, source)
               and (not outcome.detail or re.search(trace, outcome.detail))
               for message, where, trace in KNOWN_BUGS)


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def load_file(suffix: str, data: bytes) -> None:
    """``gradcli eval "load('FILE')"`` of a file holding ``data``, rendered as JSON: a file
    of the sandbox that the child writes itself (each child its own name)."""
    from gradcli.render.jsonfmt import to_jsonable

    path = _DATA / f"fuzz-{os.getpid()}{suffix}"
    path.write_bytes(data)
    try:
        array = load_data(str(path), max_elements=MAX_ELEMENTS)
        dumps(to_jsonable(array))
        result = Evaluator(EvalOptions(lets=[("x", f"@{path}")], seed=0, limits=_limits()),
                           lambda spec: load_data(spec, max_elements=MAX_ELEMENTS)
                           ).evaluate("sum(x * 1)")
        eval_output.render_plain(result, PrintOptions())
        eval_output.render_json(result)
    finally:
        path.unlink()


def stream(lines: list[bytes], answers: list[Any]) -> None:
    """``gradcli eval - --format json`` in this process over ``lines`` joined by newlines:
    one JSON object per line that is neither blank nor a comment, valid UTF-8, and where
    ``answers`` holds a value (not None) for a line, that value (a good line still answers
    whatever the lines around it did). A "line" with newlines inside (a bad one) is several
    lines of the stream. Raises AssertionError otherwise."""
    import io

    from gradcli.cli import main

    data = b"\n".join(lines) + b"\n"
    stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline="\n")
    out, err = io.BytesIO(), io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    stderr = io.TextIOWrapper(err, encoding="utf-8", write_through=True)
    code = main(["eval", "-", "--format", "json", "--max-elements", str(MAX_ELEMENTS),
                 "--max-steps", str(MAX_STEPS), *(a for n, v in LETS for a in ("--let", f"{n}={v}"))],
                stdin=stdin, stdout=stdout, stderr=stderr)
    objects = [json.loads(line) for line in out.getvalue().decode("utf-8").splitlines()]
    pieces = [(piece, answer) for text, answer in zip(lines, answers)  # a lone CR ends one too
              for piece in re.split(b"\r\n|\r|\n", text)]
    shown = [(text, answer) for text, answer in pieces
             if (t := re.sub("[\udc80-\udcff]", "\ufffd",
                             text.decode("utf-8", "surrogateescape")).strip())
             and not t.startswith("#")]
    assert len(objects) == len(shown), (objects, shown)
    assert code == (1 if any("error" in o for o in objects) else 0), code
    for obj, (text, answer) in zip(objects, shown):
        assert "error" not in obj or obj["error"]["kind"] in KINDS, obj
        assert "internal error" not in json.dumps(obj), obj
        if answer is not None:
            assert obj.get("value") == answer, (text, obj)
