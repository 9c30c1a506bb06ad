"""Differential fuzzing against PyTorch: random expressions through gradcli and through torch.

The fuzz tests (tests/test_fuzz.py) hold gradcli to finite differences and to its error
kinds; this holds it to PyTorch itself, on the same generated expressions. It is a tool for
a developer with a torch venv, not a test: torch is never a dependency. Run it from the
repository root with the project's venv (which has hypothesis):

    .venv/bin/python tools/torch_diff.py --torch /work/torchenv/bin/python \\
        --kind grad -n 300 --seed 1
    .venv/bin/python tools/torch_diff.py --torch ... --cases found.txt   # again, after a fix

Kinds of case:
  grad    compositions of the op table (tests/test_fuzz.py) in float64: value, grad_fn and
          the gradient of every leaf
  grad2   the same, differentiated twice: grad(sum(E * W), v0, create_graph=True)[0]
  float32 compositions in float32
  odd     the fuzz tests' odd calls of every op (x, y, s, b, i as there): both raise, or
          neither, and then the same value, dtype and grad_fn
  scripts short autograd scripts as the seeds write them (backward, accumulation, zero_,
          retain_grad, detach, no_grad, control flow): gradcli run against Python with
          torch (make_script_golden's runner), stdout exactly and the failing line
  calls   every op of the table called by its signature, each parameter drawn from what it
          takes (dims, keepdim, dtypes, p, reductions...) and tensors of many shapes and
          dtypes (float32, float64, int64, bool, 0-d, empty, transposed views)

torch evaluates each case with tests/golden/make_eval_golden.py's own `evaluate`, so a
mismatch found here is added to eval_cases.json as it is printed (a JSON line) and its
golden record made with `make_eval_golden.py --only ID`. Values are compared with a
tolerance, not by their printed text: torch's last bits follow the CPU it runs on.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import numpy as np  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import seed as hypothesis_seed  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from gradcli.engine import Tensor, dtypes  # noqa: E402
from gradcli.errors import GradcliError  # noqa: E402
from gradcli.interpreter.evaluate import EvalOptions, Evaluator  # noqa: E402

LENIENT = False  # --lenient: also report calls torch refuses with a TypeError

TORCH_SIDE = """
import json, resource, signal, sys, warnings
sys.path.insert(0, sys.argv[1])
import torch
import make_eval_golden as G
torch.set_num_threads(1)
warnings.simplefilter("ignore")
resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30))

def timeout(*_):
    raise TimeoutError("over 5 s")

signal.signal(signal.SIGALRM, timeout)
out = []
for case in json.load(sys.stdin):
    signal.alarm(5)
    try:
        out.append(G.evaluate(case, G.SEED))
    except BaseException as e:  # the maker's own limits, a timeout (10**20 ** 10**20)
        out.append({"skip": f"{type(e).__name__}: {e}"})
    signal.alarm(0)
    torch.set_default_dtype(torch.float32)
json.dump(out, sys.stdout)
"""


#: The tensors of the "calls" kind: shapes, dtypes and edge cases an op meets.
CALL_LETS = [
    ["a", "tensor([[0.5, -1.5, 2.0, 0.25], [1.0, 0.0, -0.75, 3.0], [-2.0, 1.25, 0.5, -0.5]])"],
    ["v", "tensor([0.3, -1.2, 2.5, 0.7])"],
    ["s", "tensor(1.5)"],
    ["d", "tensor([[[0.5, -1.0, 2.0, 1.5], [0.1, 0.4, -0.3, 0.9], [1.1, -0.6, 0.2, 0.8]], "
          "[[-0.2, 0.3, 1.7, -1.1], [0.6, -0.9, 0.05, 0.4], [2.2, 0.7, -1.4, 0.3]]], "
          "dtype=torch.float64)"],
    ["u", "tensor([[1.0, -2.0, 0.5, 3.0]])"],
    ["e", "ones(0, 4)"],
    ["i", "tensor([[1, 0, 3, 2], [2, 2, 0, 1], [0, 3, 1, 1]])"],
    ["m", "tensor([[True, False, True, False], [False, False, True, True], "
          "[True, True, False, False]])"],
    ["q", "tensor([[2.0, 0.5, 0.1], [0.3, 1.5, -0.2], [0.4, 0.1, 1.8]])"],
]
_TENSORS = ["a", "v", "s", "d", "u", "e", "i", "m", "q", "a.T", "d[0]", "v[1:]", "a[:, :2]"]
_DIMS = ["0", "1", "-1", "-2", "2", "(0, 1)", "[1, 0]", "(-1,)", "None"]
#: What a parameter of each name is drawn from, beyond the tensors.
_PARAMS = {
    "dim": _DIMS, "dims": _DIMS, "dim0": _DIMS, "dim1": _DIMS, "dim2": _DIMS,
    "start_dim": _DIMS, "end_dim": _DIMS, "keepdim": ["True", "False"],
    "dtype": ["torch.float64", "torch.float32", "torch.int64", "torch.bool"],
    "p": ["1", "2", "0.5", "float('inf')", "-1", "3", "'fro'", "'nuc'", "0"],
    "ord": ["1", "2", "-2", "'fro'", "'nuc'", "float('inf')", "0"],
    "correction": ["0", "1", "2"], "unbiased": ["True", "False"],
    "reduction": ["'mean'", "'sum'", "'none'"], "alpha": ["2", "0.5", "-1"],
    "diagonal": ["0", "1", "-1"], "offset": ["0", "1", "-1"], "min": ["-0.5", "0", "None", "v"],
    "max": ["0.5", "1", "None", "v"], "exponent": ["2", "0.5", "-1", "0", "v", "3"],
    "shifts": ["1", "-2", "(1, 2)"], "n": ["2", "3"], "k": ["1", "2", "3"],
    "approximate": ["'none'", "'tanh'"], "negative_slope": ["0.1", "-0.5"],
    "threshold": ["0.5", "20"], "beta": ["1", "0.5", "2"], "delta": ["1", "0.5"],
    "eps": ["1e-12", "0.1"], "label_smoothing": ["0.0", "0.1"], "ignore_index": ["-100", "1"],
    "num_classes": ["-1", "4", "5"], "sizes": ["(2, 6)", "(-1,)", "(4, 3)", "(3, -1)"],
    "shape": ["(2, 6)", "(-1,)", "(4, 3)", "(3, -1)"], "size": ["(2, 6)", "(4, 3)", "4"],
    "index": ["tensor([0, 2])", "tensor([[0, 1, 0, 1], [2, 2, 1, 0], [1, 0, 2, 2]])"],
    "target": ["tensor([1, 0, 3])", "tensor([2, 0, 1, 3])", "a", "v"],
    "weight": ["None", "tensor([1.0, 2.0, 0.5, 1.5])", "v"],
    "mask": ["m", "a > 0"], "value": ["0.5", "s", "-1"], "condition": ["m", "a > 0"],
    "other": ["a", "v", "s", "2", "0.5", "i", "u", "d"], "sorted": ["True", "False"],
    "largest": ["True", "False"], "descending": ["True", "False"], "stable": ["True", "False"],
    "chunks": ["2", "3"], "split_size_or_sections": ["2", "[1, 3]", "[2, 1]"],
    "repeats": ["2", "(2, 1)"],
}
_SKIPPED = {"load", "manual_seed", "backward", "grad", "set_default_dtype", "requires_grad_",
            "zero_", "retain_grad", "no_grad"}


def _call(draw: Any, name: str) -> str:
    from gradcli.engine.ops import OPS

    inside = OPS[name].signature.split("(", 1)[1].rsplit(")", 1)[0]
    params = [p.strip() for p in inside.split(",") if p.strip()]
    args, kwargs = [], []
    for p in params:
        key, _, default = p.partition("=")
        key = key.strip(" *")
        if key in ("", "/") or key.startswith("-"):
            continue
        pool = _PARAMS.get(key, _TENSORS)
        if not default:
            args.append(draw(st.sampled_from(pool)))
        elif draw(st.integers(0, 2)) == 0:
            kwargs.append(f"{key}={draw(st.sampled_from(pool))}")
    text = ", ".join(args + kwargs)
    if OPS[name].method and args and args[0] in _TENSORS and draw(st.booleans()):
        rest = ", ".join(args[1:] + kwargs)
        return f"({args[0]}).{name}({rest})"
    return f"{name}({text})"


@st.composite
def calls(draw: Any) -> str:
    from gradcli.engine.ops import OPS

    name = draw(st.sampled_from(sorted(set(OPS) - _SKIPPED)))
    inner = _call(draw, name)
    if draw(st.integers(0, 3)) == 0:  # and something on top, to send a gradient through
        outer = draw(st.sampled_from(["({}).sum()", "({}) * 2", "({}).exp()", "({})[0]",
                                      "({}).mean(0)"]))
        return outer.format(inner)
    return inner


#: The "scripts" kind: autograd workflows as the seeds write them, one statement each.
SCRIPT_SETUP = [
    "x = torch.arange(4.0, requires_grad=True)",
    "x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)",
    "x = torch.tensor([[1.0, 2.0], [3.0, -4.0]], requires_grad=True)",
    "x = torch.tensor(1.5, requires_grad=True)",
    "x = torch.ones(2, 3, dtype=torch.float64, requires_grad=True)",
]
SCRIPT_STEPS = [
    "y = 2 * torch.dot(x.flatten(), x.flatten())", "y = (x * x).sum()", "y = x.sum()",
    "y = x * x", "y = torch.exp(x).mean()", "y = (x ** 3).sum() / 2", "y = x.abs().max()",
    "y = torch.sigmoid(x)", "y = x.norm()", "y = x.relu().sum()", "y = torch.tanh(x) * x",
    "y = x.sum(axis=0)", "y = x.mean(axis=-1, keepdims=True)", "y = x.reshape(-1) @ x.reshape(-1)",
    "z = y * 2", "z = y.sum()", "z = y + x", "z = y * y", "z = y.detach() * x",
    "u = y.detach()", "u = x.detach()", "z = u * x", "z = (u * x).sum()",
    "y.backward()", "y.backward(retain_graph=True)", "y.sum().backward()",
    "y.backward(torch.ones_like(y))", "z.backward()", "z.sum().backward()",
    "z.backward(retain_graph=True)", "print(x.grad)", "x.grad", "x.grad.zero_()",
    "x.grad = None", "y.retain_grad()", "print(y.grad)", "print(y.grad_fn)", "y.grad_fn",
    "print(z.grad_fn)", "y.requires_grad", "u.requires_grad", "x.is_leaf", "y.is_leaf",
    "print(x.grad == 2 * x)", "x.grad == u", "print(y)", "print(z)", "y", "z", "x",
    "with torch.no_grad():\n    x -= 0.1 * x.grad", "with torch.no_grad():\n    w = x * 2",
    "w.requires_grad", "x.requires_grad_(False)", "x.requires_grad_(True)", "a = x.clone()",
    "a.sum().backward()", "print(a.grad_fn)", "print(x.data)", "x.shape", "y.shape",
    "print(x.grad_fn)", "torch.manual_seed(0)", "y = x * torch.rand(x.shape)",
    "def f(a):\n    b = a * 2\n    while b.norm() < 100:\n        b = b * 2\n"
    "    if b.sum() > 0:\n        c = b\n    else:\n        c = 100 * b\n    return c",
    "y = f(x)", "y = f(x).sum()", "x.grad.data.zero_()", "y = x.T", "y = x[0]", "y = x[..., :1]",
    "y = torch.cat([x, x])", "y = torch.stack([x, 2 * x])", "y = x.unsqueeze(0).sum()",
    "x.add_(1)", "x.data.add_(1)", "y.add_(1)", "y = x.view(-1)", "y.mul_(2)", "x[0] = 1.0",
    "a = torch.zeros_like(x)", "a[0] = x[0]", "a = x.clone()\na[0] = 0.0", "print(a)",
    "g = torch.autograd.grad(y, x)", "g = torch.autograd.grad(y.sum(), x, create_graph=True)",
    "print(torch.autograd.grad(y.sum(), x, retain_graph=True))", "print(g)", "g[0].sum()",
    "y = torch.where(x > 0, x, 0.0)", "loss = ((x - 1) ** 2).mean()", "loss.backward()",
    "print(loss)", "y = torch.nn.functional.relu(x)", "y = x.pow(2).sum(dim=0)",
    "x.grad += 1", "x.grad.add_(1)", "y = x.exp()\ny.sum().backward()\nprint(x.grad)",
    "y.detach_()", "y.requires_grad_()", "y = torch.ones(3).requires_grad_()",
    "y = x.max()", "y = x.std()", "y = torch.softmax(x.flatten(), dim=0)", "y = x.sum(0)[0]",
    "for _ in range(3):\n    y = (x * x).sum()\n    y.backward()\nprint(x.grad)",
    "y = x.sum()\ny.backward()\ny.backward()", "x.retain_grad()", "print(x.grad is None)",
    "print(y.grad is None)", "y = x.float()", "y = x.double().sum()", "y = x.to(torch.float64)",
    "y = x.numel()", "print(x.dtype, y)", "y = x.item()", "y = len(x)",
]


@st.composite
def scripts(draw: Any) -> str:
    body = [draw(st.sampled_from(SCRIPT_SETUP))]
    body += draw(st.lists(st.sampled_from(SCRIPT_STEPS), min_size=2, max_size=9))
    return "import torch\n" + "\n".join(body) + "\n"


TORCH_SCRIPTS = """
import json, sys, warnings
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import make_script_golden as G
out = []
for path in json.load(sys.stdin):
    text, error = G.run_script(Path(path))
    out.append({"stdout": text, "error": error})
json.dump(out, sys.stdout)
"""


def compare_scripts(torch: str, sources: list[str]) -> int:
    """Run each script through gradcli run and through Python with torch; print those whose
    output or error differs."""
    import re
    import tempfile

    from cli_runner import run_cli

    found = 0
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for k, source in enumerate(sources):
            paths.append(Path(tmp, f"s{k}.py"))
            paths[-1].write_text(source)
        done = subprocess.run([torch, "-c", TORCH_SCRIPTS, str(ROOT / "tests" / "golden")],
                              input=json.dumps([str(p) for p in paths]), capture_output=True,
                              text=True, check=True)
        for path, want in zip(paths, json.loads(done.stdout)):
            # torch's runner seeds 0 first (make_script_golden.run_script)
            got = run_cli(["run", "--seed", "0", str(path)], cwd=tmp, env={"NO_COLOR": "1", "COLUMNS": "80"},
                          timeout=60)
            where = re.search(r"--> [^:]*:(\d+):", got.stderr)
            line = int(where.group(1)) if where else None
            error = want["error"]
            problems = []
            # an address is the process's own; a failing block is reported by torch's runner
            # at its first line, by gradcli at the line inside it
            address = re.compile(r" at 0x[0-9a-f]+")
            if error is not None and line is not None:
                import ast

                for stmt in ast.parse(path.read_text()).body:
                    if stmt.lineno == error["line"] and stmt.lineno <= line <= (
                            stmt.end_lineno or stmt.lineno):
                        line = error["line"]
            if address.sub("", got.stdout) != address.sub("", want["stdout"]):
                problems.append(f"stdout:\n--- torch\n{want['stdout']}--- gradcli\n{got.stdout}")
            if error is None and got.returncode != 0:
                problems.append(f"gradcli fails: {got.stderr.strip()[:300]}")
            elif error is not None and got.returncode == 0:
                problems.append(f"torch raises at line {error['line']}: {error['type']}: "
                                f"{error['message'][:200]}")
            elif error is not None and line != error["line"]:
                problems.append(f"torch raises at line {error['line']} ({error['message'][:100]})"
                                f", gradcli at line {line}: {got.stderr.strip()[:200]}")
            if problems:
                found += 1
                print("=" * 60)
                print(path.read_text(), end="")
                for p in problems:
                    print("   ", p)
    return found


def _literal(a: np.ndarray) -> str:
    return f"tensor({np.asarray(a).tolist()!r})"


def _draw(strategy: st.SearchStrategy[Any], n: int, seed: int) -> list[Any]:
    drawn: list[Any] = []

    @hypothesis_seed(seed)  # the same draws for the same seed: a finding can be found again
    @settings(max_examples=n, database=None, deadline=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(value: Any) -> None:
        drawn.append(value)

    collect()
    return drawn


def make_cases(kind: str, n: int, seed: int) -> list[dict[str, Any]]:
    import test_fuzz as F

    cases = []
    if kind == "calls":
        for k, expr in enumerate(_draw(calls(), n, seed)):
            cases.append({"id": f"calls_{seed}_{k}", "expr": expr, "lets": CALL_LETS,
                          "dtype": "float32", "grad_output": "ones", "random": False})
        return cases
    if kind == "odd":
        # gradcli makes a tensor of a number let (s=2.5), torch's harness a Python float.
        lets = [[n, f"tensor({v})" if n == "s" else v] for n, v in F.LETS]
        for k, expr in enumerate(_draw(F.ODD_CALLS, n, seed)):
            cases.append({"id": f"odd_{seed}_{k}", "expr": expr, "lets": lets,
                          "dtype": "float32", "grad_output": "ones", "random": False})
        return cases
    dtype = "float32" if kind == "float32" else "float64"
    for k, (expr, values) in enumerate(_draw(F.compositions(), n, seed)):
        lets = [[name, _literal(v)] for name, v in values.items()]
        if kind == "grad2":
            try:
                shape = _evaluate({"expr": expr, "lets": lets, "dtype": dtype,
                                   "grad_output": "ones"}).value.data.shape
            except Exception:
                continue
            w = np.random.default_rng(k).normal(size=shape).round(3)
            expr = f"grad(sum(({expr}) * {_literal(w)}), {lets[0][0]}, create_graph=True)[0]"
        cases.append({"id": f"{kind}_{seed}_{k}", "expr": expr, "lets": lets, "dtype": dtype,
                      "grad_output": "ones", "random": False})
    return cases


def _evaluate(case: dict[str, Any]) -> Any:
    opts = EvalOptions(lets=[tuple(kv) for kv in case["lets"]], grad_output=case["grad_output"],
                       dtype=case["dtype"], seed=0)
    try:
        return Evaluator(opts, np.load).evaluate(case["expr"])
    finally:
        dtypes.set_default_float("float32")


def _close(actual: Any, expected: Any, dtype: str) -> str | None:
    from helpers import golden_array

    tol = 1e-9 if dtype == "float64" else 1e-4
    have, want = np.asarray(actual, dtype=float), golden_array(expected)
    if have.size == 0 and want.size == 0:  # tolist() of shape (0, 4) is []
        want = want.reshape(have.shape)
    try:
        np.testing.assert_allclose(have, want, rtol=tol, atol=tol, equal_nan=True)
    except AssertionError as e:
        return " ".join(str(e).split())[:300]
    return None


def _differences(value: Any, rec: dict[str, Any]) -> list[str]:
    kind = rec["type"]
    if kind == "tensor":
        if not isinstance(value, Tensor):
            return [f"torch gives a tensor, gradcli {type(value).__name__}"]
        got = {"shape": list(value.data.shape), "dtype": value.data.dtype.name,
               "grad_fn": value.grad_fn.name if value.grad_fn else None,
               "requires_grad": value.requires_grad}
        out = [f"{k}: gradcli {got[k]!r}, torch {rec[k]!r}" for k in got if got[k] != rec[k]]
        if not out and rec["dtype"] in ("float32", "float64", "float16", "bfloat16"):
            close = _close(value.data, rec["value"], rec["dtype"])
            out += [f"value: {close}"] if close else []
        elif not out and np.asarray(value.data).tolist() != rec["value"]:
            out.append(f"value: gradcli {value.data.tolist()}, torch {rec['value']}")
        return out
    if kind == "tuple":
        if not isinstance(value, tuple) or len(value) != len(rec["value"]):
            return [f"torch gives a tuple of {len(rec['value'])}, gradcli {value!r:.80}"]
        return [f"[{i}] {d}" for i, (v, r) in enumerate(zip(value, rec["value"]))
                for d in _differences(v, r)]
    if kind in ("int", "float", "bool"):
        if type(value).__name__ != kind:
            return [f"torch gives {kind}, gradcli {type(value).__name__}"]
        close = _close(value, rec["value"], "float64")
        return [f"value: {close}"] if close else []
    return []


def compare(case: dict[str, Any], rec: dict[str, Any]) -> list[str]:
    if "skip" in rec or rec.get("error", {}).get("type") in ("TimeoutError", "MemoryError"):
        return []
    try:
        result = _evaluate(case)
    except GradcliError as e:
        if "error" in rec:
            return []
        return [f"gradcli raises {e.kind}: {e.message[:200]!r}; torch gives {rec['repr'][:200]!r}"]
    except Exception as e:  # noqa: BLE001  an internal error is a finding too
        return [f"gradcli fails inside: {type(e).__name__}: {e}"]
    if "error" in rec:
        if rec["error"]["type"] == "TypeError" and not LENIENT:
            # A call torch's function form refuses and gradcli takes as the method would
            # (permute(x, 1, 0), flip(x, 0)): gradcli's functions and methods share one
            # signature, on purpose.
            return []
        return [f"torch raises at {rec['error']['stage']} {rec['error']['type']}: "
                f"{rec['error']['message'][:200]!r}; gradcli gives {result.value!r:.200}"]
    out = _differences(result.value, rec)
    for name, g in (rec.get("grads") or {}).items():
        actual = result.grads.get(name)
        if (g is None) != (actual is None):
            out.append(f"{name}.grad: gradcli {'None' if actual is None else 'a tensor'}, "
                       f"torch {'None' if g is None else 'a tensor'}")
        elif g is not None:
            close = _close(actual.data, g, actual.data.dtype.name)
            out += [f"{name}.grad: {close}"] if close else []
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--torch", required=True, help="a Python that has torch 2.13")
    ap.add_argument("--kind", choices=["grad", "grad2", "float32", "odd", "calls", "scripts"],
                    default="grad")
    ap.add_argument("-n", type=int, default=200, help="cases to draw")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lenient", action="store_true",
                    help="also report calls torch refuses with a TypeError and gradcli takes")
    ap.add_argument("--cases", type=Path,
                    help="re-run the cases of this file (the JSON lines this tool printed)")
    args = ap.parse_args()
    global LENIENT
    LENIENT = args.lenient
    warnings.simplefilter("ignore")
    if args.kind == "scripts":
        sources = _draw(scripts(), args.n, args.seed)
        found = compare_scripts(args.torch, sources)
        print(f"{len(sources)} scripts, {found} differ from torch", file=sys.stderr)
        return 1 if found else 0
    if args.cases:
        cases = [json.loads(line) for line in args.cases.read_text().splitlines()
                 if line.startswith("{")]
    else:
        cases = make_cases(args.kind, args.n, args.seed)
    done = subprocess.run([args.torch, "-c", TORCH_SIDE, str(ROOT / "tests" / "golden")],
                          input=json.dumps(cases), capture_output=True, text=True, check=True)
    records = json.loads(done.stdout)
    found = 0
    for case, rec in zip(cases, records):
        problems = compare(case, rec)
        if problems:
            found += 1
            print(json.dumps(case))
            for p in problems:
                print("   ", p)
    print(f"{len(cases)} cases, {found} differ from torch", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
