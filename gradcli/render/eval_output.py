"""The faces of an ``EvalResult``: JSON (one line), plain PyTorch text, and Rich tables."""

from __future__ import annotations

from typing import Any

from ..engine import Size, Tensor, dtypes
from ..engine.autograd import Node
from ..results import EvalResult
from .jsonfmt import dumps, dumps_jsonable, to_jsonable
from .text import PrintOptions, body_text, tensor_text, to_text


def describe(value: Any) -> tuple[Any, Any, str | None, str | None]:
    """value, shape, dtype and grad_fn of any result value, for JSON (``eval`` and ``run``)."""
    if isinstance(value, Tensor):
        return (to_jsonable(value.data), list(value.data.shape), dtypes.name_of(value.data.dtype),
                None if value.grad_fn is None else value.grad_fn.name)
    if isinstance(value, tuple) and not isinstance(value, Size):
        return [describe(v)[0] for v in value], None, "tuple", None
    if isinstance(value, Node):
        return value.name, None, "grad_fn", None
    if isinstance(value, (bool, int, float)):
        return to_jsonable(value), [], type(value).__name__, None
    if value is None:  # print(x), x.grad before backward
        return None, None, None, None
    if isinstance(value, Size):
        return list(value), None, "Size", None
    if isinstance(value, str):  # the string itself; its repr is the text formats' business
        return value, None, "str", None
    return to_text(value), None, type(value).__name__, None


def json_object(result: EvalResult) -> dict[str, Any]:
    value, shape, dtype, grad_fn = describe(result.value)
    obj = {
        "expr": result.expr, "value": value, "shape": shape, "dtype": dtype, "grad_fn": grad_fn,
        "grads": {n: None if g is None else to_jsonable(g.data) for n, g in result.grads.items()},
    }
    if result.notes:
        obj["notes"] = dict(result.notes)
    return obj


def reported(result: EvalResult) -> list[tuple[str, Tensor | None, str | None]]:
    """Each reported variable with its gradient and the note that says why it has none: in
    --wrt order, or in --let order when there are notes."""
    rows = [(n, g, result.notes.get(n)) for n, g in result.grads.items()]
    if not result.notes:
        return rows
    rows += [(n, None, note) for n, note in result.notes.items() if n not in result.grads]
    order = {n: i for i, n in enumerate(result.variables)}
    return sorted(rows, key=lambda row: order.get(row[0], len(order)))


def render_json(result: EvalResult) -> str:
    obj = json_object(result)  # made of JSON values already
    if result.trace is None:
        return dumps_jsonable(obj)
    from .derivatives import trace_json

    obj["trace"] = trace_json(result.trace)
    return dumps(obj)


def render_plain(result: EvalResult, options: PrintOptions) -> str:
    lines = [to_text(result.value, options)]
    for name, g, note in reported(result):
        if g is None and note is not None:
            lines.append(f"{name}  {note}")
        else:
            lines.append(f"{name}.grad = {'None' if g is None else tensor_text(g, options)}")
    return "\n".join(lines)


#: With --full, tensors bigger than this are printed below their table, as plain text: a
#: table cell lays its text out again line by line (10^6 elements took 90 s that way).
IN_CELL = 1000


def _cell(t: Tensor, options: PrintOptions, label: str, below: list[tuple[str, str]]) -> str:
    """A tensor's table cell: its values, or, if they go below the table, a pointer there."""
    text = body_text(t, options)
    if options.full and t.data.size > IN_CELL:
        below.append((label, text))
        return "(in full below the table)"
    return text


def render_table(result: EvalResult, options: PrintOptions, console: Any) -> None:
    from rich.table import Table
    from rich.text import Text

    value = result.value
    below: list[tuple[str, str]] = []
    head = Table(title=Text(result.expr, style="bold"), title_justify="left", expand=False)
    for col in ("value", "shape", "dtype", "grad_fn"):
        head.add_column(col, no_wrap=(col != "value"))
    if isinstance(value, Tensor):
        head.add_row(_cell(value, options, "value", below), str(tuple(value.data.shape)),
                     value.data.dtype.name, "" if value.grad_fn is None else value.grad_fn.name)
    else:
        head.add_row(to_text(value, options), "", type(value).__name__, "")
    console.print(head)
    rows = reported(result)
    if rows:
        grads = Table(title="gradients", title_justify="left")
        grads.add_column("variable", style="bold")
        grads.add_column("shape", no_wrap=True)
        grads.add_column("grad")
        for name, g, note in rows:
            var = result.variables.get(name)
            shape = str(tuple(var.data.shape)) if var is not None else ""
            if g is not None:
                cell = _cell(g, options, f"{name}.grad", below)
            elif result.not_backpropagated is not None:
                cell = f"None (not backpropagated: {result.not_backpropagated})"
            else:
                cell = note or "None (does not depend on it)"
            grads.add_row(name, shape, cell)
        console.print(grads)
    for label, text in below:
        console.file.write(f"{label}:\n{text}\n")
