"""Regenerate the README's function list from the op table: ``python tools/update_readme.py``.

The list between ``<!-- ops:start -->`` and ``<!-- ops:end -->`` is written from the op table
(``gradcli ops``'s rows); ``--check`` only reports, with exit status 1, a README that differs.
tests/test_readme.py runs ``updated`` on the README and compares.
"""

from __future__ import annotations

import sys
from pathlib import Path

from gradcli.render.ops_listing import render_markdown

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- ops:start -->\n", "<!-- ops:end -->"


def updated(readme: str) -> str:
    """``readme`` with its function list made from the op table."""
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return head + START + render_markdown() + END + tail


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    new = updated(text)
    if "--check" in argv:
        if new != text:
            print(f"{README.name}: the function list is not the op table's; run "
                  "python tools/update_readme.py", file=sys.stderr)
            return 1
        return 0
    if new != text:
        README.write_text(new, encoding="utf-8")
        print(f"{README.name}: function list rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
