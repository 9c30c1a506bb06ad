"""gradcli diff: a 2-layer MLP loss against eval's start-up, and a 1,000-operation expression;
with --chains, the growth on deep chains.

    python benchmarks/diff.py [--repeats 5] [--chains] [--timeout S]

Start-up is measured as a one-shot process (the median of --repeats runs); the 1,000-op
expression is differentiated in-process (read, differentiate, simplify, print, check).
--chains: `diff` of sin(sin(...sin(x))) at depths 100, 400, 1600 and 6400, each in a fresh
process (wall time, peak memory). Its derivative is a product of n factors cos(...), each
holding the chain below it: the text format (shared subexpressions named) is linear in n,
the plain one (inline, what eval reads back) is n**2 characters long. With PYTHONPATH
pointing at another checkout the same table measures that one.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time

MLP = ("mean((W2 @ tanh(W1 @ x + b1) + b2 - y)**2)",
       ["--shape", "W1=16,8", "--shape", "b1=16", "--shape", "W2=4,16", "--shape", "b2=4",
        "--shape", "x=8", "--shape", "y=4"])


def one_shot(args: list[str], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "gradcli", *args], check=True,
                       capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def thousand_ops(seed: int = 1) -> str:
    """A sum of 250 terms of three operations each, and the 249 additions between them."""
    rng = random.Random(seed)
    terms = []
    for i in range(250):
        f = rng.choice(["sin", "cos", "tanh", "sigmoid", "exp"])
        terms.append(f"{f}(x * {rng.uniform(0.1, 1):.2f} + w * {i % 7})")
    while len(terms) > 1:  # a balanced sum: the language limits nesting to 200
        terms = [f"({a} + {b})" for a, b in zip(terms[::2], terms[1::2])] + (
            [terms[-1]] if len(terms) % 2 else [])
    return "sum" + terms[0]


def in_process(text: str) -> float:
    import numpy as np

    from gradcli.interpreter.evaluate import EvalOptions, Evaluator
    from gradcli.render.diff_output import render_plain
    from gradcli.symbolic.derive import differentiate

    values = {"x": np.linspace(0.1, 0.9, 3), "w": np.linspace(-0.5, 0.5, 3)}
    evaluator = Evaluator(EvalOptions(dtype="float64"), lambda _: np.zeros(0))
    evaluator.bound.update(values)
    sys.setrecursionlimit(20_000)
    start = time.perf_counter()
    result = differentiate(text, values, ["x", "w"], 1, evaluator)
    render_plain(result)
    return time.perf_counter() - start


#: --chains: the depths of the chain sin(sin(...sin(x))) whose derivative, a product of
#: n factors cos(...) each holding the chain below it, is simplified and printed.
CHAIN_DEPTHS = (100, 400, 1600, 6400)
CHAIN_FORMATS = ("text", "plain")


def chain(n: int) -> str:
    return "sin(" * n + "x" + ")" * n


def chains(timeout: float) -> None:
    """Each depth and format in a fresh process: wall time and peak memory, and the growth of
    the time above start-up (a depth of 1) from one depth to the next (4x deeper: 4x is
    linear in n, 16x in n**2)."""
    from linear import measure  # benchmarks/linear.py: one run in a child, its peak memory

    def run(n: int, fmt: str) -> dict[str, object]:
        return measure(["diff", chain(n), "--shape", "x=", "--max-nesting", "10000",
                        "--format", fmt], timeout)

    start = {fmt: run(1, fmt)["seconds"] for fmt in CHAIN_FORMATS}
    before: dict[str, dict[str, object]] = {}
    for n in CHAIN_DEPTHS:
        for fmt in CHAIN_FORMATS:
            row = run(n, fmt)
            last = before.get(fmt)
            growth = ""
            if last and all(isinstance(r["seconds"], float) for r in (row, last)):
                above = [float(r["seconds"]) - float(start[fmt]) for r in (last, row)]  # type: ignore[arg-type]
                growth = f"  above start-up x{above[1] / max(above[0], 0.01):.1f}"
            print(f"chain n={n:<5} {fmt:<5} {row['seconds']!s:>7}s {row['peak_mb']!s:>6}MB "
                  f"exit={row['exit']}{growth}", flush=True)
            before[fmt] = row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--chains", action="store_true")
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    if args.chains:
        chains(args.timeout)
        return
    eval_startup = one_shot(["eval", "2*dot(x,x)", "--let", "x=arange(4.0)"], args.repeats)
    mlp = one_shot(["diff", MLP[0], *MLP[1], "--format", "plain"], args.repeats)
    text = thousand_ops()
    print(f"eval one-shot (start-up):          {eval_startup * 1000:7.0f} ms")
    print(f"diff of a 2-layer MLP loss:        {mlp * 1000:7.0f} ms  ({mlp / eval_startup:.2f}x)")
    print(f"diff of a 1,000-op expression:     {in_process(text) * 1000:7.0f} ms  (in-process, "
          f"{len(text)} characters, checked)")


if __name__ == "__main__":
    main()
