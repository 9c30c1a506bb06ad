"""Generate the PyTorch golden output of `gradcli run` for every script in scripts/.

Run with a Python that has torch 2.13 (never a dependency of gradcli or its tests), from
anywhere:

    /path/to/torchenv/bin/python tests/golden/make_script_golden.py [NAME.py ...]

Each script runs as Python's interactive prompt would run it: every top-level statement is
compiled on its own in 'single' mode, so an expression statement whose value is not None is
echoed with repr() (also inside a top-level for/while/if/with block, though not inside a
def), and print() prints. What goes to stdout is written to scripts/NAME.out. When a
statement raises, the output so far is written to NAME.out and the exception to
NAME.err.json: {"type": ..., "message": str(exception), "line": 1-based line of the failing
top-level statement}. A stale NAME.err.json is removed when the script no longer fails.
Torch's warnings (stderr) are ignored. The output is deterministic: two runs give
byte-identical files.
"""

import ast
import builtins
import io
import json
import sys
import warnings
from contextlib import redirect_stdout
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
SCRIPTS = HERE / "scripts"
EXAMPLES = HERE.parent.parent / "examples"


def _displayhook(value):
    # What sys.__displayhook__ prints, without touching builtins._ (no state between scripts).
    # torch.manual_seed returns the generator, whose repr holds an address; gradcli's returns
    # None, so a bare `torch.manual_seed(0)` echoes nothing (as in a script run by python).
    if value is not None and not isinstance(value, torch.Generator):
        sys.stdout.write(repr(value) + "\n")


def run_script(path):
    """Run one script statement by statement; return (stdout text, error dict or None)."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=path.name)
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    torch.manual_seed(0)
    torch.set_default_dtype(torch.float32)
    torch.set_grad_enabled(True)
    out = io.StringIO()
    error = None
    saved_hook = sys.displayhook
    sys.displayhook = _displayhook
    try:
        with redirect_stdout(out), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for stmt in tree.body:
                code = compile(ast.Interactive(body=[stmt]), path.name, "single")
                try:
                    exec(code, namespace)
                except Exception as e:
                    error = {"type": type(e).__name__, "message": str(e), "line": stmt.lineno}
                    break
    finally:
        sys.displayhook = saved_hook
        torch.set_grad_enabled(True)
    return out.getvalue(), error


def _check_language(path):
    """Refuse constructs outside SPEC section 3 that a script could slip in by accident."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=path.name)
    first = tree.body[0] if tree.body else None
    if not (isinstance(first, ast.Import) and [a.name for a in first.names] == ["torch"]):
        sys.exit(f"{path.name}: the first statement must be `import torch`")
    banned = (ast.ClassDef, ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
              ast.GeneratorExp, ast.Dict, ast.Set, ast.Try, ast.Global, ast.Nonlocal,
              ast.Yield, ast.YieldFrom, ast.Await, ast.AsyncFunctionDef, ast.Starred,
              ast.NamedExpr, ast.Is, ast.IsNot, ast.In, ast.NotIn, ast.ImportFrom, ast.Delete,
              ast.Raise)
    for node in ast.walk(tree):
        where = f"{path.name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, banned):
            sys.exit(f"{where}: {type(node).__name__} is not in gradcli's language")
        if isinstance(node, ast.Import) and [a.name for a in node.names] != ["torch"]:
            sys.exit(f"{where}: only `import torch` is allowed")
        if isinstance(node, ast.keyword) and node.arg is None:
            sys.exit(f"{where}: **kwargs is not in gradcli's language")
        if isinstance(node, ast.Slice) and node.step is not None and not (
                isinstance(node.step, ast.Constant) and isinstance(node.step.value, int)
                and node.step.value > 0):
            sys.exit(f"{where}: a slice's step must be a positive integer literal")
    calls = [node.func.attr for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)]
    if set(calls) & RANDOM and "manual_seed" not in calls:
        sys.exit(f"{path.name}: a script that draws random numbers calls torch.manual_seed first")


#: The random functions: a script using them seeds the generator itself (gradcli draws
#: PyTorch's numbers under the same seed; without one its numbers are random).
RANDOM = {"rand", "randn", "normal", "randint", "randperm", "rand_like", "randn_like",
          "uniform_", "normal_", "bernoulli", "bernoulli_", "dropout"}


def golden_examples():
    """The examples: their expected output comes from torch too."""
    return sorted(EXAMPLES.glob("*.py"))


def main(argv):
    paths = ([Path(name) for name in argv] if argv
             else sorted(SCRIPTS.glob("*.py")) + golden_examples())
    if not paths:
        sys.exit(f"no scripts in {SCRIPTS}")
    for path in paths:
        _check_language(path)
    for path in paths:
        text, error = run_script(path)
        path.with_suffix(".out").write_text(text, encoding="utf-8")
        err_path = path.with_suffix(".err.json")
        if error is None:
            err_path.unlink(missing_ok=True)
        else:
            err_path.write_text(json.dumps(error, indent=1, ensure_ascii=False) + "\n",
                                encoding="utf-8")
        status = f"{error['type']} at line {error['line']}" if error else "ok"
        print(f"{path.name}: {len(text.splitlines())} lines, {status}")


if __name__ == "__main__":
    main(sys.argv[1:])
