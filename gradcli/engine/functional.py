"""Derivatives built on the engine: jacobian, hessian (reverse over reverse), finite differences."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .autograd import run_backward
from .errors import grad_error
from .ops import check_numel
from .tensor import Tensor


def _unit(t: Tensor, i: int) -> Tensor:
    seed = np.zeros(t.data.shape, dtype=t.data.dtype)
    seed.flat[i] = 1
    return Tensor(seed)


def jacobian(output: Tensor, inputs: Sequence[Tensor]) -> list[np.ndarray]:
    """d(output)/d(input) for each input, of shape ``output.shape + input.shape``.

    One vector-Jacobian product per output element, through one retained graph. An input the
    output does not depend on gets zeros.
    """
    n = output.data.size
    for x in inputs:
        check_numel((n,) + x.data.shape, "jacobian")
    blocks = [np.zeros((n,) + x.data.shape, dtype=x.data.dtype) for x in inputs]
    if output.requires_grad:
        for i in range(n):
            grads = run_backward([output], [_unit(output, i)], retain_graph=True, inputs=inputs)
            assert grads is not None
            for block, g in zip(blocks, grads):
                if g is not None:
                    block[i] = g.data
    return [b.reshape(output.data.shape + x.data.shape) for b, x in zip(blocks, inputs)]


def hessian(output: Tensor, inputs: Sequence[Tensor]) -> list[list[np.ndarray]]:
    """Second derivatives of a scalar: block [a][b] has shape ``a.shape + b.shape``.

    Reverse over reverse: the first backward runs with ``create_graph`` so that the gradient is
    itself a function on the graph; each of its elements is then differentiated. Where the
    gradient does not depend on the inputs (a linear function) the block is zeros.
    """
    if output.data.size != 1:
        raise grad_error(
            f"hessian needs a scalar output, but the result has shape {tuple(output.data.shape)}",
            hint="reduce it, e.g. sum(...), or use jacobian for vector outputs")
    for a in inputs:
        for b in inputs:
            check_numel(a.data.shape + b.data.shape, "hessian")
    blocks = [[np.zeros(a.data.shape + b.data.shape, dtype=a.data.dtype) for b in inputs]
              for a in inputs]
    if not output.requires_grad:
        return blocks
    first = run_backward([output], [Tensor(np.ones_like(output.data))], retain_graph=True,
                         create_graph=True, inputs=inputs)
    assert first is not None
    for row, (x, g) in enumerate(zip(inputs, first)):
        if g is None or not g.requires_grad:
            continue
        flat = [blk.reshape((x.data.size, -1)) for blk in blocks[row]]
        for i in range(x.data.size):
            second = run_backward([g], [_unit(g, i)], retain_graph=True, inputs=inputs)
            assert second is not None
            for col, s in enumerate(second):
                if s is not None:
                    flat[col][i] = s.data.reshape(-1)
    return blocks


def numeric_jacobian(f: Callable[[list[np.ndarray]], np.ndarray], values: list[np.ndarray],
                     eps: float, columns: Sequence[np.ndarray] | None = None) -> list[np.ndarray]:
    """Central finite differences of ``f`` at ``values``, one block per input: of shape
    ``output.shape + input.shape``, or with ``columns`` (flat indices of each input's
    elements to vary) ``output.shape + (len(columns[k]),)``: two calls of ``f`` per column."""
    base = np.asarray(f(values))
    out = []
    for k, v in enumerate(values):
        cols = np.arange(v.size) if columns is None else columns[k]
        flat = np.zeros((base.size, len(cols)), dtype=np.float64)
        for c, j in enumerate(cols):
            hi = list(values)  # only input k changes: the others are not copied
            lo = list(values)
            hi[k] = v.copy()
            lo[k] = v.copy()
            hi[k].flat[j] += eps
            lo[k].flat[j] -= eps
            diff = (np.asarray(f(hi), dtype=np.float64) - np.asarray(f(lo), dtype=np.float64))
            flat[:, c] = diff.reshape(-1) / (2 * eps)
        out.append(flat.reshape(base.shape + (v.shape if columns is None else (len(cols),))))
    return out
