"""JSON API of the worker fleet: workers, pools (why a run waits) and snapshots for remote workers."""

from __future__ import annotations

import hmac
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, jsonify, request, send_file
from sqlmodel import col, select

from ae.conferences import all_conferences
from ae.storage.db import session_scope
from ae.storage.models import Run
from ae.storage.states import RUN_WAITING
from ae.web.guard import require
from ae.web.policy import Permission
from ae.workers.heartbeat import list_workers, live_pools, waiting_reason
from ae.workers.remote import is_digest

bp = Blueprint("workers", __name__, url_prefix="/api")


@bp.get("/workers")
def workers() -> Response:
    """List registered workers: pools, profile, current run, last heartbeat, alive."""
    require(Permission.VIEW_WORKERS)
    with session_scope() as session:
        return jsonify(list_workers(session=session))


@bp.get("/pools")
def pools() -> Response:
    """List pools with live workers and waiting runs, and why the runs wait."""
    require(Permission.VIEW_WORKERS)
    with session_scope() as session:
        live = live_pools(session=session)
        waiting = list(session.exec(select(Run.pool).where(col(Run.status).in_(RUN_WAITING))))
    names = sorted({p for c in all_conferences().values() for p in c.pool_names()}
                   | set(waiting) | set(live))
    return jsonify([{"pool": name, "live_workers": live.get(name, 0),
                     "waiting_runs": waiting.count(name),
                     "stuck": waiting_reason(name, live) if name in waiting else None}
                    for name in names])


def _authorised() -> bool:
    token = current_app.config.get("WORKER_TOKEN")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(token) and hmac.compare_digest(str(token).encode(), given.encode())


@bp.get("/snapshots/<digest>")
def snapshot(digest: str) -> Response:
    """Send a stored snapshot tar to a remote worker holding the worker token."""
    if not _authorised():
        abort(401 if current_app.config.get("WORKER_TOKEN") else 403)
    if not is_digest(digest):
        abort(404)
    path = Path(current_app.config["DATA_DIR"]) / "snapshots" / f"{digest}.tar"
    if not path.is_file():
        abort(404)
    return send_file(path.resolve(), mimetype="application/x-tar", as_attachment=True,
                     download_name=f"{digest}.tar", etag=digest, max_age=31536000)
