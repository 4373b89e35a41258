"""A small SVG plot of one claim: the measured samples, the claimed value and its accepted band.

Drawn like the tournament plots (matplotlib's object API and SVG canvas only, fixed hash salt, no
date), so the same samples give the same picture, byte for byte, in pages and reports.
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Sequence


def claim_svg(samples: Sequence[float], *, claimed: float | None, band: tuple[float, float] | None,
              scale: str | None, measured_ci: tuple[float, float] | None, label: str) -> str:
    """Return an SVG strip plot of `samples` with the claimed value, its band and the median's CI.

    `band` is in ratios of the claimed value when `scale` is "ratio", in the metric's unit when
    "absolute" (a claimed 0); an open end (None or infinite) runs off the plot. Plots are
    memoised per process: a page shows the same ones at every request, and one costs ~50 ms.
    """
    return drawn(tuple(float(v) for v in samples), claimed, _pair(band), scale, _pair(measured_ci), label)


def _pair(two: Sequence[float] | None) -> tuple[float, float] | None:
    """Return a band or interval as a tuple (stored verdicts give lists, which do not hash)."""
    return None if two is None else (two[0], two[1])


@functools.lru_cache(maxsize=256)
def drawn(samples: tuple[float, ...], claimed: float | None, band: tuple[float, float] | None,
          scale: str | None, measured_ci: tuple[float, float] | None, label: str) -> str:
    """Draw the plot of `claim_svg` (its arguments made hashable)."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    values = [float(v) for v in samples if math.isfinite(float(v))]
    with rc_context({"svg.hashsalt": "ae-claim", "svg.fonttype": "none", "font.size": 8}):
        # one draw on a fixed layout: bbox_inches="tight" (or a layout engine) would measure the
        # figure by drawing it once more; the axes, the label and the legend below have set room
        figure = Figure(figsize=(4.2, 1.6))
        figure.subplots_adjust(left=0.03, right=0.97, top=0.96, bottom=0.4)
        FigureCanvasSVG(figure)
        axes = figure.add_subplot()
        low, high = _band(claimed, band, scale)
        if low is not None or high is not None:
            span = [v for v in (*values, claimed) if v is not None] or [0.0]
            wide = (max(span) - min(span)) or abs(max(span)) or 1.0
            axes.axvspan(low if low is not None else min(span) - wide, high if high is not None
                         else max(span) + wide, color="#d9f0d3", label="accepted", zorder=1)
        if claimed is not None:
            axes.axvline(claimed, color="#2166ac", linewidth=1.5, label="claimed", zorder=2)
        if measured_ci is not None and all(math.isfinite(x) for x in measured_ci):
            axes.plot(list(measured_ci), [0.5, 0.5], color="#444444", linewidth=3, alpha=0.5,
                      label="95 % CI of median", zorder=3)
        if values:
            spread = [0.35 + 0.3 * (n % 5) / 4 for n in range(len(values))]
            axes.scatter(values, spread, s=14, color="#b2182b", label="measured", zorder=4)
        axes.set_ylim(0, 1)
        axes.set_yticks([])
        axes.set_xlabel(label)
        figure.legend(loc="lower center", ncol=4, fontsize=6, frameon=False, borderaxespad=0.2)
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def _band(claimed: float | None, band: tuple[float, float] | None,
          scale: str | None) -> tuple[float | None, float | None]:
    if band is None:
        return None, None
    ends = [b if b is not None and math.isfinite(b) else None for b in band]
    if scale == "ratio":
        if claimed is None:
            return None, None
        ends = [None if e is None else e * claimed for e in ends]
        if claimed < 0:
            ends.reverse()
    return ends[0], ends[1]
