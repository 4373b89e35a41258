"""The tournament report: plain data (rules, frontier, scoreboard rows, plots) -> Markdown -> HTML.

The caller (`ae.standings.tournament_report`) turns a board into a `TournamentReport`; this module
knows nothing of boards, so a conference report can put the same rows into its own pages. Plots are
SVG text made by the service; the HTML embeds each as an `<img>` of a data: URL, so nothing in it can
run or fetch (the report CSP allows data: images only).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ae import markdown
from ae.reports.artifact import _CSS, _ENV


@dataclass(frozen=True)
class Plot:
    """One SVG figure of the report."""

    caption: str
    svg: str


@dataclass(frozen=True)
class TournamentReport:
    """Everything a tournament report shows (cells are already formatted text)."""

    title: str
    conference: str
    summary: dict[str, Any]
    metrics: list[dict[str, Any]]  # name, label, key, arrow, better, unit
    rules: list[str]
    rows: list[dict[str, Any]]      # entry, configuration, provenance, front, cells{metric: text}, reasons
    description: str = ""
    published: bool = False
    plots: list[Plot] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def frontier(self) -> list[dict[str, Any]]:
        """Return the rows of front 1."""
        return [row for row in self.rows if row.get("front") == 1]


def to_markdown(report: TournamentReport) -> str:
    """Render the report as Markdown (plots are named; the HTML shows them)."""
    return _ENV.get_template("tournament.md.j2").render(r=report)


def to_html(report: TournamentReport) -> str:
    """Render the report as a standalone HTML page with its plots."""
    body = markdown.render(to_markdown(report))
    figures = "".join(
        f'<figure><img alt="{markdown.escape(p.caption)}" src="data:image/svg+xml;base64,'
        f'{base64.b64encode(p.svg.encode()).decode()}"><figcaption>Figure {n}: {markdown.escape(p.caption)}'
        "</figcaption></figure>\n" for n, p in enumerate(report.plots, start=1))
    title = markdown.escape(report.title)
    return (f"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title>"
            f"<style>{_CSS} img {{ max-width: 100%; }}</style></head><body>\n{body}\n{figures}"
            "</body></html>\n")


def write(report: TournamentReport, out_dir: Path) -> dict[str, Path]:
    """Write tournament.md and tournament.html to `out_dir`; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"md": out_dir / "tournament.md", "html": out_dir / "tournament.html"}
    for kind, text in (("md", to_markdown(report)), ("html", to_html(report))):
        tmp = paths[kind].with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.rename(paths[kind])
    return paths
