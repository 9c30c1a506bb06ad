"""What the commands build from their options: the limits, the data loader, an evaluator."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import STDIN_TWICE, GradcliError
from ..limits import MAX_CALL_DEPTH, MAX_INPUT, MAX_NESTING, MAX_STEPS
from .boundary import with_origin
from .options import MAX_ELEMENTS, Dtype


@dataclass(frozen=True)
class Budget:
    """The size limits of every command that evaluates: --max-elements, --max-memory and
    --max-input (None: the default), --max-nesting."""

    max_elements: int = MAX_ELEMENTS
    max_memory: int | None = None
    max_input: int | None = None
    max_nesting: int = MAX_NESTING


def limits(max_steps: int, max_depth: int, budget: Budget) -> Any:
    """Apply ``budget`` to this run (the engine, the readers, the parser); the interpreter's
    limits."""
    from ..engine.memory import DEFAULT_MAX_MEMORY, set_max_memory
    from ..engine.ops import set_max_elements
    from ..interpreter.core import Limits
    from ..limits import set_max_nesting
    from ..reading import set_max_input

    set_max_elements(budget.max_elements)
    set_max_memory(budget.max_memory or DEFAULT_MAX_MEMORY)
    set_max_input(budget.max_input or MAX_INPUT)
    set_max_nesting(budget.max_nesting)
    return Limits(max_steps=max_steps, max_depth=max_depth)


def loader(stdin_used: list[bool]) -> Callable[[str], Any]:
    def load(spec: str) -> Any:
        from ..data_io import load_data  # only when some --let reads a file
        from ..engine.dtypes import default_float
        from ..engine.ops import LIMITS

        if spec == "-":
            if stdin_used[0]:
                raise GradcliError("io", STDIN_TWICE, hint="use @- or load('-') once at most, "
                                   "and not with EXPR -; keep the value in a variable")
            stdin_used[0] = True
        return load_data(spec, max_elements=LIMITS["max_elements"], text_float=default_float())

    return load


def toolkit_evaluator(let: list[str], wrt: list[str], dtype: Dtype, seed: int | None,
                      budget: Budget, output: str = "") -> Any:
    """The evaluator of jacobian, hessian, check, graph, plot and diff; ``output``: the format
    its derivatives are printed in, sized before they are computed."""
    from ..interpreter.evaluate import EvalOptions, Evaluator, split_let
    from .output import side_channel

    opts = EvalOptions(lets=[split_let(text) for text in let], wrt=list(wrt), dtype=dtype.value,
                       seed=seed, limits=limits(MAX_STEPS, MAX_CALL_DEPTH, budget),
                       output=output)
    return with_origin(lambda: Evaluator(opts, loader([False]), *side_channel()), "--let")
