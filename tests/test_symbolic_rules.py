"""Every op's symbolic derivative rule, evaluated in float64, equals the engine's VJP.

The cases are the op table's own gradient checks plus broadcasting and rank cases below; a
rule is applied as ``gradcli diff`` applies it (its value summed back to the argument's shape).
"""

from __future__ import annotations

import numpy as np
import pytest

from gradcli.engine import Tensor
from gradcli.engine.ops import OPS
from gradcli.symbolic import expr as X
from gradcli.symbolic.differentiate import sum_to
from gradcli.symbolic.reader import Unsupported, read
from gradcli.symbolic.rules import local_gradient

#: More cases per op: broadcasting, every matmul rank pair, dims and keepdim.
EXTRA: dict[str, list[tuple[str, dict[str, tuple[int, ...]], str]]] = {
    "add": [("add(a, b, alpha=2)", {"a": (2, 3), "b": (3,)}, "real")],
    "sub": [("a - b", {"a": (2, 1, 3), "b": (4, 1)}, "real")],
    "mul": [("a * b", {"a": (), "b": (2, 3)}, "real")],
    "div": [("a / b", {"a": (2, 3), "b": (2, 1)}, "positive")],
    "pow": [("a ** b", {"a": (2, 3), "b": (3,)}, "positive"), ("a ** 0.5", {"a": (3,)}, "positive")],
    "remainder": [("a % b", {"a": (3,), "b": (3,)}, "positive")],
    "to": [("to(a, float32)", {"a": (3,)}, "real")],
    "float": [("a.float()", {"a": (3,)}, "real")],
    "double": [("a.double()", {"a": (3,)}, "real")],
    "matmul": [("a @ b", {"a": (4,), "b": (4,)}, "real"),
               ("a @ b", {"a": (2, 3), "b": (3, 4)}, "real"),
               ("a @ b", {"a": (3,), "b": (2, 3, 4)}, "real"),
               ("a @ b", {"a": (2, 4, 3), "b": (3,)}, "real"),
               ("a @ b", {"a": (2, 1, 4, 3), "b": (5, 3, 2)}, "real")],
    "sum": [("sum(a, (0, 2))", {"a": (2, 3, 4)}, "real"),
            ("sum(a, -1, keepdim=True)", {"a": (2, 3)}, "real")],
    "mean": [("mean(a, (0, 1), keepdim=True)", {"a": (2, 3, 2)}, "real")],
    "prod": [("prod(a, 1, keepdim=True)", {"a": (3, 4)}, "positive")],
    "amax": [("amax(a, (0, 1))", {"a": (2, 3)}, "distinct"), ("amax(a)", {"a": (2, 3)}, "distinct")],
    "norm": [("norm(a, dim=0, keepdim=True)", {"a": (3, 4)}, "real"),
             ("norm(a, p=3, dim=1)", {"a": (3, 4)}, "real")],
    "logsumexp": [("logsumexp(a, 0)", {"a": (5,)}, "real"),
                  ("logsumexp(a, (0, 1), keepdim=True)", {"a": (2, 3)}, "real")],
    "softmax": [("softmax(a, 0)", {"a": (3, 4)}, "real"), ("softmax(a, 0)", {"a": (5,)}, "real")],
    "log_softmax": [("log_softmax(a, -1)", {"a": (2, 3, 4)}, "real")],
    "clamp": [("clamp(a, min=0.1)", {"a": (5,)}, "distinct"), ("clamp(a, max=0.1)", {"a": (5,)}, "distinct")],
    "permute": [("permute(a, 2, 0, 1)", {"a": (2, 3, 4)}, "real")],
    "squeeze": [("squeeze(a)", {"a": (1, 3, 1)}, "real")],
    "transpose": [("transpose(a, 0, 2)", {"a": (2, 3, 4)}, "real")],
    "where": [("where(c > 0, a, b)", {"c": (3,), "a": (2, 3), "b": ()}, "real")],
    "abs": [("abs(a)", {"a": (4,)}, "real")],
    "relu": [("relu(a)", {"a": (4,)}, "real")],
    "inv": [("inv(a)", {"a": (2, 3, 3)}, "real")],
    "logdet": [("logdet(a)", {"a": (4, 4)}, "positive"), ("logdet(a)", {"a": (3, 3)}, "positive")],
    "solve": [("solve(a, b)", {"a": (2, 3, 3), "b": (2, 3, 2)}, "real")],
}
#: Functions of sequences, and max/min along a dim (a tuple result): diff says so.
UNSUPPORTED = {"cat", "stack", "max(a, 1)[0]", "min(a, 0)[0]"}


def _cases() -> list[tuple[str, str, dict[str, tuple[int, ...]], str]]:
    out = []
    for name, spec in OPS.items():
        if not spec.rules:
            continue
        checks = [(c.expr, dict(c.shapes), c.domain) for c in spec.checks] + EXTRA.get(name, [])
        assert checks, f"{name} has a rule and no case to test it"
        out.extend((name, *case) for case in checks)
    return out


def _values(shapes: dict[str, tuple[int, ...]], domain: str, rng: np.random.Generator):
    out = {}
    for name, shape in shapes.items():
        if domain == "positive":
            out[name] = rng.uniform(0.5, 2.0, shape)
        elif domain == "unit":
            out[name] = rng.uniform(-0.9, 0.9, shape)
        elif domain == "probability":
            out[name] = rng.uniform(0.1, 0.9, shape)
        elif domain == "above_one":
            out[name] = rng.uniform(1.2, 3.0, shape)
        elif domain == "distinct":
            n = int(np.prod(shape))
            out[name] = (rng.permutation(n) * 0.37 - 0.8).reshape(shape)
        else:
            out[name] = rng.standard_normal(shape)
    return out


@pytest.mark.parametrize(("op", "text", "shapes", "domain"), _cases(),
                         ids=[f"{c[0]}:{c[1]}:{c[2]}" for c in _cases()])
def test_rule_equals_the_vjp(op: str, text: str, shapes: dict, domain: str) -> None:
    rng = np.random.default_rng(7)
    values = _values(shapes, domain, rng)
    variables = {name: X.var(name, shape) for name, shape in shapes.items()}
    if op in UNSUPPORTED or text in UNSUPPORTED:
        with pytest.raises(Unsupported):
            read(text, dict(variables))
        return
    node = read(text, dict(variables))
    assert node.op == op or (op, node.op) in {("float", "to"), ("double", "to")}, node.op
    seed_values = rng.standard_normal(node.shape)
    seed = X.var("grad__", node.shape)
    symbolic: dict[str, np.ndarray] = {}
    env = {name: Tensor(v) for name, v in values.items()}
    env["grad__"] = Tensor(seed_values)
    for i, arg in enumerate(node.args):
        if arg.op != X.VAR:
            continue
        part = X.evaluate(sum_to(local_gradient(node, i, seed), arg.shape), env).data
        symbolic[arg.name] = symbolic.get(arg.name, 0) + np.broadcast_to(part, arg.shape)
    assert symbolic, "no argument is a variable"
    leaves = {name: Tensor(v.copy()).requires_grad_() for name, v in values.items()}
    out = X.evaluate(node, leaves)
    out.backward(Tensor(seed_values))
    for name, got in symbolic.items():
        want = leaves[name].grad
        want = np.zeros(values[name].shape) if want is None else want.data
        np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-9, err_msg=f"{op} d/d{name}")


#: Differentiable functions with no symbolic rule (diff refuses them by name): dropout's mask
#: is random; cat and stack take sequences; nll_loss and cross_entropy pick by class index;
#: diagonal and diag scatter onto a diagonal; slogdet gives a pair; matrix_norm is by cases;
#: gather, index_select, sort and topk pick by index; split, chunk and unbind give sequences;
#: repeat and tile sum over copies; einsum takes a sequence of operands; svdvals' gradient
#: needs the singular vectors, which no function of the language gives.
NO_RULE = ["einsum", "cat", "stack", "slogdet", "matrix_norm", "nll_loss", "cross_entropy", "diagonal",
           "diag", "dropout", "gather", "index_select", "sort", "topk", "split", "chunk",
           "unbind", "repeat", "tile", "svdvals",
           # in place: eval and jacobian take them; diff reads expressions, not writes
           "add_", "sub_", "mul_", "div_", "clamp_",
           # a method whose argument is a tensor it only reads the shape of
           "expand_as"]


def test_every_differentiable_op_has_a_rule() -> None:
    """An op that records a backward node and has no rule makes diff fail: only these."""
    missing = [name for name, spec in OPS.items() if spec.grad_fn and not spec.rules
               and spec.category not in ("autograd", "comparison", "creation")
               and name not in ("long", "int", "bool", "argmax", "argmin", "floor_divide")]
    assert sorted(missing) == sorted(NO_RULE)


@pytest.mark.parametrize("text", ["sum(dropout(x, 0.5))", "sum(cat((x, x)))"])
def test_functions_without_a_rule_are_refused_by_name(text: str) -> None:
    with pytest.raises(Unsupported, match="dropout|cat"):
        local_gradient(read(text, {"x": X.var("x", (3,))}).args[0], 0, X.var("g", (3,)))


def test_the_derivative_column_is_made_of_the_rules() -> None:
    assert OPS["sin"].derivative == "grad * cos(input)"
    assert OPS["mul"].derivative == "d/dinput = grad * other; d/dother = grad * input"
    assert OPS["detach"].derivative == "not differentiable"


def test_a_function_without_a_rule_is_an_error_naming_it() -> None:
    x = X.var("x", (3,))
    node = read("floor_divide(x, 2.0)", {"x": x})
    with pytest.raises(Unsupported, match="floor_divide"):
        local_gradient(node, 0, X.var("g", (3,)))
