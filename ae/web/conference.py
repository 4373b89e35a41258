"""A chair's conference page: its artifacts and people, inviting people, assigning evaluators."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from ae import conferences
from ae.accounts import roster
from ae.errors import AeError
from ae.review import phases
from ae.storage.db import session_scope
from ae.storage.listing import artifact_page
from ae.storage.states import Role
from ae.web.chair import timeline
from ae.web.guard import require
from ae.web.policy import On, Permission, allows

bp = Blueprint("conference", __name__, url_prefix="/conferences/<slug>")


@bp.get("")
def page(slug: str) -> Any:
    """Show a conference's artifacts (50 a page), their evaluators, its people and the chair's forms."""
    who = require(Permission.VIEW_CONFERENCE, On(conference=slug))
    conference = conferences.get(slug)
    with session_scope() as session:
        listing = artifact_page(session=session, conference=slug,
                                page=request.args.get("page", 1, type=int) or 1)
        people = roster.people_of(session=session, conference=slug)
        assigned = roster.evaluators_of(session=session, artifact_ids=[r.id for r in listing.rows])
    names = {p.user_id: p.name for p in people}
    timeline_now, current = timeline(conference)
    return render_template(
        "conference/page.html", conference=conference, listing=listing, people=people,
        assigned={a: [names.get(u, u) for u in users] for a, users in assigned.items()},
        evaluators=[p for p in people if Role.EVALUATOR in p.roles], roles=[r.value for r in Role],
        manage=allows(who, Permission.MANAGE_CONFERENCE, On(conference=slug)),
        phases=timeline_now, current=current, process=phases.PROCESS, fields=conference.review_fields())


@bp.post("/invitations")
def invite(slug: str) -> Any:
    """Invite a person (e-mail, role): mail the link, or show it to the chair when no mail is set up."""
    who = require(Permission.MANAGE_CONFERENCE, On(conference=slug))
    conference = conferences.get(slug)
    base = str(current_app.config["BASE_URL"]).rstrip("/")
    try:
        with session_scope() as session:
            invited = roster.invite(
                session=session, config=current_app.config, email=request.form.get("email", ""),
                conference=slug, conference_name=conference.name, role=request.form.get("role", ""),
                invited_by=who.user_id, link_for=lambda token: base + url_for("auth.invite", token=token))
    except AeError as exc:
        flash(f"Not invited: {exc}", "error")
        return redirect(url_for("conference.page", slug=slug), 303)
    if invited.mailed:
        flash(f"Invitation mailed to {invited.email} ({invited.role}).", "info")
    else:
        flash(f"No mail server is set up (AE_MAIL_URL): send {invited.email} this {invited.role} "
              f"invitation yourself (valid once): {invited.link}", "token")
    return redirect(url_for("conference.page", slug=slug), 303)


@bp.post("/assignments")
def assign(slug: str) -> Any:
    """Assign an evaluator of the conference to one of its artifacts."""
    require(Permission.MANAGE_CONFERENCE, On(conference=slug))
    try:
        with session_scope() as session:
            roster.assign(session=session, conference=slug, artifact_id=request.form.get("artifact", ""),
                          user_id=request.form.get("evaluator", ""))
    except AeError as exc:
        flash(f"Not assigned: {exc}", "error")
        return redirect(url_for("conference.page", slug=slug), 303)
    flash("Evaluator assigned.", "info")
    return redirect(url_for("conference.page", slug=slug), 303)
