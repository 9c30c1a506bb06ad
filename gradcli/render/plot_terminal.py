"""``gradcli plot`` on the terminal: the curves drawn with uniplot, imported here only."""

from __future__ import annotations

import numpy as np

from ..results import PlotResult
from .plot_data import series, tangent_lines

#: One colour per curve, in order (no black or white: one of them is the background).
COLORS = ["blue", "magenta", "green", "yellow", "cyan", "red"]
#: Without colour, one character per curve tells the curves apart.
ASCII = ["+", "x", "o", "*", "~", "#", "@", "%", "=", "&", "$", "^"]
#: Lines around the drawing: title, top and bottom border, x labels, one line of legend, the
#: prompt.
FRAME_LINES = 6
SMALLEST = (30, 5)


def render_terminal(result: PlotResult, columns: int, lines: int, color: bool) -> str:
    """The plot in ``columns`` x ``lines`` characters: braille dots in one colour per curve,
    or with ``color`` False one ASCII character per curve, and the tangents' equations."""
    from uniplot import plot_to_string

    labels, ys, ranged = [], [], []
    for kind, label, values, curve in series(result):
        shown = np.array(values, dtype=np.float64)
        shown[curve.undefined | ~np.isfinite(shown)] = np.nan  # a gap
        labels.append(label)
        ys.append(shown)
        if kind != "tangent":  # a straight line leaves the picture: the curves set the scale
            ranged.append(shown)
    equations = tangent_lines(result)
    finite = np.concatenate([y[np.isfinite(y)] for y in ranged])
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
    if high - low < 1e-12 * max(1.0, abs(high)):  # a constant: give it room
        low, high = low - 1.0, high + 1.0
    columns = max(columns, SMALLEST[0])
    legend = sum(len(label) + 6 for label in labels)  # "++ label" and a gap, per curve
    height = max(lines - FRAME_LINES - (legend - 1) // columns - len(equations), SMALLEST[1])
    n = len(ys)
    options = dict(
        legend_labels=labels, title=", ".join(c.expr for c in result.curves), lines=True,
        width=columns, line_length_hard_cap=columns, height=height, y_min=low, y_max=high,
        x_min=float(result.x[0]), x_max=float(result.x[-1]))
    if color:
        options.update(color=[COLORS[i % len(COLORS)] for i in range(n)],
                       character_set="braille")
    else:
        options.update(color=False, character_set="ascii",
                       force_ascii_characters=[ASCII[i % len(ASCII)] for i in range(n)])
    drawing = plot_to_string(ys, [result.x] * n, **options)
    return "\n".join([drawing.rstrip("\n"), *equations]) + "\n"
