"""Shared by the tests: reading golden JSON numbers, and op-table gradient-check inputs."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from gradcli.engine.ops import GradCheck


def golden_array(v: Any) -> np.ndarray:
    """Nested lists from golden JSON, with "NaN"/"Infinity"/"-Infinity" strings, as floats."""
    def fix(x: Any) -> Any:
        if isinstance(x, list):
            return [fix(i) for i in x]
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(x, x)

    return np.asarray(fix(v), dtype=float)


def check_inputs(check: GradCheck, seed: int) -> dict[str, np.ndarray]:
    """float64 values for a GradCheck's variables, drawn from its domain."""
    rng = np.random.default_rng(seed)
    out = {}
    for name, shape in check.shapes.items():
        n = int(np.prod(shape))
        if check.domain == "positive":
            v = rng.uniform(0.5, 2.0, n)
        elif check.domain == "unit":
            v = rng.uniform(-0.9, 0.9, n)
        elif check.domain == "probability":
            v = rng.uniform(0.1, 0.9, n)
        elif check.domain == "above_one":
            v = rng.uniform(1.2, 3.0, n)
        elif check.domain == "distinct":
            # Well separated, so that max/min/clamp/abs are smooth at every point.
            v = rng.permutation(n) * 0.37 - n * 0.15 + rng.uniform(0.05, 0.1, n)
        else:
            v = rng.normal(size=n)
        out[name] = v.reshape(shape)
    return out


def central_difference(f: Any, values: dict[str, np.ndarray], var: str, eps: float) -> np.ndarray:
    """d f / d values[var] by central differences; f maps a dict of arrays to a float."""
    base = values[var]
    out = np.zeros_like(base)
    for idx in np.ndindex(base.shape):
        hi = {k: v.copy() for k, v in values.items()}
        lo = {k: v.copy() for k, v in values.items()}
        hi[var][idx] += eps
        lo[var][idx] -= eps
        out[idx] = (f(hi) - f(lo)) / (2 * eps)
    return out
