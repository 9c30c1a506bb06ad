"""The benchmark harness of issue 6: gradcli against hand-written numpy, PyTorch and HIPS autograd.

Usage:
    python benchmarks/run.py [--quick] [--sizes 1e5,1e6,1e7] [--json out.json] [...]
    PYTHONPATH=. /work/torchenv/bin/python benchmarks/run.py --json benchmarks/results/all.json

In one process and one run it times, for every big-tensor workload (workloads.py), size and
dtype, value + gradient with respect to every input on each engine that imports here:
    numpy           hand-written forward and analytic gradient (the floor; ratios are to it)
    gradcli         gradcli.engine ops on Tensor leaves, then backward(), from Python
    gradcli-interp  the same expression through gradcli.interpreter.evaluate.Evaluator (parse,
                    fresh leaves, interpretation, backward), the inputs bound as --let @data
    torch           PyTorch eager (skipped when not importable)
    autograd        HIPS autograd's value_and_grad (skipped when not importable)
Each case is warmed up (and its result checked against numpy's) once; then the engines take
turns, --repeats rounds, and the median is reported. Cases faster than --min-sample seconds are
run in an inner loop per sample. Peak extra memory is measured afterwards, one fresh process
per case (memprobe.py). Then the small-op benchmarks (smallops.py): the 10,000-step loop of
4-element float64 ops and `gradcli eval -` throughput through the real CLI.

Benchmarks, not tests: nothing here fails on a slow figure. Note the machine's load (uptime):
the ratios, measured side by side in one run, are what count.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _threads_from_argv(argv: list[str]) -> str:
    for i, a in enumerate(argv):
        if a == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--threads="):
            return a.partition("=")[2]
    return "1"


# Before numpy is imported: OpenBLAS and OpenMP read these once. On this 2-core machine, shared
# with other work, 2-thread BLAS is erratic (a (31250, 32) @ (32, 32) matmul took 8 ms with two
# threads, 1 ms with one, and PyTorch's OpenMP threads spinning next to OpenBLAS's made it
# worse), so the default is one thread for every library: like for like, as numpy's ufuncs
# are single-threaded anyway. --threads N changes it (memprobe.py processes inherit it).
THREADS = _threads_from_argv(sys.argv[1:])
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = THREADS
sys.path.insert(0, str(HERE))
if str(ROOT) not in sys.path:
    sys.path.insert(1, str(ROOT))

import numpy as np  # noqa: E402
import smallops  # noqa: E402
import workloads as W  # noqa: E402

ENGINE_ORDER = ["numpy", "gradcli", "gradcli-interp", "torch", "autograd"]
SHORT = {"numpy": "numpy", "gradcli": "gc-eng", "gradcli-interp": "gc-interp", "torch": "torch",
         "autograd": "autograd"}
MiB = 1024 * 1024


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def parse_sizes(text: str) -> list[int]:
    return [int(float(s)) for s in text.split(",") if s.strip()]


# -- big tensors: time ---------------------------------------------------------------------------

def time_case(workload: str, n: int, dtype: str, engines: list[str], repeats: int,
              min_sample: float) -> dict[str, dict[str, Any]]:
    inputs = W.make_inputs(workload, n, dtype)
    cases = {e: W.make_case(e, workload, inputs, dtype) for e in engines}
    out: dict[str, dict[str, Any]] = {}
    reference = W.as_numpy("numpy", cases["numpy"]())
    for e in engines:
        gc.collect()
        t0 = time.perf_counter()
        result = cases[e]()
        first = time.perf_counter() - t0
        check = W.compare(reference, W.as_numpy(e, result), dtype)
        del result
        if check != "ok":
            log(f"  WARNING {workload} n={n} {dtype} {e}: {check}")
        inner = max(1, int(min_sample / first)) if min_sample > 0 and first > 0 else 1
        out[e] = {"first_s": first, "inner": inner, "samples": [], "check": check}
    for r in range(repeats):
        order = engines[r % len(engines):] + engines[:r % len(engines)]
        for e in order:
            case = cases[e]
            inner = out[e]["inner"]
            gc.collect()
            t0 = time.perf_counter()
            for _ in range(inner):
                case()
            out[e]["samples"].append((time.perf_counter() - t0) / inner)
    for e in engines:
        out[e]["median_s"] = statistics.median(out[e]["samples"])
    return out


# -- big tensors: memory -------------------------------------------------------------------------

def memory_case(workload: str, n: int, dtype: str, engine: str) -> dict[str, Any]:
    env = dict(os.environ)
    env["MALLOC_MMAP_THRESHOLD_"] = "131072"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    cmd = [sys.executable, str(HERE / "memprobe.py"), workload, str(n), dtype, engine]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=1800)
    if proc.returncode != 0:
        log(f"  memprobe {workload} {n} {dtype} {engine} failed: {proc.stderr[-1500:]}")
        return {"rss_extra": None, "tracemalloc_peak": None, "method": "failed"}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


# -- output --------------------------------------------------------------------------------------

def _fmt_ratio(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def _fmt_mib(x: float | None) -> str:
    return "-" if x is None else f"{x / MiB:.1f}"


def print_big_tables(rows: list[dict[str, Any]], engines: list[str]) -> None:
    others = [e for e in engines if e != "numpy"]
    by_case: dict[tuple[str, str, int], dict[str, dict[str, Any]]] = {}
    for row in rows:
        by_case.setdefault((row["workload"], row["dtype"], row["n"]), {})[row["engine"]] = row
    has_torch = "torch" in engines
    head = f"{'workload':12} {'dtype':7} {'n':>9} {'numpy ms':>9} " + " ".join(
        f"{SHORT[e]:>9}" for e in others)
    if has_torch:
        head += f" {'eng/torch':>9} {'int/torch':>9}"
    print("\nValue + gradient, median time; engines as ratio to hand-written numpy (lower is better)")
    print(head)
    print("-" * len(head))
    for (wl, dt, n), case in by_case.items():
        line = f"{wl:12} {dt:7} {n:>9.0e} {case['numpy']['median_s'] * 1e3:9.2f} " + " ".join(
            f"{_fmt_ratio(case[e]['ratio_to_numpy']):>9}" for e in others)
        if has_torch:
            line += " ".join(["", *(f"{_fmt_ratio(case[e]['ratio_to_torch']):>9}"
                                   for e in ("gradcli", "gradcli-interp") if e in case)])
        bad = [e for e in engines if case[e]["check"] != "ok"]
        if bad:
            line += "  CHECK FAILED: " + ",".join(bad)
        print(line)
    if not any(r.get("mem_rss_extra") is not None for r in rows):
        return
    print("\nPeak extra memory (RSS, MiB; in brackets: ratio to numpy)")
    head = f"{'workload':12} {'dtype':7} {'n':>9} {'numpy':>8} " + " ".join(
        f"{SHORT[e]:>16}" for e in others)
    print(head)
    print("-" * len(head))
    for (wl, dt, n), case in by_case.items():
        cells = []
        for e in others:
            m = case[e].get("mem_rss_extra")
            r = case[e].get("mem_ratio_to_numpy")
            cells.append(f"{_fmt_mib(m):>8} ({_fmt_ratio(r):>5})")
        print(f"{wl:12} {dt:7} {n:>9.0e} {_fmt_mib(case['numpy'].get('mem_rss_extra')):>8} "
              + " ".join(f"{c:>16}" for c in cells))


def print_small(small: dict[str, Any] | None, stream: dict[str, Any] | None) -> None:
    if small:
        steps = small["steps"]
        print(f"\nSmall ops: {steps} steps x {small['ops_per_step']} ops on 4-element float64 "
              "tensors, then one backward (microseconds per op)")
        print(f"{'engine':30} {'total':>8} {'forward':>8} {'backward':>9} {'vs torch':>9}")
        for name, e in small["engines"].items():
            bwd = e["backward_us_per_op"]
            print(f"{name:30} {e['us_per_op']:8.2f} {e['forward_us_per_op']:8.2f} "
                  f"{'-' if bwd is None else f'{bwd:.2f}':>9} {_fmt_ratio(e['ratio_to_torch']):>9}")
    if stream:
        print(f"\n`gradcli eval -` --format json, {stream['expressions']} distinct expressions "
              f"like {stream['example']!r}")
        print(f"  whole process: {stream['total_s']:.2f} s, {stream['expr_per_s_gross']:.0f} expr/s; "
              f"start-up (one expression): {stream['process_with_one_expression_s'] * 1e3:.0f} ms; "
              f"net of start-up: {stream['expr_per_s_net'] or float('nan'):.0f} expr/s")
        print(f"  in process, per expression: parse {stream['in_process_parse_us']:.0f} us, "
              f"evaluate (parse+eval+backward) {stream['in_process_evaluate_us']:.0f} us, "
              f"render_json {stream['in_process_render_json_us']:.0f} us")


def targets(rows: list[dict[str, Any]], small: dict[str, Any] | None,
            stream: dict[str, Any] | None) -> dict[str, Any]:
    """Issue 6's targets, as figures (the worst case of each)."""
    out: dict[str, Any] = {}
    for e in ("gradcli", "gradcli-interp"):
        mine = [r for r in rows if r["engine"] == e]
        if mine:
            worst = max(mine, key=lambda r: r["ratio_to_numpy"])
            out[f"{e}_worst_time_ratio_to_numpy"] = {
                "ratio": worst["ratio_to_numpy"], "case": [worst["workload"], worst["dtype"], worst["n"]],
                "target": 1.3}
            mem = [r for r in mine if r.get("mem_ratio_to_numpy") is not None]
            if mem:
                worst = max(mem, key=lambda r: r["mem_ratio_to_numpy"])
                out[f"{e}_worst_memory_ratio_to_numpy"] = {
                    "ratio": worst["mem_ratio_to_numpy"],
                    "case": [worst["workload"], worst["dtype"], worst["n"]], "target": 1.1}
    if small:
        s = small["engines"].get("gradcli script (interpreter)")
        t = small["engines"].get("torch")
        if s:
            out["small_loop_us_per_op"] = {"gradcli_script": s["us_per_op"],
                                           "torch": t["us_per_op"] if t else None,
                                           "target": "<= torch"}
    if stream:
        out["eval_stream_expr_per_s"] = {"gross": stream["expr_per_s_gross"],
                                         "net": stream["expr_per_s_net"], "target": 5000}
    return out


def _git() -> dict[str, Any]:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                                  timeout=30).stdout.strip()
        except OSError:
            return ""
    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain"))}


def _versions() -> dict[str, Any]:
    out: dict[str, Any] = {"python": platform.python_version(), "numpy": np.__version__}
    for mod in ("torch", "autograd", "lark"):
        try:
            m = __import__(mod)
            out[mod] = getattr(m, "__version__", "?")
        except ImportError:
            out[mod] = None
    if out["torch"]:
        import torch

        out["torch_threads"] = torch.get_num_threads()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="CI smoke run: small sizes, 1 repeat, short small-op runs")
    parser.add_argument("--sizes", type=parse_sizes, help="comma-separated n (default 1e5,1e6,1e7)")
    parser.add_argument("--dtypes", default="float32,float64")
    parser.add_argument("--workloads", default=",".join(W.WORKLOADS))
    parser.add_argument("--engines", default=",".join(ENGINE_ORDER),
                        help="subset of " + ",".join(ENGINE_ORDER) + " (numpy is always run)")
    parser.add_argument("--repeats", type=int, help="timed rounds per case (default 5)")
    parser.add_argument("--min-sample", type=float,
                        help="seconds: faster cases loop inside one sample (default 0.05)")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory processes")
    parser.add_argument("--no-small", action="store_true",
                        help="skip the small-op loop and the eval - stream")
    parser.add_argument("--small-steps", type=int, help="steps of the small-op loop (10000)")
    parser.add_argument("--stream-count", type=int, help="expressions for eval - (10000)")
    parser.add_argument("--startup", action="store_true", help="also run startup.py's commands")
    parser.add_argument("--threads", default="1",
                        help="threads for BLAS, OpenMP and PyTorch (default 1; see the source)")
    parser.add_argument("--json", help="write every figure to this file")
    parser.add_argument("--plain-malloc", action="store_true",
                        help="leave glibc's malloc as it is (by default this process tunes it "
                        "as the gradcli command does, for every engine: gradcli.launch)")
    args = parser.parse_args(argv)
    if not args.plain_malloc:
        from gradcli.launch import tune_malloc

        malloc_tuned = tune_malloc()
    else:
        malloc_tuned = False

    q = args.quick
    sizes = args.sizes or ([10_000] if q else [100_000, 1_000_000, 10_000_000])
    repeats = args.repeats or (1 if q else 5)
    min_sample = args.min_sample if args.min_sample is not None else (0.0 if q else 0.05)
    steps = args.small_steps or (300 if q else 10_000)
    stream_count = args.stream_count or (50 if q else 10_000)
    dtypes_ = [d.strip() for d in args.dtypes.split(",") if d.strip()]
    wls = [w.strip() for w in args.workloads.split(",") if w.strip()]
    wanted = ["numpy", *(e.strip() for e in args.engines.split(",") if e.strip() != "numpy")]
    engines, skipped = W.available_engines(wanted)
    engines = [e for e in ENGINE_ORDER if e in engines]
    for e, why in skipped.items():
        log(f"skipping {e}: {why}")
    if "torch" in engines:
        import torch

        torch.set_num_threads(int(args.threads))

    load_before = os.getloadavg()
    started = time.time()
    rows: list[dict[str, Any]] = []
    for wl in wls:
        for dt in dtypes_:
            for n in sizes:
                log(f"{wl} {dt} n={n:.0e} ...")
                timed = time_case(wl, n, dt, engines, repeats, min_sample)
                base = timed["numpy"]["median_s"]
                torch_t = timed["torch"]["median_s"] if "torch" in timed else None
                shapes = {k: list(v) for k, v in W.WORKLOADS[wl].shapes(n).items()}
                for e in engines:
                    t = timed[e]
                    rows.append({
                        "workload": wl, "expr": W.WORKLOADS[wl].expr, "dtype": dt, "n": n,
                        "shapes": shapes, "engine": e, "median_s": t["median_s"],
                        "samples_s": t["samples"], "inner": t["inner"], "first_s": t["first_s"],
                        "check": t["check"], "ratio_to_numpy": t["median_s"] / base,
                        "ratio_to_torch": t["median_s"] / torch_t if torch_t else None,
                    })
    if not args.no_memory:
        for row in rows:
            log(f"memory {row['workload']} {row['dtype']} n={row['n']:.0e} {row['engine']} ...")
            m = memory_case(row["workload"], row["n"], row["dtype"], row["engine"])
            row["mem_rss_extra"] = m["rss_extra"]
            row["mem_tracemalloc_peak"] = m["tracemalloc_peak"]
            row["mem_method"] = m["method"]
        for row in rows:
            base_row = next(r for r in rows if r["engine"] == "numpy" and r["workload"] == row["workload"]
                            and r["dtype"] == row["dtype"] and r["n"] == row["n"])
            b, m = base_row.get("mem_rss_extra"), row.get("mem_rss_extra")
            row["mem_ratio_to_numpy"] = m / b if b and m is not None else None

    small = stream = None
    if not args.no_small:
        log("small-op loop ...")
        small = smallops.loop_benchmark(steps, repeats, log)
        log("eval - stream ...")
        stream = smallops.eval_stream_benchmark(stream_count, 1, log)
    startup = None
    if args.startup:
        import startup as startup_mod

        log("start-up ...")
        runs = 3 if q else 15
        if hasattr(startup_mod, "measure_all"):  # the commands take turns
            startup = startup_mod.measure_all(startup_mod.COMMANDS, runs)
        else:
            startup = {name: startup_mod.measure(cmd, runs)
                       for name, cmd in startup_mod.COMMANDS.items()}

    load_after = os.getloadavg()
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"), "elapsed_s": time.time() - started,
        "platform": platform.platform(), "cpus": os.cpu_count(),
        "loadavg_before": load_before, "loadavg_after": load_after, "versions": _versions(),
        "git": _git(), "engines": engines, "skipped": skipped, "sizes": sizes, "dtypes": dtypes_,
        "workloads": {w: W.WORKLOADS[w].expr for w in wls}, "matmul_inner_dim_K": W.K,
        "repeats": repeats, "min_sample_s": min_sample, "quick": q, "threads": int(args.threads),
        "malloc_tuned": malloc_tuned,
        "sizes_note": "n = elements of x; for the matmul workloads X is (n // K, K), W (K, K), "
                      "w (K,), y (n // K,)",
    }
    print(f"gradcli benchmarks  {meta['date']}  load before {load_before[0]:.2f} after "
          f"{load_after[0]:.2f}  malloc {'tuned as the CLI' if malloc_tuned else 'plain'}  "
          f"({meta['versions']})")
    print_big_tables(rows, engines)
    print_small(small, stream)
    if startup:
        base = startup["python -c 'import numpy'"]
        print("\nStart-up (median ms, ratio to `python -c 'import numpy'`)")
        for name, t in startup.items():
            print(f"  {name:36} {t * 1e3:8.1f} {t / base:6.2f}x")
    summary = targets(rows, small, stream)
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"meta": meta, "big": rows, "small_ops": small,
                                    "eval_stream": stream, "startup": startup,
                                    "targets": summary}, indent=1) + "\n")
        log(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
