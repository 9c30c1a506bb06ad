"""The engine's process-wide settings as one value: read, reset and put back around one run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import autograd, dtypes, memory
from .ops import LIMITS, autograd_ops, creation


@dataclass(frozen=True)
class EngineState:
    """Everything a run may set in the engine: the --max-elements and --max-memory limits,
    the file loader of load(), the default floating dtype, the random generator (None: made
    afresh, unseeded, on first use), grad mode, the anomaly hook and whether nodes keep their
    values."""

    max_elements: int
    max_memory: int
    loader: tuple[Any, ...]
    default_float: Any
    rng: Any
    grad_enabled: bool
    anomaly_hook: Any
    keep_values: bool


def snapshot() -> EngineState:
    """The settings now."""
    return EngineState(
        max_elements=LIMITS["max_elements"], max_memory=memory.BUDGET["max_memory"],
        loader=tuple(autograd_ops._LOADER),
        default_float=dtypes.default_float(), rng=creation._rng[0],
        grad_enabled=autograd.is_grad_enabled(), anomaly_hook=autograd.ANOMALY_HOOK[0],
        keep_values=autograd.KEEP_VALUES[0])


def restore(state: EngineState) -> None:
    """Make ``state`` the settings; a recording left frozen from the garbage collector is
    given back to it (what the next backward would have done), and a collection a long
    recording's backward owes is made (autograd._thaw)."""
    LIMITS["max_elements"] = state.max_elements
    memory.BUDGET["max_memory"] = state.max_memory
    autograd_ops._LOADER[:] = state.loader
    dtypes._default_float[0] = state.default_float
    creation._rng[0] = state.rng
    autograd._grad_enabled[0] = state.grad_enabled
    autograd.ANOMALY_HOOK[0] = state.anomaly_hook
    autograd.KEEP_VALUES[0] = state.keep_values
    if autograd._frozen[0]:
        autograd._thaw()
    if autograd._collection_owed[0]:
        autograd.collect_owed()


#: The settings of a freshly imported engine (this module is imported with it, before any run).
DEFAULTS = snapshot()
