"""Issue 18's sizes a user chooses: wall time and peak memory at growing n, to show the growth.

Usage: python benchmarks/linear.py [--timeout S] [--cases lets,check,full,args,list] [--json FILE]

Cases, each one fresh ``python -m gradcli`` process per size:
- ``lets``:  n ``--let=NAME=1`` options (n = 10^3, 10^4, 10^5; the stack limit is raised
  to 64 MiB so that the command line has room);
- ``check``: ``check "sum(sin(x))"`` of an n-element x (n = 10^4, 10^5, 10^6);
- ``full``:  ``eval "arange(float(n))" --full`` as a table (n = 10^4, 10^5, 10^6);
- ``args``:  ``run`` of ``max(1,1,...)``, a call with n arguments (n = 10^3, 10^4, 99,991);
- ``list``:  ``run`` of ``len([1,1,...])``, a list literal of n items (the same n).
With PYTHONPATH pointing at another checkout the same table measures that one.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time


def _name(i: int) -> str:
    """A short variable name for number ``i`` (a command line has room for ~2 MB)."""
    digits = "abcdefghijklmnopqrstuvwxyz0123456789"
    out = "v"
    while True:
        i, d = divmod(i, 36)
        out += digits[d]
        if not i:
            return out


def _lets(n: int) -> list[str]:
    # --let=NAME=1, not -lNAME=1: click matches "-lNAME" against the long options first,
    # with difflib, and that would be most of the time measured.
    return ["eval", "va", "--no-grad", "--format", "plain",
            *(f"--let={_name(i)}=1" for i in range(n))]


CASES = {
    "lets": ((10**3, 10**4, 10**5), _lets),
    "check": ((10**4, 10**5, 10**6),
              lambda n: ["check", "sum(sin(x))", "--let", f"x=randn({n})", "--seed", "0"]),
    "full": ((10**4, 10**5, 10**6),
             lambda n: ["eval", f"arange(float({n}))", "--no-grad", "--full"]),
    # 99,991 items: the most whose source stays within the 200,000 characters of code a
    # source may hold (10^6 would be refused by that limit before it is parsed).
    "args": ((10**3, 10**4, 99_991), lambda n: ["run", _script("max(" + ",".join(["1"] * n) + ")")]),
    "list": ((10**3, 10**4, 99_991), lambda n: ["run", _script("len([" + ",".join(["1"] * n) + "])")]),
}


def _script(source: str) -> str:
    """A script file holding ``source`` (one argument of a command line holds at most 128 KiB)."""
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(source + "\n")
    return f.name


def measure(argv: list[str], timeout: float) -> dict[str, object]:
    """One run in a child of a fresh helper, so that ru_maxrss is this run's alone."""
    code = ("import json, resource, subprocess, sys, time; t = time.perf_counter(); "
            "p = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, "
            "stderr=subprocess.PIPE, timeout=float(sys.argv[1])) ; "
            "print(json.dumps({'seconds': round(time.perf_counter() - t, 2), "
            "'exit': p.returncode, 'peak_mb': round(resource.getrusage("
            "resource.RUSAGE_CHILDREN).ru_maxrss / 1024)}))")
    start = time.perf_counter()
    # Not from a checkout's root: `python -m` would import that checkout, not PYTHONPATH's.
    done = subprocess.run([sys.executable, "-c", code, str(timeout), sys.executable, "-m",
                           "gradcli", *argv], capture_output=True, text=True, check=False,
                          cwd=tempfile.gettempdir())
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
    # A command line may take a quarter of the stack limit: room for 10^5 --let options.
    soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
    wanted = 64 << 20 if hard == resource.RLIM_INFINITY else min(hard, 64 << 20)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_STACK, (wanted, hard))
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
