"""The parser tables shipped in gradcli/syntax/tables/ are the ones the grammar gives now.

They are made by ``python -m gradcli.syntax.make_tables``; this test makes them again in
memory and compares. The quick parser's are compared byte for byte. Lark's are compared as
what they say (states, shifts and reductions, terminals, rules): Lark numbers its states
and orders its saved objects differently from one process to the next.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import lark
import pytest
from lark import Lark
from lark.parsers.lalr_analysis import Shift

from gradcli.syntax import make_tables

ROOT = Path(__file__).resolve().parents[1]


def _lark_meaning(parser: Lark) -> dict[str, Any]:
    """Lark's tables with the states numbered as the quick parser's are (quick_tables.py)."""
    from gradcli.syntax.quick_tables import _canonical_numbers

    table = parser.parser.parser.parser.parse_table
    number = _canonical_numbers(table.states, [table.start_states["eval_input"],
                                               table.start_states["file_input"]])
    states = {}
    for state, actions in table.states.items():
        states[number[state]] = sorted(
            (str(symbol), "shift", number[arg]) if action is Shift else
            (str(symbol), "reduce", str(arg)) for symbol, (action, arg) in actions.items())
    return {
        "states": states,
        "start": {k: number[v] for k, v in table.start_states.items()},
        "end": {k: number[v] for k, v in table.end_states.items()},
        "terminals": sorted((t.name, repr(t.pattern), t.priority) for t in parser.terminals),
        "ignore": sorted(parser.lexer_conf.ignore),
        "rules": sorted((str(r), r.alias, repr(r.options)) for r in parser.rules),
        "postlex": type(parser.options.postlex).__qualname__,
    }


@pytest.fixture(scope="module")
def made() -> tuple[Lark, dict[str, Any]]:
    return make_tables.build()


@pytest.mark.slow
def test_the_quick_parser_tables_are_current(made: tuple[Lark, dict[str, Any]]) -> None:
    _, tables = made
    assert make_tables.QUICK.read_text(encoding="utf-8") == make_tables.quick_text(tables), \
        "run: python -m gradcli.syntax.make_tables"


@pytest.mark.slow
def test_lark_s_tables_are_current(made: tuple[Lark, dict[str, Any]]) -> None:
    parser, _ = made
    with make_tables.LARK.open("rb") as file:
        shipped = Lark.load(file)
    assert _lark_meaning(shipped) == _lark_meaning(parser), \
        "run: python -m gradcli.syntax.make_tables"


def test_lark_is_pinned_to_the_minor_version_the_tables_are_made_with() -> None:
    """The tables are read from Lark's internals and saved in Lark's format: the package
    asks for the minor version installed here."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    pin = re.search(r'"lark>=(\d+)\.(\d+),<(\d+)\.(\d+)"', pyproject)
    assert pin, "pin lark to one minor version in pyproject.toml"
    low = (int(pin[1]), int(pin[2]))
    assert (int(pin[3]), int(pin[4])) == (low[0], low[1] + 1)
    assert tuple(int(x) for x in lark.__version__.split(".")[:2]) == low


def test_the_tables_are_packaged() -> None:
    """The wheel takes every file under gradcli/ (hatch's packages = ["gradcli"])."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'packages = ["gradcli"]' in pyproject
    assert make_tables.QUICK.is_file() and make_tables.LARK.is_file()
    assert make_tables.TABLES.parent == ROOT / "gradcli" / "syntax"
