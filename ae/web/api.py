"""JSON API: the author's operations for a bearer token (a browser session may only read).

Every view asks the policy through `ae.web.guard.require`, answers JSON (errors as problem
details, `ae.web.errors`), and is described in `ae.web.openapi`; a test keeps the two in step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request, send_file, url_for
from sqlmodel import Session

from ae.checklist.decoding import MAX_APPENDIX_BYTES
from ae.errors import AeError, NotFound, Unauthorized
from ae.evaluators.paths import UnreadableFile
from ae.status import all_status, artifact_status, report_file, run_summary, versions_status
from ae.storage.db import session_scope
from ae.storage.models import Run
from ae.storage.queries import get_artifact, get_run, get_version, latest_version
from ae.storage.states import RUN_WAITING, RunState
from ae.submission import Submitted, resubmit, submit
from ae.web import api_input, openapi
from ae.web.guard import artifact_on, require
from ae.web.identity import bearer_token, limit_key, limiter
from ae.web.policy import On, Permission, visible_conferences
from ae.workers import logs, progress
from ae.workers.heartbeat import live_pools
from ae.workers.queue import get_redis

bp = Blueprint("api", __name__, url_prefix="/api")

_FORM_SLACK = 64 << 10  # multipart boundaries, part headers and the small fields
MAX_LOG_BYTES = 1 << 20  # the most of a log one request returns (its end)
REPORTS = {"html": "text/html", "pdf": "application/pdf"}
#: A report is the service's own page, yet it quotes the artifact: no script, no fetch, no form.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


@bp.before_request
def _writes_need_a_token() -> None:
    """Refuse changes made with a browser cookie, and cap request bodies before they are read."""
    if request.method not in ("GET", "HEAD", "OPTIONS") and bearer_token() is None:
        raise Unauthorized("changes through the API need an API token: Authorization: Bearer ae_…")
    request.max_content_length = int(current_app.config["MAX_UPLOAD_BYTES"]) + _appendix_cap() + _FORM_SLACK
    request.max_form_memory_size = _appendix_cap() + _FORM_SLACK


def _submit_limit() -> str:
    return str(current_app.config["RATELIMIT_SUBMIT"])


def _appendix_cap() -> int:
    return int(current_app.config.get("MAX_APPENDIX_BYTES", MAX_APPENDIX_BYTES))


@bp.get("/me")
def me() -> Response:
    """Say who the caller is: id, name, e-mail, roles per conference, the token's scopes."""
    who = require(Permission.VIEW_SELF)
    return jsonify(id=who.user_id, name=who.name, email=who.email, admin=who.is_admin,
                   roles={c: sorted(r) for c, r in sorted(who.roles.items())},
                   scopes=None if who.token_scopes is None else sorted(who.token_scopes))


@bp.get("/artifacts")
def list_artifacts() -> Response:
    """List the artifacts the caller may see, with their status, newest first."""
    who = require(Permission.LIST_ARTIFACTS)
    conferences = visible_conferences(who)
    with session_scope() as session:
        items = all_status(session=session, conference=request.args.get("conference") or None,
                           visible_to=None if conferences is None else who.user_id, conferences=conferences,
                           base_url=_base())
    return jsonify([_public(item) for item in items])


@bp.get("/artifacts/<artifact_id>")
def show_artifact(artifact_id: str) -> Response:
    """Show one artifact's status: its latest version, runs, verdicts, recommendation and issued badges."""
    with session_scope() as session:
        _may(Permission.VIEW_ARTIFACT, session, artifact_id)
        return jsonify(_public(artifact_status(session=session, artifact_id=artifact_id, base_url=_base())))


@bp.post("/artifacts")
@limiter.limit(_submit_limit, key_func=limit_key)
def create_artifact() -> tuple[Response, int, dict[str, str]]:
    """Submit an artifact: a git source (JSON or form fields) or an archive upload (multipart)."""
    body = api_input.read()
    conference = body.text("conference", required=True) or ""
    title = body.text("title", required=True) or ""
    source, ref = body.text("source", required=body.archive is None), body.text("ref")
    badges, (name, text) = body.badges(), body.appendix(_appendix_cap())
    who = require(Permission.SUBMIT, On(conference=conference))
    ids = submit(conference=conference, title=title, source=source or "", ref=ref, archive=body.archive,
                 archive_name=body.archive_name, badges=badges, appendix_name=name, appendix_text=text,
                 web=True, owner_id=who.user_id)
    return _created(ids)


@bp.get("/artifacts/<artifact_id>/versions")
def list_versions(artifact_id: str) -> Response:
    """List every version of an artifact, oldest first."""
    with session_scope() as session:
        _may(Permission.VIEW_ARTIFACT, session, artifact_id)
        versions = versions_status(session=session, artifact_id=artifact_id)
    return jsonify([_public_version(artifact_id, v) for v in versions])


@bp.post("/artifacts/<artifact_id>/versions")
@limiter.limit(_submit_limit, key_func=limit_key)
def create_version(artifact_id: str) -> tuple[Response, int, dict[str, str]]:
    """Resubmit an artifact: a new ref of its git source, or a new archive upload (multipart)."""
    with session_scope() as session:
        _may(Permission.RESUBMIT, session, artifact_id)
    body = api_input.read(empty_ok=True)
    ref, (name, text) = body.text("ref"), body.appendix(_appendix_cap())
    ids = resubmit(artifact_id=artifact_id, ref=ref, archive=body.archive, archive_name=body.archive_name,
                   appendix_name=name, appendix_text=text, web=True)
    return _created(ids)


@bp.get("/artifacts/<artifact_id>/report")
def report(artifact_id: str) -> Response:
    """Send an artifact's report (`format` html or pdf) of its latest version, or of `version`;
    `issued`: the report as it stood when a credential naming that digest was issued."""
    fmt, number = request.args.get("format", "html"), request.args.get("version")
    if fmt not in REPORTS:
        raise AeError(f"format must be one of {', '.join(REPORTS)} (got {fmt!r})")
    if number is not None and not (number.isdigit() and len(number) < 10):
        raise AeError(f"version must be a version number (got {number!r})")
    with session_scope() as session:
        _may(Permission.VIEW_ARTIFACT, session, artifact_id)
        latest = latest_version(session=session, artifact_id=artifact_id).number
        path = report_file(session=session, artifact_id=artifact_id, number=int(number) if number else latest,
                           kind=fmt, data_dir=Path(current_app.config["DATA_DIR"]),
                           issued=request.args.get("issued"))
    response = send_file(path.resolve(), mimetype=REPORTS[fmt], max_age=0,
                         download_name=f"report-{artifact_id[:12]}.{fmt}")
    response.headers["Content-Security-Policy"] = REPORT_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/runs/<run_id>")
def show_run(run_id: str) -> Response:
    """Show one run: its status, failure, why it waits, and its progress (repetition i of n)."""
    with session_scope() as session:
        run, artifact_id, number = _run(session, run_id, Permission.VIEW_ARTIFACT)
        pools = live_pools(session=session) if run.status in RUN_WAITING else {}
        now = progress.read(get_redis(), run.id) if run.status == RunState.RUNNING else None
        return jsonify({**run_summary(run, pools), "artifact": artifact_id, "version": number,
                        "started_at": _iso(run.started_at), "finished_at": _iso(run.finished_at),
                        "progress": None if now is None else now.to_dict()})


@bp.get("/runs/<run_id>/logs/<stream>")
def run_log(run_id: str, stream: str) -> Response:
    """Send the end of a run's `stdout` or `stderr` as text: at most `bytes` (1 MiB) of it."""
    if stream not in logs.STREAMS:
        raise NotFound(f"a run's logs are {' and '.join(logs.STREAMS)}, not {stream!r}")
    size = request.args.get("bytes", str(MAX_LOG_BYTES))
    if not (size.isdigit() and 1 <= int(size) <= MAX_LOG_BYTES):
        raise AeError(f"bytes must be a number from 1 to {MAX_LOG_BYTES} (got {size!r})")
    with session_scope() as session:
        run, _, _ = _run(session, run_id, Permission.VIEW_LOGS)
        record = dict(run.record)
    live = None if record.get("logs") else progress.read(get_redis(), run_id)  # a running run's
    name = logs.log_names(record, live.logs if live else None).get(stream)
    if name is None:
        raise NotFound(f"run {run_id[:12]} has no {stream} log (yet)")
    try:
        text = logs.read_log(logs.work_dir(Path(current_app.config["DATA_DIR"]), run_id), name,
                             cap=int(size))
    except FileNotFoundError as exc:
        raise NotFound(f"the {stream} log of run {run_id[:12]} is not on this server") from exc
    except UnreadableFile as exc:
        raise NotFound(f"the {stream} log of run {run_id[:12]} cannot be read back: it {exc}") from exc
    return Response(text, mimetype="text/plain", headers={"X-Content-Type-Options": "nosniff"})


@bp.get("/health")
def health() -> Response:
    """Answer liveness checks."""
    return jsonify(status="ok")


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """Send the OpenAPI 3.1 document that describes every /api route."""
    return jsonify(openapi.document())


@bp.get("/docs")
def docs() -> str:
    """Show the API reference, rendered from the OpenAPI document."""
    return render_template("api/docs.html", doc=openapi.document(), operations=openapi.operations())


def _may(permission: Permission, session: Session, artifact_id: str) -> None:
    """Require `permission` on an artifact (404 for one that does not exist)."""
    require(permission, artifact_on(session=session, artifact=get_artifact(session=session,
                                                                           artifact_id=artifact_id)))


def _run(session: Session, run_id: str, permission: Permission) -> tuple[Run, str, int]:
    """Return a run, its artifact's id and its version's number, if the caller has `permission` on it."""
    run = get_run(session=session, run_id=run_id)
    version = get_version(session=session, version_id=run.version_id)
    require(permission, artifact_on(session=session, artifact=get_artifact(
        session=session, artifact_id=version.artifact_id)))
    return run, version.artifact_id, version.number


def _iso(moment: Any) -> str | None:
    return None if moment is None else str(moment.isoformat())


def _base() -> str:
    """Return the service's address, as the credentials name it."""
    return str(current_app.config["BASE_URL"])


def _public(item: dict[str, Any]) -> dict[str, Any]:
    """Return an artifact's status with its report as a URL, never a path on the server."""
    return {**item, "report": url_for("api.report", artifact_id=item["id"], _external=True)
            if item["report"] else None}


def _public_version(artifact_id: str, version: dict[str, Any]) -> dict[str, Any]:
    """Return a version's summary with its report as a URL."""
    url = url_for("api.report", artifact_id=artifact_id, version=version["number"], _external=True)
    return {**version, "report": url if version["report"] else None}


def _created(ids: Submitted) -> tuple[Response, int, dict[str, str]]:
    body = jsonify(artifact=ids.artifact_id, version=ids.version_id, checklist=ids.checklist)
    return body, 201, {"Location": url_for("api.show_artifact", artifact_id=ids.artifact_id)}
