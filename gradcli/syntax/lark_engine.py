"""Lark's side of the parser: the LALR parser of grammars/gradcli.lark, its postlexer and the
explanation of its errors.

Lark parses scripts, REPL input, f-strings, every text in error and anything else the quick
parser (syntax/quick.py) leaves to it. Only gradcli.syntax.parser imports this module, when
one of those comes: an expression that the quick parser takes never imports Lark.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer_NonRecursive, Tree, v_args
from lark.exceptions import UnexpectedInput, VisitError
from lark.lexer import PatternStr

from gradcli.errors import GradcliError
from gradcli.syntax import nodes as n
from gradcli.syntax.builder import RULES, AstBuilder
from gradcli.syntax.diagnostics import diagnose
from gradcli.syntax.failures import ParseFailure
from gradcli.syntax.postlex import GradcliIndenter


class LarkAstBuilder(AstBuilder, Transformer_NonRecursive[Token, Any]):
    """AstBuilder as a Lark Transformer: its rule methods, with the meta and inlined children."""

    __visit_tokens__ = False


# v_args wraps only the methods a class defines itself: the rule methods are copied in first.
for _name, _rule in RULES.items():
    setattr(LarkAstBuilder, _name, _rule)
v_args(inline=True, meta=True)(LarkAstBuilder)


class LarkEngine:
    """The Lark parser, its postlexer, and what error messages need to know about tokens."""

    #: Makes the AST of each parse (its constructor is AstBuilder's).
    builder = LarkAstBuilder

    def __init__(self, parser: Lark, postlex: GradcliIndenter) -> None:
        self.parser = parser
        self.postlex = postlex
        self.literals: Mapping[str, str] = {
            t.name: t.pattern.value for t in parser.terminals if isinstance(t.pattern, PatternStr)}
        self.lock = threading.RLock()

    def parse(self, text: str, start: str, max_depth: int) -> Tree[Token]:
        """The parse tree of ``text``; a syntax error is raised as an explained ParseFailure."""
        # The postlexer is stateful: one parse at a time.
        with self.lock:
            self.postlex.max_depth = max_depth
            try:
                return self.parser.parse(text, start=start)
            except UnexpectedInput as exc:
                raise ParseFailure(diagnose(exc, text, self.literals)) from None

    @staticmethod
    def build(tree: Tree[Token], builder: LarkAstBuilder) -> n.Node:
        """The AST of a parse tree; the builder's errors are raised as they are."""
        try:
            node: n.Node = builder.transform(tree)
        except VisitError as exc:
            if isinstance(exc.orig_exc, (GradcliError, ParseFailure)):
                raise exc.orig_exc from None
            raise
        return node


def open_engine(tables: Path) -> LarkEngine:
    """The parser saved in ``tables`` by ``Lark.save`` (gradcli/syntax/make_tables.py), with
    its postlexer."""
    with tables.open("rb") as file:
        parser = Lark.load(file)
    postlex = parser.options.postlex
    assert isinstance(postlex, GradcliIndenter)
    return LarkEngine(parser, postlex)
