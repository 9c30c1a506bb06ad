"""gradcli diff: a 2-layer MLP loss against eval's start-up, and a 1,000-operation expression.

    python benchmarks/diff.py [--repeats 5]

Start-up is measured as a one-shot process (the median of --repeats runs); the 1,000-op
expression is differentiated in-process (read, differentiate, simplify, print, check).
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    eval_startup = one_shot(["eval", "2*dot(x,x)", "--let", "x=arange(4.0)"], args.repeats)
    mlp = one_shot(["diff", MLP[0], *MLP[1], "--format", "plain"], args.repeats)
    text = thousand_ops()
    print(f"eval one-shot (start-up):          {eval_startup * 1000:7.0f} ms")
    print(f"diff of a 2-layer MLP loss:        {mlp * 1000:7.0f} ms  ({mlp / eval_startup:.2f}x)")
    print(f"diff of a 1,000-op expression:     {in_process(text) * 1000:7.0f} ms  (in-process, "
          f"{len(text)} characters, checked)")


if __name__ == "__main__":
    main()
