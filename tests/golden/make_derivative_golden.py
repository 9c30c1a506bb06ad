"""Generate the PyTorch golden data for `gradcli jacobian` and `gradcli hessian`.

Run with a Python that has torch 2.13 (never a dependency of gradcli or its tests):

    /path/to/torchenv/bin/python tests/golden/make_derivative_golden.py

It reads derivative_cases.json and writes derivative_golden.json beside this file: per case
the value and `torch.autograd.functional.jacobian` (block per variable, shape
`output.shape + variable.shape`) or `torch.autograd.functional.hessian` (block per pair of
variables, shape `a.shape + b.shape`). The output is deterministic: two runs give
byte-identical files.
"""

import json
import sys
import warnings
from pathlib import Path

import torch

# The same mapping of gradcli names to torch (and JSON encoding) as the eval generator.
from make_eval_golden import dtype_name, enc, namespace, to_tensor
from torch.autograd.functional import hessian, jacobian

HERE = Path(__file__).resolve().parent
CASES = HERE / "derivative_cases.json"
GOLDEN = HERE / "derivative_golden.json"

SEED = 0
DTYPES = {"float32": torch.float32, "float64": torch.float64}
KINDS = ("jacobian", "hessian")
CASE_KEYS = {"id", "expr", "lets", "dtype", "kind", "wrt"}
OPTIONAL_KEYS = {"note"}
# Tolerance of the generator's own sanity check that torch's hessians are symmetric.
SYM_TOL = {"float32": 1e-5, "float64": 1e-12}


def bind(case):
    """The lets, evaluated in order as make_eval_golden.py does: (environment, floating lets)."""
    env = namespace()
    floating = []
    for name, src in case["lets"]:
        v = to_tensor(eval(src, env))
        if isinstance(v, torch.Tensor) and v.is_floating_point():
            # A let is a leaf, even when computed from another let.
            v = v.detach()
            floating.append(name)
        env[name] = v
    return env, floating


def evaluate(case):
    """Evaluate one case with torch; return its golden record."""
    torch.set_default_dtype(DTYPES[case["dtype"]])
    torch.manual_seed(SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        env, floating = bind(case)
        wrt = case["wrt"] if case["wrt"] is not None else floating
        unknown = [n for n in wrt if n not in floating]
        if unknown:
            raise SystemExit(f"case {case['id']!r}: wrt {unknown} are not floating lets")

        def f(*variables):
            # The variables are torch's inputs; every other let is a constant.
            scope = dict(env)
            scope.update(zip(wrt, variables))
            return eval(case["expr"], scope)

        inputs = tuple(env[n] for n in wrt)
        value = f(*inputs).detach()
        rec = {"expr": case["expr"], "lets": case["lets"], "default_dtype": case["dtype"],
               "kind": case["kind"], "wrt": wrt, "value": enc(value.tolist()),
               "shape": list(value.shape), "dtype": dtype_name(value.dtype)}
        if case["kind"] == "jacobian":
            # A tuple of inputs and a single tensor output: a tuple with one J per input.
            blocks = jacobian(f, inputs)
            rec["jacobian"] = {n: enc(b.tolist()) for n, b in zip(wrt, blocks)}
            rec["jacobian_shapes"] = {n: list(b.shape) for n, b in zip(wrt, blocks)}
            rec["jacobian_dtypes"] = {n: dtype_name(b.dtype) for n, b in zip(wrt, blocks)}
            for n, b in zip(wrt, blocks):
                want = list(value.shape) + list(env[n].shape)
                if list(b.shape) != want:
                    raise SystemExit(f"{case['id']}: J[{n}] has shape {list(b.shape)}, "
                                     f"not {want}")
        else:
            if value.dim() != 0:
                raise SystemExit(f"case {case['id']!r}: a hessian needs a 0-d output")
            # A tuple of inputs: a tuple of tuples, H[i][j] of shape inputs[i] + inputs[j].
            blocks = hessian(f, inputs)
            rec["hessian"] = {a: {b: enc(blocks[i][j].tolist()) for j, b in enumerate(wrt)}
                              for i, a in enumerate(wrt)}
            rec["hessian_shapes"] = {a: {b: list(blocks[i][j].shape) for j, b in enumerate(wrt)}
                                     for i, a in enumerate(wrt)}
            rec["hessian_dtypes"] = {a: {b: dtype_name(blocks[i][j].dtype)
                                         for j, b in enumerate(wrt)}
                                     for i, a in enumerate(wrt)}
            for i, a in enumerate(wrt):
                for j, b in enumerate(wrt):
                    hab = blocks[i][j].reshape(env[a].numel(), env[b].numel())
                    hba = blocks[j][i].reshape(env[b].numel(), env[a].numel())
                    tol = SYM_TOL[case["dtype"]]
                    if not torch.allclose(hab, hba.T, rtol=tol, atol=tol):
                        raise SystemExit(f"{case['id']}: torch's H[{a}][{b}] is not H[{b}][{a}]^T")
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
        if c["kind"] not in KINDS:
            raise SystemExit(f"case {c['id']!r}: kind {c['kind']!r}")
        if c["wrt"] is not None and not (isinstance(c["wrt"], list) and c["wrt"]):
            raise SystemExit(f"case {c['id']!r}: wrt is null or a non-empty list of names")
        seen.add(c["id"])


def main():
    torch.set_num_threads(1)
    cases = json.loads(CASES.read_text())
    check_cases(cases)
    golden = {"_meta": {"torch": torch.__version__, "seed": SEED,
                        "generator": "tests/golden/make_derivative_golden.py"}}
    for case in cases:
        try:
            golden[case["id"]] = evaluate(case)
        except SystemExit:
            raise
        except Exception as e:
            raise SystemExit(f"{case['id']}: torch raised {type(e).__name__}: {e}") from None
    torch.set_default_dtype(torch.float32)
    again = {c["id"]: evaluate(c) for c in cases}
    torch.set_default_dtype(torch.float32)
    if any(again[k] != golden[k] for k in again):
        raise SystemExit("two evaluations of the cases differ")
    body = ",\n".join(f"{json.dumps(k)}: {json.dumps(v, allow_nan=False)}"
                      for k, v in golden.items())
    GOLDEN.write_text("{\n" + body + "\n}\n")
    kinds = [c["kind"] for c in cases]
    print(f"{len(cases)} cases ({kinds.count('jacobian')} jacobian, "
          f"{kinds.count('hessian')} hessian) -> {GOLDEN.name}", file=sys.stderr)


if __name__ == "__main__":
    main()
