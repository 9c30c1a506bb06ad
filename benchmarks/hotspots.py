"""Where gradcli's time goes in one benchmark case: cProfile (or pyinstrument), top functions.

Usage:
    python benchmarks/hotspots.py big WORKLOAD N DTYPE [--engine gradcli-interp] [--calls 10]
    python benchmarks/hotspots.py loop [--steps 10000]          # the small-op script
    python benchmarks/hotspots.py loop-backward [--steps 10000] # its backward only
    python benchmarks/hotspots.py stream [--count 2000]         # cli.evaluate.eval_stream, JSON out
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

    from gradcli.cli.evaluate import eval_stream
    from gradcli.cli.options import EvalFormat
    from gradcli.interpreter.evaluate import EvalOptions, Evaluator, split_let
    from gradcli.render.text import PrintOptions

    lets = [split_let(smallops.EVAL_LETS[i + 1]) for i in range(0, len(smallops.EVAL_LETS), 2)]
    evaluator = Evaluator(EvalOptions(lets=lets), lambda spec: None)
    text = "\n".join(smallops.stream_expressions(count)) + "\n"

    def run() -> Any:
        stdin, stdout = sys.stdin, sys.stdout
        sys.stdin, sys.stdout = io.StringIO(text), io.StringIO()
        try:
            return eval_stream(evaluator, EvalFormat.json, PrintOptions())
        finally:
            sys.stdin, sys.stdout = stdin, stdout
    return run


class Phases:
    """Wall time per phase of Evaluator.evaluate, by wrapping gradcli's functions from outside.

    Wraps (in this process only) parse_expression, Evaluator._fresh, Interpreter.evaluate and,
    inside the raw-array backward that eval runs (autograd._run_raw), each op's VJP (the
    ``fast=`` function its ``record`` call gives), _fit_raw, _acc_raw and the .grad
    accumulation. The backward itself runs unchanged: no hook sends it down the recorded path.
    """

    def __init__(self) -> None:
        self.times: dict[str, float] = {}

    def add(self, name: str, dt: float) -> None:
        self.times[name] = self.times.get(name, 0.0) + dt

    def timed(self, fn: Any, name: str) -> Any:
        import functools
        import time

        @functools.wraps(fn)
        def timed(*a: Any, **k: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                self.add(name, time.perf_counter() - t0)
        return timed

    def wrap(self, owner: Any, attr: str, name: str) -> None:
        setattr(owner, attr, self.timed(getattr(owner, attr), name))

    def install(self) -> None:
        import importlib
        import pkgutil

        from gradcli.engine import autograd, ops
        from gradcli.interpreter import core, evaluate

        self.wrap(evaluate, "parse_expression", "parse")
        self.wrap(evaluate.Evaluator, "_fresh", "fresh leaves")
        self.wrap(evaluate.Evaluator, "_interpreter", "Interpreter() set-up")
        self.wrap(core.Interpreter, "evaluate", "forward (interpreter + ops)")
        self.wrap(evaluate.Evaluator, "_backward", "backward, total")
        self.wrap(autograd, "_acc_raw", "backward: _acc_raw (sums of gradients)")
        self.wrap(autograd, "_fit_raw", "backward: _fit_raw (unbroadcast, cast)")
        self.wrap(autograd, "_accumulate_leaf_raw", "backward: .grad accumulation")
        record = autograd.record

        def timed_record(name: str, *a: Any, fast: Any = None, **k: Any) -> Any:
            if fast is not None:
                fast = self.timed(fast, f"backward: {name} VJP")
            return record(name, *a, fast=fast, **k)

        # The ops modules imported record by name: replace it in each of them.
        for info in pkgutil.iter_modules(ops.__path__):
            module = importlib.import_module(f"{ops.__name__}.{info.name}")
            if getattr(module, "record", None) is record:
                module.record = timed_record  # type: ignore[attr-defined]

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
