"""JSON API: submit artifacts and read their status."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from ae.checklist.decoding import MAX_APPENDIX_BYTES, check_size
from ae.errors import AeError, Unauthorized
from ae.status import all_status, artifact_status
from ae.storage.db import session_scope
from ae.storage.queries import get_artifact
from ae.submission import resubmit, submit
from ae.web.guard import artifact_on, require
from ae.web.identity import bearer_token, limit_key, limiter
from ae.web.policy import On, Permission, visible_conferences

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.before_request
def _writes_need_a_token() -> None:
    """Refuse changes made with a browser cookie: the API changes things for a bearer token only."""
    if request.method not in ("GET", "HEAD", "OPTIONS") and bearer_token() is None:
        raise Unauthorized("changes through the API need an API token: Authorization: Bearer ae_…")


def _submit_limit() -> str:
    return str(current_app.config["RATELIMIT_SUBMIT"])


@bp.get("/artifacts")
def list_artifacts() -> Response:
    """List the artifacts the caller may see, with their status."""
    who = require(Permission.LIST_ARTIFACTS)
    with session_scope() as session:
        everything = visible_conferences(who) is None
        return jsonify(all_status(session=session, conference=request.args.get("conference"),
                                  visible_to=None if everything else who.user_id,
                                  conferences=visible_conferences(who)))


@bp.get("/artifacts/<artifact_id>")
def show_artifact(artifact_id: str) -> Response:
    """Show one artifact's status, runs and verdicts."""
    with session_scope() as session:
        require(Permission.VIEW_ARTIFACT, artifact_on(session=session, artifact=get_artifact(
            session=session, artifact_id=artifact_id)))
        return jsonify(artifact_status(session=session, artifact_id=artifact_id))


@bp.post("/artifacts")
@limiter.limit(_submit_limit, key_func=limit_key)
def create_artifact() -> tuple[Response, int]:
    """Submit an artifact: {conference, title, source, ref?, badges?, appendix?}."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise AeError("send a JSON object with conference, title and source")
    missing = [k for k in ("conference", "title", "source") if not data.get(k)]
    if missing:
        raise AeError(f"missing field {missing[0]!r}")
    for key in ("conference", "title", "source", "ref"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise AeError(f"{key} must be a string")
    who = require(Permission.SUBMIT, On(conference=data["conference"]))
    ids = submit(conference=data["conference"], title=data["title"], source=data["source"],
                 ref=data.get("ref"), badges=data.get("badges") or [],
                 appendix_text=_appendix(data), web=True, owner_id=who.user_id)
    return jsonify(artifact=ids.artifact_id, version=ids.version_id, checklist=ids.checklist), 201


@bp.post("/artifacts/<artifact_id>/versions")
@limiter.limit(_submit_limit, key_func=limit_key)
def create_version(artifact_id: str) -> tuple[Response, int]:
    """Resubmit an artifact: {ref?, appendix?} becomes its next version."""
    with session_scope() as session:
        require(Permission.RESUBMIT, artifact_on(session=session, artifact=get_artifact(
            session=session, artifact_id=artifact_id)))
    data = request.get_json(silent=True) or {}
    if not isinstance(data, dict):
        raise AeError("send a JSON object with ref and/or appendix")
    ids = resubmit(artifact_id=artifact_id, ref=data.get("ref"), appendix_text=_appendix(data),
                   web=True)
    return jsonify(artifact=ids.artifact_id, version=ids.version_id, checklist=ids.checklist), 201


def _appendix(data: dict[str, Any]) -> str | None:
    """Return the request's appendix text: a string under the size cap (413 above it) or None."""
    text = data.get("appendix")
    if text is None:
        return None
    if not isinstance(text, str):
        raise AeError("appendix must be the appendix text as a string")
    check_size(len(text.encode("utf-8", "surrogatepass")), "appendix",
               current_app.config.get("MAX_APPENDIX_BYTES", MAX_APPENDIX_BYTES))
    return text


@bp.get("/health")
def health() -> Response:
    """Answer liveness checks."""
    return jsonify(status="ok")
