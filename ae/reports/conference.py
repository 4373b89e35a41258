"""The conference report: counts per badge and outcome, the timeline against the phases, the results
table and a line per artifact; CSV and JSON of the results beside the HTML and PDF.

Plain data in, text out (no Flask, no database): `ae.reporting.conference` gathers the data. Only
public facts and the chairs' own decisions appear; no evaluator is named.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ae import __version__
from ae.files import atomic
from ae.reports import page

log = logging.getLogger(__name__)

#: Columns of the CSV (and keys of each JSON result), in order.
RESULT_COLUMNS = ("artifact_id", "title", "version", "status", "claims", "reproduced", "requested",
                  "recommended", "decision", "awarded", "issued", "doi", "commit")


@dataclass(frozen=True)
class ConferenceReport:
    """Everything a conference report shows (cells are formatted text, lists of badge titles)."""

    slug: str
    name: str
    scheme: str
    scheme_version: str
    today: str
    badges: list[dict[str, Any]] = field(default_factory=list)    # title, requested, recommended, ...
    timeline: list[dict[str, Any]] = field(default_factory=list)  # phase, starts, ends, state, counts
    results: list[dict[str, Any]] = field(default_factory=list)   # RESULT_COLUMNS
    lines: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)         # artifacts, statuses
    generated_at: str = ""
    ae_version: str = __version__


def to_markdown(report: ConferenceReport) -> str:
    """Render the report as Markdown."""
    return page.ENV.get_template("conference.md.j2").render(r=report)


def to_html(report: ConferenceReport) -> str:
    """Render the report as a standalone HTML page."""
    return page.shell(f"Conference report: {report.name}", page.render(to_markdown(report)))


def to_json(report: ConferenceReport) -> str:
    """Return the report's data as JSON (stable key order, one result per artifact)."""
    return json.dumps({
        "conference": report.slug, "name": report.name, "scheme": report.scheme,
        "scheme_version": report.scheme_version, "today": report.today, "generated_at": report.generated_at,
        "ae_version": report.ae_version, "summary": report.summary, "badges": report.badges,
        "timeline": report.timeline, "results": [{k: r[k] for k in RESULT_COLUMNS} for r in report.results],
    }, indent=1, ensure_ascii=False) + "\n"


def to_csv(report: ConferenceReport) -> str:
    """Return the results table as CSV, one line per artifact (lists joined with "; ")."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RESULT_COLUMNS)
    for row in report.results:
        writer.writerow([_cell("; ".join(v) if isinstance(v, list) else "" if v is None else str(v))
                         for v in (row[k] for k in RESULT_COLUMNS)])
    return out.getvalue()


def _cell(text: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write(report: ConferenceReport, out_dir: Path, *, pdf: bool = True) -> dict[str, Path]:
    """Write conference.{md,html,csv,json} and (optionally) conference.pdf; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html = to_html(report)
    texts = {"md": to_markdown(report), "html": html, "csv": to_csv(report), "json": to_json(report)}
    paths = {kind: out_dir / f"conference.{kind}" for kind in texts}
    for kind, text in texts.items():
        atomic.write_text(paths[kind], text)
    if pdf:
        from ae.reports.pdf import PdfUnavailable, write_pdf

        try:
            paths["pdf"] = write_pdf(html, out_dir / "conference.pdf")
        except PdfUnavailable as exc:
            log.warning("%s: wrote HTML only", exc)
    return paths
