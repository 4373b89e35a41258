"""The tournament report goes through the same HTML -> PDF path as the others: its scoreboard (a
wide table) and its plots stay inside the printable area."""

from __future__ import annotations

from pathlib import Path

from ae.reports.pdf import write_pdf
from ae.reports.tournament import Plot, TournamentReport, to_html, to_markdown

from . import layout
from .samples import _svg

METRICS = [{"name": name, "label": label, "key": f"##characteristics#run#{name}_with_a_long_key#mean",
            "arrow": "↑", "better": "higher is better", "unit": unit}
           for name, label, unit in [("top1", "Top-1 accuracy", ""), ("latency", "Latency p90", "ms"),
                                     ("price", "Platform price", "$"), ("power", "Power", "W")]]
ROWS = [{"entry": f"entry-{n}-" + "mobilenet" * (n % 3 + 1), "configuration": "batch=1, threads=4, " * 3,
         "provenance": "reproduced", "front": 1 + n % 2,
         "cells": {m["name"]: f"{0.7 + n / 100:.3f} [0.690, 0.720] (claimed 0.71)" for m in METRICS},
         "reasons": "" if n % 2 else "violates latency ≤ 50 ms"} for n in range(12)]
REPORT = TournamentReport(
    title="ReQuEST @ ASPLOS'18 <demo>", conference="request-asplos18",
    summary={"points": 12, "entries": 12, "ranked": 12, "fronts": 2, "front_metrics": ["top1", "latency"],
             "frontier": 6},
    metrics=METRICS, rules=["fronts over top1, latency"], rows=ROWS, plots=[Plot("Pareto front", _svg())])


def test_the_tournament_report_pdf_stays_inside_the_margins(tmp_path: Path) -> None:
    key = "`##characteristics#run#top1_with_a_long_key#mean`"
    assert f"| Top-1 accuracy (top1) | {key} |" in to_markdown(REPORT), "a code span shows the key as is"
    page = to_html(REPORT)
    assert "data:image/svg+xml;base64," in page
    path = write_pdf(page, tmp_path / "tournament.pdf")
    text = layout.text(path)
    for shown in ["Tournament report: ReQuEST @ ASPLOS'18 <demo>", "Pareto frontier", "Scoreboard",
                  "Figure 1: Pareto front"]:
        assert shown in text, shown
    layout.assert_inside(path, tmp_path / "pages")
