"""A lean LALR(1) driver for expressions and scripts, over the tables Lark built from the
grammar.

``gradcli eval -`` parses thousands of small expressions, and Lark's general driver spends
most of its time in machinery this case does not need: a Tree per reduction, position
propagation through every unit rule of the precedence chain (``test -> or_test -> ... ->
atom``), and a contextual lexer that makes a Token per character class. This driver reads
the same parse table and the same terminals, and hands the AstBuilder the same children and
the same spans, but it passes unit reductions through without a call and builds AST nodes
as it reduces.

It only takes what it can do exactly like Lark, a text:
- without tabs, carriage returns or form feeds (a one-line expression without strings or
  comments takes a shorter path, with no indentation to measure, and may hold tabs);
- whose indentation always returns to a level it opened;
- with brackets within the depth limit, and a token sequence the table accepts.
Its newlines, indents and dedents are made as the postlexer (syntax/postlex.py) makes them.
For anything else, including every error, ``parse`` returns None and the caller parses the
text with Lark, which owns the diagnostics. Tests compare the two parsers' trees node by
node, positions included: every expression and script of the test suite and the examples,
and fuzzed ones.

Doing it once (issue 19): the parse of a text is written down as a program, keyed by the
kinds of its tokens (which alone decide an LALR parse's actions); the next text of the same
kinds replays it without the table, and from the one after, the program runs compiled into
one Python function that makes the common nodes directly (``QuickParser._compile``). The
trees of the last 256 texts are kept by text: nodes are immutable, errors are never kept.

The tables are plain data (syntax/quick_tables.py reads them from Lark), shipped in the
package beside Lark's own (syntax/make_tables.py): this module does not import Lark, and a
process whose texts all take the quick parser (a one-shot ``gradcli eval`` or ``gradcli
run``) never does.

Why the results are Lark's:
- Tokens. Terminals are tried in Lark's order ((-priority, -max width, -length, name)), and
  keywords are NAMEs that Lark's "unless" callback retypes. Lark's contextual lexer tries
  the subset of terminals the parser state accepts, in the same order, so when the token
  found here is accepted by the state, Lark finds the same one. (Where the state does not
  accept a keyword, Lark reads it as a NAME, which the AstBuilder then rejects: every
  keyword of the grammar is one of Python's. Here, the text goes to Lark.)
- Children. Reductions do what the callbacks of Lark's ParseTreeBuilder do, with the child
  filters Lark computes (which children to keep, ``None`` placeholders for ``[x]``, inlined
  ``_rules``), ending in the AstBuilder's methods.
- Spans. A rule's span runs from its first positioned child to its last, where a child
  that was passed through keeps the span of the rule that passed it on (Lark's "container"
  positions), and an empty rule has no span. (Lark keeps container positions on trees
  only: a ``?rule`` that handed a lone token up from among tokens it drops would differ.
  The grammar has none; the agreement tests would show one.)
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from gradcli.errors import GradcliError
from gradcli.syntax.builder import DIRECT, DIRECT_IDENTIFIER, DIRECT_NAMES

#: Characters that send a text to Lark: strings, comments, continuations, more lines.
ELSEWHERE = re.compile(r"[\"'#\\\r\n]")
#: Characters that a script read line by line may not hold (QuickParser._plain_script_tokens).
_NOT_PLAIN = re.compile(r"[\"'#\\\t\r\f]")
#: The tables' layout (syntax/quick_tables.py). Cached tables also carry a hash of this
#: module and quick_tables.py (syntax/parser.py), so that tables made by other code are made
#: again.
FORMAT = 2
SHIFT = 0
PASS = 1  # a unit reduction whose value and span are its child's
REDUCE = 2
#: Token texts whose terminal a script reading keeps (QuickParser._kinds).
_KINDS = 4096
#: Programs kept (see QuickParser._replay); the store starts afresh when full.
_PROGRAMS = 1024
#: A program of at most this many tokens is compiled into one Python function when it is
#: replayed (QuickParser._compile); a longer one is replayed step by step.
_COMPILED_TOKENS = 256
#: Trees kept by text (QuickParser.parse), the least recently used dropped first, and the
#: longest text kept.
_TREES = 256
_TREE_CHARS = 4096
#: The terminals whose tokens the AstBuilder reads for their positions (an f-string field's
#: place in the source) or their type.
_POSITIONED = frozenset({"STRING", "FSTRING"})
#: Rules whose method returns its one child (builder.DIRECT).
_PASSED_ON = frozenset(name for name, form in DIRECT.items() if form == "{0}")
_Span = tuple[int, int, int, int]
#: A token as the lexers hand it on: (terminal, its text or Token, its span; None for the end).
_Tok = tuple[str, Any, "_Span | None"]
_Callback = Callable[[list[Any]], Any]


class Meta:
    """The span the AstBuilder's methods receive (Lark's Meta, for one reduction)."""

    __slots__ = ("column", "empty", "end_column", "end_line", "line")

    def __init__(self, span: _Span | None) -> None:
        self.empty = span is None
        if span is not None:
            self.line, self.column, self.end_line, self.end_column = span


def _between(first: _Span, last: _Span) -> Meta:
    """The Meta from the start of ``first`` to the end of ``last``."""
    return Meta((first[0], first[1], last[2], last[3]))


#: The Meta of an empty reduction.
_EMPTY = Meta(None)


class _Program:
    """What one parse did, for texts whose tokens are of the same kinds (``_replay``): its
    ``steps``, and once replayed, ``build``: the steps compiled into one function (False
    when they are not compiled)."""

    __slots__ = ("build", "steps")

    def __init__(self, steps: list[tuple[int, _Callback, int] | None]) -> None:
        self.steps = steps
        self.build: Callable[..., Any] | None | bool = None


class Token(str):
    """A token a rule keeps, as Lark's Token: the text, its terminal and where it is."""

    __slots__ = ("column", "end_column", "end_line", "end_pos", "line", "start_pos", "type",
                 "value")
    type: str
    value: str
    start_pos: int
    end_pos: int
    line: int
    column: int
    end_line: int
    end_column: int

    def __new__(cls, kind: str, value: str, start: int, end: int) -> Token:
        token = super().__new__(cls, value)
        token.type, token.value = kind, value
        token.start_pos, token.line, token.column = start, 1, start + 1
        token.end_pos, token.end_line, token.end_column = end, 1, end + 1
        return token

    @classmethod
    def spanning(cls, kind: str, value: str, start: int, end: int, span: _Span) -> Token:
        """A token of a program: ``span`` is its (line, column, end line, end column)."""
        token = cls(kind, value, start, end)
        token.line, token.column, token.end_line, token.end_column = span
        return token

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {self.value!r})"


class _Inlined:
    """The value of a rule without a builder method (``_rule``): its children, which the
    parent's child filter inlines (as Lark's Tree would be)."""

    __slots__ = ("children", "data")

    def __init__(self, data: str, children: list[Any]) -> None:
        self.data = data
        self.children = children


class QuickParser:
    """Parses expressions (``eval_input``) and scripts (``file_input``) with ``rules``, the
    AstBuilder's methods, over ``tables`` (syntax/quick_tables.py)."""

    def __init__(self, tables: dict[str, Any], rules: dict[str, Callable[..., Any]]) -> None:
        if tables["format"] != FORMAT:
            raise ValueError(f"quick parser tables of format {tables['format']}")
        self._start_state = tables["start"]
        self._end_state = tables["end"]
        program = tables["program"]
        self._program_states = program["start"], program["end"]
        self._program_pattern: str = program["scanner"]
        self._program_scanner: re.Pattern[str] | None = None  # compiled when first needed
        self._indent, self._dedent = program["indent"], program["dedent"]
        self._ends = frozenset({self._end_state, program["end"]})
        self._newline = tables["newline"]
        opening, closing = tables["brackets"]
        self._brackets = frozenset(opening), frozenset(closing)
        self._current: list[Any] = [None, None]  # the builder and the Meta of the reduction
        self._callbacks = [_callback(rule, rules, self._current) for rule in tables["rules"]]
        self._rules = tables["rules"]
        self._methods = [rules.get(rule[0]) for rule in tables["rules"]]
        self._rows = _Rows(tables["rows"], tables["symbols"], tables["rules"])
        line = tables["line"]
        self._line_scanner = re.compile(line["pattern"])
        self._line_rest = re.compile(line["rest"])
        self._line_texts: dict[str, str] = line["texts"]
        self._number_starts = frozenset(line["number_starts"])
        self._number, self._name = line["number"], line["name"]
        #: The terminal of each token text read lately in a script (_plain_script_tokens).
        self._kinds: dict[str, str] = {}
        #: The terminal of a NAME that is a keyword and of a text a literal group matches.
        self._retype: dict[str, str] = {**tables["keywords"], **tables["literals"]}
        # Terminals whose Token some rule reads for more than its text: the others are
        # passed on as plain text (an error found in one goes to Lark, which reports it).
        self._kept = frozenset(tables["kept"]) & _POSITIONED
        self._chains: dict[tuple[int, int, str], int] = {}
        #: The programs of _run by the kinds of the tokens (the depth limit, whether a
        #: script), for _replay.
        self._programs: dict[tuple[tuple[str, ...], int, bool], _Program] = {}
        #: The trees of the texts parsed last, by (text, depth limit, whether a script).
        self._trees: OrderedDict[tuple[str, int, bool], Any] = OrderedDict()

    def parse(self, text: str, builder: Any, max_depth: int, script: bool = False) -> Any | None:
        """The AST of ``text`` (an expression, or a ``script``: ``file_input``), built by
        ``builder``; None when Lark must parse it instead.

        ``max_depth`` is the bracket nesting the postlexer allows (it reports deeper ones).
        A text parsed lately for the whole source gives the same tree again (nodes are
        immutable); errors are never kept.
        """
        kept = builder.whole_source and len(text) <= _TREE_CHARS
        if kept:
            trees = self._trees
            known = (text, max_depth, script)
            tree = trees.get(known)
            if tree is not None:
                trees.move_to_end(known)
                return tree
        if script:
            tokens = self._script_tokens(text)
            states = self._program_states
        else:
            code = text[:-1] if text.endswith("\n") else text
            if ELSEWHERE.search(code):  # strings, comments, more lines: read as in a script
                tokens = self._script_tokens(text)
            else:
                tokens = self._tokens(code, newline=len(code) < len(text))
            states = self._start_state, self._end_state
        if tokens is None:
            return None
        saved = self._current[0]
        self._current[0] = builder
        key = (tuple([t[0] for t in tokens]), max_depth, script)
        try:
            program = self._programs.get(key)
            if program is not None:
                node = self._replay(program, tokens)
            else:
                steps: list[tuple[int, _Callback, int] | None] = []
                node = self._run(tokens, max_depth, steps, *states)
                if node is None:
                    return None
                if len(self._programs) >= _PROGRAMS:
                    self._programs.clear()
                self._programs[key] = _Program(steps)
            if kept:
                trees[known] = node
                if len(trees) > _TREES:
                    trees.popitem(last=False)
            return node
        except GradcliError:
            # The builder's checks run during the parse here, after it in Lark: let Lark
            # decide which error comes first.
            return None
        finally:
            self._current[0] = saved

    # ------------------------------------------------------------ lexing

    def _tokens(self, code: str, newline: bool) -> list[_Tok] | None:
        """(terminal, value, span) for each token of a one-line text, read as (the spaces
        before it, its text): a text whose tokens and spaces do not make it up whole (a
        character no terminal matches) is None."""
        tokens: list[_Tok] = []
        append = tokens.append
        texts, numbers = self._line_texts, self._number_starts
        number, name = self._number, self._name
        position = 0
        for spaces, value in self._line_scanner.findall(code):
            start = position + len(spaces)
            position = start + len(value)
            append((texts.get(value) or (number if value[0] in numbers else name), value,
                    (1, start + 1, 1, position + 1)))
        # Matches skip what they cannot read: then they do not add up to the text.
        if not self._line_rest.match(code, position):
            return None
        if newline:
            size = len(code)
            append((self._newline, "\n", (1, size + 1, 2, 1)))
        append(("$END", None, None))  # type: ignore[arg-type]
        return tokens

    def _script_tokens(self, text: str) -> list[_Tok] | None:
        """The tokens of a script as Lark's lexer and the postlexer (syntax/postlex.py) make
        them: a newline only outside brackets, followed by the indent or the dedents that the
        next line's indentation makes (which borrow its span), and at the end the dedents
        that close the blocks still open (which borrow the last token's span).

        Tabs, carriage returns and form feeds go to Lark, whose postlexer checks mixed
        indentation; so does an indentation that matches no open block. A text without
        strings, comments and continuations (most scripts) is read line by line
        (``_plain_script_tokens``), the others token by token (``_scanned_tokens``): the
        two give the same tokens (tests/test_quick_parser.py).
        """
        if _NOT_PLAIN.search(text) is None:
            return self._plain_script_tokens(text)
        return self._scanned_tokens(text)

    def _plain_script_tokens(self, text: str) -> list[_Tok] | None:
        """``_script_tokens`` of a text without strings, comments, continuations, tabs,
        carriage returns or form feeds: each line's tokens in one ``findall`` of (spaces,
        token), as ``_tokens`` reads an expression. A newline token runs from the end of a
        line with tokens (or of the first line) over the blank lines after it to the next
        line's first token, as the _NEWLINE terminal matches it. Brackets are counted per
        line: a count below zero (a closing bracket none opened, a syntax error) is None, where
        the scanner would read on."""
        findall, rest = self._line_scanner.findall, self._line_rest.match
        texts, numbers, kinds = self._line_texts, self._number_starts, self._kinds
        number, name = self._number, self._name
        newline, indent, dedent = self._newline, self._indent, self._dedent
        tokens: list[_Tok] = []
        append = tokens.append
        levels = [0]
        depth = 0  # brackets open: without strings and comments, a count of characters
        last: _Span = (1, 1, 1, 1)
        lines = text.split("\n")
        count = len(lines)
        offset = 0  # where line i starts in the text
        i = 0
        while i < count:
            code = lines[i]
            row = i + 1
            position = 0
            for spaces, value in findall(code):
                start = position + len(spaces)
                position = start + len(value)
                last = (row, start + 1, row, position + 1)
                kind = kinds.get(value)
                if kind is None:
                    kind = texts.get(value) or (number if value[0] in numbers else name)
                    if len(kinds) < _KINDS:
                        kinds[value] = kind
                append((kind, value, last))
            if not rest(code, position):
                return None  # a character no terminal matches
            depth += code.count("(") + code.count("[") - code.count(")") - code.count("]")
            if depth < 0:
                return None  # a bracket closed that is not open: Lark reports it
            if i + 1 == count:
                break
            # The newline token: from this line's end over the blank lines after it.
            start = offset + len(code)
            j = i + 1
            offset += len(code) + 1
            while j + 1 < count and not lines[j].strip(" "):
                offset += len(lines[j]) + 1
                j += 1
            nxt = lines[j]
            width = len(nxt) - len(nxt.lstrip(" "))
            last = (row, len(code) + 1, j + 1, width + 1)
            i = j
            if depth:
                continue
            append((newline, text[start:offset + width], last))
            if width > levels[-1]:
                levels.append(width)
                append((indent, "", last))
                continue
            while width < levels[-1]:
                levels.pop()
                append((dedent, "", last))
            if width != levels[-1]:
                return None  # the postlexer's error
        while len(levels) > 1:
            levels.pop()
            append((dedent, "", last))
        append(("$END", None, None))
        return tokens

    def _scanned_tokens(self, text: str) -> list[_Tok] | None:
        """``_script_tokens`` of any text, token by token with the scanner of all terminals."""
        if "\t" in text or "\r" in text or "\f" in text:
            return None
        scanner = self._program_scanner
        if scanner is None:
            scanner = self._program_scanner = re.compile(self._program_pattern)
        tokens: list[_Tok] = []
        append = tokens.append
        retype, kept = self._retype, self._kept
        newline, indent, dedent = self._newline, self._indent, self._dedent
        opening, closing = self._brackets
        levels = [0]
        depth = 0
        line, line_start, position = 1, 0, 0
        last: _Span = (1, 1, 1, 1)
        for found in scanner.finditer(text):  # each token after its spaces
            start, end = found.span()
            if start != position:
                return None  # a character no terminal matches here
            position = end
            group = found.lastindex
            if group is None:  # ignored: a line continuation, a comment; or the end
                value = found.group()
                if "\n" in value:
                    line += value.count("\n")
                    line_start = start + value.rindex("\n") + 1
                continue
            value = found.group(group)
            if not value:
                return None
            start = end - len(value)
            column = start - line_start + 1
            breaks = value.count("\n")
            if breaks:
                line_start = start + value.rindex("\n") + 1
            span = (line, column, line + breaks, end - line_start + 1)
            line += breaks
            kind = found.lastgroup
            assert kind is not None  # a group matched: each terminal's group is named
            last = span
            if kind == newline:
                if depth:
                    continue
                if not breaks:
                    return None
                append((kind, Token.spanning(kind, value, start, end, span)
                        if kind in kept else value, span))
                width = end - line_start  # the next line's indentation: spaces only
                if width > levels[-1]:
                    levels.append(width)
                    append(self._borrowed(indent, start, end, span))
                    continue
                while width < levels[-1]:
                    levels.pop()
                    append(self._borrowed(dedent, start, end, span))
                if width != levels[-1]:
                    return None  # the postlexer's error
                continue
            kind = retype.get(value, kind)
            append((kind, Token.spanning(kind, value, start, end, span)
                    if kind in kept else value, span))
            if kind in opening:
                depth += 1
            elif kind in closing and depth:
                depth -= 1
        if position != len(text):
            return None
        while len(levels) > 1:
            levels.pop()
            append(self._borrowed(dedent, 0, 0, last))
        append(("$END", None, None))
        return tokens

    def _borrowed(self, kind: str, start: int, end: int,
                  span: _Span) -> tuple[str, Any, _Span | None]:
        """An indent or dedent at the span of the token it borrows it from."""
        return kind, (Token.spanning(kind, "", start, end, span) if kind in self._kept
                      else ""), span

    # ------------------------------------------------------------ parsing

    def _run(self, tokens: list[_Tok], max_depth: int,
             program: list[tuple[int, _Callback, int] | None], start_state: int,
             end_state: int) -> Any | None:
        """Parse ``tokens``, writing down in ``program`` the shifts (None) and the reductions
        that build values ((size, callback, rule number)): the same kinds of tokens make the
        same ones."""
        shift = program.append
        rows = self._rows
        opening, closing = self._brackets
        current = self._current
        chains = self._chains
        callbacks = self._callbacks
        states = [start_state]
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
                if action == SHIFT:
                    if kind == "$END":
                        return None
                    states.append(entry[1])
                    values.append(token)
                    spans.append(span)
                    shift(None)
                    break
                _, size, rule, origin = entry
                if action == PASS:  # value and span stay; only the state changes
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
                    callback = callbacks[rule]
                    current[1] = Meta(covered)
                    values.append(callback(children))
                    spans.append(covered)
                    states.append(rows[states[-1]][origin][1])
                    shift((size, callback, rule))
                if kind == "$END" and states[-1] == end_state:
                    return values[-1]
                row = rows[states[-1]]
        return None


    def _replay(self, program: _Program, tokens: list[_Tok]) -> Any:
        """What ``_run`` builds from tokens of these kinds, without the table: its program,
        compiled into one function from its second replay on (``_compile``)."""
        build = program.build
        builder = self._current[0]
        if build and builder.whole_source:
            return build(tokens, builder)  # type: ignore[operator]
        current = self._current
        values: list[Any] = []
        spans: list[_Span | None] = []
        next_token = iter(tokens).__next__
        for step in program.steps:
            if step is None:
                _, token, span = next_token()
                values.append(token)
                spans.append(span)
                continue
            size, callback, _ = step
            if size:
                children = values[-size:]
                covered = _cover(spans[-size:])
                del values[-size:], spans[-size:]
            else:
                children, covered = [], None
            current[1] = Meta(covered)
            values.append(callback(children))
            spans.append(covered)
        if build is None:
            program.build = self._compile(program.steps, tokens)
        return values[-1]

    def _compile(self, steps: list[tuple[int, _Callback, int] | None],
                 tokens: list[_Tok]) -> Callable[..., Any] | bool:
        """The steps as one function of (tokens, builder) that builds what the builder's
        methods would build from the children and spans that the replay would give them,
        found here once: which token each child and each span comes from, the child filters
        and the inlined rules. Where a method's result has a direct form (builder.DIRECT), the
        node is made there, else the method is called.

        It builds the trees of the whole source (the positions as parsed), for texts of
        the kinds and depth limit of the parse that made the program: that parse measured
        the depth of the one shape they all have. False for a long program (its function
        would be as long), and for a text with an f-string, whose fields (parsed apart) make
        trees of other shapes.
        """
        if len(tokens) > _COMPILED_TOKENS or any(t[0] == "FSTRING" for t in tokens):
            return False
        lines: list[str] = []
        namespace: dict[str, Any] = {**DIRECT_NAMES, "_between": _between, "_EMPTY": _EMPTY,
                                     "Meta": Meta, "_keywords": _keywords}
        # The stack of the parse: (Python expression of the value, or for an inlined rule
        # the list of its children's, or ("args", the tuple of the positional ones, that of
        # the keyword ones) for a call's arguments; the
        # (first, last) token of its span; the rule that made it, or "token", or
        # for an inlined rule the list of its children's).
        stack: list[tuple[Any, tuple[int, int] | None, Any]] = []
        position = 0
        methods = False  # whether it calls one of the builder's methods
        for step in steps:
            if step is None:
                lines.append(f"    TOKEN {position}")  # written below, as far as it is used
                stack.append((f"t{position}", None if tokens[position][2] is None
                              else (position, position), "token"))
                position += 1
                continue
            size, _, number = step
            children = stack[len(stack) - size:] if size else []
            del stack[len(stack) - size:]
            firsts = [span for _, span, _ in children if span is not None]
            covered = (firsts[0][0], firsts[-1][1]) if firsts else None
            name, _, _, _, expand1, child_filter = self._rules[number]
            if child_filter is None:
                kept = [value for value, _, _ in children]
                made = [rule for _, _, rule in children]
            else:
                kept, made = [], []
                for i, inline, nones in child_filter[0]:
                    kept += ["None"] * nones
                    made += ["token"] * nones
                    if inline:
                        if not isinstance(children[i][0], list):
                            return False
                        kept += children[i][0]
                        made += children[i][2]
                    else:
                        kept.append(children[i][0])
                        made.append(children[i][2])
                kept += ["None"] * child_filter[1]
                made += ["token"] * child_filter[1]
            method = self._methods[number]
            if expand1 and len(kept) == 1:
                stack.append((kept[0], covered, made[0]))
                continue
            if method is None:
                stack.append((kept, covered, made))
                continue
            if any(isinstance(k, list) for k in kept):
                return False
            if name == "arguments" and "token" not in made:
                named = made.count("keyword")
                if "keyword" not in made[:len(made) - named]:  # positional ones first
                    args, keywords = kept[:len(kept) - named], kept[len(kept) - named:]
                    stack.append((("args", f"({''.join(k + ', ' for k in args)})",
                                   f"_keywords(({''.join(k + ', ' for k in keywords)}))"
                                   if keywords else "()"), covered, "args"))
                    continue
            if name in _PASSED_ON:
                stack.append((kept[0], covered, made[0]))
                continue
            value = f"v{len(lines)}"
            form = self._direct(name, kept, covered)
            if form is None and name == "assign" and covered is not None and all(
                    rule in _PLAIN_TARGETS for rule in made[:-1]):
                # targets that the builder's check always passes
                form = (f"Assign(({''.join(k + ', ' for k in kept[:-1])}), {kept[-1]}, "
                        f"l{covered[0]}, c{covered[0]}, e{covered[1]}, f{covered[1]})")
            if form is None and name == "simple_stmt" and all(
                    rule in _ONE_STATEMENT for rule in made):
                form = f"({''.join(k + ', ' for k in kept)})"  # the builder's _flatten
            if form is not None:
                lines.append(f"    {value} = {form}")
                stack.append((value, covered, name))
                continue
            if any(isinstance(k, tuple) for k in kept):
                return False  # arguments for other than a call
            namespace[f"m{number}"] = method
            methods = True
            if covered is None:
                meta = "_EMPTY"
            elif covered[0] == covered[1]:
                meta = f"Meta(s{covered[0]})"
            else:
                meta = f"_between(s{covered[0]}, s{covered[1]})"
            lines.append(f"    {value} = m{number}(builder, {meta}, {', '.join(kept)})"
                         if kept else f"    {value} = m{number}(builder, {meta})")
            stack.append((value, covered, name))
        if len(stack) != 1 or not isinstance(stack[0][0], str):
            return False
        lines = _unpacked(lines, stack[0][0])
        if methods:
            # The builder's methods measure depths: the shape was measured when the program
            # was made, under the same depth limit.
            lines = ["    gauge = builder.swap_gauge(None)", "    try:",
                     *("    " + line for line in lines), f"        return {stack[0][0]}",
                     "    finally:", "        builder.swap_gauge(gauge)"]
        else:
            lines.append(f"    return {stack[0][0]}")
        source = "def build(tokens, builder):\n" + "\n".join(lines) + "\n"
        exec(compile(source, "<quick parser program>", "exec"), namespace)  # noqa: S102
        return namespace["build"]  # type: ignore[no-any-return]

    @staticmethod
    def _direct(name: str, kept: list[Any], covered: tuple[int, int] | None) -> str | None:
        """The expression that builds what the builder's method ``name`` builds from
        ``kept`` (builder.DIRECT), or None where the method itself must be called."""
        if covered is None:
            return None
        first, last = covered
        at = f"l{first}, c{first}, e{last}, f{last}"
        if name == "call":
            if kept[1] == "None":
                return f"Call({kept[0]}, (), (), {at})"
            if isinstance(kept[1], tuple):
                return f"Call({kept[0]}, {kept[1][1]}, {kept[1][2]}, {at})"
            return None
        form = DIRECT.get(name)
        if form is None or any(isinstance(k, tuple) for k in kept):
            return None
        identifiers = {f"id{i}": DIRECT_IDENTIFIER.format(i=k) for i, k in enumerate(kept)}
        return form.format(*kept, items=f"({''.join(k + ', ' for k in kept)})", at=at,
                           **identifiers)

    def _chain(self, below: int, top: int, kind: str) -> int:
        """The state after the unit reductions that ``kind`` makes in state ``top`` over
        ``below``: a chain such as atom -> power -> factor -> term -> expr, one step."""
        entry = self._rows[top][kind]
        while entry[0] == PASS and top not in self._ends:
            top = self._rows[below][entry[3]][1]
            entry = self._rows[top].get(kind, (SHIFT,))
        return top


#: Rules whose node the AstBuilder's assign takes as a target without a check that can fail.
_PLAIN_TARGETS = frozenset({"name", "attribute", "subscript"})


#: Rules of a small statement whose builder's method makes one statement (import_stmt makes
#: a tuple, which simple_stmt flattens).
_ONE_STATEMENT = frozenset({"expr_stmt", "assign", "aug_assign", "pass_stmt", "break_stmt",
                            "continue_stmt", "return_stmt", "assert_stmt", "import_from"})


def _keywords(keywords: tuple[Any, ...]) -> tuple[Any, ...]:
    """A compiled call's keyword arguments, refused (to Lark, which reports it) when a name is
    repeated, as the AstBuilder's arguments refuses them."""
    if len({k.name for k in keywords}) != len(keywords):
        raise GradcliError(kind="syntax", message="keyword argument repeated")
    return keywords


def _unpacked(lines: list[str], result: str) -> list[str]:
    """``lines`` with each ``TOKEN k`` line written as the unpacking of the parts of token
    ``k`` that the other lines (or ``result``) use: its value ``tk``, its span ``sk``, the
    parts of its span ``lk, ck, ek, fk`` (line, column, end line, end column); none, none."""
    used = set(re.findall(r"\b[tsclef]\d+\b", "\n".join(lines) + "\n" + result))
    out = []
    for line in lines:
        if not line.startswith("    TOKEN "):
            out.append(line)
            continue
        k = line.split()[1]
        value = f"t{k}" if f"t{k}" in used else "_"
        parts = [f"{p}{k}" if f"{p}{k}" in used else "_" for p in "lcef"]
        if f"s{k}" in used:
            out.append(f"    _, {value}, s{k} = tokens[{k}]")
            if parts != ["_"] * 4:
                out.append(f"    {', '.join(parts)} = s{k}")
        elif parts != ["_"] * 4:
            out.append(f"    _, {value}, ({', '.join(parts)}) = tokens[{k}]")
        elif value != "_":
            out.append(f"    {value} = tokens[{k}][1]")
    return out


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


class _Rows(dict[int, dict[str, tuple[Any, ...]]]):
    """The parse table by state, each state's row made from the flat list of the tables the
    first time the parser is in that state: ``{symbol: (SHIFT, next state)}`` or
    ``{symbol: (PASS or REDUCE, size, rule number, rule name)}``."""

    def __init__(self, flat: list[list[int]], symbols: list[str], rules: list[list[Any]]) -> None:
        super().__init__()
        if not all(isinstance(row, list) and len(row) % 2 == 0 for row in flat):
            raise ValueError("a row of the parse table is not a list of pairs")
        self._flat = flat
        self._symbols = symbols
        self._rules = rules

    def __missing__(self, state: int) -> dict[str, tuple[Any, ...]]:
        flat = self._flat[state]
        symbols = self._symbols
        row: dict[str, tuple[Any, ...]] = {}
        for k in range(0, len(flat), 2):
            action = flat[k + 1]
            if action & 1:
                number = action >> 1
                _, size, origin, passes = self._rules[number][:4]
                row[symbols[flat[k]]] = (PASS if passes else REDUCE, size, number, origin)
            else:
                row[symbols[flat[k]]] = (SHIFT, action >> 1)
        self[state] = row
        return row


def _callback(rule: list[Any], rules: dict[str, Callable[..., Any]],
              current: list[Any]) -> _Callback:
    """What Lark's ParseTreeBuilder makes for a rule: its child filter, then ``?rule``'s
    lone child, then the builder's method (with the builder and the Meta in ``current``)."""
    name, _, _, _, expand1, child_filter = rule
    method = rules.get(name)
    if method is not None:
        def build(children: list[Any]) -> Any:
            return method(current[0], current[1], *children)
    else:
        def build(children: list[Any]) -> Any:
            return _Inlined(name, children)
    if expand1:
        inner = build

        def build(children: list[Any]) -> Any:
            return children[0] if len(children) == 1 else inner(children)
    if child_filter is None:
        return build
    include = tuple((i, inline, nones) for i, inline, nones in child_filter[0])
    append_none = child_filter[1]
    node = build

    # A list rule (``_args: _args "," arg | arg``) inlines the list built so far as its first
    # child: that list is taken over and extended, not copied, so that n items cost n steps
    # (copying made a 100,000-argument call quadratic: ~20 s). It is safe: each value on the
    # parser's stack is the child of exactly one reduction.
    taken = include[0][0] if include and include[0][1] and not include[0][2] else None
    rest = include[1:] if taken is not None else include

    def keep(children: list[Any]) -> Any:
        kept: list[Any] = [] if taken is None else children[taken].children
        for i, inline, nones in rest:
            if nones:
                kept += [None] * nones
            if inline:
                kept += children[i].children
            else:
                kept.append(children[i])
        if append_none:
            kept += [None] * append_none
        return node(kept)
    return keep
