"""The numerical check: a derivative evaluated in float64 against autograd's numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine import Tensor
from . import expr as X
from .expr import Node


@dataclass
class Check:
    ok: bool
    max_abs_err: float
    got: np.ndarray
    want: np.ndarray


def compare(node: Node, values: dict[str, np.ndarray], want: np.ndarray,
            expand_to: tuple[int, ...] | None = None) -> Check:
    """``node`` at ``values`` against ``want`` (autograd's, same shape)."""
    env = {name: Tensor(np.asarray(v, dtype=np.float64) if v.dtype.kind == "f" else v)
           for name, v in values.items()}
    with np.errstate(all="ignore"):
        got = np.asarray(X.evaluate(node, env).data, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if expand_to is not None:
        got = np.broadcast_to(got, expand_to)
    if got.shape != want.shape:
        return Check(False, float("inf"), got, want)
    ok = bool(np.allclose(got, want, rtol=1e-7, atol=1e-9, equal_nan=True))
    with np.errstate(all="ignore"):
        diff = np.abs(got - want)
    diff = diff[~(np.isnan(got) & np.isnan(want))]
    err = float(np.nanmax(diff)) if diff.size else 0.0
    if not np.isfinite(err) and ok:
        err = 0.0
    return Check(ok, err, got, want)


class Disagreement(Exception):
    """A derivative that autograd contradicts: gradcli's bug, never printed as an answer."""

    def __init__(self, name: str, node: Node, check: Check) -> None:
        self.name, self.node, self.check = name, node, check
        super().__init__(
            f"the symbolic derivative d/d{name} disagrees with autograd (max abs error "
            f"{check.max_abs_err:.3g})\n  symbolic: {_short(check.got)}\n"
            f"  autograd: {_short(check.want)}")


def _short(a: Any) -> str:
    return np.array2string(np.asarray(a), precision=6, threshold=20)
