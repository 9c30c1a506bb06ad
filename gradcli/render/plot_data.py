"""``gradcli plot --format csv|json``: the points as data, and the words every plot uses
(curve labels, the tangent's equation)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..results import PlotCurve, PlotResult, Tangent
from .jsonfmt import dumps


def number(value: float) -> str:
    """A short decimal that reads as a float: 4.0, -0.5, 0.333333, 1e-07."""
    text = f"{value:.6g}"
    if text == "-0":
        return "0.0"
    return text if any(c in text for c in ".ena") else text + ".0"


def equation(tangent: Tangent, name: str) -> str:
    """``y = 4.0*x - 4.0``."""
    intercept = tangent.intercept
    sign = "-" if intercept < 0 else "+"
    return f"y = {number(tangent.slope)}*{name} {sign} {number(abs(intercept))}"


def _operand(expr: str) -> str:
    """``expr`` as what d/dx applies to: a name or one call as it is, else in parentheses."""
    if re.fullmatch(r"[\w.]+", expr):
        return expr
    if re.fullmatch(r"[\w.]+\(.*\)", expr):
        depth = 0
        for i, ch in enumerate(expr):
            depth += {"(": 1, ")": -1}.get(ch, 0)
            if ch == ")" and depth == 0:
                if i == len(expr) - 1:
                    return expr
                break
    return f"({expr})"


def series(result: PlotResult) -> Iterator[tuple[str, str, Any, PlotCurve]]:
    """(kind, label, values, curve) of every line to draw, kind f, df, d2f or tangent."""
    name = result.name
    for curve in result.curves:
        yield "f", curve.expr, curve.f, curve
        yield "df", f"d/d{name} {_operand(curve.expr)}", curve.df, curve
        if curve.d2f is not None:
            yield "d2f", f"d²/d{name}² {_operand(curve.expr)}", curve.d2f, curve
        if curve.tangent is not None:
            t = curve.tangent
            line = t.slope * (result.x - t.x0) + t.y0
            yield "tangent", f"tangent at {name} = {number(t.x0)}", line, curve


def tangent_lines(result: PlotResult) -> list[str]:
    """``tangent of EXPR at x = X0: y = ...``, one line per curve that has one."""
    return [f"tangent of {c.expr} at {result.name} = {number(c.tangent.x0)}: "
            f"{equation(c.tangent, result.name)}" for c in result.curves if c.tangent is not None]


def _columns(result: PlotResult) -> list[tuple[str, np.ndarray]]:
    several = len(result.curves) > 1
    columns = [("x", result.x)]
    for k, curve in enumerate(result.curves, start=1):
        suffix = str(k) if several else ""
        columns += [(f"f{suffix}", curve.f), (f"df{suffix}", curve.df)]
        if curve.d2f is not None:
            columns.append((f"d2f{suffix}", curve.d2f))
    return columns


def render_csv(result: PlotResult) -> str:
    """A header (x,f,df[,d2f]; with several expressions f1,df1,f2,df2...) and one row per
    point; NaN and the infinities as nan, inf, -inf (what pandas and gnuplot read)."""
    columns = _columns(result)
    rows = np.column_stack([values.astype(np.float64) for _, values in columns]).tolist()
    lines = [",".join(name for name, _ in columns)]
    lines += [",".join(map(repr, row)) for row in rows]
    return "\n".join(lines) + "\n"


def render_json(result: PlotResult) -> str:
    """One line: ``{"x": [...], "curves": [{"expr", "f", "df", ("d2f",) "undefined",
    ("tangent",)}]}``, NaN as "NaN" (strict JSON)."""
    curves = []
    for curve in result.curves:
        obj: dict[str, Any] = {"expr": curve.expr, "f": curve.f, "df": curve.df}
        if curve.d2f is not None:
            obj["d2f"] = curve.d2f
        obj["undefined"] = int(curve.undefined.sum())
        if curve.tangent is not None:
            t = curve.tangent
            obj["tangent"] = {"x0": t.x0, "y0": t.y0, "slope": t.slope,
                              "intercept": t.intercept,
                              "equation": equation(t, result.name)}
        curves.append(obj)
    return dumps({"variable": result.name, "x": result.x, "curves": curves})
