"""Every test starts from a freshly imported engine's settings and leaves them as it found them.

Tests that build an Evaluator directly (not through ``gradcli.cli.main``, whose run does
this itself) may set the default dtype, the generator or grad mode; without this, a later
test would see them (a float64 default made ``randn(4)`` float64 in another file)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

# Bytecode caches, even where the environment turns them off (PYTHONDONTWRITEBYTECODE): the
# suite rewrites and imports its modules once per run, and its child processes import
# gradcli hundreds of times; without caches each of those compiles everything again.
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

import pytest  # noqa: E402

from gradcli.engine import state  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_engine_state() -> Iterator[None]:
    before = state.snapshot()
    state.restore(state.DEFAULTS)
    try:
        yield
    finally:
        state.restore(before)
