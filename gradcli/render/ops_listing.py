"""``gradcli ops``: the op table (or the functions a pattern picks) as a Rich table or JSON."""

from __future__ import annotations

import difflib
import fnmatch
from typing import Any

from ..engine.ops import CATEGORIES, OPS, OpSpec, lookup
from ..errors import GradcliError
from .jsonfmt import dumps


def select(pattern: str | None = None, category: str | None = None) -> list[OpSpec]:
    """The functions whose name, other name or category contains ``pattern`` (a glob if it
    has ``*?[``), in ``category``; all of them without either. Nothing matched is an error."""
    chosen = list(OPS.values())
    if category is not None:
        wanted = category.strip().lower()
        if wanted not in CATEGORIES:
            raise GradcliError("usage", f"no category '{category}'",
                               hint="the categories are " + ", ".join(CATEGORIES))
        chosen = [s for s in chosen if s.category == wanted]
    if pattern is not None:
        chosen = [s for s in chosen if _matches(s, pattern.lower())]
    if not chosen:
        where = f" in {category}" if category is not None else ""
        message = (f"no function matches '{pattern}'{where}" if pattern is not None
                   else f"no function{where}")
        raise GradcliError("name", message, hint=_near(pattern or ""))
    return chosen


def _matches(spec: OpSpec, pattern: str) -> bool:
    words = (spec.name, *spec.aliases, spec.category)
    if any(c in pattern for c in "*?["):
        return any(fnmatch.fnmatchcase(w, pattern) for w in words)
    return any(pattern in w for w in words)


def _near(pattern: str) -> str:
    close = difflib.get_close_matches(pattern.lower(), [*OPS, *CATEGORIES], n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(f"'{c}'" for c in close) + "? `gradcli ops` " \
            "lists them all"
    return "`gradcli ops` lists them all"


def rows(specs: list[OpSpec] | None = None) -> list[dict[str, Any]]:
    order = {c: i for i, c in enumerate(CATEGORIES)}
    specs = sorted(OPS.values() if specs is None else specs,
                   key=lambda s: (order[s.category], s.name))
    return [{
        "name": s.name, "category": s.category, "signature": s.signature, "summary": s.summary,
        "derivative": s.derivative, "grad_fn": s.grad_fn_text() or None,
        "grad_fn_cases": [{"grad_fn": name, "case": case} for name, case in s.grad_fn],
        "method": s.method, "function": s.function, "namespaces": list(s.namespaces),
        "example": s.example, "aliases": list(s.aliases),
    } for s in specs]


def render_json(specs: list[OpSpec] | None = None) -> str:
    return dumps(rows(specs))


def render_markdown(specs: list[OpSpec] | None = None) -> str:
    """The function list of the README (kept in step with the table by a test)."""
    out = []
    last = None
    for row in rows(specs):
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


def render_table(console: Any, specs: list[OpSpec] | None = None) -> None:
    """A section per category: signature, what it does, and the derivative rule over the
    grad_fn it records; the columns share the console's width (80 columns fit)."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(title="gradcli functions", title_justify="left", box=box.SIMPLE_HEAD,
                  expand=True, pad_edge=False, show_edge=False)
    table.add_column("function", ratio=5)
    table.add_column("what it does", ratio=6)
    table.add_column("derivative (grad_fn)", ratio=6)
    last = None
    for row in rows(specs):
        if row["category"] != last:
            table.add_row(Text(row["category"], style="bold underline"), end_section=False)
            last = row["category"]
        name = row["signature"] if row["function"] else f"x.{row['signature']}"
        rule = Text(row["derivative"])
        if row["grad_fn"]:
            rule.append(f"\n{row['grad_fn']}", style="dim")
        table.add_row(Text(name), Text(row["summary"]), rule)  # Text: "[min, max]" is no markup
    console.print(table)


def help_text(name: str, method: bool = False) -> str | None:
    """One function's entry, as the REPL's ``help(sin)`` shows it (``method``: asked as
    ``x.name``); None if there is no such function (or no such method)."""
    spec = lookup(name)
    if spec is None or method and not spec.method:
        return None
    row = rows([spec])[0]
    more = ", ..." if "," in spec.signature else ""
    forms = []
    if spec.function:
        modules = row.get("namespaces", ["torch"])  # the modules that hold it, where known
        forms += [f"{where}{spec.name}(x{more})" for where in ["", *(f"{m}." for m in modules)]]
    if spec.method:
        forms.append(f"x.{spec.name}({more[2:]})")
    written = forms[0] if len(forms) == 1 else f"{', '.join(forms[:-1])} or {forms[-1]}"
    lines = [f"{row['signature']}    [{row['category']}]", f"    {row['summary']}",
             f"    derivative: {row['derivative']}"]
    if row["grad_fn"]:
        lines.append(f"    grad_fn:    {row['grad_fn']}")
    lines += [f"    example:    {row['example']}", f"    written:    {written}"]
    if row["aliases"]:
        lines.append(f"    also named: {', '.join(row['aliases'])}")
    return "\n".join(lines)
