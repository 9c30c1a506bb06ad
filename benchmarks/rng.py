"""Random-number benchmark (issue 15): gradcli's PyTorch-exact generator against PyTorch's
own and numpy's default generator (PCG64), for the same draws.

    python benchmarks/rng.py [--n 1000000] [--repeats 7] [--json out.json]

Figures are the best of ``--repeats`` runs in seconds, and ratios to PyTorch (run with a Python
that has torch; PyTorch runs with one thread, as gradcli and numpy do) and to numpy. Where
torch is installed the benchmark also checks that gradcli's numbers equal its, bit for bit.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gradcli.engine import ops as E  # noqa: E402


def best(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def cases(n: int) -> list[tuple[str, Callable[[], Any], Any, Any]]:
    """(name, gradcli, torch or None, numpy or None): the same draw three ways."""
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        torch = None
    g = np.random.default_rng(0)
    t = torch
    return [
        ("randn float32", lambda: E.randn(n), t and (lambda: t.randn(n)),
         lambda: g.standard_normal(n, dtype=np.float32)),
        ("randn float64", lambda: E.randn(n, dtype="float64"),
         t and (lambda: t.randn(n, dtype=t.float64)), lambda: g.standard_normal(n)),
        ("randn float32, 15 elements (serial)", lambda: E.randn(15), t and (lambda: t.randn(15)),
         lambda: g.standard_normal(15, dtype=np.float32)),
        ("rand float32", lambda: E.rand(n), t and (lambda: t.rand(n)),
         lambda: g.random(n, dtype=np.float32)),
        ("rand float64", lambda: E.rand(n, dtype="float64"),
         t and (lambda: t.rand(n, dtype=t.float64)), lambda: g.random(n)),
        ("normal_(1, 2) float32", lambda: E.normal_(E.zeros(n), 1.0, 2.0),
         t and (lambda: t.zeros(n).normal_(1.0, 2.0)), None),
        ("randint(0, 10)", lambda: E.randint(0, 10, (n,)), t and (lambda: t.randint(0, 10, (n,))),
         lambda: g.integers(0, 10, n)),
        ("randperm", lambda: E.randperm(n), t and (lambda: t.randperm(n)),
         lambda: g.permutation(n)),
        ("dropout(p=0.5) float32", lambda: E.dropout(E.ones(n), 0.5),
         t and (lambda: t.nn.functional.dropout(t.ones(n), 0.5)), None),
    ]


def same_numbers(gradcli: Callable[[], Any], torch_fn: Callable[[], Any]) -> bool:
    import torch

    E.manual_seed(7)
    torch.manual_seed(7)
    a = gradcli().data
    return bool(a.tobytes() == torch_fn().numpy().tobytes())


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=float, default=1e6)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    n = int(args.n)
    E.manual_seed(0)
    rows = []
    print(f"n = {n:,}, best of {args.repeats}")
    print(f"{'draw':38} {'gradcli s':>10} {'torch s':>10} {'numpy s':>10} {'/torch':>7} "
          f"{'/numpy':>7}  same as torch")
    for name, ours, theirs, plain in cases(n):
        ours()
        row: dict[str, Any] = {"draw": name, "gradcli_s": best(ours, args.repeats)}
        row["torch_s"] = best(theirs, args.repeats) if theirs else None
        row["numpy_s"] = best(plain, args.repeats) if plain else None
        row["ratio_to_torch"] = row["gradcli_s"] / row["torch_s"] if theirs else None
        row["ratio_to_numpy"] = row["gradcli_s"] / row["numpy_s"] if plain else None
        row["same_as_torch"] = same_numbers(ours, theirs) if theirs else None
        rows.append(row)

        def fmt(v: Any, spec: str) -> str:
            return "-" if v is None else format(v, spec)

        print(f"{name:38} {fmt(row['gradcli_s'], '10.5f')} {fmt(row['torch_s'], '10.5f')} "
              f"{fmt(row['numpy_s'], '10.5f')} {fmt(row['ratio_to_torch'], '7.1f')} "
              f"{fmt(row['ratio_to_numpy'], '7.1f')}  {fmt(row['same_as_torch'], '')}")
    result = {"n": n, "repeats": args.repeats, "rows": rows}
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return result


if __name__ == "__main__":
    main()
