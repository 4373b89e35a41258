"""The per-artifact evaluation report: plain data -> Markdown -> HTML -> PDF.

The report is what a chair forwards to the authors unedited: the outcome per requested badge, the
identity of what was evaluated, the check-list, every claim against its results (CI, samples with
their time source, a plot), the environment, failures by class, changes since the last version,
the reviews and threads as authors see them (evaluators as "Evaluator A"), the badges with their
verification links, and the `ae` version and date. Same data, same bytes, but for the date line.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ae import __version__
from ae.files import atomic
from ae.reports import page
from ae.reports.page import CSS as _CSS
from ae.reports.page import ENV as _ENV
from ae.reports.page import Figure

log = logging.getLogger(__name__)
__all__ = ["_CSS", "_ENV", "ArtifactReport", "to_html", "to_markdown", "write"]

#: A line the template writes where a figure goes; `<` never survives `ae.markdown.escape`.
_SLOT = re.compile(r"^<figure-slot (\d+)>$", re.M)


@dataclass(frozen=True)
class ArtifactReport:
    """Everything an evaluation report of one artifact version shows (plain, JSON-like data)."""

    title: str
    conference: str
    source: str
    version: int
    commit: str | None
    snapshot_digest: str | None
    status: str
    claims: list[dict[str, Any]] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    badges: list[dict[str, Any]] = field(default_factory=list)
    platform: dict[str, Any] = field(default_factory=dict)
    checklist: dict[str, Any] = field(default_factory=dict)
    dependencies: list[dict[str, Any]] = field(default_factory=list)
    artifact_id: str = ""
    conference_name: str = ""
    scheme: str = ""
    scheme_version: str = ""
    doi: str | None = None
    paper: dict[str, Any] = field(default_factory=dict)        # hotcrp_pid, authors
    headline: list[dict[str, Any]] = field(default_factory=list)  # badge, title, requested, outcome, basis
    failures: list[dict[str, Any]] = field(default_factory=list)  # kind, count, runs
    environment: dict[str, Any] = field(default_factory=dict)   # declared, workers, differences
    changes: dict[str, Any] | None = None                       # since the previous version
    reviews: list[dict[str, Any]] = field(default_factory=list)  # evaluator, round, answers
    threads: list[dict[str, Any]] = field(default_factory=list)  # about, messages (by, body)
    decision: dict[str, Any] | None = None
    issued: list[dict[str, Any]] = field(default_factory=list)   # title, issued, status, url, verify
    generated_at: str = ""
    ae_version: str = __version__

    @property
    def figures(self) -> list[Figure]:
        """Return the claims' plots, in the order the claims are shown."""
        return [Figure(f"claim {c['id']}: samples against the claimed band", c["svg"])
                for c in self.claims if c.get("svg")]


def to_markdown(report: ArtifactReport) -> str:
    """Render the report as Markdown (figures are named where they stand)."""
    figures = report.figures
    return _SLOT.sub(lambda m: f"*Figure {m[1]}: {figures[int(m[1]) - 1].caption} (in the HTML and PDF)*",
                     _source(report))


def _source(report: ArtifactReport) -> str:
    return _ENV.get_template("artifact.md.j2").render(r=report)


def to_html(report: ArtifactReport) -> str:
    """Render the report as a standalone HTML page, its figures embedded."""
    figures = report.figures
    parts = _SLOT.split(_source(report))
    body = page.render(parts[0])
    for number, text in zip(parts[1::2], parts[2::2], strict=True):
        body += page.figure(int(number), figures[int(number) - 1]) + page.render(text)
    return page.shell(report.title, body)


def write(report: ArtifactReport, out_dir: Path, *, pdf: bool = True) -> dict[str, Path]:
    """Write report.md, report.html and (optionally) report.pdf to `out_dir`; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"md": out_dir / "report.md", "html": out_dir / "report.html"}
    html = to_html(report)
    for kind, text in (("md", to_markdown(report)), ("html", html)):
        atomic.write_text(paths[kind], text)
    if pdf:
        from ae.reports.pdf import PdfUnavailable, write_pdf

        try:
            paths["pdf"] = write_pdf(html, out_dir / "report.pdf")
        except PdfUnavailable as exc:
            log.warning("%s: wrote HTML only", exc)
    return paths
