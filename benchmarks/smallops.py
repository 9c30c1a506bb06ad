"""Small-op benchmarks of issue 6: per-op overhead on 4-element tensors, and `gradcli eval -`.

The loop: ``STEPS`` steps of ``h = tanh(h * w + b); s = s + h`` (4 ops: mul, add, tanh, add)
on 4-element float64 tensors, then ``s.sum().backward()``. Figures are microseconds per op:
(forward + backward) / (4 * STEPS), with forward and backward also given apart.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OPS_PER_STEP = 4
X0 = [0.1, 0.2, 0.3, 0.4]
W0 = [0.9, -0.8, 0.7, 0.6]
B0 = [0.1, -0.1, 0.2, 0.0]


def script_parts(steps: int) -> tuple[str, str, str]:
    """The loop as a gradcli script, in three parts: set-up, the loop, the backward."""
    setup = (
        "import torch\n"
        f"x = torch.tensor({X0}, dtype=torch.float64, requires_grad=True)\n"
        f"w = torch.tensor({W0}, dtype=torch.float64, requires_grad=True)\n"
        f"b = torch.tensor({B0}, dtype=torch.float64, requires_grad=True)\n"
        "h = x\n"
        "s = torch.zeros(4, dtype=torch.float64)\n"
    )
    loop = (
        f"for i in range({steps}):\n"
        "    h = torch.tanh(h * w + b)\n"
        "    s = s + h\n"
    )
    return setup, loop, "s.sum().backward()\n"


# Each runner returns (forward seconds, backward seconds or None, gradients of x, w, b or None).
Runner = Callable[[int], tuple[float, float | None, list[np.ndarray] | None]]


def _gradcli_script(steps: int) -> tuple[float, float | None, list[np.ndarray] | None]:
    from gradcli.interpreter.core import Interpreter
    from gradcli.syntax.parser import parse_program

    setup, loop, backward = (parse_program(p) for p in script_parts(steps))
    interp = Interpreter(write=lambda s: None)
    interp.run(setup)
    t0 = time.perf_counter()
    interp.run(loop)
    t1 = time.perf_counter()
    interp.run(backward)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, [interp.globals[n].grad.data for n in "xwb"]


def _gradcli_engine(steps: int) -> tuple[float, float | None, list[np.ndarray] | None]:
    from gradcli.engine import Tensor
    from gradcli.engine import ops as E

    x, w, b = (Tensor(np.array(v), requires_grad=True) for v in (X0, W0, B0))
    h, s = x, Tensor(np.zeros(4))
    t0 = time.perf_counter()
    for _ in range(steps):
        h = E.tanh(h * w + b)
        s = s + h
    t1 = time.perf_counter()
    E.sum(s).backward()
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, [t.grad.data for t in (x, w, b)]


def _torch(steps: int) -> tuple[float, float | None, list[np.ndarray] | None]:
    import torch

    x, w, b = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (X0, W0, B0))
    h, s = x, torch.zeros(4, dtype=torch.float64)
    t0 = time.perf_counter()
    for _ in range(steps):
        h = torch.tanh(h * w + b)
        s = s + h
    t1 = time.perf_counter()
    s.sum().backward()
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, [t.grad.numpy() for t in (x, w, b)]


def _autograd(steps: int) -> tuple[float, float | None, list[np.ndarray] | None]:
    import autograd.numpy as anp
    from autograd import grad

    def f(params: Any) -> Any:
        x, w, b = params
        h, s = x, anp.zeros(4)
        for _ in range(steps):
            h = anp.tanh(h * w + b)
            s = s + h
        return anp.sum(s)

    params = tuple(np.array(v) for v in (X0, W0, B0))
    t0 = time.perf_counter()
    grads = grad(f)(params)
    return time.perf_counter() - t0, None, [np.asarray(g) for g in grads]


def _numpy(steps: int) -> tuple[float, float | None, list[np.ndarray] | None]:
    w, b = np.array(W0), np.array(B0)
    h, s = np.array(X0), np.zeros(4)
    t0 = time.perf_counter()
    for _ in range(steps):
        h = np.tanh(h * w + b)
        s = s + h
    return time.perf_counter() - t0, None, None


LOOP_RUNNERS: dict[str, tuple[str | None, Runner]] = {
    "gradcli script (interpreter)": ("gradcli.interpreter.core", _gradcli_script),
    "gradcli engine from Python": ("gradcli.engine", _gradcli_engine),
    "torch": ("torch", _torch),
    "autograd": ("autograd", _autograd),
    "numpy, no gradients": (None, _numpy),
}


def loop_benchmark(steps: int, repeats: int, log: Callable[[str], None]) -> dict[str, Any]:
    import importlib

    results: dict[str, Any] = {"steps": steps, "ops_per_step": OPS_PER_STEP, "engines": {},
                               "skipped": {}}
    reference = None
    for name, (module, runner) in LOOP_RUNNERS.items():
        if module is not None:
            try:
                importlib.import_module(module)
            except ImportError as e:
                results["skipped"][name] = f"not importable: {e}"
                continue
        runner(min(steps, 200))  # warm-up
        samples = [runner(steps) for _ in range(repeats)]
        fwd = statistics.median(s[0] for s in samples)
        bwd = statistics.median(s[1] for s in samples) if samples[0][1] is not None else None
        total = statistics.median(s[0] + (s[1] or 0.0) for s in samples)
        grads = samples[-1][2]
        check = None
        if grads is not None:
            if reference is None:
                reference = grads
            ok = all(np.allclose(a, r, rtol=1e-9, atol=1e-12) for a, r in zip(grads, reference))
            check = "ok" if ok else "gradients differ from the first engine's"
        nops = steps * OPS_PER_STEP
        results["engines"][name] = {
            "forward_s": fwd, "backward_s": bwd, "total_s": total,
            "us_per_op": total / nops * 1e6, "forward_us_per_op": fwd / nops * 1e6,
            "backward_us_per_op": None if bwd is None else bwd / nops * 1e6, "check": check,
        }
        warning = f"  (CHECK FAILED: {check})" if check not in (None, "ok") else ""
        log(f"  small loop {name}: {total / nops * 1e6:.2f} us/op{warning}")
    torch_figure = results["engines"].get("torch")
    for entry in results["engines"].values():
        entry["ratio_to_torch"] = (entry["us_per_op"] / torch_figure["us_per_op"]
                                   if torch_figure else None)
    return results


# -- gradcli eval - -------------------------------------------------------------------------------

EVAL_LETS = ["--let", "x=arange(4.0)", "--let", "w=linspace(-1.0, 1.0, 4)"]


def stream_expressions(count: int) -> list[str]:
    """Distinct small value+grad expressions: sum((x*w + c)**2) with c = 0.001, 0.002, ..."""
    return [f"sum((x*w + {(i + 1) / 1000:.3f})**2)" for i in range(count)]


def _cli_env() -> dict[str, str]:
    # As users run it: bytecode cached, and stdout buffered as Python buffers a pipe (this
    # workplace sets PYTHONUNBUFFERED=1, which makes every result line a write of its own).
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    return env


def _run_stream(exprs: list[str], lets: list[str] = EVAL_LETS) -> tuple[float, list[str]]:
    cmd = [sys.executable, "-m", "gradcli", "eval", "-", *lets, "--format", "json"]
    text = "\n".join(exprs) + "\n"
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, input=text, capture_output=True, text=True, env=_cli_env(),
                          cwd=ROOT)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"gradcli eval - exited {proc.returncode}: {proc.stderr[-2000:]}")
    return elapsed, proc.stdout.splitlines()


def eval_stream_benchmark(count: int, repeats: int, log: Callable[[str], None]) -> dict[str, Any]:
    """Expressions per second through the real CLI, gross and with start-up subtracted.

    Also the same expressions through ``Evaluator.evaluate`` and the JSON renderer in this
    process, to split the per-expression cost from the process's.
    """
    exprs = stream_expressions(count)
    _run_stream(exprs[:1])  # warm-up: bytecode and OS caches
    one = statistics.median(_run_stream(exprs[:1])[0] for _ in range(max(3, repeats)))
    totals = []
    for _ in range(repeats):
        elapsed, lines = _run_stream(exprs)
        totals.append(elapsed)
    objs = [json.loads(line) for line in lines]
    errors = [o for o in objs if "error" in o]
    check = "ok"
    if len(objs) != count or errors:
        check = f"{len(objs)} lines for {count} expressions, {len(errors)} errors"
    total = statistics.median(totals)
    result = {
        "expressions": count, "example": exprs[0], "lets": EVAL_LETS,
        "process_with_one_expression_s": one, "total_s": total,
        "expr_per_s_gross": count / total,
        "expr_per_s_net": (count - 1) / (total - one) if total > one else None,
        "check": check,
    }
    result.update(_in_process(exprs))
    log(f"  eval -: {result['expr_per_s_gross']:.0f} expr/s gross, "
        f"{result['expr_per_s_net'] or float('nan'):.0f} net of start-up")
    return result


def _in_process(exprs: list[str]) -> dict[str, Any]:
    from gradcli.interpreter.evaluate import EvalOptions, Evaluator, split_let
    from gradcli.render.eval_output import render_json
    from gradcli.syntax.parser import parse_expression

    lets = [split_let(EVAL_LETS[i + 1]) for i in range(0, len(EVAL_LETS), 2)]
    evaluator = Evaluator(EvalOptions(lets=lets), lambda spec: np.load(spec))
    evaluator.evaluate(exprs[0])
    t0 = time.perf_counter()
    for e in exprs:
        parse_expression(e)
    t1 = time.perf_counter()
    # As the CLI does: each result rendered, then dropped (keeping 10,000 results alive would
    # time Python's collector walking them instead).
    evaluating = rendering = 0.0
    for e in exprs:
        t2 = time.perf_counter()
        result = evaluator.evaluate(e)
        t3 = time.perf_counter()
        render_json(result)
        rendering += time.perf_counter() - t3
        evaluating += t3 - t2
    n = len(exprs)
    return {"in_process_parse_us": (t1 - t0) / n * 1e6,
            "in_process_evaluate_us": evaluating / n * 1e6,
            "in_process_render_json_us": rendering / n * 1e6}
