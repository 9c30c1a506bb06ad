"""The options several commands take, declared once (``Annotated`` aliases), and the formats."""

from enum import Enum
from typing import Annotated

import typer

from ..limits import MOST_NESTING, parse_bytes


class Dtype(str, Enum):
    float32 = "float32"
    float64 = "float64"


class EvalFormat(str, Enum):
    table = "table"
    json = "json"
    plain = "plain"


class RunFormat(str, Enum):
    plain = "plain"
    json = "json"


class DerivFormat(str, Enum):
    table = "table"
    json = "json"
    plain = "plain"


class CheckFormat(str, Enum):
    table = "table"
    json = "json"


class GraphFormat(str, Enum):
    tree = "tree"
    dot = "dot"
    mermaid = "mermaid"


class OpsFormat(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"


#: The seeds torch.manual_seed takes: 64-bit, a negative one taken modulo 2**64.
SEED_MIN, SEED_MAX = -2**63, 2**64 - 1
#: The default of --max-elements.
MAX_ELEMENTS = 250_000_000


def _seed(text: str) -> int:
    """A seed torch.manual_seed takes (SEED_MIN..SEED_MAX); a usage error for any other."""
    try:
        seed = int(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a valid integer.") from None
    if not SEED_MIN <= seed <= SEED_MAX:
        raise typer.BadParameter(f"{seed} does not fit in 64 bits: a seed is from -2**63 to "
                                 "2**64 - 1.") from None
    return seed


LET_HELP = ("Bind NAME to an expression (x=\"arange(4.0)\") or to data: @file.npy, "
            "@file.npz:key, @file.csv, @file.json, @- (a JSON array on stdin). Repeatable.")

Let = Annotated[list[str], typer.Option("--let", "-l", metavar="NAME=VALUE", help=LET_HELP)]
Wrt = Annotated[list[str], typer.Option(
    "--wrt", "-w", metavar="NAME", help="Differentiate with respect to this variable only. Repeatable.")]
DtypeOption = Annotated[Dtype, typer.Option("--dtype", help="Default floating dtype.")]
Seed = Annotated[int | None, typer.Option(
    "--seed", metavar="N", parser=_seed,
    help="Seed the random functions: the numbers torch.manual_seed(N) gives (64-bit).")]
Precision = Annotated[int, typer.Option("--precision", metavar="N", min=0, max=30, help="Decimals shown.")]
MaxElements = Annotated[int, typer.Option(
    "--max-elements", metavar="N", min=1,
    help="Largest tensor allowed, in elements (checked before allocating).")]
MaxSteps = Annotated[int, typer.Option(
    "--max-steps", metavar="N", min=1, help="Most loop iterations a program may run.")]
MaxDepth = Annotated[int, typer.Option("--max-depth", metavar="N", min=1,
                                       help="Deepest function call nesting.")]
DetectAnomaly = Annotated[bool, typer.Option(
    "--detect-anomaly",
    help="Stop at the first operation whose value or gradient is NaN or infinite.")]


def _bytes(text: str) -> int:
    """A size in bytes (``512M``, ``2G``); a usage error that says how to write one."""
    try:
        return parse_bytes(text)
    except ValueError as e:
        raise typer.BadParameter(str(e)) from None


MaxMemory = Annotated[int | None, typer.Option(
    "--max-memory", metavar="BYTES", parser=_bytes,
    help="Most memory the run may use, in bytes (512M, 2G allowed; default: a quarter of the "
    "machine's memory).")]
MaxInput = Annotated[int | None, typer.Option(
    "--max-input", metavar="BYTES", parser=_bytes,
    help="Most bytes read from a script, a line of stdin, @-, load() or an @file (512M, 2G "
    "allowed; default 256M).")]
MaxNesting = Annotated[int, typer.Option(
    "--max-nesting", metavar="N", min=1, max=MOST_NESTING,
    help="Deepest nesting of the source: brackets, and operators chained (x*x*...*x).")]
MaxEvals = Annotated[int, typer.Option(
    "--max-evals", metavar="N", min=2, help="Most evaluations of EXPR (two per element compared); bigger "
    "inputs are checked on a fixed sample of elements.")]
