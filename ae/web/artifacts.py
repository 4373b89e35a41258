"""An artifact's live data and files: progress, the log stream, log and output downloads, reports.

Files a run wrote are read through `ae.workers.logs` (the safe reader); a name in a URL is served
only when the run lists it. Reports are the files the evaluation wrote for the version.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, send_file, stream_with_context

from ae.errors import NotFound
from ae.evaluators.paths import UnreadableFile
from ae.status import live_status, report_file, run_logs
from ae.storage.db import session_scope
from ae.storage.queries import get_artifact
from ae.web.events import RunState, run_events
from ae.web.guard import artifact_on, require
from ae.web.policy import Permission
from ae.workers import logs
from ae.workers.queue import get_redis

bp = Blueprint("artifacts", __name__, url_prefix="/artifacts/<artifact_id>")


def _allowed(permission: Permission, artifact_id: str) -> None:
    with session_scope() as session:
        require(permission, artifact_on(session=session, artifact=get_artifact(
            session=session, artifact_id=artifact_id)))


def _run(artifact_id: str, run_id: str) -> dict[str, Any]:
    with session_scope() as session:
        return run_logs(session=session, artifact_id=artifact_id, run_id=run_id, redis=get_redis())


def _work_dir(run_id: str) -> Path:
    return logs.work_dir(Path(current_app.config["DATA_DIR"]), run_id)


@bp.get("/progress")
def progress(artifact_id: str) -> Response:
    """Answer an open artifact page's poll: statuses and live progress of the runs still going."""
    _allowed(Permission.VIEW_ARTIFACT, artifact_id)
    with session_scope() as session:
        return jsonify(live_status(session=session, artifact_id=artifact_id, redis=get_redis()))


@bp.get("/runs/<run_id>/stream")
def stream(artifact_id: str, run_id: str) -> Response:
    """Stream a run's log lines and progress as server-sent events until the run ends."""
    _allowed(Permission.VIEW_LOGS, artifact_id)
    _run(artifact_id, run_id)  # NotFound for another artifact's run

    def look() -> RunState:
        found = _run(artifact_id, run_id)
        return RunState(found["status"] if found["finished"] else None, found["logs"], found["progress"])

    events = run_events(look, _work_dir(run_id), position=request.headers.get("Last-Event-ID"))
    return Response(stream_with_context(events), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@bp.get("/runs/<run_id>/logs/<any(stdout, stderr):name>")
def log_file(artifact_id: str, run_id: str, name: str) -> Response:
    """Download a run's stdout or stderr (its last 16 MiB)."""
    _allowed(Permission.VIEW_LOGS, artifact_id)
    relative = _run(artifact_id, run_id)["logs"].get(name)
    if relative is None:
        raise NotFound(f"run {run_id[:12]} has no {name} yet")
    data = _read(lambda: logs.read_log(_work_dir(run_id), relative), name)
    return _attachment(data, f"{run_id[:12]}-{name}.log", "text/plain")


@bp.get("/runs/<run_id>/outputs/<path:name>")
def output_file(artifact_id: str, run_id: str, name: str) -> Response:
    """Download one output a finished run left (one the run's record lists, nothing else)."""
    _allowed(Permission.VIEW_LOGS, artifact_id)
    if name not in _run(artifact_id, run_id)["outputs"]:
        raise NotFound(f"run {run_id[:12]} has no output {name!r}")
    data = _read(lambda: logs.read_output(_work_dir(run_id), name), name)
    return _attachment(data, f"{run_id[:12]}-{PurePosixPath(name).name}", "application/octet-stream")


@bp.get("/versions/<int:number>/report.<any(html, pdf):kind>")
def report(artifact_id: str, number: int, kind: str) -> Response:
    """Serve a version's evaluation report, HTML or PDF (`issued`: the one a credential names)."""
    _allowed(Permission.VIEW_ARTIFACT, artifact_id)
    with session_scope() as session:
        path = report_file(session=session, artifact_id=artifact_id, number=number, kind=kind,
                           data_dir=Path(current_app.config["DATA_DIR"]), issued=request.args.get("issued"))
    response = send_file(path, mimetype="text/html" if kind == "html" else "application/pdf",
                         download_name=f"report-{artifact_id[:12]}-v{number}.{kind}", max_age=0)
    # a report's plots are data: images; nothing else is loaded or run
    response.headers["Content-Security-Policy"] = ("default-src 'none'; style-src 'unsafe-inline'; "
                                                   "img-src data:")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _read(reader: Callable[[], bytes], name: str) -> bytes:
    """Return what `reader` reads, turning a missing or unreadable file into a clear refusal."""
    try:
        data = reader()
    except FileNotFoundError:
        raise NotFound(f"{name} is not on this server (the run may have happened on another "
                       "machine, or not written it)") from None
    except UnreadableFile as exc:
        raise NotFound(f"{name} is not served: it {exc}") from None
    return data


def _attachment(data: bytes, filename: str, mimetype: str) -> Response:
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                         download_name=filename, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
