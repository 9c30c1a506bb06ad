"""``gradcli plot``: f, f' and f'' of element-wise expressions at every point of a range.

Each expression is evaluated once on the whole range (the free variable is a leaf vector),
and one backward pass with a cotangent of ones gives f' at every point: for an element-wise
expression the Jacobian is diagonal, so its vector-Jacobian product with ones is that
diagonal. f'' differentiates that backward pass (``create_graph``), as ``hessian`` does.
Whether the expression is element-wise is checked, never assumed: a second backward pass
with a random cotangent must give the same diagonal (no point's slope reaches another
point), and values at half the points must not move when the other half of the points
change (no point's value depends on another point, even where no gradient flows).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..engine import Tensor, dtypes, no_grad
from ..engine import ops as E
from ..engine.autograd import run_backward
from ..errors import GradcliError
from ..results import PlotCurve, PlotResult, Tangent

if TYPE_CHECKING:
    from .evaluate import Evaluator

#: The default range of ``--x``.
DEFAULT_RANGE = "x=-5:5:201"
#: How closely the checks' two answers must agree, relative to the values' size (float64;
#: the same arithmetic in another order differs by a few units in the last place).
RTOL = 1e-9


def parse_range(spec: str) -> tuple[str, np.ndarray]:
    """``NAME=START:STOP[:N]`` (N points, both ends included; 201 by default)."""
    hint = "e.g. --x x=-5:5 or --x t=0:6.3:400 (NAME=START:STOP[:N], N points from START to STOP)"
    name, sep, rest = spec.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise GradcliError("usage", f"--x needs NAME=START:STOP[:N], got {spec!r}", hint=hint)
    parts = rest.split(":")
    if len(parts) not in (2, 3):
        raise GradcliError("usage", f"--x {spec}: the range needs START:STOP or START:STOP:N",
                           hint=hint)
    try:
        start, stop = float(parts[0]), float(parts[1])
    except ValueError:
        raise GradcliError("usage", f"--x {spec}: START and STOP must be numbers",
                           hint=hint) from None
    if not (math.isfinite(start) and math.isfinite(stop)) or start >= stop:
        raise GradcliError("usage", f"--x {spec}: START must be less than STOP, both finite",
                           hint=hint)
    count = 201
    if len(parts) == 3:
        try:
            count = int(parts[2])
        except ValueError:
            raise GradcliError("usage", f"--x {spec}: N must be a whole number of points",
                               hint=hint) from None
        if count < 2:
            raise GradcliError("usage", f"--x {spec}: N must be at least 2 points", hint=hint)
    if count > E.LIMITS["max_elements"]:
        raise GradcliError("limit", f"--x {spec}: {count} points are more than --max-elements "
                           f"allows ({E.LIMITS['max_elements']})",
                           hint="use fewer points, or raise --max-elements")
    return name, np.linspace(start, stop, count)


def plot_points(ev: Evaluator, exprs: list[str], name: str, x: np.ndarray, order: int,
                tangent: float | None, seed: int) -> PlotResult:
    """Every expression's curve over ``x`` (the values of the free variable ``name``)."""
    if name in ev.bound:
        raise GradcliError("usage", f"{name} is the free variable of --x, so it cannot be a "
                           "--let too", hint=f"drop --let {name}=..., or plot over another "
                           "variable with --x NAME=START:STOP")
    x = x.astype(dtypes.default_float())
    curves = []
    for expr in exprs:
        points = _Points(ev, expr, name, seed)
        f, df, d2f = points.derivatives(x, order, check=True)
        at = None
        if tangent is not None:
            y0, slope, _ = points.derivatives(np.array([tangent], dtype=x.dtype), 1, check=False)
            if not (np.isfinite(y0[0]) and np.isfinite(slope[0])):
                raise points.error("value", f"the tangent at {name} = {tangent:g} is undefined: "
                                   f"f = {y0[0]}, f' = {slope[0]} there",
                                   "choose a point where the function and its slope are finite")
            at = Tangent(float(tangent), float(y0[0]), float(slope[0]))
        curves.append(PlotCurve(expr, f, df, d2f, at))
    return PlotResult(name, x, curves, order)


class _Points:
    """One expression evaluated at arrays of points of its free variable."""

    def __init__(self, ev: Evaluator, expr: str, name: str, seed: int) -> None:
        self.ev, self.expr, self.name, self.seed = ev, expr, name, seed

    def error(self, kind: str, message: str, hint: str) -> GradcliError:
        return GradcliError(kind, message, line=1, column=1, source=self.expr,
                            end_column=len(self.expr) + 1, hint=hint)

    def evaluate(self, x: np.ndarray) -> tuple[Tensor, Tensor]:
        """The value at ``x`` (same random numbers each time) and the free variable's leaf."""
        x.flags.writeable = False
        self.ev.bound[self.name] = x
        E.manual_seed(self.seed)
        try:
            value, variables, _ = self.ev.run(self.expr)
        finally:
            del self.ev.bound[self.name]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = Tensor(np.array(value, dtype=x.dtype))  # a constant: f' = 0
        value = self.ev._tensor_result(value, "plot")
        n = x.shape[0]
        if value.data.shape != (n,) and value.data.size != 1:
            raise self.error(
                "shape", f"plot needs one value per point of {self.name}: the result has "
                f"shape {tuple(value.data.shape)}, but {self.name} has shape ({n},)",
                "the expression must be element-wise in the free variable, like sin(x) or "
                "a*x**2 + b; a reduction such as sum(x) or a broadcast changes the shape")
        return value, variables[self.name]

    def derivatives(self, x: np.ndarray, order: int, check: bool
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """f, f' and (order 2) f'' at every point of ``x``; with ``check``, refuse an
        expression that is not element-wise in the free variable."""
        value, leaf = self.evaluate(x)
        n = x.shape[0]
        scalar = value.data.shape != (n,)
        f = _per_point(value.data, n).astype(x.dtype)
        df = np.zeros(n, dtype=x.dtype)
        d2f = np.zeros(n, dtype=x.dtype) if order == 2 else None
        if value.requires_grad:
            with self.ev.differentiating():
                ones = Tensor(np.ones_like(value.data))
                first = _grad(value, ones, leaf, create_graph=order == 2)
                if first is not None:
                    df = first.data.astype(x.dtype)
                    if scalar and check and np.any(df != 0):
                        raise self._mixed(f"its value is one number computed from all the points "
                                          f"of {self.name}")
                    if d2f is not None and first.requires_grad:
                        second = _grad(first, Tensor(np.ones_like(first.data)), leaf)
                        if second is not None:
                            d2f = second.data.astype(x.dtype)
                    if check:
                        self._check_jacobian(value, leaf, df)
        if check:
            self._check_values(x, f)
        return f, df, d2f

    def _mixed(self, why: str) -> GradcliError:
        return self.error(
            "value", f"{self.expr} is not element-wise in {self.name}: {why}, so there is no "
            f"curve f({self.name}) to draw",
            f"plot draws f({self.name}) point by point; reductions (sum, mean, norm), softmax, "
            "indexing and matrix products mix the points")

    def _check_jacobian(self, value: Tensor, leaf: Tensor, df: np.ndarray) -> None:
        """The Jacobian is diagonal: a random cotangent v gives v * f' (else some point's
        slope reaches another point)."""
        rng = np.random.default_rng(len(df))
        v = rng.uniform(0.5, 1.5, size=value.data.shape).astype(value.data.dtype)
        got = _grad(value, Tensor(v), leaf)
        got_data = np.zeros_like(df) if got is None else got.data
        if not _agree(got_data, v * df):
            raise self._mixed(f"the slope of one point depends on other points of {self.name} "
                              "(its Jacobian is not diagonal)")

    def _check_values(self, x: np.ndarray, f: np.ndarray) -> None:
        """The value at each point does not move when every other point moves (a dependence
        no gradient shows: x / max(x).detach(), x > mean(x))."""
        n = x.shape[0]
        if n == 1:
            return
        rng = np.random.default_rng(n)
        span = float(x[-1] - x[0])
        for kept in (slice(0, None, 2), slice(1, None, 2)):
            moved = rng.uniform(x[0] - span, x[-1] + span, size=n).astype(x.dtype)
            moved[kept] = x[kept]
            with no_grad():
                value, _ = self.evaluate(moved)
            other = _per_point(value.data, n)
            if not _agree(other[kept], f[kept]):
                raise self._mixed(f"the value at one point changes when other points of "
                                  f"{self.name} change")


def _grad(output: Tensor, cotangent: Tensor, leaf: Tensor, create_graph: bool = False
          ) -> Tensor | None:
    """The vector-Jacobian product of ``cotangent`` with d output / d leaf (None: no path);
    the graph is kept for the next one."""
    grads = run_backward([output], [cotangent], retain_graph=True, create_graph=create_graph,
                         inputs=[leaf])
    return None if grads is None else grads[0]


def _agree(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal up to rounding, NaN and infinities in the same places."""
    finite = np.isfinite(a) & np.isfinite(b)
    if not np.array_equal(a[~finite], b[~finite], equal_nan=True):
        return False
    a, b = a[finite], b[finite]
    scale = max(1.0, float(np.max(np.abs(b), initial=0.0)))
    return bool(np.all(np.abs(a - b) <= RTOL * (np.abs(b) + scale * 1e-3)))


def _per_point(values: np.ndarray, n: int) -> np.ndarray:
    """The values at n points: a single value (a constant) is the same at every point."""
    return values if values.shape == (n,) else np.full(n, values.reshape(-1)[0])
