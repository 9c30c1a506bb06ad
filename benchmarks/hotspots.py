"""Where gradcli's time goes in one benchmark case: cProfile (or pyinstrument), top functions.

Usage:
    python benchmarks/hotspots.py big WORKLOAD N DTYPE [--engine gradcli-interp] [--calls 10]
    python benchmarks/hotspots.py loop [--steps 10000]          # the small-op script
    python benchmarks/hotspots.py loop-backward [--steps 10000] # its backward only
    python benchmarks/hotspots.py stream [--count 2000]         # cli._eval_stream, JSON out
    python benchmarks/hotspots.py phases WORKLOAD N DTYPE       # time per phase, per VJP
    add --pyinstrument for a call tree instead (pip install pyinstrument)

Functions are listed by own time (tottime): numpy's ufuncs are not functions to cProfile, so
the time of ``np.exp(x)`` counts as the own time of the Python function that called it, which
is what names the line to look at. Percentages are of the profiled total.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
if str(ROOT) not in sys.path:
    sys.path.insert(1, str(ROOT))
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def big_case(workload: str, n: int, dtype: str, engine: str) -> Callable[[], Any]:
    import workloads as W

    return W.make_case(engine, workload, W.make_inputs(workload, n, dtype), dtype)


def loop_case(steps: int) -> Callable[[], Any]:
    import smallops

    def run() -> Any:
        return smallops._gradcli_script(steps)
    return run


def profile_loop_backward(steps: int, top: int) -> None:
    """Build the small-op script's graph, then profile only ``s.sum().backward()``."""
    import smallops

    from gradcli.interpreter.core import Interpreter
    from gradcli.syntax.parser import parse_program

    setup, loop, backward = (parse_program(p) for p in smallops.script_parts(steps))
    interp = Interpreter(write=lambda s: None)
    interp.run(setup)
    interp.run(loop)
    profile = cProfile.Profile()
    profile.enable()
    interp.run(backward)
    profile.disable()
    report(profile, top)


def stream_case(count: int) -> Callable[[], Any]:
    import smallops

    from gradcli.cli import EvalFormat, _eval_stream
    from gradcli.interpreter.evaluate import EvalOptions, Evaluator, split_let
    from gradcli.render.text import PrintOptions

    lets = [split_let(smallops.EVAL_LETS[i + 1]) for i in range(0, len(smallops.EVAL_LETS), 2)]
    evaluator = Evaluator(EvalOptions(lets=lets), lambda spec: None)
    text = "\n".join(smallops.stream_expressions(count)) + "\n"

    def run() -> Any:
        stdin, stdout = sys.stdin, sys.stdout
        sys.stdin, sys.stdout = io.StringIO(text), io.StringIO()
        try:
            return _eval_stream(evaluator, EvalFormat.json, PrintOptions())
        finally:
            sys.stdin, sys.stdout = stdin, stdout
    return run


class Phases:
    """Wall time per phase of Evaluator.evaluate, by wrapping gradcli's functions from outside.

    Wraps (in this process only) parse_expression, Evaluator._fresh, Interpreter.evaluate and,
    inside run_backward, each node's VJP with its _fit (from _check_saved, which runs just
    before the VJP, to the step hook, just after _fit), _accumulate and _accumulate_leaf.
    """

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self._vjp_start = 0.0

    def add(self, name: str, dt: float) -> None:
        self.times[name] = self.times.get(name, 0.0) + dt

    def wrap(self, owner: Any, attr: str, name: str) -> None:
        import functools
        import time

        fn = getattr(owner, attr)

        @functools.wraps(fn)
        def timed(*a: Any, **k: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                self.add(name, time.perf_counter() - t0)
        setattr(owner, attr, timed)

    def install(self) -> None:
        import time

        from gradcli.engine import autograd
        from gradcli.interpreter import core, evaluate

        self.wrap(evaluate, "parse_expression", "parse")
        self.wrap(evaluate.Evaluator, "_fresh", "fresh leaves (copies of the --let data)")
        self.wrap(evaluate.Evaluator, "_interpreter", "Interpreter() set-up")
        self.wrap(core.Interpreter, "evaluate", "forward (interpreter + ops)")
        self.wrap(evaluate.Evaluator, "_backward", "backward, total")
        self.wrap(autograd, "_accumulate", "backward: _accumulate (sums of gradients)")
        self.wrap(autograd, "_accumulate_leaf", "backward: _accumulate_leaf (.grad)")
        check = autograd._check_saved

        def check_saved(node: Any) -> None:
            check(node)
            self._vjp_start = time.perf_counter()

        def step(node: Any, g: Any, outs: Any) -> None:
            self.add(f"backward: {node.name} VJP + _fit", time.perf_counter() - self._vjp_start)

        autograd._check_saved = check_saved  # type: ignore[assignment]
        autograd.ANOMALY_HOOK[0] = step

    def report(self, total: float, calls: int) -> None:
        print(f"{total / calls * 1e3:.2f} ms per evaluate()")
        for name, t in sorted(self.times.items(), key=lambda kv: -kv[1]):
            print(f"{t / total * 100:6.1f}% {t / calls * 1e3:9.2f} ms  {name}")


def run_phases(workload: str, n: int, dtype: str, calls: int) -> None:
    import time

    phases = Phases()
    phases.install()
    case = big_case(workload, n, dtype, "gradcli-interp")
    case()
    phases.times.clear()
    t0 = time.perf_counter()
    for _ in range(calls):
        case()
    phases.report(time.perf_counter() - t0, calls)


def _where(key: tuple[str, int, str]) -> str:
    filename, line, func = key
    if filename == "~":
        return func
    try:
        filename = str(Path(filename).resolve().relative_to(ROOT))
    except ValueError:
        parts = Path(filename).parts
        filename = "/".join(parts[-2:])
    return f"{filename}:{line}({func})"


def _area(key: tuple[str, int, str]) -> str:
    """A coarse owner of a function: gradcli's sub-package, lark, numpy, json, other."""
    where = _where(key)
    if where.startswith("gradcli/"):
        return "/".join(where.split("/")[:2]).split(":")[0].removesuffix(".py")
    for lib in ("lark", "numpy", "json", "typer", "rich"):
        if f"{lib}/" in where or f"'{lib}." in where or f"{lib}." in where.split("(")[0]:
            return lib
    return "other (builtins, C methods)"


def report(profile: cProfile.Profile, top: int) -> None:
    stats = pstats.Stats(profile)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values())
    areas: dict[str, float] = {}
    for key, v in raw.items():
        areas[_area(key)] = areas.get(_area(key), 0.0) + v[2]
    print("own time by area: " + ", ".join(
        f"{a} {t / total * 100:.0f}%" for a, t in sorted(areas.items(), key=lambda kv: -kv[1])))
    rows = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    print(f"total {total * 1e3:.1f} ms profiled")
    print(f"{'own %':>6} {'own ms':>9} {'cum %':>6} {'calls':>9}  function")
    for key, (_, ncalls, tottime, cumtime, _) in rows:
        print(f"{tottime / total * 100:6.1f} {tottime * 1e3:9.1f} {cumtime / total * 100:6.1f} "
              f"{ncalls:9d}  {_where(key)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["big", "loop", "loop-backward", "stream", "phases"])
    parser.add_argument("args", nargs="*", help="big: WORKLOAD N DTYPE")
    parser.add_argument("--engine", default="gradcli-interp")
    parser.add_argument("--calls", type=int, default=5, help="profiled calls (after a warm-up)")
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--pyinstrument", action="store_true")
    args = parser.parse_args()
    if args.kind == "phases":
        run_phases(args.args[0], int(float(args.args[1])), args.args[2], args.calls)
        return
    if args.kind == "loop-backward":
        profile_loop_backward(args.steps, args.top)
        return
    if args.kind == "big":
        workload, n, dtype = args.args[0], int(float(args.args[1])), args.args[2]
        case = big_case(workload, n, dtype, args.engine)
    elif args.kind == "loop":
        case = loop_case(args.steps)
    else:
        case = stream_case(args.count)
    case()  # warm-up
    if args.pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(args.calls):
            case()
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))
        return
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.calls):
        case()
    profile.disable()
    report(profile, args.top)


if __name__ == "__main__":
    main()
