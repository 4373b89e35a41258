"""The claim plot: drawn once per call, the same samples give the same bytes, everything on the page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from matplotlib.figure import Figure

from ae.verdicts.plot import claim_svg, drawn

ARGS: dict[str, Any] = {"claimed": 10.0, "band": (0.9, 1.1), "scale": "ratio", "measured_ci": (9.5, 10.5),
        "label": "execution_time (s)"}
SAMPLES = [9.8, 10.1, 10.3, 9.9, 10.0, 10.2, 9.7]


def test_drawn_once_and_deterministic(monkeypatch: pytest.MonkeyPatch) -> None:
    draws: list[int] = []
    real = Figure.draw

    def counted(self: Figure, renderer: object) -> None:
        draws.append(1)
        real(self, renderer)

    monkeypatch.setattr(Figure, "draw", counted)
    drawn.cache_clear()
    first = claim_svg(SAMPLES, **ARGS)
    assert len(draws) == 1  # bbox_inches="tight" drew every figure twice
    assert claim_svg(list(SAMPLES), **{**ARGS, "band": [0.9, 1.1]}) == first and len(draws) == 1  # memoised
    drawn.cache_clear()
    assert claim_svg(SAMPLES, **ARGS) == first and len(draws) == 2  # drawn again: the same bytes
    assert "Date" not in first and "<dc:date>" not in first


def test_fixed_page_holds_label_and_legend() -> None:
    svg = claim_svg(SAMPLES, **ARGS)
    size = re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    assert size is not None
    assert (float(size[1]), float(size[2])) == (302.4, 115.2)  # 4.2 × 1.6 in, whatever the samples
    for text in ("execution_time (s)", "accepted", "claimed", "95 % CI of median", "measured"):
        assert text in svg
