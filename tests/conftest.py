"""Every test starts from a freshly imported engine's settings and leaves them as it found them.

Tests that build an Evaluator directly (not through ``gradcli.cli.main``, whose run does
this itself) may set the default dtype, the generator or grad mode; without this, a later
test would see them (a float64 default made ``randn(4)`` float64 in another file)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gradcli.engine import state


@pytest.fixture(autouse=True)
def _fresh_engine_state() -> Iterator[None]:
    before = state.snapshot()
    state.restore(state.DEFAULTS)
    try:
        yield
    finally:
        state.restore(before)
