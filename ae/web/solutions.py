"""Solutions on the JSON API: the published manifests and their schema, volunteers' results, and each
solution's scoreboard (the committee's runs of its commit beside the crowd's, grouped by hardware).

Solutions are public (signed in or not); anyone signed in may contribute a result with an API token
of scope `submit`, rate-limited per user (`AE_RATELIMIT_CROWD`) and capped in size.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from ae import crowd, standings
from ae.errors import SolutionError, Unauthorized
from ae.solutions.schema import MANIFEST_SCHEMA, RESULT_SCHEMA
from ae.storage.db import session_scope
from ae.web.guard import require
from ae.web.identity import bearer_token, current_principal, limit_key, limiter
from ae.web.policy import Permission, allows

bp = Blueprint("solutions_api", __name__, url_prefix="/api/solutions")
MAX_RESULT_BYTES = 1 << 20


@bp.before_request
def _writes_need_a_token() -> None:
    """Refuse results sent without an API token, and cap their size before they are read."""
    if request.method not in ("GET", "HEAD", "OPTIONS") and bearer_token() is None:
        raise Unauthorized("results are sent with an API token: Authorization: Bearer ae_…")
    request.max_content_length = MAX_RESULT_BYTES


def _crowd_limit() -> str:
    return str(current_app.config["RATELIMIT_CROWD"])


def _see() -> None:
    """Ask the policy whether the caller (perhaps anonymous) may see solutions; raise the refusal."""
    if not allows(current_principal(), Permission.VIEW_SOLUTIONS):
        require(Permission.VIEW_SOLUTIONS)


@bp.get("")
def list_solutions() -> Response:
    """List the published solutions."""
    _see()
    with session_scope() as session:
        counts = crowd.counts(session=session)
        return jsonify([crowd.summary(s, results=counts.get(s.name, 0))
                        for s in crowd.all_solutions(session=session)])


@bp.get("/schema.json")
def manifest_schema() -> Response:
    """Serve the JSON Schema of a solution manifest."""
    return jsonify(MANIFEST_SCHEMA)


@bp.get("/result-schema.json")
def result_schema() -> Response:
    """Serve the JSON Schema of a volunteer's result."""
    return jsonify(RESULT_SCHEMA)


@bp.get("/<name>")
def show(name: str) -> Response:
    """Serve a published manifest, as `ae solution init NAME` reads it."""
    _see()
    with session_scope() as session:
        return jsonify(crowd.get(session=session, name=name).manifest)


@bp.get("/<name>/scoreboard")
def scoreboard(name: str) -> Response:
    """Show a solution's scoreboard: committee runs and volunteers' results, grouped by hardware class."""
    _see()
    with session_scope() as session:
        return jsonify(standings.solution_board(session=session, name=name))


@bp.post("/<name>/results")
@limiter.limit(_crowd_limit, key_func=limit_key)
def submit_result(name: str) -> tuple[Response, int, dict[str, str]]:
    """Take a volunteer's sealed and signed result: checked, judged again, stored (201) or refused."""
    who = require(Permission.CONTRIBUTE)
    submission: Any = request.get_json(silent=True)
    if submission is None:
        raise SolutionError("send the result as JSON (Content-Type: application/json)")
    with session_scope() as session:
        row = crowd.accept(session=session, name=name, submission=submission, token=bearer_token() or "",
                           user_id=who.user_id)
        answer = crowd.result_summary(row)
    location = url_for("solutions_api.scoreboard", name=name)
    return jsonify(answer), 201, {"Location": location}
