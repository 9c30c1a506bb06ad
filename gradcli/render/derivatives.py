"""Jacobians, Hessians, gradient checks and backward traces: JSON, plain text and Rich tables."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import Tensor
from ..results import CheckResult, HessianResult, JacobianResult, TraceStep
from .eval_output import body_text
from .jsonfmt import dumps, to_jsonable
from .text import PrintOptions, tensor_text


def _head(expr: str, value: Tensor) -> dict[str, Any]:
    return {"expr": expr, "value": to_jsonable(value.data), "shape": list(value.data.shape),
            "dtype": value.data.dtype.name}


def _as_tensor(array: np.ndarray) -> Tensor:
    return Tensor(np.asarray(array))


# -- jacobian / hessian -------------------------------------------------------------------------

def _with_notes(obj: dict[str, Any], notes: dict[str, str]) -> dict[str, Any]:
    """A JSON object with a ``notes`` entry per variable that has no derivative, if any."""
    return {**obj, "notes": dict(notes)} if notes else obj


def _note_lines(notes: dict[str, str]) -> list[str]:
    return [f"{n}  {note}" for n, note in notes.items()]


def jacobian_json(r: JacobianResult) -> str:
    return dumps(_with_notes({**_head(r.expr, r.value),
                              "jacobian": {n: to_jsonable(j) for n, j in r.jacobian.items()}},
                             r.notes))


def hessian_json(r: HessianResult) -> str:
    return dumps(_with_notes({**_head(r.expr, r.value),
                              "hessian": {a: {b: to_jsonable(h) for b, h in row.items()}
                                          for a, row in r.hessian.items()}}, r.notes))


def jacobian_plain(r: JacobianResult, options: PrintOptions) -> str:
    lines = [tensor_text(r.value, options)]
    lines += [f"d/d{n} = {tensor_text(_as_tensor(j), options)}" for n, j in r.jacobian.items()]
    return "\n".join(lines + _note_lines(r.notes))


def hessian_plain(r: HessianResult, options: PrintOptions) -> str:
    lines = [tensor_text(r.value, options)]
    for a, row in r.hessian.items():
        for b, h in row.items():
            lines.append(f"d2/d{a}d{b} = {tensor_text(_as_tensor(h), options)}")
    return "\n".join(lines + _note_lines(r.notes))


def _notes_table(notes: dict[str, str], console: Any) -> None:
    """The variables without a derivative, and why (after the table of those with one)."""
    if not notes:
        return
    from rich.table import Table

    table = Table(title="no derivative", title_justify="left")
    table.add_column("variable", style="bold")
    table.add_column("why")
    for n, note in notes.items():
        table.add_row(n, note)
    console.print(table)


def _value_table(expr: str, value: Tensor, options: PrintOptions, console: Any) -> None:
    from rich.table import Table
    from rich.text import Text

    head = Table(title=Text(expr, style="bold"), title_justify="left")
    for col in ("value", "shape", "dtype", "grad_fn"):
        head.add_column(col)
    head.add_row(body_text(value, options), str(tuple(value.data.shape)), value.data.dtype.name,
                 "" if value.grad_fn is None else value.grad_fn.name)
    console.print(head)


def jacobian_table(r: JacobianResult, options: PrintOptions, console: Any) -> None:
    from rich.table import Table

    _value_table(r.expr, r.value, options, console)
    console.print("jacobian: d(value)/d(variable), of shape value.shape + variable.shape")
    table = Table()
    for col in ("variable", "shape", "jacobian"):
        table.add_column(col)
    for n, j in r.jacobian.items():
        table.add_row(n, str(tuple(j.shape)), body_text(_as_tensor(j), options))
    console.print(table)
    _notes_table(r.notes, console)


def hessian_table(r: HessianResult, options: PrintOptions, console: Any) -> None:
    from rich.table import Table

    _value_table(r.expr, r.value, options, console)
    console.print("hessian: block d2(value)/d(a)d(b), of shape a.shape + b.shape")
    table = Table()
    for col in ("a", "b", "shape", "hessian"):
        table.add_column(col)
    for a, row in r.hessian.items():
        for b, h in row.items():
            table.add_row(a, b, str(tuple(h.shape)), body_text(_as_tensor(h), options))
    console.print(table)
    _notes_table(r.notes, console)


# -- check --------------------------------------------------------------------------------------

def check_json(r: CheckResult, verbose: bool) -> str:
    out: dict[str, Any] = {"expr": r.expr, "ok": r.ok, "vars": {}}
    for n, v in r.vars.items():
        entry: dict[str, Any] = {"max_abs_err": v.max_abs_err, "max_rel_err": v.max_rel_err}
        if verbose:
            entry["worst"] = [{"index": list(i), "analytic": a, "numeric": b, "error": e}
                              for i, a, b, e in v.worst]
        out["vars"][n] = entry
    return dumps(to_jsonable(_with_notes(out, r.notes)))


def check_table(r: CheckResult, verbose: bool, console: Any) -> None:
    from rich.table import Table
    from rich.text import Text

    verdict = Text("PASS", style="bold green") if r.ok else Text("FAIL", style="bold red")
    console.print(Text.assemble((r.expr, "bold"), "  ", verdict))
    console.print(f"central differences in float64, eps={r.eps:g}, atol={r.atol:g}, "
                  f"rtol={r.rtol:g}")
    table = Table()
    for col in ("variable", "max abs error", "max rel error", "result"):
        table.add_column(col)
    for n, v in r.vars.items():
        table.add_row(n, f"{v.max_abs_err:.3e}", f"{v.max_rel_err:.3e}",
                      "PASS" if v.ok else "FAIL")
    console.print(table)
    _notes_table(r.notes, console)
    if not verbose:
        return
    for n, v in r.vars.items():
        worst = Table(title=f"worst elements of {n}", title_justify="left")
        for col in ("index", "analytic", "numeric", "abs error"):
            worst.add_column(col, justify="right")
        for i, a, b, e in v.worst:
            worst.add_row(str(list(i)), f"{a:.10g}", f"{b:.10g}", f"{e:.3e}")
        console.print(worst)


# -- trace --------------------------------------------------------------------------------------

def _short(a: Any, options: PrintOptions) -> str:
    if a is None:
        return "None"
    return body_text(_as_tensor(a), options)


def trace_json(steps: list[TraceStep]) -> list[dict[str, Any]]:
    return [{"step": s.step, "grad_fn": s.grad_fn, "shape": list(s.shape),
             "grad_in": to_jsonable(s.grad_in), "derivative": s.derivative,
             "sent": [{"to": to, "grad": None if g is None else to_jsonable(g)} for to, g in s.sent],
             "leaves": {n: to_jsonable(g) for n, g in s.leaves}} for s in steps]


def trace_plain(steps: list[TraceStep], options: PrintOptions) -> str:
    lines = []
    for s in steps:
        lines.append(f"step {s.step}: {s.grad_fn} {tuple(s.shape)} grad in = "
                     f"{_short(s.grad_in, options)}    [{s.derivative}]")
        for to, g in s.sent:
            lines.append(f"    -> {to}: {_short(g, options)}")
        for n, g in s.leaves:
            lines.append(f"    {n}.grad so far = {_short(g, options)}")
    return "\n".join(lines)


def trace_table(steps: list[TraceStep], options: PrintOptions, console: Any) -> None:
    from rich.table import Table

    table = Table(title="backward pass, in the order it runs", title_justify="left",
                  show_lines=True)
    for col in ("step", "grad_fn", "shape"):
        table.add_column(col, no_wrap=True)
    for col in ("grad in", "local derivative", "sends", "leaf .grad"):
        table.add_column(col, overflow="fold")
    for s in steps:
        sends = "\n".join(f"{to}: {_short(g, options)}" for to, g in s.sent)
        leaves = "\n".join(f"{n}: {_short(g, options)}" for n, g in s.leaves)
        table.add_row(str(s.step), s.grad_fn, str(tuple(s.shape)), _short(s.grad_in, options),
                      s.derivative, sends, leaves)
    console.print(table)
