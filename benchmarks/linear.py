"""Issue 18's sizes a user chooses: wall time and peak memory at growing n, to show the growth.

Usage: python benchmarks/linear.py [--timeout S] [--cases lets,check,full] [--json FILE]

Cases, each one fresh ``python -m gradcli`` process per size:
- ``lets``:  n ``--let vI=1.0`` options (n = 10^3, 10^4, 10^5: 10^6 would pass the kernel's
  limit on a command line's length);
- ``check``: ``check "sum(sin(x))"`` of an n-element x (n = 10^4, 10^5, 10^6);
- ``full``:  ``eval "arange(float(n))" --full`` as a table (n = 10^4, 10^5, 10^6).
With PYTHONPATH pointing at another checkout the same table measures that one.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time


def _lets(n: int) -> list[str]:
    return ["eval", "v0", "--no-grad", "--format", "plain",
            *(f"--let=v{i}=1.0" for i in range(n))]


CASES = {
    "lets": ((10**3, 10**4, 10**5), _lets),
    "check": ((10**4, 10**5, 10**6),
              lambda n: ["check", "sum(sin(x))", "--let", f"x=randn({n})", "--seed", "0"]),
    "full": ((10**4, 10**5, 10**6),
             lambda n: ["eval", f"arange(float({n}))", "--no-grad", "--full"]),
}


def measure(argv: list[str], timeout: float) -> dict[str, object]:
    """One run in a child of a fresh helper, so that ru_maxrss is this run's alone."""
    code = ("import json, resource, subprocess, sys, time; t = time.perf_counter(); "
            "p = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, "
            "stderr=subprocess.PIPE, timeout=float(sys.argv[1])) ; "
            "print(json.dumps({'seconds': round(time.perf_counter() - t, 2), "
            "'exit': p.returncode, 'peak_mb': round(resource.getrusage("
            "resource.RUSAGE_CHILDREN).ru_maxrss / 1024)}))")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, str(timeout), sys.executable, "-m",
                           "gradcli", *argv], capture_output=True, text=True, check=False)
    if done.returncode != 0:  # the timeout
        return {"seconds": round(time.perf_counter() - start, 2), "exit": "timeout",
                "peak_mb": None}
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--json")
    args = parser.parse_args()
    rows = []
    for case in args.cases.split(","):
        sizes, argv = CASES[case]
        for n in sizes:
            row = {"case": case, "n": n, **measure(argv(n), args.timeout)}
            rows.append(row)
            print(f"{case:<6} n={n:<8} {row['seconds']:>7}s {row['peak_mb']!s:>6}MB "
                  f"exit={row['exit']}", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
