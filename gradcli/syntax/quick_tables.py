"""The quick parser's tables (syntax/quick.py), read from a Lark parser: plain data to ship.

Everything the quick parser needs from Lark is written down here once, as JSON-ready lists,
dicts, strings and numbers, so that the program can load it and parse without importing
Lark (syntax/make_tables.py writes it into the package):

- ``rows``: Lark's LALR parse table, one flat list per state: (symbol number, action) pairs,
  where an action is ``2 * next state`` for a shift and ``2 * rule + 1`` for a reduction.
  ``symbols`` names the symbols, in sorted order; the states are numbered in the order a walk
  from the start states reaches them (Lark's own numbering changes between processes), so
  that the same grammar always gives the same tables. (Most of the file is these numbers, which JSON reads
  quickly; the quick parser makes a state's dict the first time it is in that state.)
- ``rules``: for each rule, ``[callback name, size, rule name, passes, expand1, filter]``:
  what Lark's ParseTreeBuilder makes of its children. The callback is the AstBuilder
  method of that name, else a tree to inline; ``passes`` marks a unit rule whose value and
  span are its child's; ``expand1`` says that a lone child is the value (``?rule``); the
  child filter (which children to keep or inline, where to put the ``None`` placeholders of
  ``[x]``) is taken from Lark's own ``maybe_create_child_filter``.
- ``line``: the one-line lexer: the terminals a one-line text can hold as one regex in
  Lark's order, whose matches are (the spaces before, the token), and how to tell a token's
  terminal from its text (syntax/quick.py ``_tokens``); the keywords that NAME matches, and
  the terminals some rule keeps.
- the start and end states of ``eval_input`` and the postlexer's newline and bracket types.
- for programs (``file_input``): its start and end states, a scanner over every terminal and
  ignored pattern (strings, comments, newlines with the next line's indentation, line
  continuations; the spaces before each token read with it), in which each run of literal
  terminals (``"=="``, ``"("``, ...) is one group (``literals`` gives the terminal of each
  text it matches), and the postlexer's indent and dedent types.

Names are plain ``str`` throughout (Lark's may be Tokens).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from lark import Lark
from lark.lexer import PatternRE, PatternStr, TerminalDef
from lark.parse_tree_builder import (
    ChildFilterLALR,
    ChildFilterLALR_NoPlaceholders,
    maybe_create_child_filter,
)
from lark.parsers.lalr_analysis import Shift

from gradcli.syntax.quick import FORMAT

#: Terminals the quick parser never sees: texts with strings, comments or more lines go to
#: Lark (quick.ELSEWHERE).
_SKIPPED = frozenset({"STRING", "FSTRING", "COMMENT", "_NEWLINE"})


def compile_tables(lark: Lark, newline: str, brackets: tuple[list[str], list[str]],
                   indents: tuple[str, str]) -> dict[str, Any]:
    """The quick parser's tables, from ``lark`` and its postlexer's types: the newline,
    the (opening, closing) brackets and (indent, dedent)."""
    table = lark.parser.parser.parser.parse_table  # ParsingFrontend -> LALR_Parser -> _Parser
    rules = list(lark.rules)
    index = {rule: i for i, rule in enumerate(rules)}
    starts = [table.start_states["eval_input"], table.start_states["file_input"]]
    number = _canonical_numbers(table.states, starts)
    names = sorted({str(symbol) for actions in table.states.values() for symbol in actions})
    symbols = {name: i for i, name in enumerate(names)}
    rows: list[list[int]] = [[] for _ in number]
    for state, actions in table.states.items():
        row = rows[number[state]]
        for symbol, (action, arg) in sorted(actions.items(), key=lambda item: str(item[0])):
            row.append(symbols[str(symbol)])
            row.append(2 * number[arg] if action is Shift else 2 * index[arg] + 1)
    placeholders = lark.options.maybe_placeholders
    program_scanner, keywords, literals = _scanner(lark.terminals, lark.lexer_conf.ignore,
                                                   program=True)
    kept = sorted({str(symbol.name) for rule in rules for symbol in rule.expansion
                   if symbol.is_term and (rule.options.keep_all_tokens or not symbol.filter_out)})
    return {
        "format": FORMAT,
        "start": number[table.start_states["eval_input"]],
        "end": number[table.end_states["eval_input"]],
        "program": {
            "start": number[table.start_states["file_input"]],
            "end": number[table.end_states["file_input"]],
            "scanner": program_scanner,
            "indent": str(indents[0]),
            "dedent": str(indents[1]),
        },
        "symbols": names,
        "rows": rows,
        "rules": [_rule(rule, placeholders) for rule in rules],
        "line": _line_scanner(lark.terminals, lark.lexer_conf.ignore),
        "keywords": keywords,
        "literals": literals,
        "kept": kept,
        "newline": str(newline),
        "brackets": [[str(b) for b in brackets[0]], [str(b) for b in brackets[1]]],
    }


def _canonical_numbers(states: dict[Any, dict[Any, Any]], starts: list[Any]) -> dict[Any, int]:
    """A number for each state that does not depend on how Lark happened to number them (its
    numbering changes from process to process): the order in which a walk from the start
    states, following each state's shifts in the order of their symbols' names, first
    reaches it."""
    number: dict[Any, int] = {}
    queue = list(starts)
    for state in queue:
        if state in number:
            continue
        number[state] = len(number)
        for _, (action, arg) in sorted(states[state].items(), key=lambda item: str(item[0])):
            if action is Shift and arg not in number:
                queue.append(arg)
    if len(number) != len(states):
        raise ValueError("some states of the parse table are unreachable from its start states")
    return number


def _passes(rule: Any) -> bool:
    """A unit rule that hands its child on as it is: ``?rule`` with one kept child."""
    if len(rule.expansion) != 1 or not rule.options.expand1 or rule.alias \
            or rule.options.empty_indices:
        return False
    symbol = rule.expansion[0]
    return not symbol.filter_out if symbol.is_term else not symbol.name.startswith("_")


def _rule(rule: Any, placeholders: bool) -> list[Any]:
    """[callback name, size, rule name, passes, expand1, child filter or None]."""
    options = rule.options
    name = rule.alias or options.template_source or rule.origin.name
    head = [str(name), len(rule.expansion), str(rule.origin.name), _passes(rule),
            bool(options.expand1 and not rule.alias)]
    made = maybe_create_child_filter(rule.expansion, options.keep_all_tokens, False,
                                     options.empty_indices if placeholders else None)
    if made is None:
        return [*head, None]
    if made.func is ChildFilterLALR:
        include, append_none = made.args
    elif made.func is ChildFilterLALR_NoPlaceholders:
        include, append_none = [(i, expand, 0) for i, expand in made.args[0]], 0
    else:
        raise ValueError(f"unknown child filter {made.func!r}")
    return [*head, [[[i, bool(expand), nones] for i, expand, nones in include], append_none]]


def _scanner(terminals: Collection[TerminalDef], ignore: Collection[str],
             program: bool = False) -> tuple[str, dict[str, str], dict[str, str]]:
    """One regex over every terminal and ignored pattern of a program, in Lark's order, the
    keywords that NAME matches (Lark retypes such a NAME) and the terminal of each text that
    a literal group matches."""
    spaces, parts, keywords, literals = _terminals(terminals, ignore, program)
    named = "|".join(f"(?:{body})" if name is None else f"(?P<{name}>{body})"
                     for name, body in parts)
    return f"(?:{spaces})?(?:{named}|\\Z)", keywords, literals


def _line_scanner(terminals: Collection[TerminalDef], ignore: Collection[str]) -> dict[str, Any]:
    """The one-line lexer's table: a regex whose matches are (spaces, token) over the
    terminals a one-line text can hold, in Lark's order, and how a token's text tells its
    terminal: ``texts`` for the finite ones (literals, AUG_OP) and the keywords, else
    ``number`` when it starts with one of ``number_starts``, else ``name``."""
    spaces, parts, keywords, literals = _terminals(terminals, ignore, program=False)
    texts = {**keywords, **literals}
    infinite = []
    by_name = {t.name: t for t in terminals}
    for name, body in parts:
        if name is None or name.startswith("_LITERALS"):
            continue
        finite = re.fullmatch(r"\(\?:((?:\\.|[^|()\\])+(?:\|(?:\\.|[^|()\\])+)*)\)", body)
        if finite:
            for text in (re.sub(r"\\(.)", r"\1", a) for a in finite[1].split("|")):
                if not re.fullmatch(body, text) or text in texts:
                    raise ValueError(f"cannot list the texts of terminal {name}")
                texts[text] = name
        else:
            infinite.append(name)
    if sorted(infinite) != ["NAME", "NUMBER"]:
        raise ValueError(f"the one-line lexer tells NUMBER from NAME only, not {infinite}")
    number = re.compile(by_name["NUMBER"].pattern.to_regexp())
    name = re.compile(by_name["NAME"].pattern.to_regexp())
    probe = [chr(c) for c in range(32, 127)] + ["α", "é", "٣", "\u00b2"]
    starts = "".join(c for c in probe if any(number.match(c + tail) for tail in ("", "0", "x0")))
    for c in starts:
        if any(name.match(c + tail) for tail in ("", "0", "x")):
            raise ValueError(f"NUMBER and NAME may both start with {c!r}")
    alternatives = "|".join(body for _, body in parts)
    return {"pattern": f"({spaces})?({alternatives})", "rest": f"(?:{spaces})?\\Z",
            "texts": texts, "number_starts": starts, "number": "NUMBER", "name": "NAME"}


def _terminals(terminals: Collection[TerminalDef], ignore: Collection[str],
               program: bool) -> tuple[str, list[tuple[str | None, str]], dict[str, str],
                                       dict[str, str]]:
    """The ignored spaces, and the (group name or None when ignored, regex) of the
    terminals, in Lark's order, that a one-line text (or a ``program``) can hold, with runs
    of literal terminals made one group; the keywords that NAME matches and the terminal of
    each text of those groups."""
    name = next(t for t in terminals if t.name == "NAME")
    name_re = re.compile(name.pattern.to_regexp())
    keywords = {str(t.pattern.value): str(t.name) for t in terminals if isinstance(t.pattern, PatternStr)
                and t.priority == name.priority and name_re.fullmatch(t.pattern.value)}
    if program:
        chosen = [t for t in terminals if t.name not in keywords.values()]
    else:
        chosen = [t for t in terminals if t.name not in _SKIPPED and t.name not in keywords.values()
                  and not (t.name in ignore and "\\\\" in t.pattern.to_regexp())]
    chosen.sort(key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value),
                               t.name))
    if any(isinstance(t.pattern, PatternRE) and t.pattern.flags for t in chosen):
        raise ValueError("terminal flags are not supported by the quick parser")
    # The ignored spaces are read before each token (and at the end): a match per token
    # instead of one more after each space. Lark tries the terminals before them first, so
    # none of those may start with a space; no terminal may match nothing.
    (spaces,) = [t for t in chosen if t.name in ignore
                 and re.fullmatch(t.pattern.to_regexp(), " \t\f")]
    chosen.remove(spaces)
    for t in terminals:
        body = re.compile(t.pattern.to_regexp())
        if body.match(""):
            raise ValueError(f"terminal {t.name} matches nothing")
        if t is not spaces and any(body.match(c + tail) for c in " \t\f"
                                   for tail in ("", "x", "1", " ", "#", "\\\n")):
            raise ValueError(f"terminal {t.name} may start with a space")
    parts: list[tuple[str | None, str]] = []
    literals: dict[str, str] = {}
    run: list[TerminalDef] = []  # consecutive literal terminals: one group (see below)
    for t in [*chosen, None]:
        if t is not None and isinstance(t.pattern, PatternStr) and t.name not in ignore:
            run.append(t)
            continue
        if run:
            # Tried in the same order inside one group, they match what they matched one by
            # one; the lexer retypes the text (its terminal, by the ``literals`` table).
            parts.append((f"_LITERALS{len(parts)}",
                          "|".join(r.pattern.to_regexp() for r in run)))
            literals.update({str(r.pattern.value): str(r.name) for r in run})
            run = []
        if t is not None:
            parts.append((None if t.name in ignore else str(t.name), t.pattern.to_regexp()))
    if literals.keys() & keywords.keys():
        raise ValueError("a keyword of the grammar is also a literal terminal")
    return spaces.pattern.to_regexp(), parts, keywords, literals
