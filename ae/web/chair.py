"""The chair's side of the review: phase dates, the assignment proposal, the dashboard with its
exports, decisions, and HotCRP's JSON in and out."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for

from ae import awarding, conferences, issuance
from ae.badges import schemes
from ae.conferences import Conference
from ae.errors import AeError
from ae.review import assignment, dashboard, hotcrp, phases, schedule
from ae.review.phases import Phase
from ae.storage.db import session_scope
from ae.web.guard import require
from ae.web.policy import On, Permission
from ae.workers import reports
from ae.workers import smoke as gate
from ae.workers.jobs import queue_runs

bp = Blueprint("chair", __name__, url_prefix="/conferences/<slug>")


def today() -> dt.date:
    """Return the day phases are read on: AE_TODAY, else today (UTC)."""
    return phases.day(current_app.config.get("TODAY"))


def timeline(conference: Conference) -> tuple[list[Phase], Phase | None]:
    """Return a conference's phases (the chair's dates applied) and the current one."""
    with session_scope() as session:
        now = schedule.effective(session=session, conference=conference.slug, filed=conference.phases)
    return now, phases.current(now, today())


def _back(slug: str, view: str, message: str, category: str = "info") -> Any:
    flash(message, category)
    return redirect(url_for(view, slug=slug), 303)


@bp.post("/phases")
def set_phase(slug: str) -> Any:
    """Set one phase's dates (they replace the conference file's)."""
    who = require(Permission.MANAGE_CONFERENCE, On(conference=slug))
    conferences.get(slug)
    try:
        with session_scope() as session:
            row = schedule.set_dates(session=session, conference=slug, name=request.form.get("name", ""),
                                     starts=request.form.get("starts", ""), ends=request.form.get("ends", ""),
                                     by=who.user_id)
            name = row.name
    except AeError as exc:
        return _back(slug, "conference.page", f"Phase not changed: {exc}", "error")
    return _back(slug, "conference.page", f"Phase {name} saved.")


@bp.get("/assignment")
def proposal(slug: str) -> Any:
    """Show the solver's proposal (k evaluators per artifact) for the chair to edit and commit."""
    require(Permission.MANAGE_CONFERENCE, On(conference=slug))
    conference = conferences.get(slug)
    error, proposed = None, None
    with session_scope() as session:
        now = assignment.situation(session=session, conference=slug)
        try:
            now, proposed = assignment.propose(session=session, conference=slug,
                                               k=conference.review.evaluators_per_artifact,
                                               most=conference.review.max_per_evaluator)
        except AeError as exc:
            error = str(exc)
    return render_template("chair/assignment.html", conference=conference, now=now, proposal=proposed,
                           error=error)


@bp.post("/assignment")
def commit(slug: str) -> Any:
    """Commit the checked pairs of the (edited) proposal into the assignments."""
    require(Permission.MANAGE_CONFERENCE, On(conference=slug))
    conferences.get(slug)
    pairs = [tuple(p.split(":", 1)) for p in request.form.getlist("pair") if p.count(":") == 1]
    try:
        with session_scope() as session:
            added = assignment.commit(session=session, conference=slug,
                                      pairs=[(a, u) for a, u in pairs])
    except AeError as exc:
        return _back(slug, "chair.proposal", f"Not committed: {exc}", "error")
    return _back(slug, "chair.dashboard", f"{added} assignment{'s' if added != 1 else ''} committed.")


def _rows(conference: Conference) -> list[dashboard.Row]:
    now, _ = timeline(conference)
    begun = [p.name for p in now if p.is_round and p.date <= today()] or []
    with session_scope() as session:
        return dashboard.rows(session=session, conference=conference.slug, rounds_begun=begun)


@bp.get("/dashboard", endpoint="dashboard")
def dashboard_page(slug: str) -> Any:
    """Show every artifact's state, stuck jobs, workers, missing reviews, disagreements, decisions."""
    require(Permission.MANAGE_CONFERENCE, On(conference=slug))
    conference = conferences.get(slug)
    rows = _rows(conference)
    now, current = timeline(conference)
    with session_scope() as session:
        workers = dashboard.workers(session=session)
    badges_page = ("badges.manage" in current_app.view_functions
                   and url_for("badges.manage", slug=slug))
    return render_template("chair/dashboard.html", conference=conference, rows=rows, workers=workers,
                           phases=now, current=current, badges_page=badges_page)


@bp.get("/dashboard.csv")
def export_csv(slug: str) -> Any:
    """Export the dashboard as CSV."""
    require(Permission.MANAGE_CONFERENCE, On(conference=slug))
    body = dashboard.as_csv(_rows(conferences.get(slug)))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename={slug}-dashboard.csv"})


@bp.get("/dashboard.json")
def export_json(slug: str) -> Any:
    """Export the dashboard as JSON."""
    require(Permission.MANAGE_CONFERENCE, On(conference=slug))
    body = json.dumps({"conference": slug, "artifacts": dashboard.as_json(_rows(conferences.get(slug)))},
                      indent=1)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f"attachment; filename={slug}-dashboard.json"})


@bp.post("/decisions")
def decide(slug: str) -> Any:
    """Record the chair's decision (accepted with badges, or rejected, and a text) and carry it out:
    the accepted badges are issued, signed by this chair; the others withheld or revoked."""
    who = require(Permission.MANAGE_CONFERENCE, On(conference=slug))
    require(Permission.ISSUE_BADGES, On(conference=slug))
    conference = conferences.get(slug)
    issuer = issuance.issuer_for(base_url=str(current_app.config["BASE_URL"]),
                                 instance_path=current_app.instance_path)
    try:
        with session_scope() as session:
            done = awarding.decide(session=session, issuer=issuer, conference=conference,
                                   artifact_id=request.form.get("artifact", ""),
                                   outcome=request.form.get("outcome", ""),
                                   badges=request.form.getlist("badge"), text=request.form.get("text", ""),
                                   actor_id=who.user_id)
            said = done.summary({b.key: b.title for b in schemes.get(conference.badge_scheme).badges})
    except AeError as exc:
        return _back(slug, "chair.dashboard", f"Not decided: {exc}", "error")
    reports.queue_latest(done.decision.artifact_id)
    return _back(slug, "chair.dashboard", f"Decision recorded. {said[:1].upper()}{said[1:]}.")


@bp.post("/hotcrp")
def import_hotcrp(slug: str) -> Any:
    """Import HotCRP's submissions JSON (an uploaded file) onto the conference's artifacts."""
    require(Permission.MANAGE_CONFERENCE, On(conference=slug))
    conferences.get(slug)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _back(slug, "chair.dashboard", "Not imported: choose HotCRP's JSON export to upload.", "error")
    try:
        with session_scope() as session:
            done = hotcrp.import_papers(session=session, conference=slug,
                                        data=upload.stream.read(hotcrp.MAX_BYTES + 1))
    except AeError as exc:
        return _back(slug, "chair.dashboard", f"Not imported (nothing was changed): {exc}", "error")
    unmatched = "; ".join(f"#{pid} {title}" for pid, title in done.unmatched[:20])
    return _back(slug, "chair.dashboard", f"{len(done.matched)} papers attached to artifacts"
                 + (f"; no artifact has the title of: {unmatched}" if unmatched else "."))


@bp.get("/hotcrp.json")
def export_hotcrp(slug: str) -> Any:
    """Export reviews and decisions as HotCRP-style JSON."""
    require(Permission.MANAGE_CONFERENCE, On(conference=slug))
    conference = conferences.get(slug)
    with session_scope() as session:
        body = hotcrp.export(session=session, conference=slug, fields=conference.review_fields())
    return Response(json.dumps(body, indent=1), mimetype="application/json", headers={
        "Content-Disposition": f"attachment; filename={slug}-hotcrp-reviews.json"})


@bp.get("/budgets", endpoint="budgets")
def budgets_page(slug: str) -> Any:
    """Show compute used per pool and artifact against the budgets and the AE calendar; runs waiting."""
    require(Permission.MANAGE_CONFERENCE, On(conference=slug))
    conference = conferences.get(slug)
    now, _ = timeline(conference)
    with session_scope() as session:
        use = gate.usage(session=session, conference=conference, phases=now, today=today())
    return render_template("chair/budgets.html", conference=conference, use=use)


@bp.post("/budgets/approve")
def approve_budget(slug: str) -> Any:
    """Let an artifact's runs that wait for approval go beyond its compute budget."""
    who = require(Permission.MANAGE_CONFERENCE, On(conference=slug))
    conferences.get(slug)
    try:
        with session_scope() as session:
            released = gate.approve_artifact(session=session, conference=slug,
                                             artifact_id=request.form.get("artifact", ""), by=who.user_id)
    except AeError as exc:
        return _back(slug, "chair.budgets", f"Nothing approved: {exc}", "error")
    queue_runs(released)
    return _back(slug, "chair.budgets", f"Approved: {len(released)} run(s) queued beyond the budget.")
