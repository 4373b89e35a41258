"""The conference report for its chairs, rendered from the data as it stands: HTML, PDF, CSV, JSON."""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from ae import conferences
from ae.reporting.conference import conference_report
from ae.reports import conference as report
from ae.reports.pdf import render_pdf
from ae.review.phases import day as phase_day
from ae.storage.db import session_scope
from ae.storage.models import utcnow
from ae.web.api import REPORT_CSP
from ae.web.guard import require
from ae.web.policy import On, Permission

bp = Blueprint("reports", __name__, url_prefix="/conferences/<slug>")

TYPES = {"html": "text/html", "pdf": "application/pdf", "csv": "text/csv", "json": "application/json"}


@bp.get("/report.<any(html, pdf, csv, json):kind>")
def conference(slug: str, kind: str) -> Response:
    """Serve the conference report (HTML, PDF) or its results table (CSV, JSON) to the chairs."""
    require(Permission.MANAGE_CONFERENCE, On(conference=slug))
    found = conferences.get(slug)
    with session_scope() as session:
        data = conference_report(session=session, conference=found,
                                 today=phase_day(current_app.config.get("TODAY")),
                                 generated_at=utcnow().strftime("%Y-%m-%d %H:%M UTC"))
    body: str | bytes
    if kind == "pdf":
        body = render_pdf(report.to_html(data))
    else:
        body = {"html": report.to_html, "csv": report.to_csv, "json": report.to_json}[kind](data)
    response = Response(body, mimetype=TYPES[kind])
    if kind != "html":
        response.headers["Content-Disposition"] = f"attachment; filename={found.slug}-report.{kind}"
    response.headers["Content-Security-Policy"] = REPORT_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
