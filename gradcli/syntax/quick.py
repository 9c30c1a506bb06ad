"""A lean LALR(1) driver for one-line expressions, over the tables Lark built from the grammar.

``gradcli eval -`` parses thousands of small expressions, and Lark's general driver spends
most of its time in machinery this case does not need: a Tree per reduction, position
propagation through every unit rule of the precedence chain (``test -> or_test -> ... ->
atom``), and a contextual lexer that makes a Token per character class. This driver reads
the same parse table and the same terminals, and hands the AstBuilder the same children and
the same spans, but it passes unit reductions through without a call and builds AST nodes
as it reduces.

It only takes what it can do exactly like Lark: one line without strings, comments or
line continuations, brackets within the depth limit, and a token sequence the table
accepts. For anything else, including every error, ``parse`` returns None and the caller
parses the text with Lark, which owns the diagnostics. Tests compare the two parsers' trees
node by node, positions included, on every expression of the test suite and on fuzzed ones.

Why the results are Lark's:
- Tokens. Terminals are tried in Lark's order ((-priority, -max width, -length, name)), and
  keywords are NAMEs that Lark's "unless" callback retypes. Lark's contextual lexer tries
  the subset of terminals the parser state accepts, in the same order, so when the token
  found here is accepted by the state, Lark finds the same one. (Where the state does not
  accept a keyword, Lark reads it as a NAME, which the AstBuilder then rejects: every
  keyword of the grammar is one of Python's. Here, the text goes to Lark.)
- Children. Reductions call the callbacks of Lark's own ParseTreeBuilder (child filters,
  placeholders for ``[x]``, inlined ``_rules``), ending in the AstBuilder's methods.
- Spans. A rule's span runs from its first positioned child to its last, where a child
  that was passed through keeps the span of the rule that passed it on (Lark's "container"
  positions), and an empty rule has no span.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import Any

from lark import Lark, Token, Tree
from lark.lexer import PatternRE, PatternStr, TerminalDef
from lark.parse_tree_builder import ParseTreeBuilder
from lark.parsers.lalr_analysis import Shift

from gradcli.errors import GradcliError

#: Characters that send a text to Lark: strings, comments, continuations, more lines.
_ELSEWHERE = re.compile(r"[\"'#\\\r\n]")
_SHIFT = 0
_PASS = 1  # a unit reduction whose value and span are its child's
_REDUCE = 2
#: Programs kept (see QuickParser._replay); the store starts afresh when full.
_PROGRAMS = 1024
_Span = tuple[int, int, int, int]


class Meta:
    """The span the AstBuilder's methods receive (Lark's Meta, for one reduction)."""

    __slots__ = ("column", "empty", "end_column", "end_line", "line")

    def __init__(self, span: _Span | None) -> None:
        self.empty = span is None
        if span is not None:
            self.line, self.column, self.end_line, self.end_column = span


class QuickParser:
    """Parses the ``start`` symbol of one-line texts with ``builder_class``'s rule methods."""

    def __init__(self, lark: Lark, builder_class: type, start: str, newline: str,
                 brackets: tuple[list[str], list[str]]) -> None:
        frontend = lark.parser.parser.parser  # ParsingFrontend -> LALR_Parser -> _Parser
        table = frontend.parse_table
        self._start_state = table.start_states[start]
        self._end_state = table.end_states[start]
        self._newline = newline
        self._brackets = frozenset(brackets[0]), frozenset(brackets[1])
        self._current: list[Any] = [None, None]  # the builder and the Meta of the reduction
        callbacks = ParseTreeBuilder(
            lark.rules, lark.options.tree_class or Tree, False, False,
            lark.options.maybe_placeholders).create_callback(_Adapter(builder_class,
                                                                       self._current))
        self._rows = {state: self._row(actions, callbacks) for state, actions in
                      table.states.items()}
        self._scanner, self._keywords = _scanner(lark.terminals, lark.lexer_conf.ignore)
        self._chains: dict[tuple[int, int, str], int] = {}
        #: The programs of _run by the kinds of the tokens (and the depth limit), for _replay.
        self._programs: dict[tuple[tuple[str, ...], int],
                             list[tuple[int, Callable[[list[Any]], Any]] | None]] = {}
        # Terminals some rule passes to its callback: the others need no Token object.
        self._kept = frozenset(symbol.name for rule in lark.rules for symbol in rule.expansion
                               if symbol.is_term and (rule.options.keep_all_tokens
                                                      or not _filtered(symbol)))

    @staticmethod
    def _row(actions: dict[str, tuple[Any, Any]],
             callbacks: dict[Any, Callable[[list[Any]], Any]]) -> dict[str, tuple[Any, ...]]:
        row: dict[str, tuple[Any, ...]] = {}
        for symbol, (action, arg) in actions.items():
            if action is Shift:
                row[symbol] = (_SHIFT, arg)
                continue
            rule = arg
            size = len(rule.expansion)
            passes = (size == 1 and rule.options.expand1 and not rule.alias
                      and not rule.options.empty_indices and _kept(rule.expansion[0]))
            row[symbol] = (_PASS if passes else _REDUCE, size, callbacks[rule], rule.origin.name)
        return row

    def parse(self, text: str, builder: Any, max_depth: int) -> Any | None:
        """The AST of ``text``, built by ``builder``; None when Lark must parse it instead.

        ``max_depth`` is the bracket nesting the postlexer allows (it reports deeper ones).
        """
        code = text[:-1] if text.endswith("\n") else text
        if _ELSEWHERE.search(code):
            return None
        tokens = self._tokens(code, newline=len(code) < len(text))
        if tokens is None:
            return None
        saved = self._current[0]
        self._current[0] = builder
        key = (tuple([t[0] for t in tokens]), max_depth)
        try:
            program = self._programs.get(key)
            if program is not None:
                return self._replay(program, tokens)
            program = []
            node = self._run(tokens, max_depth, program)
            if node is not None:
                if len(self._programs) >= _PROGRAMS:
                    self._programs.clear()
                self._programs[key] = program
            return node
        except GradcliError:
            # The builder's checks run during the parse here, after it in Lark: let Lark
            # decide which error comes first.
            return None
        finally:
            self._current[0] = saved

    # ------------------------------------------------------------ lexing

    def _tokens(self, code: str, newline: bool) -> list[tuple[str, str, _Span]] | None:
        """(terminal, value, span) for each token: the value is a Token where a rule keeps it."""
        tokens: list[tuple[str, str, _Span]] = []
        append = tokens.append
        keywords = self._keywords
        kept = self._kept
        make = Token._future_new  # Token() without its check of deprecated keywords
        position = 0
        for found in self._scanner.finditer(code):
            start, end = found.span()
            if start != position or start == end:
                return None  # a character no terminal matches here
            position = end
            kind = found.lastgroup
            if kind is not None:  # None: ignored whitespace
                value = found.group()
                if kind == "NAME":
                    kind = keywords.get(value, kind)
                if kind in kept:
                    value = make(kind, value, start, 1, start + 1, 1, end + 1, end)
                append((kind, value, (1, start + 1, 1, end + 1)))
        if position != len(code):
            return None
        if newline:
            size = len(code)
            token = make(self._newline, "\n", size, 1, size + 1, 2, 1, size + 1)
            append((self._newline, token, (1, size + 1, 2, 1)))
        append(("$END", None, None))  # type: ignore[arg-type]
        return tokens

    # ------------------------------------------------------------ parsing

    def _run(self, tokens: list[tuple[str, str, _Span]], max_depth: int,
             program: list[tuple[int, Callable[[list[Any]], Any]] | None]) -> Any | None:
        """Parse ``tokens``, writing down in ``program`` the shifts (None) and the reductions
        that build values ((size, callback)): the same kinds of tokens make the same ones."""
        shift = program.append
        rows = self._rows
        opening, closing = self._brackets
        end_state = self._end_state
        current = self._current
        chains = self._chains
        states = [self._start_state]
        values: list[Any] = []
        spans: list[_Span | None] = []
        depth = 0
        for kind, token, span in tokens:
            row = rows[states[-1]]
            if kind in opening:
                if depth >= max_depth:
                    return None  # the postlexer's error
                depth += 1
            elif kind in closing:
                depth -= 1
            while True:
                entry = row.get(kind)
                if entry is None:
                    return None
                action = entry[0]
                if action == _SHIFT:
                    if kind == "$END":
                        return None
                    states.append(entry[1])
                    values.append(token)
                    spans.append(span)
                    shift(None)
                    break
                _, size, callback, origin = entry
                if action == _PASS:  # value and span stay; only the state changes
                    key = (states[-2], states[-1], kind)
                    top = chains.get(key)
                    if top is None:
                        top = chains[key] = self._chain(states[-2], states[-1], kind)
                    states[-1] = top
                else:
                    if size:
                        children = values[-size:]
                        covered = _cover(spans[-size:])
                        del states[-size:], values[-size:], spans[-size:]
                    else:
                        children, covered = [], None
                    current[1] = Meta(covered)
                    values.append(callback(children))
                    spans.append(covered)
                    states.append(rows[states[-1]][origin][1])
                    shift((size, callback))
                if kind == "$END" and states[-1] == end_state:
                    return values[-1]
                row = rows[states[-1]]
        return None


    def _replay(self, program: list[tuple[int, Callable[[list[Any]], Any]] | None],
                tokens: list[tuple[str, str, _Span]]) -> Any:
        """What ``_run`` builds from tokens of these kinds, without the table: its program."""
        current = self._current
        values: list[Any] = []
        spans: list[_Span | None] = []
        next_token = iter(tokens).__next__
        for step in program:
            if step is None:
                _, token, span = next_token()
                values.append(token)
                spans.append(span)
                continue
            size, callback = step
            if size:
                children = values[-size:]
                covered = _cover(spans[-size:])
                del values[-size:], spans[-size:]
            else:
                children, covered = [], None
            current[1] = Meta(covered)
            values.append(callback(children))
            spans.append(covered)
        return values[-1]

    def _chain(self, below: int, top: int, kind: str) -> int:
        """The state after the unit reductions that ``kind`` makes in state ``top`` over
        ``below``: a chain such as atom -> power -> factor -> term -> expr, one step."""
        entry = self._rows[top][kind]
        while entry[0] == _PASS and top != self._end_state:
            top = self._rows[below][entry[3]][1]
            entry = self._rows[top].get(kind, (_SHIFT,))
        return top


def _cover(spans: list[_Span | None]) -> _Span | None:
    """From the first positioned child's start to the last one's end."""
    first = last = None
    for span in spans:
        if span is not None:
            if first is None:
                first = span
            last = span
    if first is None or last is None:
        return None
    return first[0], first[1], last[2], last[3]


def _kept(symbol: Any) -> bool:
    """Whether a lone child reaches the rule's callback as it is (not filtered, not inlined)."""
    if symbol.is_term:
        return not _filtered(symbol)
    return not symbol.name.startswith("_")


def _filtered(terminal: Any) -> bool:
    """Whether the rule's child filter drops this terminal (an anonymous "(" and the like)."""
    return bool(terminal.filter_out)


class _Adapter:
    """The 'transformer' Lark's ParseTreeBuilder wraps: each rule method of the builder
    class, called with the builder and the Meta of the reduction in progress."""

    def __init__(self, builder_class: type, current: list[Any]) -> None:
        for name, member in vars(builder_class).items():
            method = getattr(member, "base_func", None)  # a v_args(meta=True, inline=True)
            if method is not None and not name.startswith("_"):
                setattr(self, name, _bind(method, current))


def _bind(method: Callable[..., Any], current: list[Any]) -> Callable[[list[Any]], Any]:
    def call(children: list[Any]) -> Any:
        return method(current[0], current[1], *children)
    return call


def _scanner(terminals: Collection[TerminalDef],
             ignore: Collection[str]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One regex over the terminals a one-line text can hold, in Lark's order, and the
    keywords that NAME matches (Lark retypes such a NAME)."""
    name = next(t for t in terminals if t.name == "NAME")
    name_re = re.compile(name.pattern.to_regexp())
    keywords = {t.pattern.value: t.name for t in terminals if isinstance(t.pattern, PatternStr)
                and t.priority == name.priority and name_re.fullmatch(t.pattern.value)}
    skipped = {"STRING", "FSTRING", "COMMENT", "_NEWLINE"}
    chosen = [t for t in terminals if t.name not in skipped and t.name not in keywords.values()
              and not (t.name in ignore and "\\\\" in t.pattern.to_regexp())]
    chosen.sort(key=lambda t: (-t.priority, -t.pattern.max_width, -len(t.pattern.value),
                               t.name))
    parts = []
    for t in chosen:
        body = t.pattern.to_regexp()
        parts.append(f"(?:{body})" if t.name in ignore else f"(?P<{t.name}>{body})")
    if any(isinstance(t.pattern, PatternRE) and t.pattern.flags for t in chosen):
        raise ValueError("terminal flags are not supported by the quick parser")
    return re.compile("|".join(parts)), keywords
