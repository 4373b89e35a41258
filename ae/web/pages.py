"""HTML pages: the artifacts one may see, and one artifact's status."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from ae import conferences
from ae.status import all_status, artifact_status
from ae.storage.db import session_scope
from ae.storage.queries import get_artifact
from ae.web.guard import artifact_on, require
from ae.web.identity import current_principal
from ae.web.policy import Permission, visible_conferences

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> Any:
    """Show the artifacts the visitor may see (none before signing in)."""
    who = current_principal()
    items: list[dict[str, Any]] = []
    if who is not None:
        with session_scope() as session:
            everything = visible_conferences(who) is None
            items = all_status(session=session, visible_to=None if everything else who.user_id,
                               conferences=visible_conferences(who))
    return render_template("pages/index.html", artifacts=items, signed_in=who is not None,
                           conferences=conferences.all_conferences())


@bp.get("/artifacts/<artifact_id>")
def artifact(artifact_id: str) -> Any:
    """Show one artifact: runs, verdicts and badge recommendations."""
    with session_scope() as session:
        require(Permission.VIEW_ARTIFACT, artifact_on(session=session, artifact=get_artifact(
            session=session, artifact_id=artifact_id)))
        item = artifact_status(session=session, artifact_id=artifact_id)
    return render_template("pages/artifact.html", a=item)
