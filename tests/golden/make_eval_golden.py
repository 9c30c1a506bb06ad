"""Generate the PyTorch golden data for `gradcli eval` from eval_cases.json.

Run with a Python that has torch 2.13 (never a dependency of gradcli or its tests):

    /path/to/torchenv/bin/python tests/golden/make_eval_golden.py

It writes eval_golden.json (value, shape, dtype, grad_fn, repr and gradients per case, or
torch's exception), grad_fn_names.json (case id -> grad_fn name) and torch_namespaces.json
(each function name of the op table -> the torch modules that have it) beside this file.
The output is deterministic: two runs give byte-identical files on one machine. Across
machines it is not: torch picks its CPU kernels by the instruction set (AVX-512 or AVX2), and
the last bits of erf, gelu, matmul and the LAPACK routines differ between them. gradcli's
numbers follow the committed file, so after adding or changing cases, regenerate only those:

    /path/to/torchenv/bin/python tests/golden/make_eval_golden.py --only ID [ID ...]

which evaluates the named cases and keeps every other record as it is.
"""

import builtins
import json
import math
import sys
import types
import warnings
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # the op table of this checkout

from gradcli.engine.ops import NAMESPACES, OPS  # noqa: E402

CASES = HERE / "eval_cases.json"
GOLDEN = HERE / "eval_golden.json"
GRAD_FN_NAMES = HERE / "grad_fn_names.json"
TORCH_NAMESPACES = HERE / "torch_namespaces.json"

SEED = 0
# A second seed, only to check that a case not marked random really is deterministic.
CHECK_SEED = 12345
DTYPES = {"float32": torch.float32, "float64": torch.float64}
CASE_KEYS = {"id", "expr", "lets", "dtype", "grad_output", "random"}
OPTIONAL_KEYS = {"note"}

# Python builtins that act as torch functions when given a tensor.
DUAL = ("max", "min", "abs", "round")
PY_BUILTINS = ("len", "range", "float", "int", "bool")


def _method(name):
    def call(self, *args, **kwargs):
        return getattr(self, name)(*args, **kwargs)

    call.__name__ = name
    return call


def _dual(name):
    py, th = getattr(builtins, name), getattr(torch, name)

    def call(*args, **kwargs):
        if any(isinstance(a, torch.Tensor) for a in args):
            return th(*args, **kwargs)
        return py(*args, **kwargs)

    call.__name__ = name
    return call


def torch_function(spec):
    """The op's torch callable: from the first of its namespaces (the op table's `torch`,
    `torch.nn.functional`, ...) that has it, else the Tensor method (`view(x, 2, 3)` is
    `x.view(2, 3)`)."""
    for where in spec.namespaces:
        module = torch
        for part in where.split(".")[1:]:
            module = getattr(module, part)
        if hasattr(module, spec.name):
            return getattr(module, spec.name)
    return _method(spec.name)


def torch_namespaces():
    """{name: the modules of the op table's NAMESPACES where torch has a function of that
    name}, for every function name and alias of the op table."""
    found = {}
    for spec in OPS.values():
        for spelling in (spec.name, *spec.aliases):
            found[spelling] = []
            for where in NAMESPACES:
                module = torch
                for part in where.split(".")[1:]:
                    module = getattr(module, part)
                value = getattr(module, spelling, None)
                if callable(value) and not isinstance(value, (torch.dtype, types.ModuleType)):
                    found[spelling].append(where)
    return dict(sorted(found.items()))


def namespace():
    """Every function of the op table (and its aliases) as gradcli's global names."""
    # gradcli binds F as `import torch.nn.functional as F` would.
    ns = {"torch": torch, "F": torch.nn.functional}
    for spec in OPS.values():
        if spec.function:
            for spelling in (spec.name, *spec.aliases):
                ns[spelling] = torch_function(spec)
    for name in DUAL:
        ns[name] = _dual(name)
    for name in PY_BUILTINS:
        ns[name] = getattr(builtins, name)
    return ns


def enc(v):
    """Nested Python values as strict JSON: NaN and infinities become strings."""
    if isinstance(v, list):
        return [enc(e) for e in v]
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
    return v


def dtype_name(dt):
    return str(dt).removeprefix("torch.")


def grad_fn_name(t):
    # The class name, as repr prints it: `.name()` differs for some nodes
    # ("torch::autograd::NotImplemented" for `<NotImplemented>`).
    return type(t.grad_fn).__name__ if t.grad_fn is not None else None


def describe(v):
    """A record of one evaluated value, as gradcli would report it."""
    rec = {"type": None, "value": None, "shape": None, "dtype": None, "grad_fn": None,
           "requires_grad": None, "is_leaf": None, "repr": repr(v)}
    if isinstance(v, torch.Tensor):
        rec.update(type="tensor", value=enc(v.tolist()), shape=list(v.shape),
                   dtype=dtype_name(v.dtype), grad_fn=grad_fn_name(v),
                   requires_grad=v.requires_grad, is_leaf=v.is_leaf)
    elif isinstance(v, torch.Size):
        rec.update(type="size", value=list(v))
    elif isinstance(v, tuple):
        # torch.return_types.max etc. are tuples; gradcli prints plain tuples.
        rec.update(type="tuple", value=[describe(e) for e in v], repr=repr(tuple(v)))
        if type(v) is not tuple:
            rec["torch_type"] = f"{type(v).__module__}.{type(v).__name__}"
            rec["torch_repr"] = repr(v)
    elif isinstance(v, list):  # tolist()
        rec.update(type="list", value=enc(v))
    elif isinstance(v, torch.dtype):
        rec.update(type="dtype", value=str(v))
    elif v is None:
        rec.update(type="none")
    elif isinstance(v, bool):
        rec.update(type="bool", value=v)
    elif isinstance(v, int):
        rec.update(type="int", value=v)
    elif isinstance(v, float):
        rec.update(type="float", value=enc(v))
    else:
        raise TypeError(f"cannot describe {type(v).__name__}: {v!r}")
    return rec


def error(e, stage):
    msg = str(e)
    # Keep torch's message, not the C++ location some builds append.
    msg = msg.split("\nException raised from ")[0]
    return {"type": type(e).__name__, "message": msg, "stage": stage}


def to_tensor(v):
    return torch.tensor(v) if isinstance(v, list) else v


def evaluate(case, seed):
    """Evaluate one case with torch; return its golden record."""
    torch.set_default_dtype(DTYPES[case["dtype"]])
    torch.manual_seed(seed)
    env = namespace()
    leaves = []
    # The case's inputs, so that a test can see the golden data is not stale; its "dtype"
    # is "default_dtype" here, as "dtype" is the result's.
    rec = {"expr": case["expr"], "lets": case["lets"], "default_dtype": case["dtype"],
           "grad_output": case["grad_output"], "random": case["random"]}
    # Warnings are not recorded: torch gives some only once per process (x.T on 1-D).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            for name, src in case["lets"]:
                v = to_tensor(eval(src, env))
                if isinstance(v, torch.Tensor) and v.is_floating_point():
                    # A let is a leaf, even when computed from another let.
                    v = v.detach() if not v.is_leaf else v
                    v.requires_grad_(True)
                    leaves.append(name)
                env[name] = v
        except Exception as e:
            rec["error"] = error(e, "let")
            return rec
        rec["leaves"] = leaves
        try:
            result = eval(case["expr"], env)
        except Exception as e:
            rec["error"] = error(e, "expr")
            return rec
        rec.update(describe(result))
        rec["backward"] = False
        if isinstance(result, torch.Tensor) and result.requires_grad:
            rec["backward"] = True
            try:
                go = case["grad_output"]
                if go is None:
                    result.backward()
                elif go == "ones":
                    result.backward(torch.ones_like(result))
                else:
                    result.backward(to_tensor(eval(go, env)))
            except Exception as e:
                rec["error"] = error(e, "backward")
        # A gradient torch knows to be zero may be an efficient zero tensor (no storage):
        # its values are zeros.
        grads = {n: env[n].grad if env[n].grad is None or not env[n].grad._is_zerotensor()
                 else torch.zeros(env[n].grad.shape, dtype=env[n].grad.dtype) for n in leaves}
        rec["grads"] = {n: None if g is None else enc(g.tolist()) for n, g in grads.items()}
        rec["grad_reprs"] = {n: None if g is None else repr(g) for n, g in grads.items()}
    return rec


def check_cases(cases):
    seen = set()
    for c in cases:
        keys = set(c)
        if not CASE_KEYS <= keys <= CASE_KEYS | OPTIONAL_KEYS:
            raise SystemExit(f"case {c.get('id')!r}: keys {sorted(keys)}")
        if c["id"] in seen:
            raise SystemExit(f"duplicate case id {c['id']!r}")
        if c["dtype"] not in DTYPES:
            raise SystemExit(f"case {c['id']!r}: dtype {c['dtype']!r}")
        seen.add(c["id"])


def comparable(rec):
    return {k: rec.get(k) for k in ("repr", "grad_reprs", "error")}


def main():
    torch.set_num_threads(1)
    torch.set_printoptions(profile="default")
    cases = json.loads(CASES.read_text())
    check_cases(cases)
    golden = {"_meta": {"torch": torch.__version__, "seed": SEED,
                        "generator": "tests/golden/make_eval_golden.py"}}
    names = {}
    problems = []
    only = set(sys.argv[sys.argv.index("--only") + 1:]) if "--only" in sys.argv else None
    if only is not None:
        unknown = only - {c["id"] for c in cases}
        if unknown:
            raise SystemExit(f"no such cases: {sorted(unknown)}")
        kept = json.loads(GOLDEN.read_text())
        names = json.loads(GRAD_FN_NAMES.read_text())
    for case in cases:
        if only is not None and case["id"] not in only:
            golden[case["id"]] = kept[case["id"]]
            continue
        names.pop(case["id"], None)
        rec = evaluate(case, SEED)
        again = evaluate(case, CHECK_SEED)
        if not case["random"] and comparable(rec) != comparable(again):
            problems.append(f"{case['id']}: depends on the seed but is not marked random")
        if case["random"] and comparable(rec) == comparable(again) and "error" not in rec:
            problems.append(f"{case['id']}: marked random but does not depend on the seed")
        golden[case["id"]] = rec
        fn = rec.get("grad_fn")
        if fn is None and rec.get("type") == "tuple":
            fn = next((e["grad_fn"] for e in rec["value"] if e.get("grad_fn")), None)
        if fn is not None:
            names[case["id"]] = fn
    torch.set_default_dtype(torch.float32)
    if problems:
        raise SystemExit("\n".join(problems))
    body = ",\n".join(f"{json.dumps(k)}: {json.dumps(v, allow_nan=False)}"
                      for k, v in golden.items())
    GOLDEN.write_text("{\n" + body + "\n}\n")
    GRAD_FN_NAMES.write_text(json.dumps(dict(sorted(names.items())), indent=1) + "\n")
    TORCH_NAMESPACES.write_text(json.dumps(torch_namespaces(), indent=1) + "\n")
    errors = sum("error" in r for k, r in golden.items() if k != "_meta")
    print(f"{len(cases)} cases ({errors} raising in torch), "
          f"{len(set(names.values()))} distinct grad_fn names -> {GOLDEN.name}, "
          f"{GRAD_FN_NAMES.name}", file=sys.stderr)


if __name__ == "__main__":
    main()
