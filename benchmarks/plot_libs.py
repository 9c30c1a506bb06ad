"""Import cost of the terminal plotting libraries gradcli could draw with, on top of numpy.

Usage: python benchmarks/plot_libs.py [--runs N]

For each library, runs ``python -X importtime -c "import numpy; import LIB"`` N times in fresh
processes (after a warm-up) and prints the median of what ``LIB`` itself adds (its
cumulative import time; numpy, which gradcli loads anyway, is not counted). A library that
is not installed is reported as such.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

LIBRARIES = ["uniplot", "plotext", "matplotlib.pyplot"]


def cumulative_us(module: str) -> int | None:
    """Microseconds ``import module`` takes after numpy, or None when it cannot be imported."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import numpy; import {module}"],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return None
    for line in done.stderr.splitlines():
        fields = [f.strip() for f in line.split("|")]
        if len(fields) == 3 and fields[2] == module:
            return int(fields[1])
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    for module in LIBRARIES:
        cumulative_us(module)  # warm-up: bytecode caches, the OS file cache
        times = [cumulative_us(module) for _ in range(args.runs)]
        if None in times:
            print(f"{module:20} not installed")
            continue
        print(f"{module:20} {statistics.median(times) / 1000:7.1f} ms  "
              f"(min {min(times) / 1000:.1f}, max {max(times) / 1000:.1f}; {args.runs} runs)")


if __name__ == "__main__":
    main()
