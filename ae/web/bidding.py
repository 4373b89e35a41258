"""Evaluators' bids on a conference's artifacts, and an artifact's conflicts declared by its author
(or a chair) as e-mail addresses or @domains."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ae import conferences
from ae.errors import AeError, NotFound
from ae.review import bidding
from ae.storage.db import session_scope
from ae.storage.models import Artifact
from ae.web.chair import timeline
from ae.web.guard import artifact_on, require
from ae.web.policy import On, Permission

if TYPE_CHECKING:
    from ae.accounts.principal import Principal

bp = Blueprint("bidding", __name__, url_prefix="/conferences/<slug>")


@bp.get("/bids")
def sheet(slug: str) -> Any:
    """Show every artifact's abstract and check-list summary with the evaluator's bid."""
    who = require(Permission.BID, On(conference=slug))
    conference = conferences.get(slug)
    refusal = None
    try:
        with session_scope() as session:
            rows = bidding.sheet(session=session, conference=slug, user_id=who.user_id)
    except AeError as exc:  # an administrator who is no evaluator of it
        rows, refusal = [], str(exc)
    _, current = timeline(conference)
    return render_template("bidding/sheet.html", conference=conference, rows=rows, levels=bidding.LEVELS,
                           current=current, refusal=refusal)


@bp.post("/bids")
def save(slug: str) -> Any:
    """Save the evaluator's bids (form fields bid-<artifact id>), all or none."""
    who = require(Permission.BID, On(conference=slug))
    conferences.get(slug)
    levels = {key.removeprefix("bid-"): value for key, value in request.form.items()
              if key.startswith("bid-")}
    try:
        with session_scope() as session:
            given = bidding.place_many(session=session, conference=slug, user_id=who.user_id, levels=levels)
    except AeError as exc:
        flash(f"Bids not saved: {exc}", "error")
    else:
        flash(f"{given} bid{'s' if given != 1 else ''} saved.", "info")
    return redirect(url_for("bidding.sheet", slug=slug), 303)


def _artifact(slug: str, artifact_id: str) -> tuple[Artifact, Principal]:
    with session_scope() as session:
        artifact = session.get(Artifact, artifact_id)
        if artifact is None or artifact.conference != slug:
            raise NotFound("not found")
        who = require(Permission.DECLARE_CONFLICT, artifact_on(session=session, artifact=artifact))
        session.expunge(artifact)
        return artifact, who


@bp.get("/artifacts/<artifact_id>/conflicts")
def conflicts(slug: str, artifact_id: str) -> Any:
    """Show an artifact's declared conflicts and the form to declare more."""
    artifact, _ = _artifact(slug, artifact_id)
    conference = conferences.get(slug)
    with session_scope() as session:
        declared = bidding.declared_of(session=session, artifact_ids=[artifact_id])[artifact_id]
        rows = [(c.id, c.pattern, c.reason) for c in declared]
    return render_template("bidding/conflicts.html", conference=conference, artifact=artifact, rows=rows)


@bp.post("/artifacts/<artifact_id>/conflicts")
def declare(slug: str, artifact_id: str) -> Any:
    """Declare a conflict of the artifact: an e-mail address or an @domain, with a reason."""
    artifact, who = _artifact(slug, artifact_id)
    try:
        with session_scope() as session:
            row = bidding.declare(session=session, conference=slug, artifact_id=artifact.id,
                                  pattern=request.form.get("pattern", ""),
                                  reason=request.form.get("reason", ""), declared_by=who.user_id)
            pattern = row.pattern
    except AeError as exc:
        flash(f"Not declared: {exc}", "error")
    else:
        flash(f"Conflict with {pattern} declared.", "info")
    return redirect(url_for("bidding.conflicts", slug=slug, artifact_id=artifact_id), 303)


@bp.post("/artifacts/<artifact_id>/conflicts/<int:conflict_id>/delete")
def withdraw(slug: str, artifact_id: str, conflict_id: int) -> Any:
    """Withdraw a declared conflict of the artifact."""
    _artifact(slug, artifact_id)
    try:
        with session_scope() as session:
            bidding.withdraw(session=session, conference=slug, artifact_id=artifact_id,
                             conflict_id=conflict_id)
    except AeError as exc:
        flash(f"Not withdrawn: {exc}", "error")
    else:
        flash("Conflict withdrawn.", "info")
    return redirect(url_for("bidding.conflicts", slug=slug, artifact_id=artifact_id), 303)
