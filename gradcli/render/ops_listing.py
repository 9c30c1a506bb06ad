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
        "derivative": s.derivative, "grad_fn": s.grad_fn_text() or None,
        "grad_fn_cases": [{"grad_fn": name, "case": case} for name, case in s.grad_fn],
        "method": s.method, "function": s.function, "namespaces": list(s.namespaces),
        "example": s.example, "aliases": list(s.aliases),
    } for s in specs]


def render_json() -> str:
    return dumps(rows())


def render_markdown() -> str:
    """The function list of the README (kept in step with the table by a test)."""
    out = []
    last = None
    for row in rows():
        if row["category"] != last:
            out.append(f"\n**{row['category']}**\n")
            out.append("| function | what it does | derivative | grad_fn |")
            out.append("|---|---|---|---|")
            last = row["category"]
        how = "" if row["function"] else " (method only)"
        if row["function"] and not row["method"]:
            how = " (function only)"
        modules = [m for m in row["namespaces"] if m != "torch"]
        if modules:
            how += " also " + ", ".join(f"`{m}.{row['name']}`" for m in modules)
        cells = [f"`{row['signature']}`{how}", row["summary"], row["derivative"],
                 row["grad_fn"] or ""]
        out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(out).strip() + "\n"


def _cell(text: str) -> str:
    """A Markdown table cell: a `|` in it (bitwise_or's summary) would start another cell."""
    return text.replace("|", "\\|")


def render_table(console: Any) -> None:
    from rich.table import Table

    table = Table(title="gradcli functions", title_justify="left")
    table.add_column("signature", overflow="fold", ratio=3)
    table.add_column("derivative", overflow="fold", ratio=3)
    table.add_column("grad_fn", overflow="fold", ratio=2)
    last = None
    for row in rows():
        if row["category"] != last:
            table.add_section()
            last = row["category"]
        table.add_row(row["signature"], row["derivative"], row["grad_fn"] or "")
    console.print(table)
