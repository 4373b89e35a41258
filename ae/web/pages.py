"""HTML pages: the artifacts one may see (a page at a time), and one artifact with all its versions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from markupsafe import Markup

from ae import conferences, markdown
from ae.status import artifact_history
from ae.storage.db import session_scope
from ae.storage.listing import artifact_page
from ae.storage.queries import get_artifact
from ae.web.guard import artifact_on, require
from ae.web.identity import current_principal
from ae.web.policy import On, Permission, allows, visible_conferences
from ae.web.review import extras
from ae.workers.queue import get_redis

bp = Blueprint("pages", __name__)


@bp.app_template_filter("markdown")
def _markdown(text: str | None, heading_offset: int = 0) -> Markup:
    """Render user Markdown (an appendix) to sanitised HTML, its headings moved down by the offset."""
    return Markup(markdown.render(text or "", heading_offset=heading_offset))  # sanitised (nh3)


@bp.app_template_filter("markdown_inline")
def _markdown_inline(text: str | None) -> Markup:
    """Render one line of user Markdown (a finding) to sanitised HTML."""
    return Markup(markdown.render_inline(text or ""))  # sanitised by nh3 in ae.markdown


@bp.get("/")
def index() -> Any:
    """Show the artifacts the visitor may see, 50 a page (none before signing in)."""
    who = current_principal()
    page = request.args.get("page", 1, type=int) or 1
    listing, actions = None, {}
    if who is not None:
        everything = visible_conferences(who) is None
        with session_scope() as session:
            listing = artifact_page(session=session, page=page,
                                    visible_to=None if everything else who.user_id,
                                    conferences=visible_conferences(who))
        actions = {slug: {"submit": allows(who, Permission.SUBMIT, On(conference=slug)),
                          "chair": allows(who, Permission.VIEW_CONFERENCE, On(conference=slug)),
                          "bid": allows(who, Permission.BID, On(conference=slug))}
                   for slug in conferences.all_conferences()}
    return render_template("pages/index.html", listing=listing, signed_in=who is not None,
                           conferences=conferences.all_conferences(), actions=actions)


@bp.get("/artifacts/<artifact_id>")
def artifact(artifact_id: str) -> Any:
    """Show one artifact: every version, its check-list, runs (live), verdicts, reports, resubmit."""
    with session_scope() as session:
        on = artifact_on(session=session, artifact=get_artifact(session=session, artifact_id=artifact_id))
        who = require(Permission.VIEW_ARTIFACT, on)
        chair = allows(who, Permission.MANAGE_CONFERENCE, On(conference=on.conference))
        item = artifact_history(session=session, artifact_id=artifact_id, redis=get_redis(),
                                viewer=who.user_id, evaluator_names=chair)
        review = extras(session=session, artifact=get_artifact(session=session, artifact_id=artifact_id),
                        on=on, who=who)
    may = {"logs": allows(who, Permission.VIEW_LOGS, on), "resubmit": allows(who, Permission.RESUBMIT, on)}
    return render_template("pages/artifact.html", a=item, may=may, review=review)
