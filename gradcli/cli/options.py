"""The options several commands take, declared once (``Annotated`` aliases), and the formats."""

from enum import Enum
from typing import Annotated

import typer


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

LET_HELP = ("Bind NAME to an expression (x=\"arange(4.0)\") or to data: @file.npy, "
            "@file.npz:key, @file.csv, @file.json, @- (a JSON array on stdin). Repeatable.")

Let = Annotated[list[str], typer.Option("--let", "-l", help=LET_HELP)]
Wrt = Annotated[list[str], typer.Option(
    "--wrt", "-w", help="Differentiate with respect to this variable only. Repeatable.")]
DtypeOption = Annotated[Dtype, typer.Option("--dtype", help="Default floating dtype.")]
Seed = Annotated[int | None, typer.Option(
    "--seed", min=SEED_MIN, max=SEED_MAX,
    help="Seed the random functions: the numbers torch.manual_seed(N) gives (64-bit).")]
Precision = Annotated[int, typer.Option("--precision", min=0, max=30, help="Decimals shown.")]
MaxElements = Annotated[int, typer.Option(
    "--max-elements", min=1, help="Largest tensor allowed, in elements (checked before allocating).")]
MaxSteps = Annotated[int, typer.Option(
    "--max-steps", min=1, help="Most loop iterations a program may run.")]
MaxDepth = Annotated[int, typer.Option("--max-depth", min=1, help="Deepest function call nesting.")]
DetectAnomaly = Annotated[bool, typer.Option(
    "--detect-anomaly",
    help="Stop at the first operation whose value or gradient is NaN or infinite.")]
