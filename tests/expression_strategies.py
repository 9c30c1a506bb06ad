"""Hypothesis strategies for generated gradcli expressions (test_parser, test_quick_parser)."""

from __future__ import annotations

from hypothesis import strategies as st


def extend(inner: st.SearchStrategy[str], names: st.SearchStrategy[str],
           binary: st.SearchStrategy[str], unary: tuple[str, ...] = ("-", "+", "not "),
           fstrings: bool = False) -> st.SearchStrategy[str]:
    """Expressions one level above ``inner``: operators, brackets, calls, attributes, indexing,
    slices, lists and tuples (and f-strings around ``inner``)."""
    forms = [
        st.tuples(inner, binary, inner).map(" ".join),
        st.tuples(st.sampled_from(unary), inner).map("".join),
        inner.map(lambda e: f"({e})"),
        st.tuples(inner, inner, inner).map(lambda t: f"{t[0]} if {t[1]} else {t[2]}"),
        st.tuples(inner, st.lists(inner, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"),
        st.tuples(inner, names, inner).map(lambda t: f"{t[0]}({t[1]}={t[2]})"),
        st.tuples(inner, names).map(lambda t: f"{t[0]}.{t[1]}"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}:, ::{t[1]}]"),
        st.lists(inner, max_size=3).map(lambda items: f"[{', '.join(items)}]"),
        st.lists(inner, min_size=1, max_size=3).map(lambda items: f"({', '.join(items)},)"),
    ]
    if fstrings:
        forms.append(inner.map(lambda e: f"f'{{{e}}}'" if "'" not in e and "\\" not in e else e))
    return st.one_of(*forms)
