"""``gradcli diff`` output: text (Rich), plain, latex and json, from a DiffResult."""

from __future__ import annotations

import json
from typing import Any

from ..engine.memory import check_allocation
from ..symbolic.derive import ELEMENTWISE, HESSIAN, SECOND_ELEMENTWISE, Derivative, DiffResult
from ..symbolic.expr import Node
from .expression import PRODUCT, TextPrinter, with_names
from .latex import LatexPrinter, latex_label

#: Where the shape column starts at the least (the SPEC's example lines it up there).
LABEL_WIDTH = 55


def inline(node: Node) -> str:
    """The derivative as one expression of the language (what eval reads back)."""
    return TextPrinter().print(node)


def compact(node: Node, taken: set[str]) -> tuple[str, list[tuple[str, str]]]:
    """The derivative with shared subexpressions named once: (text, [(name, definition)])."""
    printer, definitions = with_names([node], taken)
    return printer.print(node), [(name, printer.print(n, top=True)) for name, n in definitions]


def label(result: DiffResult, d: Derivative) -> str:
    y = result.output_name
    if d.form == ELEMENTWISE:
        return f"d{y}_i/d{d.name}_i = "
    if d.form == SECOND_ELEMENTWISE:
        return f"d²{y}/d{d.name}_i² = "
    if d.form == HESSIAN:
        return f"d²/d{d.name}² {result.expr} = "
    return f"d/d{d.name} {result.expr} = "


def text_lines(result: DiffResult) -> list[tuple[str, str, str, bool | None]]:
    """(left part, shape, note, checked) for each derivative."""
    taken = set(result.variables)
    rows = []
    for d in result.derivatives:
        body, definitions = compact(d.node, taken)
        if definitions:
            body += "   where " + ", ".join(f"{n} = {text}" for n, text in definitions)
        left = label(result, d) + body
        if d.form in (ELEMENTWISE, SECOND_ELEMENTWISE):
            left += f"   ({result.output_name} = {result.expr}, element-wise)"
        rows.append((left, f"shape {_shape(d.shape)}", "", None if d.check is None
                     else d.check.ok))
    return rows


def render_text(result: DiffResult, console: Any, steps: bool = False) -> None:
    from rich.text import Text

    rows = text_lines(result)
    width = max([LABEL_WIDTH] + [len(r[0]) for r in rows])
    shape_width = max([13] + [len(r[1]) + 2 for r in rows])
    for d, (left, shape, _note, checked) in zip(result.derivatives, rows):
        if steps and d.steps:
            for step in step_lines(d):
                console.print(Text("  " + step, style="dim"), soft_wrap=True)
        line = Text(left.ljust(width), style="bold")
        line.append("  " + shape.ljust(shape_width - 1))
        if checked is None:
            line.append(" unchecked", style="yellow")
        else:
            line.append(" checked ✓", style="green")
        console.print(line, soft_wrap=True)


def step_lines(d: Derivative) -> list[str]:
    """--steps: the chain rule line by line, the intermediates by their names, then the
    simplified result."""
    assert d.steps is not None
    names = d.steps.names
    printer = TextPrinter(names)
    lines = []
    for step in d.steps.lines:
        if step.node is not None:
            lines.append(step.label + printer.print(step.node, top=True))
        elif step.parts:
            lines.append(step.label + " * ".join(printer.wrap(p, PRODUCT) for p in step.parts))
        else:
            lines.append(step.label.rstrip(" ="))
    lines.append(f"d/d{d.name} = {inline(d.node)}   (simplified)")
    return lines


def latex_steps(d: Derivative) -> list[str]:
    assert d.steps is not None
    printer = LatexPrinter(d.steps.names)
    lines = []
    for step in d.steps.lines:
        label = _latex_label(step.label)
        if step.node is not None:
            lines.append(label + printer.print(step.node, top=True))
        elif step.parts:
            lines.append(label + r" \, ".join(printer.wrap(p, PRODUCT + 1) for p in step.parts))
        else:
            lines.append(label.rstrip(" ="))
    return lines


def _latex_label(label: str) -> str:
    """``dz/db = `` as ``\\frac{\\partial z}{\\partial b} = ``."""
    import re

    def frac(m: re.Match[str]) -> str:
        return rf"\frac{{\partial {m.group(1)}}}{{\partial {m.group(2)}}}"

    label = re.sub(r"\bd(\w+)/d(\w+)", frac, label)
    return label.replace("*", r"\cdot").replace("↦", r"\mapsto").replace(":", r"\colon")


def render_plain(result: DiffResult) -> str:
    return "\n".join(inline(d.node) for d in result.derivatives)


def render_latex(result: DiffResult) -> str:
    lines = []
    for d in result.derivatives:
        if d.steps:
            lines.extend(latex_steps(d))
        label = latex_label(result.output, d, result.output_name)
        lines.append(label + " = " + LatexPrinter().print(d.node))
    return "\n".join(lines)


def render_json(result: DiffResult) -> str:
    wrt: dict[str, Any] = {}
    taken = set(result.variables)
    for d in result.derivatives:
        body, definitions = compact(d.node, taken)
        entry: dict[str, Any] = {"derivative": inline(d.node),
                                 "latex": LatexPrinter().print(d.node),
                                 "shape": list(d.shape)}
        if d.form != "gradient":
            entry["form"] = d.form
        if definitions:
            entry["compact"] = body
            entry["where"] = dict(definitions)
        if d.check is not None:
            entry["check"] = {"ok": d.check.ok, "max_abs_err": d.check.max_abs_err}
        if d.steps:
            entry["steps"] = step_lines(d)
        wrt[d.name] = entry
    texts = sum(len(v) for e in wrt.values() for v in e.values() if isinstance(v, str))
    check_allocation(2 * texts, "the JSON of the derivatives")  # its pieces, then it
    return json.dumps({"expr": result.expr, "wrt": wrt}, ensure_ascii=False)


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
