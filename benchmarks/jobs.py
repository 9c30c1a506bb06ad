"""`gradcli eval - --jobs N` against `--jobs 1`: wall time of a stream of costly lines and of
one of cheap lines, the outputs compared byte for byte.

Usage: python benchmarks/jobs.py [--lines N] [--cheap-lines N] [--jobs J] [--rounds R]
                                 [--json out.json]

Costly lines (20,000 by default): `sum(tanh(W @ W.T @ W) * k) + sum(x**2)` with W a 40x40
`randn` (a few ms each). Cheap lines (20,000): `sum(x*k)+1` (tens of microseconds).
Each side runs R times, taking turns; the medians and the speed-up are printed. The target of
issue 17: >= 1.7x with --jobs 2 on 2 otherwise idle cores, and cheap lines no slower.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GRADCLI = [str(Path(sys.executable).parent / "gradcli")]
LETS = ["--let", "W=randn(40, 40)", "--let", "x=arange(3.0)", "--seed", "0"]


def costly(n: int) -> str:
    return "".join(f"sum(tanh(W @ W.T @ W) * {i % 5 + 1}) + sum(x**2)\n" for i in range(n))


def cheap(n: int) -> str:
    return "".join(f"sum(x*{i % 7})+1\n" for i in range(n))


def run(lines: Path, jobs: int) -> tuple[float, bytes]:
    """Wall seconds and stdout of one `gradcli eval -` on the file ``lines``."""
    with lines.open("rb") as stdin:
        start = time.perf_counter()
        done = subprocess.run([*GRADCLI, "eval", "-", *LETS, "--format", "json",
                               "--jobs", str(jobs)], stdin=stdin, capture_output=True,
                              check=True)
        return time.perf_counter() - start, done.stdout


def compare(name: str, text: str, jobs: int, rounds: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        lines = Path(tmp) / "lines.txt"
        lines.write_text(text)
        times: dict[int, list[float]] = {1: [], jobs: []}
        outputs: dict[int, bytes] = {}
        for _ in range(rounds):
            for j in (1, jobs):
                seconds, outputs[j] = run(lines, j)
                times[j].append(seconds)
    if outputs[1] != outputs[jobs]:
        one_lines, many_lines = outputs[1].splitlines(), outputs[jobs].splitlines()
        first = next((i for i, (a, b) in enumerate(zip(one_lines, many_lines)) if a != b),
                     min(len(one_lines), len(many_lines)))
        raise SystemExit(f"{name}: --jobs {jobs} wrote other bytes than --jobs 1, from output "
                         f"line {first + 1} ({len(one_lines)} and {len(many_lines)} lines)")
    one, many = statistics.median(times[1]), statistics.median(times[jobs])
    print(f"{name:8} {text.count(chr(10)):>7,} lines  --jobs 1: {one:7.2f} s  "
          f"--jobs {jobs}: {many:7.2f} s  speed-up {one / many:4.2f}x  (same bytes)")
    return {"lines": text.count("\n"), "jobs_1_s": one, f"jobs_{jobs}_s": many,
            "speedup": one / many}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--cheap-lines", type=int, default=20_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    print(f"{len(os.sched_getaffinity(0))} cores, load average {os.getloadavg()[0]:.1f}")
    figures = {"costly": compare("costly", costly(args.lines), args.jobs, args.rounds),
               "cheap": compare("cheap", cheap(args.cheap_lines), args.jobs, args.rounds)}
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
