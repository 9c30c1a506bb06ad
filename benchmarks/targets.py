"""Issue 19's four speed targets in one run: gradcli against PyTorch (and numpy), as ratios.

Usage:
    PYTHONPATH=. /work/torchenv/bin/python benchmarks/targets.py [--json out.json]
    python benchmarks/targets.py            # the test venv: gradcli and numpy only

What each target measures (the PyTorch side does the same work in a Python loop; it parses
nothing, since a Python program's text is compiled once, before its loop runs):

1. stream   ``gradcli eval - --let x=arange(4.0) --format json`` on 5,000 distinct lines
            ``sum(x*{i} + x**2)`` through the real CLI; lines/s net of start-up (the same
            command with one line). PyTorch, per line: x built
            (``torch.arange(4.0, requires_grad=True)``), the line's text evaluated by
            Python's ``eval`` (compile included: a Python tool reading these lines must
            parse them too) with ``sum`` = ``torch.sum``, ``backward()``, and one JSON line
            of the value and the gradient (``json.dumps`` of ``.item()`` and ``.tolist()``),
            as gradcli writes one. Target: gradcli / PyTorch rate >= 1.3. Beside it, the
            stricter figure against PyTorch with the formula compiled beforehand (``i`` a
            Python int: no text read at all).
2. script   smallops.py's loop (``h = tanh(h * w + b); s = s + h`` on 4-element float64
            tensors, 10,000 steps, then one backward) as a script through ``gradcli run``,
            its start-up subtracted (the same script with 1 step); as a ratio to
            smallops.py's plain numpy loop without gradients, against PyTorch's ratio (its
            loop and backward in this process). Target: gradcli ratio / PyTorch ratio <= 1.0.
3. tiny     independent tiny statements through the eval path, in process: per statement a
            new ``Evaluator`` (x bound as ``--let x=@x``), its parse, evaluation and
            backward, as ``gradcli eval EXPR`` does after start-up; six formulas
            (``TINY``) with distinct constants, so that no text repeats. PyTorch: a fresh
            leaf, the formula, ``backward()``. Target: gradcli / PyTorch <= 1.2.
4. dot 1e5  ``2*dot(x,x)`` at 1e5 float32 through eval in process, one-shot (a new Evaluator
            each time, so the parse counts, as in ``gradcli eval``), as a ratio to
            workloads.py's hand-written numpy, against PyTorch's ratio (workloads.py's case).
            Target: gradcli ratio <= PyTorch ratio. The figure with the Evaluator reused
            (its parsed text kept, as in run.py's gradcli-interp) is given beside it.
parse       the parser alone (``parse_expression`` / ``parse_program``) against CPython's
            ``compile()`` of the same text (mode "eval" / "exec"), on the benchmark texts:
            the stream's lines and the tiny statements (distinct texts), ``2*dot(x,x)``
            and the script, each parsed afresh (the trees the parser keeps by text
            dropped before each parse), and ``2*dot(x,x)`` parsed again (its tree kept).
            Target: <= 2.5x. Beside them, what ``eval -`` pays to read a stream line:
            ``Evaluator.prepare``, which parses no line whose shape was compiled lately
            (interpreter/plans.py).

Medians of ``--repeats`` rounds, the sides taking turns. Benchmarks, not tests: nothing here
fails on a slow figure. Compare ratios, not microseconds: this machine drifts between sittings.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
sys.path.insert(0, str(HERE))
if str(ROOT) not in sys.path:
    sys.path.insert(1, str(ROOT))

import numpy as np  # noqa: E402
import smallops  # noqa: E402
import workloads as W  # noqa: E402
from run import time_case  # noqa: E402

try:
    import torch
except ImportError:
    torch = None


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _median_time(fn: Callable[[], Any], repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


# -- 1. eval - stream -----------------------------------------------------------------------------

STREAM_LETS = ["--let", "x=arange(4.0)"]


def stream_lines(count: int) -> list[str]:
    return [f"sum(x*{i} + x**2)" for i in range(count)]


def _torch_stream(lines: list[str], from_text: bool) -> float:
    """Seconds for PyTorch to compute and write the lines' values and gradients: each line's
    text through Python's ``eval`` (``from_text``), or the formula compiled beforehand."""
    namespace: dict[str, Any] = {"sum": torch.sum}
    out = []
    t0 = time.perf_counter()
    for i, line in enumerate(lines):
        x = torch.arange(4.0, requires_grad=True)
        if from_text:
            namespace["x"] = x
            y = eval(line, namespace)  # noqa: S307 (the benchmark's own text)
        else:
            y = (x * i + x**2).sum()
        y.backward()
        out.append(json.dumps({"value": y.item(), "grad": {"x": x.grad.tolist()}}))
    return time.perf_counter() - t0


def stream_target(count: int, repeats: int) -> dict[str, Any]:
    lines = stream_lines(count)
    smallops._run_stream(lines[:1], STREAM_LETS)  # warm-up: bytecode and OS caches
    ones, totals = [], []
    torch_totals: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(repeats):
        ones.append(smallops._run_stream(lines[:1], STREAM_LETS)[0])
        elapsed, out = smallops._run_stream(lines, STREAM_LETS)
        totals.append(elapsed)
        if torch is not None:
            for from_text in (True, False):
                torch_totals[from_text].append(_torch_stream(lines, from_text))
    errors = sum(1 for line in out if '"error"' in line)
    one, total = statistics.median(ones), statistics.median(totals)
    rate = (count - 1) / (total - one) if total > one else None
    text_rate, compiled_rate = (count / statistics.median(torch_totals[k])
                                if torch_totals[k] else None for k in (True, False))
    result = {"lines": count, "example": lines[1], "lets": STREAM_LETS,
              "start_up_s": one, "total_s": total, "gradcli_lines_per_s_net": rate,
              "torch_lines_per_s": text_rate, "ratio_gradcli_to_torch": _ratio(rate, text_rate),
              "torch_compiled_lines_per_s": compiled_rate,
              "ratio_gradcli_to_torch_compiled": _ratio(rate, compiled_rate),
              "target": ">= 1.3", "check": "ok" if len(out) == count and not errors
              else f"{len(out)} lines for {count}, {errors} errors"}
    log(f"  stream: gradcli {rate or float('nan'):.0f} lines/s net, torch "
        f"{text_rate or float('nan'):.0f}/s from text, {compiled_rate or float('nan'):.0f}/s "
        "compiled beforehand")
    return result


# -- 2. script loop through gradcli run -----------------------------------------------------------

def _run_script(path: Path) -> float:
    cmd = [sys.executable, "-m", "gradcli", "run", str(path)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=smallops._cli_env(), cwd=ROOT)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"gradcli run exited {proc.returncode}: {proc.stderr[-2000:]}")
    return elapsed


def script_target(steps: int, repeats: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        full, one = Path(tmp, "loop.py"), Path(tmp, "one.py")
        full.write_text("".join(smallops.script_parts(steps)))
        one.write_text("".join(smallops.script_parts(1)))
        _run_script(one)
        gradcli_s, start_s, numpy_s, torch_s = [], [], [], []
        smallops._numpy(200)
        if torch is not None:
            smallops._torch(200)
        for _ in range(repeats):
            start_s.append(_run_script(one))
            gradcli_s.append(_run_script(full))
            numpy_s.append(smallops._numpy(steps)[0])
            if torch is not None:
                fwd, bwd, _ = smallops._torch(steps)
                torch_s.append(fwd + (bwd or 0.0))
    net = statistics.median(gradcli_s) - statistics.median(start_s)
    base = statistics.median(numpy_s)
    torch_t = statistics.median(torch_s) if torch_s else None
    # a loop too short to outlast start-up's noise has no net time (as the stream's rate)
    g_ratio, t_ratio = (net / base if net > 0 else None), _ratio(torch_t, base)
    result = {"steps": steps, "ops_per_step": smallops.OPS_PER_STEP,
              "gradcli_run_net_s": net, "start_up_s": statistics.median(start_s),
              "numpy_s": base, "torch_s": torch_t, "gradcli_to_numpy": g_ratio,
              "torch_to_numpy": t_ratio, "ratio_gradcli_to_torch": _ratio(g_ratio, t_ratio),
              "target": "<= 1.0"}
    log(f"  script: gradcli {g_ratio if g_ratio is not None else float('nan'):.1f}x numpy, torch "
        f"{t_ratio if t_ratio is not None else float('nan'):.1f}x")
    return result


# -- 3. independent tiny statements ---------------------------------------------------------------

#: (gradcli text with {c}, the same formula for PyTorch)
TINY: list[tuple[str, Callable[[Any, Any, float], Any]]] = [
    ("sum(x*{c})", lambda t, x, c: t.sum(x * c)),
    ("2*dot(x, x) + {c}", lambda t, x, c: 2 * t.dot(x, x) + c),
    ("sum(sin(x) * {c})", lambda t, x, c: t.sum(t.sin(x) * c)),
    ("mean(x**2) * {c}", lambda t, x, c: t.mean(x**2) * c),
    ("sum(exp(x) - {c})", lambda t, x, c: t.sum(t.exp(x) - c)),
    ("sum(tanh(x + {c}))", lambda t, x, c: t.sum(t.tanh(x + c))),
]


def tiny_statements(count: int, start: int = 0) -> list[tuple[str, int, float]]:
    """``count`` distinct (text, formula index, constant), the constants from ``start``."""
    out = []
    for i in range(start, start + count):
        k, c = i % len(TINY), f"{0.5 + i / 10_000:.4f}"
        out.append((TINY[k][0].format(c=c), k, float(c)))
    return out


def _gradcli_tiny(statements: list[tuple[str, int, float]], data: np.ndarray) -> float:
    from gradcli.interpreter.evaluate import EvalOptions, Evaluator

    inputs = {"x": data}
    options = EvalOptions(lets=[("x", "@x")])
    t0 = time.perf_counter()
    for text, _, _ in statements:
        Evaluator(options, inputs.__getitem__).evaluate(text)
    return time.perf_counter() - t0


def _torch_tiny(statements: list[tuple[str, int, float]], data: np.ndarray) -> float:
    base = torch.from_numpy(data.copy())
    formulas = [f for _, f in TINY]
    t0 = time.perf_counter()
    for _, k, c in statements:
        x = base.detach().requires_grad_()
        formulas[k](torch, x, c).backward()
        x.grad  # noqa: B018 (read, as gradcli reads it)
    return time.perf_counter() - t0


def tiny_target(count: int, repeats: int) -> dict[str, Any]:
    statements = tiny_statements(count)
    data = np.arange(4.0, dtype=np.float32)
    _gradcli_tiny(statements, data)
    g, t = [], []
    for r in range(repeats):
        batch = tiny_statements(count, start=(r + 1) * count)  # no text seen before
        g.append(_gradcli_tiny(batch, data))
        if torch is not None:
            t.append(_torch_tiny(batch, data))
    g_us = statistics.median(g) / count * 1e6
    t_us = statistics.median(t) / count * 1e6 if t else None
    result = {"statements": count, "examples": [s[0] for s in statements[:len(TINY)]],
              "gradcli_us": g_us, "torch_us": t_us, "ratio_gradcli_to_torch": _ratio(g_us, t_us),
              "target": "<= 1.2"}
    log(f"  tiny: gradcli {g_us:.1f} us, torch {t_us or float('nan'):.1f} us")
    return result


# -- 4. 2*dot(x,x) at 1e5 float32 -----------------------------------------------------------------

def dot_target(repeats: int) -> dict[str, Any]:
    from gradcli.interpreter.evaluate import EvalOptions, Evaluator

    n, dtype = 100_000, "float32"
    engines = ["numpy", "gradcli-interp"] + (["torch"] if torch is not None else [])
    cases = time_case("dot", n, dtype, engines, repeats, 0.05)
    inputs = W.make_inputs("dot", n, dtype)
    options = EvalOptions(lets=[(name, "@" + name) for name in inputs], dtype=dtype)
    expr = W.WORKLOADS["dot"].expr

    def one_shot() -> None:
        for _ in range(100):
            Evaluator(options, inputs.__getitem__).evaluate(expr)

    one_shot()
    numpy_t = cases["numpy"]["median_s"]
    samples = []
    for _ in range(repeats):
        samples.append(_median_time(one_shot, 1) / 100)
    g_t = statistics.median(samples)
    torch_t = cases["torch"]["median_s"] if "torch" in cases else None
    result = {"n": n, "dtype": dtype, "expr": expr, "numpy_us": numpy_t * 1e6,
              "gradcli_eval_us": g_t * 1e6, "torch_us": None if torch_t is None else torch_t * 1e6,
              "gradcli_to_numpy": g_t / numpy_t, "torch_to_numpy": _ratio(torch_t, numpy_t),
              "gradcli_evaluator_reused_to_numpy": cases["gradcli-interp"]["median_s"] / numpy_t,
              "checks": {e: c["check"] for e, c in cases.items()}, "target": "<= torch ratio"}
    result["ratio_gradcli_to_torch"] = _ratio(result["gradcli_to_numpy"], result["torch_to_numpy"])
    log(f"  dot 1e5: gradcli {result['gradcli_to_numpy']:.2f}x numpy, torch "
        f"{result['torch_to_numpy'] or float('nan'):.2f}x")
    return result


# -- parser against compile() ---------------------------------------------------------------------

def _per_text(sides: list[Callable[[str], Any]], texts: list[str],
              repeats: int) -> list[float]:
    """For each side, the median over rounds of the mean seconds per text; the sides take
    turns round by round, so that a machine busy for a while slows them alike."""
    for fn in sides:
        for text in texts[:3]:
            fn(text)
    samples: list[list[float]] = [[] for _ in sides]
    for _ in range(repeats):
        for fn, out in zip(sides, samples):
            out.append(_median_time(lambda fn=fn: [fn(t) for t in texts], 1))
    return [statistics.median(out) / len(texts) for out in samples]


def _forget_trees() -> None:
    """Drop the trees the quick parser keeps by text (where it keeps them), so that a text
    parsed again is parsed again."""
    from gradcli.syntax.parser import _quick_parser

    trees = getattr(_quick_parser(), "_trees", None)
    if trees is not None:
        trees.clear()


def parse_target(repeats: int, steps: int) -> dict[str, Any]:
    from gradcli.syntax.parser import parse_expression, parse_program

    def fresh(parse: Callable[[str], Any]) -> Callable[[str], Any]:
        def run(text: str) -> Any:
            _forget_trees()
            return parse(text)
        return run

    from gradcli.interpreter.evaluate import EvalOptions, Evaluator

    script = "".join(smallops.script_parts(steps))
    # What `eval -` does with a line before evaluating it: a text of a shape compiled lately
    # is not parsed at all (interpreter/plans.py).
    prepare = Evaluator(EvalOptions(lets=[("x", "arange(4.0)")]), lambda name: None).prepare
    sets = {
        "stream lines (1,000 distinct)": ("eval", parse_expression, stream_lines(1000)),
        "stream lines, prepared (plans)": ("eval", prepare, stream_lines(6000)[5000:]),
        "tiny statements (600 distinct)": ("eval", parse_expression,
                                           [s[0] for s in tiny_statements(600)]),
        "2*dot(x,x), parsed afresh": ("eval", fresh(parse_expression), ["2*dot(x,x)"] * 1000),
        "2*dot(x,x), parsed again": ("eval", parse_expression, ["2*dot(x,x)"] * 1000),
        "the script, parsed afresh": ("exec", fresh(parse_program), [script] * 100),
    }
    out = {}
    for name, (mode, ours, texts) in sets.items():
        g, c = _per_text([ours, lambda t, mode=mode: compile(t, "<text>", mode)], texts,
                         repeats)
        out[name] = {"gradcli_us": g * 1e6, "compile_us": c * 1e6, "ratio": g / c}
        log(f"  parse {name}: {g * 1e6:.1f} us vs compile() {c * 1e6:.1f} us, {g / c:.2f}x")
    return {"texts": out, "worst_ratio": max(v["ratio"] for v in out.values()),
            "target": "<= 2.5"}


# -- main -----------------------------------------------------------------------------------------

def summary(results: dict[str, Any]) -> list[str]:
    def fmt(x: float | None, spec: str = ".2f") -> str:
        return "n/a" if x is None else format(x, spec)

    s, sc, ti, d, p = (results[k] for k in ("stream", "script", "tiny", "dot", "parse"))
    return [
        f"{'target':40} {'gradcli':>12} {'torch':>12} {'ratio':>8} {'goal':>8}",
        f"{'1 eval - stream, lines/s net':40} {fmt(s['gradcli_lines_per_s_net'], '.0f'):>12} "
        f"{fmt(s['torch_lines_per_s'], '.0f'):>12} {fmt(s['ratio_gradcli_to_torch']):>8} "
        f"{'>= 1.3':>8}",
        f"{'  torch with the formula compiled before':40} {'':>12} "
        f"{fmt(s['torch_compiled_lines_per_s'], '.0f'):>12} "
        f"{fmt(s['ratio_gradcli_to_torch_compiled']):>8}",
        f"{'2 script loop, x numpy':40} {fmt(sc['gradcli_to_numpy'], '.1f'):>12} "
        f"{fmt(sc['torch_to_numpy'], '.1f'):>12} {fmt(sc['ratio_gradcli_to_torch']):>8} "
        f"{'<= 1.0':>8}",
        f"{'3 tiny statements, us each':40} {fmt(ti['gradcli_us'], '.1f'):>12} "
        f"{fmt(ti['torch_us'], '.1f'):>12} {fmt(ti['ratio_gradcli_to_torch']):>8} {'<= 1.2':>8}",
        f"{'4 2*dot(x,x) 1e5 f32 eval, x numpy':40} {fmt(d['gradcli_to_numpy']):>12} "
        f"{fmt(d['torch_to_numpy']):>12} {fmt(d['ratio_gradcli_to_torch']):>8} {'<= 1.0':>8}",
        *(f"{'parse: ' + name:40} {v['gradcli_us']:>10.1f}us {v['compile_us']:>10.1f}us "
          f"{v['ratio']:>8.2f} {'<= 2.5':>8}" for name, v in p["texts"].items()),
        "(parse: the torch column is CPython's compile() of the same text)",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--stream-lines", type=int, default=5000)
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--tiny", type=int, default=1200, help="tiny statements per round")
    args = parser.parse_args()
    if torch is not None:
        torch.set_num_threads(1)
    log(f"targets: torch {'absent' if torch is None else torch.__version__}, "
        f"load {os.getloadavg()[0]:.2f}")
    results: dict[str, Any] = {
        "python": platform.python_version(), "numpy": np.__version__,
        "torch": None if torch is None else torch.__version__,
        "load_before": os.getloadavg(), "started": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    results["parse"] = parse_target(args.repeats, args.steps)
    results["tiny"] = tiny_target(args.tiny, args.repeats)
    results["dot"] = dot_target(args.repeats)
    results["script"] = script_target(args.steps, args.repeats)
    results["stream"] = stream_target(args.stream_lines, args.repeats)
    results["load_after"] = os.getloadavg()
    print("\n".join(summary(results)))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
