"""Prints symbolic expressions as LaTeX math: a method per kind of node, precedence-driven
parentheses, ``^\\top``, ``\\odot`` for element-wise products, fractions for ``/``."""

from __future__ import annotations

from typing import Any

from ..symbolic import expr as X
from ..symbolic.expr import Node
from .expression import POSTFIX, POWER, PRODUCT, SUM, Printer, number, precedence

_FUNCTIONS = {"sin": r"\sin", "cos": r"\cos", "tan": r"\tan", "tanh": r"\tanh", "exp": r"\exp",
              "log": r"\log", "sigmoid": r"\sigma"}
_RELATIONS = {"gt": ">", "ge": r"\geq", "lt": "<", "le": r"\leq", "eq": "=", "ne": r"\neq"}


def latex_label(output: Node, d: Any, y: str = "y") -> str:
    from ..symbolic.derive import ELEMENTWISE, HESSIAN, SECOND_ELEMENTWISE

    name = _name(d.name)
    body = LatexPrinter().print(output)
    if d.form == ELEMENTWISE:
        return rf"\frac{{\partial {_name(y)}_i}}{{\partial {name}_i}}"
    if d.form == SECOND_ELEMENTWISE:
        return rf"\frac{{\partial^2 {_name(y)}}}{{\partial {name}_i^2}}"
    if d.form == HESSIAN:
        return rf"\frac{{\partial^2}}{{\partial {name}^2}} {body}"
    return rf"\frac{{\partial}}{{\partial {name}}} {body}"


def _name(name: str) -> str:
    if len(name) == 1:
        return name
    head, _, tail = name.partition("_")
    if tail and len(head) == 1:
        return f"{head}_{{{tail}}}"
    escaped = name.replace("_", r"\_")
    return rf"\mathrm{{{escaped}}}"


class LatexPrinter(Printer):
    def name_text(self, name: str) -> str:
        return _name(name)

    def text_of(self, node: Node) -> str:
        method = getattr(self, "_" + node.op, None)
        if method is None:
            method = self._infix if node.op in X.INFIX and node.static(
                "alpha", 1) == 1 else self._call
        return str(method(node))

    def wrap(self, node: Node, level: int) -> str:
        text = self.print(node)
        if id(node) not in self.names and precedence(node) < level:
            return rf"\left({text}\right)"
        return text

    def _variable(self, node: Node) -> str:
        return _name(node.name)

    def _const(self, node: Node) -> str:
        return number(node.value)

    def _literal(self, node: Node) -> str:
        return rf"\mathtt{{{node.static('text')}}}".replace("_", r"\_")

    def _T(self, node: Node) -> str:
        return "{" + self.wrap(node.args[0], POSTFIX) + r"}^\top"

    def _index(self, node: Node) -> str:
        return "{" + self.wrap(node.args[0], POSTFIX) + "}_{" + \
            X.index_text(node.static("key")) + "}"

    def _neg(self, node: Node) -> str:
        return "-" + self.wrap(node.args[0], PRODUCT + 1)

    def _infix(self, node: Node) -> str:
        a, b = node.args
        if node.op == "add":
            return f"{self.wrap(a, SUM)} + {self.wrap(b, SUM)}"
        if node.op == "sub":
            return f"{self.wrap(a, SUM)} - {self.wrap(b, SUM + 1)}"
        if node.op == "div":
            return rf"\frac{{{self.print(a)}}}{{{self.print(b)}}}"
        if node.op == "pow":
            if b.is_const(0.5):
                return rf"\sqrt{{{self.print(a)}}}"
            return "{" + self.wrap(a, POWER + 1) + "}^{" + self.print(b) + "}"
        if node.op == "matmul":
            return f"{self.wrap(a, PRODUCT)} {self.wrap(b, PRODUCT + 1)}"
        if node.op == "mul":
            if a.ndim == 0 or b.ndim == 0:
                return rf"{self.wrap(a, PRODUCT)} \, {self.wrap(b, PRODUCT + 1)}"
            return rf"{self.wrap(a, PRODUCT)} \odot {self.wrap(b, PRODUCT + 1)}"
        if node.op in _RELATIONS:
            return rf"\mathbb{{1}}\left[{self.print(a)} {_RELATIONS[node.op]} {self.print(b)}\right]"
        symbol = {"floor_divide": r"\mathbin{//}", "remainder": r"\bmod",
                  "bitwise_and": r"\land", "bitwise_or": r"\lor"}[node.op]
        return f"{self.wrap(a, PRODUCT)} {symbol} {self.wrap(b, PRODUCT + 1)}"

    def _expand(self, node: Node) -> str:
        inner = node.args[0]
        if inner.is_const(1):
            return r"\mathbf{1}"
        if inner.is_const(0):
            return r"\mathbf{0}"
        return rf"{self.wrap(inner, PRODUCT)} \, \mathbf{{1}}"

    def _dot(self, node: Node) -> str:
        a, b = node.args
        return rf"\langle {self.print(a)}, {self.print(b)} \rangle"

    def _outer(self, node: Node) -> str:
        a, b = node.args
        return rf"{self.wrap(a, POSTFIX)} {{{self.wrap(b, POSTFIX)}}}^\top"

    def _sqrt(self, node: Node) -> str:
        return rf"\sqrt{{{self.print(node.args[0])}}}"

    def _abs(self, node: Node) -> str:
        return rf"\left|{self.print(node.args[0])}\right|"

    def _norm(self, node: Node) -> str:
        return rf"\left\|{self.print(node.args[0])}\right\|" + self._rest(node, skip=("p",))

    def _call(self, node: Node) -> str:
        name = _FUNCTIONS.get(node.op, rf"\operatorname{{{node.op}}}".replace("_", r"\_"))
        args = ", ".join(self.print(a) for a in node.args)
        return rf"{name}\left({args}{self._rest(node, join=True)}\right)"

    def _rest(self, node: Node, skip: tuple[str, ...] = (), join: bool = False) -> str:
        from ..symbolic.reader import defaults_of

        defaults = defaults_of(node.op)
        parts = []
        for key, value in node.statics:
            if key in skip or defaults.get(key, object()) == value:
                continue
            word = key.replace("_", "")
            parts.append(rf"\mathrm{{{word}}}={_static(value)}")
        if not parts:
            return ""
        if join:
            return ", " + ", ".join(parts)
        return "_{" + ", ".join(parts) + "}"


def _static(value: Any) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(_static(v) for v in value) + ")"
    if isinstance(value, bool):
        return r"\mathrm{" + str(value) + "}"
    return str(value)
