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
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from redis.exceptions import RedisError
from sqlmodel import Session, col, func, select

from ae import conferences
from ae.reporting.artifact import artifact_report
from ae.reports.artifact import ArtifactReport, write
from ae.storage.db import transaction
from ae.storage.models import ArtifactVersion, BadgeEvent, Decision, Review, ThreadMessage, aware, utcnow
from ae.storage.queries import get_artifact, get_version, latest_version
from ae.workers import queue

log = logging.getLogger(__name__)


def rewrite_report(version_id: str) -> None:
    """Write a version's report again as its data stands now (reviews, threads, decision, badges)."""
    lock = queue.get_redis().lock(f"ae:lock:report:{version_id}", timeout=600, blocking_timeout=600)
    if not lock.acquire():
        raise RuntimeError(f"version {version_id}: its report lock stayed taken for 600 s")
    try:
        as_of = utcnow()
        found = transaction(lambda session: _gather(session, version_id, as_of))
        if found is not None:
            report, folder, pdf = found
            write(report, folder, pdf=pdf)
            transaction(lambda session: _written(session, version_id, as_of))
    finally:
        try:
            lock.release()
        except RedisError as exc:  # expired, or Redis restarted: nothing held any more
            log.warning("version %s: report lock already gone (%s)", version_id, exc)


def _gather(session: Session, version_id: str,
            as_of: datetime) -> tuple[ArtifactReport, Path, bool] | None:
    version = get_version(session=session, version_id=version_id)
    if not version.report_path:
        return None  # not evaluated yet: the evaluation writes its report
    artifact = get_artifact(session=session, artifact_id=version.artifact_id)
    report = artifact_report(session=session, artifact_id=artifact.id, number=version.number,
                             conference=conferences.get(artifact.conference),
                             base_url=str(current_app.config["BASE_URL"]),
                             generated_at=as_of.strftime("%Y-%m-%d %H:%M UTC"))
    folder = Path(current_app.config["DATA_DIR"]) / "reports" / version.id
    return report, folder, version.report_path.endswith(".pdf")


def _written(session: Session, version_id: str, as_of: datetime) -> None:
    """Record that the version's report shows the data as of `as_of` (never moving it back)."""
    version = get_version(session=session, version_id=version_id)
    before = aware(version.report_written_at)
    if before is None or before < as_of:
        version.report_written_at = as_of
        session.add(version)


def behind(*, session: Session, grace: timedelta) -> list[str]:
    """Return the versions whose report is older than a review event it shows (its rewrite was lost).

    A submitted review counts for the version it reviewed; a thread message, the decision and a
    badge event for the artifact's latest version (what `queue_latest` rewrites). Events younger
    than `grace` are left to the rewrite their own request queued.
    """
    newest: dict[str, datetime] = {}
    for version_id, moment in session.exec(
            select(Review.version_id, func.max(Review.submitted_at))
            .where(col(Review.submitted_at).is_not(None)).group_by(col(Review.version_id))):
        if moment is not None:
            newest[version_id] = moment
    by_artifact: dict[str, datetime] = {}
    for table, column in ((ThreadMessage, ThreadMessage.created_at), (Decision, Decision.decided_at),
                          (BadgeEvent, BadgeEvent.at)):
        for artifact_id, moment in session.exec(
                select(table.artifact_id, func.max(column)).group_by(col(table.artifact_id))):
            by_artifact[artifact_id] = max(by_artifact.get(artifact_id, moment), moment)
    latest = select(ArtifactVersion.artifact_id, func.max(ArtifactVersion.number)).where(
        col(ArtifactVersion.artifact_id).in_(by_artifact)).group_by(col(ArtifactVersion.artifact_id))
    numbers = dict(session.exec(latest).all()) if by_artifact else {}
    candidates = select(ArtifactVersion).where(col(ArtifactVersion.report_path).is_not(None)).where(
        col(ArtifactVersion.id).in_(newest) | col(ArtifactVersion.artifact_id).in_(numbers))
    cutoff = utcnow() - grace
    owed = []
    for version in session.exec(candidates):
        moments = [newest.get(version.id)]
        if numbers.get(version.artifact_id) == version.number:
            moments.append(by_artifact[version.artifact_id])
        event = max((m for m in map(aware, moments) if m is not None), default=None)
        written = aware(version.report_written_at)
        if event is not None and event < cutoff and (written is None or written < event):
            owed.append(version.id)
    return sorted(owed)


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

