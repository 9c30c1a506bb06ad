"""gradcli check and gradcli graph: finite differences against autograd; the graph as data."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol

import numpy as np

from ..engine import Tensor, functional
from ..engine import autograd as A
from ..engine.autograd import Node, run_backward
from ..engine.ops import derivative_of
from ..errors import GradcliError
from ..limits import MAX_EVALS
from ..results import CheckedVariable, CheckResult, GraphNode, GraphResult


class Evaluator(Protocol):
    """What the checks need of interpreter/evaluate.py's Evaluator (which calls them)."""

    bound: dict[str, Any]
    wrt: list[str]

    def run(self, expr: str) -> tuple[Any, dict[str, Tensor], Any]: ...

    def tensor_result(self, value: Any, command: str) -> Tensor: ...

    def differentiating(self) -> AbstractContextManager[None]: ...

WORST = 5


def _columns(sizes: list[int], max_evals: int) -> list[np.ndarray | None]:
    """For each variable, the flat indices of its elements to compare (None: all of them):
    a fixed random sample, sorted, when all would take more than ``max_evals`` evaluations."""
    if 2 * sum(sizes) <= max_evals:
        return [None] * len(sizes)
    share = max(1, max_evals // (2 * max(1, len(sizes))))
    rng = np.random.default_rng(0)  # the same sample every run
    return [None if size <= share else np.sort(rng.choice(size, share, replace=False))
            for size in sizes]


def gradient_check(ev: Evaluator, expr: str, eps: float, atol: float, rtol: float,
                   max_evals: int = MAX_EVALS) -> CheckResult:
    """Compare the autograd Jacobian with central differences, element by element, in float64
    (a sample of the elements when all would take more than ``max_evals`` evaluations)."""
    with ev.in_default_float("float64"):
        saved = dict(ev.bound)
        try:
            ev.bound = {n: v.astype(np.float64) if v.dtype.kind == "f" else v for n, v in saved.items()}
            value, variables, _ = ev.run(expr)
            value = ev.tensor_result(value, "check")
            names = [n for n in ev.wrt if n in variables]
            with ev.differentiating():
                analytic = functional.jacobian(value, [variables[n] for n in names])

            def f(arrays: list[np.ndarray]) -> np.ndarray:
                ev.bound.update(zip(names, arrays))
                out, _, _ = ev.run(expr)
                return np.asarray(out.data, dtype=np.float64)

            base = [ev.bound[n].copy() for n in names]
            columns = _columns([b.size for b in base], max_evals)
            numeric = functional.numeric_jacobian(
                f, base, eps, None if all(c is None for c in columns)
                else [np.arange(b.size) if c is None else c for b, c in zip(base, columns)])
        finally:
            ev.bound = saved
    checked = {}
    for n, a, b, x, cols in zip(names, analytic, numeric, base, columns):
        if cols is not None or b.shape != a.shape:  # sampled: the analytic columns alike
            out_shape = a.shape[:a.ndim - x.ndim]
            picked = np.arange(x.size) if cols is None else cols
            a = a.reshape(out_shape + (x.size,))[..., picked]
        checked[n] = _compare(a, b, atol, rtol, x.shape, cols)
    return CheckResult(expr, all(c.ok for c in checked.values()), checked, eps, atol, rtol)


def _compare(analytic: np.ndarray, numeric: np.ndarray, atol: float, rtol: float,
             shape: tuple[int, ...], columns: np.ndarray | None) -> CheckedVariable:
    """``columns`` None: the blocks are output.shape + shape; else output.shape + (k,), the
    k sampled elements of the variable (flat indices ``columns``)."""
    err = np.abs(analytic - numeric)
    rel = err / np.maximum(np.abs(numeric), 1e-12)
    # NaN on either side is a failure unless both are NaN at the same place.
    both_nan = np.isnan(analytic) & np.isnan(numeric)
    bad = ~(err <= atol + rtol * np.abs(numeric)) & ~both_nan
    worst_first = np.argsort(-np.nan_to_num(err, nan=np.inf), axis=None)[:WORST]
    worst = [(_index(k, err.shape, shape, columns),
              float(analytic.flat[k]), float(numeric.flat[k]), float(err.flat[k]))
             for k in worst_first]
    compared = ~both_nan  # a NaN error elsewhere is the maximum: it is why the check fails
    size = int(np.prod(shape))
    return CheckedVariable(
        max_abs_err=float(np.max(err[compared], initial=0.0)),
        max_rel_err=float(np.max(rel[compared], initial=0.0)),
        ok=not bool(bad.any()), worst=worst, elements=size,
        sample=None if columns is None else [
            tuple(int(i) for i in np.unravel_index(int(j), shape)) for j in columns])


def _index(k: int, err_shape: tuple[int, ...], shape: tuple[int, ...],
           columns: np.ndarray | None) -> tuple[int, ...]:
    """The (output index + variable index) of flat position ``k`` of an error block."""
    at = np.unravel_index(k, err_shape)
    if columns is None:
        return tuple(int(i) for i in at)
    out, j = at[:-1], int(columns[at[-1]])
    return tuple(int(i) for i in out) + tuple(int(i) for i in np.unravel_index(j, shape))


def build_graph(ev: Evaluator, expr: str) -> GraphResult:
    """Evaluate ``expr`` keeping every node's value, backpropagate, and list the graph."""
    A.KEEP_VALUES[0] = True
    try:
        value, variables, _ = ev.run(expr)
    finally:
        A.KEEP_VALUES[0] = False
    if not isinstance(value, Tensor):
        raise GradcliError("type", f"graph needs a tensor result, not {type(value).__name__}")
    names = {id(t): n for n, t in variables.items()}
    grads: dict[Node, np.ndarray] = {}

    def note(node: Node, g: Tensor, outs: object) -> None:
        grads[node] = g.data

    if value.requires_grad:
        seed = Tensor(np.ones_like(value.data))
        with ev.differentiating():
            run_backward([value], [seed], on_step=note)
    return _graph_of(expr, value, names, grads)


def _graph_of(expr: str, value: Tensor, names: dict[int, str],
              grads: dict[Node, np.ndarray]) -> GraphResult:
    ids: dict[int, str] = {}
    nodes: list[GraphNode] = []

    def node_id(obj: object) -> str:
        key = id(obj)
        if key not in ids:
            ids[key] = f"n{len(ids)}"
        return ids[key]

    if value.grad_fn is None:
        label = names.get(id(value), "result")
        nodes.append(GraphNode(node_id(value), "leaf" if value.requires_grad else "constant",
                               label, tuple(value.data.shape), value.data.dtype.name,
                               value.data, value.grad.data if value.grad is not None else None))
        return GraphResult(expr, nodes, nodes[0].id)
    seen: set[int] = set()
    # A piece of split, chunk or unbind is drawn as the node the pieces share (its owner).
    stack: list[Node | Tensor] = [getattr(value.grad_fn, "owner", value.grad_fn)]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, Node):
            inputs = [getattr(e, "owner", e) for e in item.edges if e is not None]
            nodes.append(GraphNode(
                node_id(item), "op", item.name, tuple(item.out_meta[0]), item.out_meta[1].name,
                item.value, grads.get(item), [node_id(e) for e in inputs], derivative_of(item.name)))
            stack.extend(reversed(inputs))
        else:
            nodes.append(GraphNode(
                node_id(item), "leaf", names.get(id(item), "leaf"), tuple(item.data.shape),
                item.data.dtype.name, item.data, None if item.grad is None else item.grad.data))
    return GraphResult(expr, nodes, nodes[0].id)
