"""`gradcli ops [PATTERN] [--category C]`: the op table, or the functions a pattern picks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from gradcli.engine.ops import CATEGORIES, OPS
from gradcli.errors import GradcliError
from gradcli.render import ops_listing

ROOT = Path(__file__).resolve().parent.parent


def names(pattern: str | None = None, category: str | None = None) -> set[str]:
    return {s.name for s in ops_listing.select(pattern, category)}


def test_no_pattern_is_every_function() -> None:
    assert names() == set(OPS)


def test_a_pattern_picks_by_name_alias_or_category() -> None:
    assert names("sin") == {"sin", "sinh", "asin", "asinh", "isinf"}
    assert names("LOG") == {"log", "log1p", "log2", "log10", "logsumexp", "log_softmax",
                            "logical_not", "binary_cross_entropy_with_logits", "logdet",
                            "slogdet"}
    assert names("clip") == {"clamp"}  # an alias
    assert names("linear algebra") == {s.name for s in OPS.values()
                                       if s.category == "linear algebra"}


def test_a_glob_matches_whole_words() -> None:
    assert names("arg*") == {"argmax", "argmin"}
    assert names("?in") == {"sin", "min"}


@pytest.mark.parametrize("category", [c for c in CATEGORIES
                                      if any(s.category == c for s in OPS.values())])
def test_category_is_exact(category: str) -> None:
    assert names(category=category) == {s.name for s in OPS.values() if s.category == category}
    assert names(category=category.upper()) == names(category=category)


def test_pattern_and_category_together() -> None:
    assert names("max", "reduction") == {"max", "amax", "argmax", "softmax", "log_softmax"}
    assert names("max", "element-wise") == {"maximum", "clamp_max"}


def test_nothing_matched_is_an_error_with_suggestions() -> None:
    with pytest.raises(GradcliError) as info:
        ops_listing.select("sinx")
    assert info.value.kind == "name" and info.value.exit_code == 1
    assert "'sin'" in info.value.hint
    with pytest.raises(GradcliError) as info:
        ops_listing.select(category="reductions")
    assert info.value.kind == "usage" and "reduction" in info.value.hint


def test_the_table_fits_80_columns_with_what_it_does() -> None:
    console = Console(width=80, record=True, no_color=True)
    with console.capture() as capture:
        ops_listing.render_table(console)
    text = capture.get()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "what it does" in text
    words = " ".join(text.split())
    for spec in OPS.values():  # every summary is there, wrapped at spaces only
        assert " ".join(spec.summary.split()) in words or all(
            w in words for w in spec.summary.split()), spec.name


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gradcli", "ops", *args], cwd=str(ROOT),
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "COLUMNS": "80", "NO_COLOR": "1"})


@pytest.mark.slow
def test_command_filters_and_fails_as_grep() -> None:
    proc = run("sin")
    assert proc.returncode == 0 and proc.stderr == ""
    assert "sin(input)" in proc.stdout and "sine" in proc.stdout and "SinBackward0" in proc.stdout
    assert "cos(input)" not in proc.stdout.replace("grad * cos(input)", "")
    rows = json.loads(run("--category", "reduction", "--format", "json").stdout)
    assert {r["name"] for r in rows} == names(category="reduction")
    missing = run("nosuchfunction")
    assert missing.returncode == 1 and missing.stdout == ""
    assert missing.stderr.startswith("error[name]: no function matches 'nosuchfunction'")
    bad = run("--category", "nope")
    assert bad.returncode == 2 and bad.stdout == "" and "the categories are" in bad.stderr
