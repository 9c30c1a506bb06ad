"""PyTorch-order float sums (engine/summation.py) against np.sum and, where installed, torch.sum.

For each case: microseconds per call (best of 5 rounds), and our time over numpy's. Cases are
full sums (1-D) and sums along one dim of a matrix, in float32 and float64, at 10^3, 10^5,
10^6 and 10^7 elements, plus small learner-sized ones. With torch, also a bit-for-bit check.

    python benchmarks/sums.py            # numpy and gradcli only
    /path/to/torchenv/bin/python benchmarks/sums.py   # torch's figures too (run from the root)
"""

from __future__ import annotations

import sys
import timeit
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from gradcli.engine.summation import torch_sum  # noqa: E402

try:
    import torch
except ImportError:  # the test venv
    torch = None

CASES: list[tuple[tuple[int, ...], tuple[int, ...] | None]] = [
    ((5,), None), ((8, 5), (1,)), ((50, 5), (0,)), ((64, 10), (1,)),
    ((1000,), None), ((100000,), None), ((1000000,), None), ((10000000,), None),
    ((1000, 1000), (0,)), ((1000, 1000), (1,)), ((100, 10000), (1,)), ((10000, 100), (0,)),
    ((3162, 3163), (0,)), ((3162, 3163), (1,)),
]


def best(fn: Any) -> float:
    timer = timeit.Timer(fn)
    count, _ = timer.autorange()
    count = max(1, count // 2)
    return min(timer.repeat(5, count)) / count * 1e6


def main() -> None:
    rng = np.random.default_rng(0)
    print(f"{'dtype':8} {'shape':14} {'dims':5} {'ours us':>10} {'np.sum us':>10} "
          f"{'ratio':>6}" + (f" {'torch us':>10} {'bits':>5}" if torch else ""))
    for dtype in (np.float32, np.float64):
        for shape, axes in CASES:
            a = rng.standard_normal(shape).astype(dtype)
            ours = best(lambda a=a, axes=axes: torch_sum(a, axes, False))
            npy = best(lambda a=a, axes=axes: np.add.reduce(a, axis=axes))
            line = (f"{np.dtype(dtype).name:8} {str(shape):14} {str(axes):5} {ours:10.1f} "
                    f"{npy:10.1f} {ours / npy:6.2f}")
            if torch is not None:
                t = torch.from_numpy(a)
                tor = best(lambda t=t, axes=axes: t.sum() if axes is None else t.sum(axes))
                want = (t.sum() if axes is None else t.sum(axes)).numpy()
                same = torch_sum(a, axes, False).tobytes() == want.tobytes()
                line += f" {tor:10.1f} {'same' if same else 'DIFF':>5}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
