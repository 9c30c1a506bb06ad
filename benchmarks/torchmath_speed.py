"""Time gradcli.engine.torchmath's float32 functions against numpy's and PyTorch's at 1e6.

    PYTHONPATH=. /work/torchenv/bin/python benchmarks/torchmath_speed.py [--n 1000000]

Prints the best of --repeats runs per function, in ms, and the ratio to numpy's float32
function (the brief's limit: about 5x). PyTorch runs on one thread. "exact" is the SLEEF
emulation that arrays up to torchmath.EXACT_MAX elements get; "near" the float64-rounded
evaluation that bigger arrays (and MKL's functions at every size) get.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from gradcli.engine import torchmath as tm
from gradcli.launch import tune_malloc


def best_ms(f: Any, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t0)
    return best * 1e3


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    tune_malloc()  # as the gradcli command: big buffers reused, not mapped afresh
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        torch = None
    x = np.random.default_rng(0).standard_normal(args.n).astype(np.float32)
    ax = np.abs(x)
    t = torch.from_numpy(x) if torch else None
    at = torch.from_numpy(ax) if torch else None
    one = np.float32(1)
    x10 = x[: args.n - args.n % 10].reshape(-1, 10)
    t10 = torch.from_numpy(x10) if torch else None
    rows = [
        ("exp (near)", lambda: tm.exp(x), lambda: np.exp(x), lambda: torch.exp(t)),
        ("log (near)", lambda: tm.log(ax), lambda: np.log(ax), lambda: torch.log(at)),
        ("tanh (near)", lambda: tm.tanh(x), lambda: np.tanh(x), lambda: torch.tanh(t)),
        ("sigmoid exact", lambda: tm.sigmoid32(x), lambda: one / (one + np.exp(-x)),
         lambda: torch.sigmoid(t)),
        ("sigmoid near", lambda: tm._sigmoid_near(x), lambda: one / (one + np.exp(-x)),
         lambda: torch.sigmoid(t)),
        ("expm1 exact", lambda: tm.expm132(x), lambda: np.expm1(x), lambda: torch.expm1(t)),
        ("log1p exact", lambda: tm.log1p32(ax), lambda: np.log1p(ax), lambda: torch.log1p(at)),
        ("exp32 (SLEEF)", lambda: tm.exp32(x), lambda: np.exp(x), lambda: torch.exp(t)),
        ("log_softmax", lambda: tm.log_softmax_lastdim32(x10), lambda: x10 - np.log(
            np.exp(x10).sum(1, keepdims=True)), lambda: torch.log_softmax(t10, 1)),
        ("gelu (oneDNN)", lambda: tm.onednn_gelu(x), lambda: x * one,
         lambda: torch.nn.functional.gelu(t)),
        ("x**3", lambda: tm.power(x, 3), lambda: np.power(x, 3), lambda: t ** 3),
        ("1 - y*y fused", lambda: tm.one_minus_square(x), lambda: one - x * x,
         lambda: torch.ops.aten.tanh_backward(t, t)),
    ]
    print(f"n = {args.n}, best of {args.repeats} (ms)")
    for name, ours, ref, tor in rows:
        a, b = best_ms(ours, args.repeats), best_ms(ref, args.repeats)
        c = best_ms(tor, args.repeats) if torch else float("nan")
        print(f"{name:15s} gradcli {a:8.2f}  numpy {b:6.2f}  torch {c:6.2f}  gradcli/numpy {a / b:6.1f}x")


if __name__ == "__main__":
    main()
