"""What gradcli/launch.py's two process-wide tricks buy, each on its own benchmark:

- ``gc.freeze`` after the imports and at exit: the start-up of one-shot commands (the
  commands of startup.py and a script run), with the freezes and without them;
- ``tune_malloc`` (glibc's mallopt): big-tensor value + gradient at n = 1e7 through the
  engine and the interpreter (run.py's cases), tuned and with ``--plain-malloc``.

Usage: python benchmarks/launch_ab.py [startup|malloc] [--runs 15]

Both sides run as fresh processes, taking turns; medians are printed.
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

ROOT = Path(__file__).resolve().parent.parent
LAUNCH = "from gradcli.launch import main; main()"
NO_FREEZE = "import gc; gc.freeze = lambda: None; " + LAUNCH
COMMANDS = {
    "eval json": ["eval", "2*dot(x,x)", "--let", "x=arange(4.0)", "--format", "json"],
    "eval table": ["eval", "2*dot(x,x)", "--let", "x=arange(4.0)"],
    "run seed_000.py": ["run", "examples/seed_000.py"],
}


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def startup(runs: int) -> None:
    env = _env()
    times: dict[tuple[str, str], list[float]] = {}
    sides = {"freeze": LAUNCH, "no freeze": NO_FREEZE}
    for r in range(runs + 1):
        for name, args in COMMANDS.items():
            order = list(sides) if r % 2 == 0 else list(reversed(list(sides)))
            for side in order:
                t0 = time.perf_counter()
                subprocess.run([sys.executable, "-c", sides[side], *args], cwd=ROOT, env=env,
                               capture_output=True, check=True)
                if r:  # the first round warms the caches
                    times.setdefault((name, side), []).append(time.perf_counter() - t0)
    print(f"gc.freeze in gradcli/launch.py: {runs} alternating runs, load {os.getloadavg()[0]:.2f}")
    for name in COMMANDS:
        a = statistics.median(times[(name, "freeze")])
        b = statistics.median(times[(name, "no freeze")])
        print(f"{name:18} with {a * 1e3:7.1f} ms  without {b * 1e3:7.1f} ms  without/with {b / a:.3f}")


def malloc(runs: int) -> None:
    base = [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "1e7", "--no-memory",
            "--no-small", "--repeats", "3", "--engines", "gradcli,gradcli-interp",
            "--workloads", "elementwise,dot,mse,chain20"]
    medians: dict[tuple[str, str, str], list[float]] = {}
    for r in range(runs):
        for plain in ((False, True) if r % 2 == 0 else (True, False)):
            with tempfile.NamedTemporaryFile(suffix=".json") as out:
                subprocess.run([*base, "--json", out.name, *(["--plain-malloc"] if plain else [])],
                               cwd=ROOT, capture_output=True, check=True)
                rows = json.loads(Path(out.name).read_text())["big"]
            for row in rows:
                key = (f"{row['workload']} {row['dtype'][5:]}", row["engine"],
                       "plain" if plain else "tuned")
                medians.setdefault(key, []).append(row["median_s"])
    print(f"mallopt (gradcli.launch.tune_malloc) at n = 1e7: {runs} alternating processes, "
          f"load {os.getloadavg()[0]:.2f}")
    for (case, engine, side), values in sorted(medians.items()):
        if side != "tuned":
            continue
        a = statistics.median(values)
        b = statistics.median(medians[(case, engine, "plain")])
        print(f"{case:16} {engine:15} tuned {a * 1e3:8.1f} ms  plain {b * 1e3:8.1f} ms  "
              f"plain/tuned {b / a:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["startup", "malloc"])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    (startup if args.what == "startup" else malloc)(args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
