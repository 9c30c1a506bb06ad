"""The gradcli language: grammar-driven parsing into an AST of frozen nodes, and back.

Only this package imports lark. ``parse_expression``, ``parse_program`` and
``needs_more_input`` read source; ``unparse`` writes it; ``nodes`` holds the AST classes.
"""

from gradcli.syntax import nodes
from gradcli.syntax.nodes import DEFAULT_MAX_DEPTH
from gradcli.syntax.parser import needs_more_input, parse_expression, parse_program
from gradcli.syntax.unparse import unparse

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "needs_more_input",
    "nodes",
    "parse_expression",
    "parse_program",
    "unparse",
]
