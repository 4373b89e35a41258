"""HTML pages: the artifact list and one artifact's status."""

from __future__ import annotations

from flask import Blueprint, render_template

from ae import conferences
from ae.status import all_status, artifact_status
from ae.storage.db import session_scope

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():  # type: ignore[no-untyped-def]
    """Show every artifact and its status."""
    with session_scope() as session:
        items = all_status(session=session)
    return render_template("pages/index.html", artifacts=items,
                           conferences=conferences.all_conferences())


@bp.get("/artifacts/<artifact_id>")
def artifact(artifact_id: str):  # type: ignore[no-untyped-def]
    """Show one artifact: runs, verdicts and badge recommendations."""
    with session_scope() as session:
        item = artifact_status(session=session, artifact_id=artifact_id)
    return render_template("pages/artifact.html", a=item)
