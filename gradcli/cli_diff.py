"""``gradcli diff`` behind its options: shapes read, variables bound, the derivatives printed
in the chosen format (the maths is in ``symbolic/``, the printing in ``render/diff_output``)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from .errors import GradcliError


def parse_shape(text: str) -> tuple[str, tuple[int, ...]]:
    """``NAME=3,4`` (or ``NAME=`` for a scalar) from a --shape option."""
    name, sep, dims = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise GradcliError("usage", f"--shape needs NAME=DIMS, got {text!r}",
                           hint="e.g. --shape X=5,3, or --shape y= for a scalar")
    try:
        shape = tuple(int(d) for d in dims.replace("(", "").replace(")", "").split(",")
                      if d.strip())
    except ValueError:
        raise GradcliError("usage", f"--shape {name}: {dims!r} is not a list of sizes",
                           hint="e.g. --shape X=5,3") from None
    if any(d < 0 for d in shape):
        raise GradcliError("usage", f"--shape {name}: sizes must not be negative")
    return name, shape


def run_diff(expr: str, evaluator: Any, shape_options: list[str], wrt: list[str], order: int,
             steps: bool, fmt: str, no_check: bool, console: Callable[[], Any]) -> int:
    """Differentiate and print; the exit code (1: the check found a bug in gradcli)."""
    import numpy as np

    from .render import diff_output
    from .symbolic.check import Disagreement
    from .symbolic.derive import differentiate, random_point

    shapes = dict(parse_shape(s) for s in shape_options)
    values = {n: v for n, v in evaluator.bound.items() if isinstance(v, np.ndarray)}
    for name in shapes:
        if name in values:
            raise GradcliError("usage", f"{name} has both --let and --shape",
                               hint="give one of them")
    point = random_point(shapes)
    for name, value in point.items():
        value.flags.writeable = False
        evaluator.bound[name] = value
    values.update(point)
    floating = [n for n, v in values.items() if v.dtype.kind == "f"]
    for name in wrt:
        if name not in values:
            raise GradcliError("usage", f"--wrt {name}: no such variable",
                               hint=f'give it a value or a shape: --let {name}="..." or '
                               f"--shape {name}=3")
        if name not in floating:
            raise GradcliError("usage", f"--wrt {name}: {name} is not floating, so it has no "
                               "derivative", hint="make it floating, e.g. arange(4.0)")
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))  # deep expressions: printing recurses
    try:
        result = differentiate(expr, values, wrt or floating, order, evaluator, steps,
                               check=not no_check)
    except Disagreement as err:
        sys.stdout.flush()
        sys.stderr.write(f"gradcli: internal error: {err}\n  derivative: "
                         f"{diff_output.inline(err.node)}\n  = hint: this is a bug in gradcli; "
                         "--no-check prints the derivative unchecked\n")
        return 1
    finally:
        sys.setrecursionlimit(limit)
    if fmt == "json":
        sys.stdout.write(diff_output.render_json(result) + "\n")
    elif fmt == "plain":
        sys.stdout.write(diff_output.render_plain(result) + "\n")
    elif fmt == "latex":
        sys.stdout.write(diff_output.render_latex(result) + "\n")
    else:
        diff_output.render_text(result, console(), steps)
    sys.stdout.flush()
    return 0
