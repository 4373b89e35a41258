"""Reports that follow the review: a version's report written again after each event it shows.

Rule: a submitted review, a thread message, the chair's decision and each badge issued, withheld or
revoked queue `rewrite_report(version_id)` once their rows are committed; the job writes the
version's report from the data as it stands, to the folder the web serves. Jobs of one version
take a lock and read the data inside it, so the last one to run writes the newest data. A version
not evaluated yet is left alone: its evaluation writes the report, and queues a rewrite when the
review has begun already.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from flask import current_app
from redis.exceptions import RedisError
from sqlmodel import Session, col, func, select

from ae import conferences
from ae.reporting.artifact import artifact_report
from ae.reports.artifact import ArtifactReport, write
from ae.storage.db import transaction
from ae.storage.models import ArtifactVersion, BadgeEvent, Decision, Review, ThreadMessage, utcnow
from ae.storage.queries import get_artifact, get_version, latest_version
from ae.workers import queue

log = logging.getLogger(__name__)


def rewrite_report(version_id: str) -> None:
    """Write a version's report again as its data stands now (reviews, threads, decision, badges)."""
    lock = queue.get_redis().lock(f"ae:lock:report:{version_id}", timeout=600, blocking_timeout=600)
    if not lock.acquire():
        raise RuntimeError(f"version {version_id}: its report lock stayed taken for 600 s")
    try:
        found = transaction(lambda session: _gather(session, version_id))
        if found is not None:
            report, folder, pdf = found
            write(report, folder, pdf=pdf)
    finally:
        try:
            lock.release()
        except RedisError as exc:  # expired, or Redis restarted: nothing held any more
            log.warning("version %s: report lock already gone (%s)", version_id, exc)


def _gather(session: Session, version_id: str) -> tuple[ArtifactReport, Path, bool] | None:
    version = get_version(session=session, version_id=version_id)
    if not version.report_path:
        return None  # not evaluated yet: the evaluation writes its report
    artifact = get_artifact(session=session, artifact_id=version.artifact_id)
    report = artifact_report(session=session, artifact_id=artifact.id, number=version.number,
                             conference=conferences.get(artifact.conference),
                             base_url=str(current_app.config["BASE_URL"]),
                             generated_at=utcnow().strftime("%Y-%m-%d %H:%M UTC"))
    folder = Path(current_app.config["DATA_DIR"]) / "reports" / version.id
    return report, folder, version.report_path.endswith(".pdf")


def queue_rewrite(version_id: str) -> None:
    """Queue the rewrite of a version's report; a Redis fault is logged, never the caller's failure."""
    try:
        queue.enqueue(rewrite_report, version_id, queue=queue.INTAKE_QUEUE,
                      job_id=f"report-{version_id}-{uuid.uuid4().hex[:12]}",
                      description=f"rewrite_report({version_id})")
    except RedisError as exc:  # the event is stored; `ae report artifact ID` writes the report again
        log.warning("version %s: report rewrite not queued (%s)", version_id, exc)


def queue_latest(artifact_id: str) -> None:
    """Queue the rewrite of an artifact's latest version's report (after a decision or a badge)."""
    from ae.storage.db import session_scope

    with session_scope() as session:
        version_id = latest_version(session=session, artifact_id=artifact_id).id
    queue_rewrite(version_id)


def review_begun(*, session: Session, version: ArtifactVersion) -> bool:
    """Tell whether a version's report would show more than its evidence (a review, a message, a decision)."""
    counted = [
        select(func.count()).select_from(Review).where(Review.version_id == version.id,
                                                       col(Review.submitted_at).is_not(None)),
        *(select(func.count()).select_from(table).where(table.artifact_id == version.artifact_id)
          for table in (ThreadMessage, Decision, BadgeEvent)),
    ]
    return any(int(session.exec(query).one()) for query in counted)

