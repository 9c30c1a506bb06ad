"""``gradcli plot -o FILE.png|.svg|.pdf``: the curves drawn with matplotlib, imported here only."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import GradcliError
from ..results import PlotResult
from .plot_data import equation, series

FORMATS = (".png", ".svg", ".pdf")
INSTALL = 'pip install "gradcli[plot]"'


def render_file(result: PlotResult, path: str) -> None:
    """Write the plot to ``path`` (its extension chooses the format).

    Raises ``GradcliError`` kind ``usage`` for another extension, kind ``io`` when matplotlib
    is not installed (the message says what to install) or the file cannot be written."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise GradcliError("usage", f"cannot write a plot to {path!r}: unknown file extension "
                           f"{suffix or '(none)'!r}", hint="name the file with one of "
                           + ", ".join(FORMATS) + ", or leave out -o to draw on the terminal")
    try:
        import matplotlib
    except ImportError:
        raise GradcliError("io", f"writing {Path(path).name} needs matplotlib, which is not "
                           f"installed: {INSTALL}", hint=f"install it with {INSTALL} (or pip "
                           "install matplotlib), or leave out -o to draw on the terminal") from None
    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(8, 5), layout="constrained")
    for kind, label, values, curve in series(result):
        shown = np.array(values, dtype=np.float64)
        shown[curve.undefined | ~np.isfinite(shown)] = np.nan  # a gap
        if kind == "tangent" and curve.tangent is not None:
            label = f"{label}: {equation(curve.tangent, result.name)}"
            axes.plot(result.x, shown, "--", label=label)
        else:
            axes.plot(result.x, shown, label=label)
    axes.axhline(0.0, color="0.6", linewidth=0.8)
    axes.set_xlabel(result.name)
    axes.set_ylabel("y")
    axes.set_title(", ".join(c.expr for c in result.curves))
    axes.grid(True, alpha=0.3)
    axes.legend()
    metadata = {"Date": None} if suffix == ".svg" else None  # the same plot, the same bytes
    try:
        figure.savefig(path, format=suffix[1:], metadata=metadata)
    except OSError as exc:
        raise GradcliError("io", f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        pyplot.close(figure)
