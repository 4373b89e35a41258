"""The per-artifact evaluation report: plain data -> Markdown -> HTML -> PDF."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from ae import markdown
from ae.files import atomic

log = logging.getLogger(__name__)

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("ae.reports", "templates"),
    autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)
_ENV.filters["e"] = markdown.escape

_CSS = """
body { font-family: sans-serif; font-size: 10pt; margin: 1.5em; color: #222; }
h1 { font-size: 16pt; } h2 { font-size: 12pt; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #bbb; padding: 2px 6px; text-align: left; vertical-align: top; }
code { font-size: 9pt; }
"""


@dataclass(frozen=True)
class ArtifactReport:
    """Everything an evaluation report of one artifact version shows."""

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


def to_markdown(report: ArtifactReport) -> str:
    """Render the report as Markdown."""
    return _ENV.get_template("artifact.md.j2").render(r=report)


def to_html(report: ArtifactReport) -> str:
    """Render the report as a standalone HTML page."""
    body = markdown.render(to_markdown(report))
    title = markdown.escape(report.title)
    return (f"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title>"
            f"<style>{_CSS}</style></head><body>\n{body}\n</body></html>\n")


def write(report: ArtifactReport, out_dir: Path, *, pdf: bool = True) -> dict[str, Path]:
    """Write report.md, report.html and (optionally) report.pdf to `out_dir`; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"md": out_dir / "report.md", "html": out_dir / "report.html"}
    page = to_html(report)
    for kind, text in (("md", to_markdown(report)), ("html", page)):
        atomic.write_text(paths[kind], text)
    if pdf:
        from ae.reports.pdf import PdfUnavailable, write_pdf

        try:
            paths["pdf"] = write_pdf(page, out_dir / "report.pdf")
        except PdfUnavailable as exc:
            log.warning("%s: wrote HTML only", exc)
    return paths
