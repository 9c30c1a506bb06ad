"""Issue 18's attacks, each in a fresh process: wall time, peak memory, exit code, error kind.

Usage: python benchmarks/attacks.py [--timeout S] [--cap-mb MB] [--only SUBSTRING] [--json FILE]

Each attack runs as ``python -m gradcli ...`` under an address-space cap (``--cap-mb``,
default 4096) and a timeout (default 20 s), so that the machine survives the attacks that
still work. With PYTHONPATH pointing at another checkout the same table measures that one
(the "before" figures of the issue's note). Peak memory is the child's ru_maxrss.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

#: A 5,000-digit integer in a JSON document.
HUGE_INT_JSON = "[" + "9" * 5000 + "]"


@dataclass
class Attack:
    name: str
    argv: list[str]
    stdin: str | None = None  # "zero" for /dev/zero, else text
    files: dict[str, str] | None = None  # name -> text, or "->/dev/zero" for a symlink


ATTACKS = [
    Attack("bad %-format '%'", ["eval", "'%' % 1"]),
    Attack("bad %-format '%z'", ["eval", "'%z' % 1"]),
    Attack("bad %-format '%s%'", ["eval", "'%s%' % 1"]),
    Attack("bad %-format '%.5'", ["eval", "'%.5' % 1.0"]),
    Attack("NUL in a load() path", ["eval", "load('a\\x00.json')"]),
    Attack("5,000-digit int, --let @file", ["eval", "x", "--let", "x=@hi.json"],
           files={"hi.json": HUGE_INT_JSON}),
    Attack("5,000-digit int, @-", ["eval", "x", "--let", "x=@-"], stdin=HUGE_INT_JSON),
    Attack("5,000-digit int, load()", ["eval", "load('hi.json')"],
           files={"hi.json": HUGE_INT_JSON}),
    Attack("normal(0, -0.0)", ["eval", "normal(0, -0.0, (2,))", "--no-grad"]),
    Attack("float overflow message", ["eval", "2.0 ** 10000"]),
    Attack("round(1, -10**9)", ["eval", "round(1, -10**9)"]),
    Attack("f-string precision", ["eval", "f'{1.5:.999999999f}'"]),
    Attack("%-format width", ["eval", "'%999999999d' % 1"]),
    Attack("string doubling", ["run", "doubling.py"],
           files={"doubling.py": "s = 'ab'\nfor i in range(40):\n    s = s + s\nlen(s)\n"}),
    Attack("tuple doubling", ["run", "tdoubling.py"],
           files={"tdoubling.py": "s = (1,)\nfor i in range(40):\n    s = s + s\nlen(s)\n"}),
    Attack("run /dev/zero", ["run", "/dev/zero"]),
    Attack("run - < /dev/zero", ["run", "-"], stdin="zero"),
    Attack("eval - < /dev/zero", ["eval", "-"], stdin="zero"),
    Attack("--let x=@- < /dev/zero", ["eval", "x", "--let", "x=@-"], stdin="zero"),
    Attack("--let x=@zero.csv (symlink)", ["eval", "x", "--let", "x=@zero.csv"],
           files={"zero.csv": "->/dev/zero"}),
    Attack("load('zero.json') (symlink)", ["eval", "load('zero.json')"],
           files={"zero.json": "->/dev/zero"}),
    Attack("JSON of zeros(15000,15000)", ["eval", "zeros(15000,15000)", "--no-grad",
                                          "--format", "json"]),
    Attack("JSON of ones(10**5,10**5,0)", ["eval", "ones(10**5,10**5,0)", "--format", "json"]),
    Attack("--full of zeros(10**8)", ["eval", "zeros(10**8)", "--no-grad", "--full",
                                      "--format", "plain"]),
    Attack("uint64 .npy", ["eval", "x", "--let", "x=@u.npy", "--format", "json"]),
    Attack("NUL in a CSV value", ["eval", "x", "--let", "x=@nul.csv"],
           files={"nul.csv": "1,2\x003\n"}),
    Attack("--no-grad with a float --let", ["eval", "x", "--let", "x=ones(2)", "--no-grad"]),
    Attack("load('-') twice", ["eval", "load('-') + load('-')"], stdin="[1]"),
    Attack("str(no_grad())", ["eval", "str(no_grad())"]),
    Attack("str(sum)", ["eval", "str(sum)"]),
    Attack("'%s' % print", ["eval", "'%s' % print"]),
    Attack("duplicate --let", ["eval", "x", "--let", "x=1", "--let", "x=2"]),
    Attack("flat chain of 201 terms", ["eval", "*".join(["x"] * 201), "--let", "x=1.0"]),
]


def _setup(attack: Attack, where: str) -> None:
    import numpy as np

    for name, text in (attack.files or {}).items():
        path = os.path.join(where, name)
        if os.path.lexists(path):
            os.remove(path)
        if text.startswith("->"):
            os.symlink(text[2:], path)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    np.save(os.path.join(where, "u.npy"), np.array([2**64 - 1], dtype=np.uint64))


def run_attack(attack: Attack, timeout: float, cap_mb: int, where: str) -> dict[str, object]:
    _setup(attack, where)
    cap = cap_mb * 2**20

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    if attack.stdin == "zero":
        stdin = open("/dev/zero", "rb")  # noqa: SIM115
    elif attack.stdin is not None:
        stdin = tempfile.TemporaryFile()  # noqa: SIM115
        stdin.write(attack.stdin.encode())
        stdin.seek(0)
    else:
        stdin = open(os.devnull, "rb")  # noqa: SIM115
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "gradcli", *attack.argv], cwd=where,
                            stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=limit)
    try:
        out, err = proc.communicate(timeout=timeout)
        code: object = proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        code = "timeout"
    elapsed = time.perf_counter() - start
    stdin.close()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    text = (err or b"").decode("utf-8", "replace") + (out or b"").decode("utf-8", "replace")
    return {"attack": attack.name, "seconds": round(elapsed, 2), "exit": code,
            "peak_mb_children_max": round(usage.ru_maxrss / 1024),
            "traceback": "Traceback" in text or "internal error" in text,
            "first_line": next((ln for ln in text.splitlines() if ln.strip()), "")[:110]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--cap-mb", type=int, default=4096)
    parser.add_argument("--only", default="")
    parser.add_argument("--json")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as where:
        for attack in ATTACKS:
            if args.only and args.only not in attack.name:
                continue
            # ru_maxrss of RUSAGE_CHILDREN is the largest child so far: one child per run
            row = _measured(attack, args.timeout, args.cap_mb, where)
            rows.append(row)
            print(f"{row['attack']:<32} {row['seconds']:>6}s {row['peak_mb']:>6}MB "
                  f"exit={row['exit']!s:<7} tb={int(bool(row['traceback']))} {row['first_line']}",
                  flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


def _measured(attack: Attack, timeout: float, cap_mb: int, where: str) -> dict[str, object]:
    """One attack in a child of a fresh helper process, so that ru_maxrss is this attack's."""
    here = os.path.dirname(os.path.abspath(__file__))
    code = (f"import json, sys; sys.path.insert(0, {here!r}); import attacks; "
            f"a = [x for x in attacks.ATTACKS if x.name == {attack.name!r}][0]; "
            f"print(json.dumps(attacks.run_attack(a, {timeout!r}, {cap_mb!r}, {where!r})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    row = json.loads(done.stdout.strip().splitlines()[-1])
    row["peak_mb"] = row.pop("peak_mb_children_max")
    return row


if __name__ == "__main__":
    main()
