"""Makes the parser tables that ship in the package: ``python -m gradcli.syntax.make_tables``.

Both parsers read tables built from grammars/gradcli.lark when the package is made, never on a
user's machine: Lark's LALR parser in Lark's own save format (``tables/lark.pickle``, read by
``Lark.load``) and the quick parser's plain data (``tables/quick.json``, from
syntax/quick_tables.py). Run this after changing the grammar, the postlexer or the quick
parser's tables; tests/test_parser_tables.py makes them again and compares. The program never
imports this module.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

from lark import Lark

from gradcli.syntax.postlex import GradcliIndenter
from gradcli.syntax.quick_tables import compile_tables

TABLES = Path(__file__).with_name("tables")
QUICK = TABLES / "quick.json"
LARK = TABLES / "lark.pickle"
GRAMMAR = Path(__file__).resolve().parents[2] / "grammars" / "gradcli.lark"
OPTIONS = {
    "parser": "lalr",
    "lexer": "contextual",
    "start": ["file_input", "eval_input"],
    "propagate_positions": True,
    "maybe_placeholders": True,
}


def build() -> tuple[Lark, dict[str, Any]]:
    """Lark's parser of the grammar, and the quick parser's tables read from it."""
    postlex = GradcliIndenter()
    parser = Lark(GRAMMAR.read_text(encoding="utf-8"), postlex=postlex, **OPTIONS)
    tables = compile_tables(parser, postlex.NL_type,
                            (postlex.OPEN_PAREN_types, postlex.CLOSE_PAREN_types),
                            (postlex.INDENT_type, postlex.DEDENT_type))
    return parser, tables


def quick_text(tables: dict[str, Any]) -> str:
    return json.dumps(tables, separators=(",", ":")) + "\n"


def lark_bytes(parser: Lark) -> bytes:
    file = io.BytesIO()
    parser.save(file)
    return file.getvalue()


def main() -> int:
    parser, tables = build()
    TABLES.mkdir(exist_ok=True)
    QUICK.write_text(quick_text(tables), encoding="utf-8")
    LARK.write_bytes(lark_bytes(parser))
    print(f"wrote {QUICK} and {LARK}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
