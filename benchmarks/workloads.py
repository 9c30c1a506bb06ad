"""The big-tensor workloads of issue 6, written once per engine.

Every implementation computes the value and the gradient with respect to every input (the
gradcli interpreter makes every floating --let a leaf that requires grad, so the others do the
same) and returns them; ``as_numpy`` turns a result into (float value, [numpy gradients]) to
check it against hand-written numpy.

Sizes: ``n`` is the number of elements of the big input. The element-wise workloads take one
vector ``x`` of n elements. The matmul workloads take ``X`` of shape (n // K, K) with K = 32,
so that X, X @ W and the element-wise work after it all have n elements, as in the element-wise
workloads; the matrix products add 2*K*n flops per product (``sum(tanh(X @ W))``: three
products, forward and two in backward, W is (K, K)); ``mean((X @ w - y)**2)`` is a
matrix-vector product over the n elements of X (w is (K,), y is (n // K,)).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Inner dimension of the matmul workloads (see the module docstring).
K = 32
#: Groups of (sin, * x, + 0.5, tanh) in the 20-op chain.
CHAIN_GROUPS = 5


def _chain_expr() -> str:
    y = "x"
    for _ in range(CHAIN_GROUPS):
        y = f"tanh(sin({y}) * x + 0.5)"
    return f"sum({y})"


@dataclass(frozen=True)
class Workload:
    name: str
    expr: str
    #: Input names and shapes for a size n.
    shapes: Callable[[int], dict[str, tuple[int, ...]]]


def _vec(n: int) -> dict[str, tuple[int, ...]]:
    return {"x": (n,)}


def _rows(n: int) -> int:
    return max(1, n // K)


WORKLOADS: dict[str, Workload] = {w.name: w for w in (
    Workload("elementwise", "sum(exp(x)*sin(x) + x**2)", _vec),
    Workload("dot", "2*dot(x,x)", _vec),
    Workload("matmul_tanh", "sum(tanh(X @ W))", lambda n: {"X": (_rows(n), K), "W": (K, K)}),
    Workload("mse", "mean((X @ w - y)**2)",
             lambda n: {"X": (_rows(n), K), "w": (K,), "y": (_rows(n),)}),
    Workload("chain20", _chain_expr(), _vec),
)}


def make_inputs(workload: str, n: int, dtype: str, seed: int = 0) -> dict[str, np.ndarray]:
    """Uniform values in [-1, 1) (W scaled by 1/sqrt(K)), the same for every engine."""
    rng = np.random.default_rng(seed)
    out = {}
    for name, shape in WORKLOADS[workload].shapes(n).items():
        a = rng.uniform(-1.0, 1.0, size=shape)
        if name == "W":
            a /= np.sqrt(K)
        out[name] = a.astype(dtype)
    return out


# -- hand-written numpy: forward and the analytic gradient, as one would write them ---------------

def _np_elementwise(x: np.ndarray) -> tuple[Any, list[np.ndarray]]:
    e = np.exp(x)
    s = np.sin(x)
    value = np.sum(e * s + x**2)
    return value, [e * (s + np.cos(x)) + 2 * x]


def _np_dot(x: np.ndarray) -> tuple[Any, list[np.ndarray]]:
    return 2 * np.dot(x, x), [4 * x]


def _np_matmul_tanh(X: np.ndarray, W: np.ndarray) -> tuple[Any, list[np.ndarray]]:
    t = np.tanh(X @ W)
    value = t.sum()
    g = 1 - t * t
    return value, [g @ W.T, X.T @ g]


def _np_mse(X: np.ndarray, w: np.ndarray, y: np.ndarray) -> tuple[Any, list[np.ndarray]]:
    r = X @ w - y
    value = np.mean(r**2)
    gr = (2 / r.size) * r
    return value, [np.outer(gr, w), gr @ X, -gr]


def _np_chain20(x: np.ndarray) -> tuple[Any, list[np.ndarray]]:
    y = x
    saved = []
    for _ in range(CHAIN_GROUPS):
        s = np.sin(y)
        t = np.tanh(s * x + 0.5)
        saved.append((y, s, t))
        y = t
    value = y.sum()
    g: Any = None
    gx: Any = None
    for y_prev, s, t in reversed(saved):
        g = (1 - t * t) if g is None else g * (1 - t * t)
        gx = g * s if gx is None else gx + g * s
        g = g * x * np.cos(y_prev)
    return value, [gx + g]


NUMPY_FUNCS = {"elementwise": _np_elementwise, "dot": _np_dot, "matmul_tanh": _np_matmul_tanh,
               "mse": _np_mse, "chain20": _np_chain20}


# -- the same formulas on any array module with the usual names ----------------------------------

def _formula(workload: str, m: Any) -> Callable[..., Any]:
    """The forward pass written against module ``m`` (gradcli.engine.ops, torch, autograd.numpy)."""
    if workload == "elementwise":
        return lambda x: m.sum(m.exp(x) * m.sin(x) + x**2)
    if workload == "dot":
        return lambda x: 2 * m.dot(x, x)
    if workload == "matmul_tanh":
        return lambda X, W: m.sum(m.tanh(X @ W))
    if workload == "mse":
        return lambda X, w, y: m.mean((X @ w - y) ** 2)
    if workload == "chain20":
        def chain(x: Any) -> Any:
            y = x
            for _ in range(CHAIN_GROUPS):
                y = m.tanh(m.sin(y) * x + 0.5)
            return m.sum(y)
        return chain
    raise KeyError(workload)


# -- the engines ---------------------------------------------------------------------------------

def _numpy(workload: str, inputs: dict[str, np.ndarray], dtype: str) -> Callable[[], Any]:
    f = NUMPY_FUNCS[workload]
    args = list(inputs.values())
    return lambda: f(*args)


def _gradcli_direct(workload: str, inputs: dict[str, np.ndarray], dtype: str) -> Callable[[], Any]:
    from gradcli.engine import Tensor, dtypes
    from gradcli.engine import ops as E

    dtypes.set_default_float(dtype)
    f = _formula(workload, E)
    arrays = list(inputs.values())

    def run() -> Any:
        leaves = [Tensor(a, requires_grad=True) for a in arrays]
        out = f(*leaves)
        out.backward()
        return out, leaves
    return run


def _gradcli_interp(workload: str, inputs: dict[str, np.ndarray], dtype: str) -> Callable[[], Any]:
    from gradcli.interpreter.evaluate import EvalOptions, Evaluator

    options = EvalOptions(lets=[(name, "@" + name) for name in inputs], dtype=dtype)
    evaluator = Evaluator(options, lambda spec: inputs[spec])
    expr = WORKLOADS[workload].expr
    return lambda: evaluator.evaluate(expr)


def _torch(workload: str, inputs: dict[str, np.ndarray], dtype: str) -> Callable[[], Any]:
    import torch

    f = _formula(workload, torch)
    arrays = list(inputs.values())

    def run() -> Any:
        leaves = [torch.from_numpy(a).requires_grad_() for a in arrays]
        out = f(*leaves)
        out.backward()
        return out, leaves
    return run


def _autograd(workload: str, inputs: dict[str, np.ndarray], dtype: str) -> Callable[[], Any]:
    import autograd.numpy as anp
    from autograd import value_and_grad

    f = _formula(workload, anp)
    vg = value_and_grad(lambda args: f(*args))
    args = tuple(inputs.values())
    return lambda: vg(args)


#: Engine name -> (module that must import, factory).
ENGINES: dict[str, tuple[str | None, Callable[[str, dict[str, np.ndarray], str], Callable[[], Any]]]] = {
    "numpy": (None, _numpy),
    "gradcli": ("gradcli.engine", _gradcli_direct),
    "gradcli-interp": ("gradcli.interpreter.evaluate", _gradcli_interp),
    "torch": ("torch", _torch),
    "autograd": ("autograd", _autograd),
}


def available_engines(wanted: list[str] | None = None) -> tuple[list[str], dict[str, str]]:
    """The engines that import here, and why the others were skipped."""
    import importlib

    ok, skipped = [], {}
    for name, (module, _) in ENGINES.items():
        if wanted is not None and name not in wanted:
            continue
        if module is not None:
            try:
                importlib.import_module(module)
            except ImportError as e:
                skipped[name] = f"not importable: {e}"
                continue
        ok.append(name)
    return ok, skipped


def make_case(engine: str, workload: str, inputs: dict[str, np.ndarray], dtype: str) -> Callable[[], Any]:
    return ENGINES[engine][1](workload, inputs, dtype)


def as_numpy(engine: str, result: Any) -> tuple[float, list[np.ndarray]]:
    """(value, gradients in input order) from what an engine's case returned."""
    if engine == "numpy":
        value, grads = result
        return float(value), list(grads)
    if engine == "gradcli":
        out, leaves = result
        return float(out.data), [t.grad.data for t in leaves]
    if engine == "gradcli-interp":
        return float(result.value.data), [g.data for g in result.grads.values()]
    if engine == "torch":
        out, leaves = result
        return float(out.detach()), [t.grad.numpy() for t in leaves]
    if engine == "autograd":
        value, grads = result
        return float(value), [np.asarray(g) for g in grads]
    raise KeyError(engine)


def compare(reference: tuple[float, list[np.ndarray]], other: tuple[float, list[np.ndarray]],
            dtype: str) -> str:
    """'ok', or what differs from the reference (relative error against the largest element)."""
    tol = 2e-3 if dtype == "float32" else 1e-8
    ref_v, ref_g = reference
    v, g = other
    problems = []
    if abs(v - ref_v) > tol * max(1.0, abs(ref_v)):
        problems.append(f"value {v!r} != {ref_v!r}")
    if len(g) != len(ref_g):
        problems.append(f"{len(g)} gradients, expected {len(ref_g)}")
    for i, (a, b) in enumerate(zip(g, ref_g)):
        if a.shape != b.shape or a.dtype != b.dtype:
            problems.append(f"grad {i}: {a.dtype}{a.shape} != {b.dtype}{b.shape}")
            continue
        scale = float(np.max(np.abs(b))) or 1.0
        err = float(np.max(np.abs(a.astype(np.float64) - b))) / scale
        if err > tol:
            problems.append(f"grad {i}: relative error {err:.2g}")
    return "ok" if not problems else "; ".join(problems)
