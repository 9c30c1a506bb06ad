"""What the commands build from their options: the limits, the data loader, an evaluator."""

from collections.abc import Callable
from typing import Any

from ..errors import GradcliError
from ..limits import MAX_CALL_DEPTH, MAX_STEPS
from .boundary import with_origin
from .options import Dtype


def limits(max_steps: int, max_depth: int, max_elements: int) -> Any:
    from ..engine.ops import set_max_elements
    from ..interpreter.core import Limits

    set_max_elements(max_elements)
    return Limits(max_steps=max_steps, max_depth=max_depth)


def loader(stdin_used: list[bool]) -> Callable[[str], Any]:
    def load(spec: str) -> Any:
        from ..data_io import load_data  # only when some --let reads a file
        from ..engine.ops import LIMITS

        if spec == "-":
            if stdin_used[0]:
                raise GradcliError("usage", "standard input can be read only once",
                                   hint="use @- for one --let at most, and not with EXPR -")
            stdin_used[0] = True
        return load_data(spec, max_elements=LIMITS["max_elements"])

    return load


def toolkit_evaluator(let: list[str], wrt: list[str], dtype: Dtype, seed: int | None,
                      max_elements: int) -> Any:
    """The evaluator of jacobian, hessian, check and graph."""
    from ..interpreter.evaluate import EvalOptions, Evaluator, split_let
    from .output import side_channel

    opts = EvalOptions(lets=[split_let(text) for text in let], wrt=list(wrt), dtype=dtype.value,
                       seed=seed, limits=limits(MAX_STEPS, MAX_CALL_DEPTH, max_elements))
    return with_origin(lambda: Evaluator(opts, loader([False]), *side_channel()), "--let")
