"""Start-up cost of one-shot gradcli against `python -c "import numpy"`, in the same run.

Usage: python benchmarks/startup.py [--runs N] [--json out.json]

Runs each command N times, taking turns (after a warm-up run, so that bytecode is compiled
and the OS file cache is warm, as for a user's second command), and prints the median wall
times and the ratio.
Measure an installed copy (pip install .): the workplace sets PYTHONDONTWRITEBYTECODE=1, and
without bytecode caches every import compiles from source; this script unsets it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def _gradcli() -> list[str]:
    exe = Path(sys.executable).parent / "gradcli"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("gradcli")
    return [found] if found else [sys.executable, "-m", "gradcli"]


COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "python -c 'import numpy'": [sys.executable, "-c", "import numpy"],
    "gradcli --version": [*_gradcli(), "--version"],
    "gradcli eval ... --format json": [*_gradcli(), "eval", "2*dot(x,x)", "--let", "x=arange(4.0)",
                                       "--format", "json"],
    "gradcli eval ... (table)": [*_gradcli(), "eval", "2*dot(x,x)", "--let", "x=arange(4.0)"],
}


def measure(cmd: list[str], runs: int) -> float:
    """Median wall time of ``cmd`` alone."""
    return measure_all({"cmd": cmd}, runs)["cmd"]


def measure_all(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    """Median wall time of each command. The commands take turns, run after run, so that a
    machine busy with something else for a while slows them all alike and the ratios hold."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for cmd in commands.values():
        subprocess.run(cmd, env=env, capture_output=True, check=True)
    for _ in range(runs):
        for name, cmd in commands.items():
            start = time.perf_counter()
            subprocess.run(cmd, env=env, capture_output=True, check=True)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    results = measure_all(COMMANDS, args.runs)
    base = results["python -c 'import numpy'"]
    print(f"{'command':36} {'median ms':>10} {'vs import numpy':>16}")
    for name, t in results.items():
        print(f"{name:36} {t * 1000:10.1f} {t / base:15.2f}x")
    if args.json:
        Path(args.json).write_text(json.dumps({"median_seconds": results,
                                               "ratio_to_import_numpy": {
                                                   k: v / base for k, v in results.items()}},
                                              indent=2) + "\n")


if __name__ == "__main__":
    main()
