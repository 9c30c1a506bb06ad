"""Generate double_backward_golden.json: PyTorch's grad_fn of every first derivative.

Run with a Python that has torch 2.13 (never a dependency of gradcli or its tests):

    /path/to/torchenv/bin/python tests/golden/make_double_backward_golden.py

For every gradient check of the op table (an expression over float64 variables, see
engine/ops/table.py GradCheck) that torch can evaluate, with the check's variables drawn as
tests/helpers.py draws them (seed 0), it computes `grad(sum(EXPR), variables,
create_graph=True)` and records, per variable, the derivative's grad_fn class name (null when
it has none) and requires_grad, or that the variable is unused. It does it twice: with the
plain sum, whose constant upstream gradient leaves the derivative of a linear op (a view, an
index, a product by a constant) without a node, and with `sum(EXPR * w)`, `w` one more
variable of the result's shape (id suffix `_w`), which gives every op's backward a node. The
test (tests/test_double_backward.py) asks gradcli the same with `grad(..., create_graph=True)`.
Expressions are evaluated with make_eval_golden.py's name mapping. Deterministic.
"""

import json
import sys
import warnings
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # the op table of this checkout
sys.path.insert(0, str(HERE.parent))  # tests/helpers.py
sys.path.insert(0, str(HERE))  # make_eval_golden

from helpers import check_inputs  # noqa: E402
from make_eval_golden import grad_fn_name, namespace  # noqa: E402

from gradcli.engine.ops import OPS  # noqa: E402

GOLDEN = HERE / "double_backward_golden.json"


def literal(a):
    """A float64 array as a gradcli/torch expression, exactly (repr of each double)."""
    return f"tensor({json.dumps(a.tolist())}, dtype=torch.float64)"


#: The weights' name in the weighted records (not a variable name of any check).
WEIGHTS = "w_"


def record(op, index, check, weighted):
    values = check_inputs(check, 0)
    lets = [[name, literal(v)] for name, v in values.items()]
    rec = {"id": f"{op}_{index}" + ("_w" if weighted else ""), "op": op, "expr": check.expr,
           "lets": lets, "weights": WEIGHTS if weighted else None}
    env = namespace()
    leaves = {n: torch.tensor(v, dtype=torch.float64, requires_grad=True)
              for n, v in values.items()}
    env.update(leaves)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = eval(check.expr, env)
            total = out.sum()
            if weighted:
                w = torch.linspace(0.5, 1.5, out.numel(), dtype=torch.float64).reshape(out.shape)
                lets.append([WEIGHTS, literal(w.numpy())])
                total = (out * w.requires_grad_()).sum()
            grads = torch.autograd.grad(total, list(leaves.values()), create_graph=True,
                                        allow_unused=True)
        except Exception as e:  # gradcli-only spellings, methods torch lacks
            rec["skipped"] = f"{type(e).__name__}: {str(e).splitlines()[0][:120]}"
            return rec
    rec["grads"] = {n: None if g is None else {"grad_fn": grad_fn_name(g),
                                               "requires_grad": g.requires_grad}
                    for n, g in zip(leaves, grads)}
    return rec


def main():
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)
    records = [record(name, i, check, weighted) for name, spec in sorted(OPS.items())
               for i, check in enumerate(spec.checks) if check.second_order
               for weighted in (False, True)]
    torch.set_default_dtype(torch.float32)
    body = ",\n".join(json.dumps(r) for r in records)
    GOLDEN.write_text(f'{{"_meta": {{"torch": "{torch.__version__}", "generator": '
                      f'"tests/golden/make_double_backward_golden.py"}},\n"cases": [\n{body}\n]}}\n')
    skipped = sum("skipped" in r for r in records)
    print(f"{len(records)} checks ({skipped} skipped: torch cannot evaluate them) -> "
          f"{GOLDEN.name}", file=sys.stderr)


if __name__ == "__main__":
    main()
