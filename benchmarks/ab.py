"""A/B timing of one speed trick: the same cases with the trick on and off, in one process,
interleaved round by round (the order alternates), and the median of each side.

Usage:
    python benchmarks/ab.py TRICK [--rounds 9] [--size 1e5] [--steps 3000] [--count 300]
                            [--only PREFIXES] [--base TRICK]

Tricks (what "off" means):
    reuse         engine/reuse.py's switch off: no gradient buffer or temporary is written into
    raw-backward  backward without create_graph runs the recorded loop on Tensors (as under
                  create_graph), so neither the raw-array loop nor the ``fast=`` VJPs run
    fast-vjps     the raw-array loop, but every op through its Tensor VJP (``node.fast`` unused)
    gc-calm       the cyclic collector is not frozen during a long recording (autograd._calm_gc)
The cases: the big-tensor workloads through the engine and the interpreter at --size, float32
and float64; the small-op loop (smallops.py) through the engine and as a script; and the
in-process half of ``eval -`` (parse, evaluate, JSON) over --count expressions.
``mallopt`` and start-up's ``gc.freeze`` act on a whole process: run.py --plain-malloc and
startup.py measure them.

Benchmarks, not tests. The ratio off / on is what counts: above 1, the trick saves time.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
import smallops  # noqa: E402
import workloads as W  # noqa: E402

from gradcli.engine import autograd, reuse  # noqa: E402
from gradcli.launch import tune_malloc  # noqa: E402


@contextmanager
def _reuse_off() -> Iterator[None]:
    with reuse.turned_off():
        yield


@contextmanager
def _recorded_backward() -> Iterator[None]:
    original = autograd._run_raw

    def recorded(roots: Any, root_grads: Any, retain_graph: bool, inputs: Any) -> Any:
        return autograd._run_recorded(roots, root_grads, retain_graph, False, inputs, None)

    autograd._run_raw = recorded  # type: ignore[assignment]
    try:
        yield
    finally:
        autograd._run_raw = original


@contextmanager
def _no_fast_vjps() -> Iterator[None]:
    original = autograd.Node.__init__

    def init(self: Any, *args: Any) -> None:
        original(self, *args)
        self.fast = None

    autograd.Node.__init__ = init  # type: ignore[method-assign]
    try:
        yield
    finally:
        autograd.Node.__init__ = original  # type: ignore[method-assign]


@contextmanager
def _no_gc_calm() -> Iterator[None]:
    original = autograd._calm_gc
    autograd._calm_gc = lambda seq: None
    try:
        yield
    finally:
        autograd._calm_gc = original


TRICKS: dict[str, Callable[[], Any]] = {
    "reuse": _reuse_off, "raw-backward": _recorded_backward, "fast-vjps": _no_fast_vjps,
    "gc-calm": _no_gc_calm,
}


def _cases(size: int, steps: int, count: int) -> dict[str, Callable[[], float]]:
    """Each case: a function that runs it once and returns its seconds."""
    cases: dict[str, Callable[[], float]] = {}
    for wl in W.WORKLOADS:
        for dt in ("float32", "float64"):
            inputs = W.make_inputs(wl, size, dt)
            for engine in ("gradcli", "gradcli-interp"):
                make = W.ENGINES[engine][1]
                way = "interp" if engine.endswith("interp") else "eng"
                cases[f"{wl} {dt[5:]} {way}"] = _timed(make, wl, inputs, dt)
    cases["small ops engine"] = lambda: sum(smallops._gradcli_engine(steps)[:2])  # type: ignore[arg-type]
    cases["small ops script"] = lambda: sum(smallops._gradcli_script(steps)[:2])  # type: ignore[arg-type]
    exprs = smallops.stream_expressions(count)
    cases["eval - in process"] = lambda: _stream(exprs)
    return cases


def _timed(make: Any, wl: str, inputs: dict[str, np.ndarray], dt: str) -> Callable[[], float]:
    from gradcli.engine import dtypes

    f = make(wl, inputs, dt)
    inner = 1 if max(a.size for a in inputs.values()) >= 1_000_000 else 5

    def run() -> float:
        dtypes.set_default_float(dt)
        t0 = time.perf_counter()
        for _ in range(inner):
            f()
        elapsed = (time.perf_counter() - t0) / inner
        dtypes.set_default_float("float32")
        return elapsed
    return run


def _stream(exprs: list[str]) -> float:
    t0 = time.perf_counter()
    smallops._in_process(exprs)
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trick", choices=sorted(TRICKS))
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--size", type=float, default=1e5)
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--only", help="comma-separated prefixes of case names")
    parser.add_argument("--base", choices=sorted(TRICKS),
                        help="another trick, off on both sides (raw-backward --base fast-vjps: "
                        "what the raw-array loop buys by itself)")
    args = parser.parse_args(argv)
    tune_malloc()
    cases = _cases(int(args.size), args.steps, args.count)
    if args.only:
        prefixes = tuple(p.strip() for p in args.only.split(","))
        cases = {k: v for k, v in cases.items() if k.startswith(prefixes)}
    off = TRICKS[args.trick]
    base = TRICKS[args.base]() if args.base else nullcontext()
    base.__enter__()
    for run in cases.values():  # warm-up, both ways
        run()
        with off():
            run()
    times: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in cases}
    for r in range(args.rounds):
        for name, run in cases.items():
            on_side, off_side = times[name]
            for side in ((0, 1) if r % 2 == 0 else (1, 0)):
                gc.collect()
                if side == 0:
                    on_side.append(run())
                else:
                    with off():
                        off_side.append(run())
    base.__exit__(None, None, None)
    print(f"trick {args.trick}{' (base: ' + args.base + ' off)' if args.base else ''}: "
          f"{args.rounds} interleaved rounds, size {args.size:.0e}, "
          f"steps {args.steps}, count {args.count}, load {os.getloadavg()[0]:.2f}")
    print(f"{'case':<28}{'on ms':>10}{'off ms':>10}{'off/on':>8}")
    for name, (on_side, off_side) in times.items():
        a, b = statistics.median(on_side), statistics.median(off_side)
        print(f"{name:<28}{a * 1e3:>10.3f}{b * 1e3:>10.3f}{b / a:>8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
