"""``gradcli ops``: the op table as a Rich table or JSON."""

from __future__ import annotations

from typing import Any

from ..engine.ops import CATEGORIES, OPS
from .jsonfmt import dumps


def rows() -> list[dict[str, Any]]:
    order = {c: i for i, c in enumerate(CATEGORIES)}
    specs = sorted(OPS.values(), key=lambda s: (order[s.category], s.name))
    return [{
        "name": s.name, "category": s.category, "signature": s.signature, "summary": s.summary,
        "derivative": s.derivative, "grad_fn": s.grad_fn or None, "method": s.method,
        "function": s.function, "example": s.example, "aliases": list(s.aliases),
    } for s in specs]


def render_json() -> str:
    return dumps(rows())


def render_table(console: Any) -> None:
    from rich.table import Table

    table = Table(title="gradcli functions", title_justify="left")
    for col in ("name", "signature", "derivative", "grad_fn"):
        table.add_column(col, overflow="fold")
    last = None
    for row in rows():
        if row["category"] != last:
            table.add_section()
            last = row["category"]
        table.add_row(row["name"], row["signature"], row["derivative"], row["grad_fn"] or "")
    console.print(table)
