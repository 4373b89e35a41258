"""An SVG plot of any two metrics of a board, with their Pareto front drawn (matplotlib's SVG canvas).

Only matplotlib's object API and its SVG backend are used (no pyplot, no Agg, no global figure
state), so plots are safe in threads and identical for identical boards (fixed hash salt, no date).
Ranked points are filled, one marker per provenance; points that are not ranked (a broken
constraint, pending, not ranked by provenance) are grey crosses; the front is the 2-D non-dominated
set of the ranked points over the two metrics, drawn as a staircase.
"""

from __future__ import annotations

import io

import numpy as np

from ae.tournaments import pareto
from ae.tournaments.definition import Direction, Provenance
from ae.tournaments.scoreboard import Scoreboard

MARKERS = {Provenance.REPRODUCED: "o", Provenance.AUTHOR: "s", Provenance.VOLUNTEER: "^"}
COLOURS = {Provenance.REPRODUCED: "#1b7837", Provenance.AUTHOR: "#2166ac", Provenance.VOLUNTEER: "#b35806"}
_LABELLED = 12  # front points labelled with their configuration, at most


def plot_svg(board: Scoreboard, x: str, y: str) -> str:
    """Return an SVG plot of metric `y` against metric `x` with their front drawn."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    mx, my = board.tournament.metric(x), board.tournament.metric(y)
    xs, ys = board.columns[x].value, board.columns[y].value
    shown = ~np.isnan(xs) & ~np.isnan(ys)
    ranked = board.ranked & shown
    provenance = np.array([p.provenance for p in board.points], dtype=object)
    with rc_context({"svg.hashsalt": "ae-tournament", "svg.fonttype": "none", "font.size": 9}):
        figure = Figure(figsize=(7.5, 5))
        FigureCanvasSVG(figure)
        axes = figure.add_subplot()
        other = shown & ~ranked
        if other.any():
            axes.scatter(xs[other], ys[other], marker="x", color="#999999", label="not ranked", zorder=2)
        for kind in Provenance:
            mine = ranked & (provenance == kind).astype(bool)
            if mine.any():
                axes.scatter(xs[mine], ys[mine], marker=MARKERS[kind], color=COLOURS[kind], label=str(kind),
                             zorder=3)
        chosen = ranked.nonzero()[0]
        if len(chosen):
            fronts = pareto.fronts(np.column_stack([xs[chosen], ys[chosen]]),
                                   [mx.direction is Direction.MAX, my.direction is Direction.MAX])
            first = chosen[fronts == 1]
            first = first[np.lexsort((ys[first], xs[first]))]
            axes.step(xs[first], ys[first], where="post", color="#d6604d", linewidth=1.5,
                      label="Pareto front", zorder=4)
            axes.scatter(xs[first], ys[first], facecolors="none", edgecolors="#d6604d", s=90, zorder=5)
            for i in first[:_LABELLED]:
                axes.annotate(board.points[i].configuration, (xs[i], ys[i]), textcoords="offset points",
                              xytext=(4, 4), fontsize=7)
        axes.set_xlabel(mx.title)
        axes.set_ylabel(my.title)
        axes.set_title(f"{board.tournament.name}: {my.label or my.name} vs {mx.label or mx.name}")
        axes.grid(True, linewidth=0.3)
        if shown.any():
            axes.legend(loc="best", fontsize=7)
        else:
            axes.text(0.5, 0.5, "no point has both values yet", transform=axes.transAxes, ha="center")
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return out.getvalue()
