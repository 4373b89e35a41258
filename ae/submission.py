"""Submitting an artifact: validate, commit the rows, then enqueue the intake job."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app

from ae import conferences
from ae.checklist.lint import lint
from ae.errors import AeError, SourceError
from ae.intake.archive import store_upload
from ae.intake.policy import archive_digest, check, policy_from_config
from ae.storage.db import session_scope
from ae.storage.queries import add_version, create_artifact, get_artifact, latest_version
from ae.workers import queue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submitted:
    """Ids of a new submission and the check-list of an appendix handed in with it."""

    artifact_id: str
    version_id: str
    checklist: dict[str, Any] | None = None


def submit(*, conference: str, title: str, source: str = "", ref: str | None = None,
           archive: BinaryIO | Path | None = None, archive_name: str | None = None,
           badges: Sequence[str] = (), appendix_name: str | None = None,
           appendix_text: str | None = None, web: bool = False, owner_id: str | None = None) -> Submitted:
    """Create the artifact and its first version, commit, and enqueue intake.

    An `archive` (an upload: a file object or a path, named `archive_name`) is stored in the data
    dir by its sha256 before any row is written and becomes the source, `archive:<sha256>`; the
    version's ref names the same upload.

    `web` says the submission came from the web or the API: the source policy then refuses local
    paths whatever the configuration says. `owner_id` is the submitting author (None: the operator).
    """
    conf = conferences.get(conference)
    unknown = [b for b in badges if b not in conf.badges]
    if unknown:
        raise AeError(f"badge {unknown[0]!r} is not offered by {conference} ({', '.join(conf.badges)})")
    if not title.strip():
        raise AeError("a title is required")
    _admit(conference, web=web)
    source, ref = _source(source, ref, archive, archive_name, web=web)
    checklist = _lint(conf, appendix_name, appendix_text, badges)
    with session_scope() as session:
        artifact, version = create_artifact(
            session=session, conference=conference, title=title.strip(), source=source, ref=ref,
            requested_badges=badges, appendix_name=appendix_name, appendix_text=appendix_text,
            owner_id=owner_id)
        if checklist is not None:
            version.checklist = checklist
        ids = Submitted(artifact.id, version.id, checklist)
    return _take_in(ids)


def resubmit(*, artifact_id: str, ref: str | None = None, appendix_name: str | None = None,
             archive: BinaryIO | Path | None = None, archive_name: str | None = None,
             appendix_text: str | None = None, web: bool = False) -> Submitted:
    """Add a new version of an artifact (another commit, or another archive upload), enqueue intake."""
    with session_scope() as session:
        conference = get_artifact(session=session, artifact_id=artifact_id).conference
    _admit(conference, web=web)
    upload = _store(archive, archive_name) if archive is not None else None
    with session_scope() as session:
        artifact = get_artifact(session=session, artifact_id=artifact_id)
        check(artifact.source, policy_from_config(current_app.config, web=web))
        if archive_digest(artifact.source) is not None:
            ref = _archive_ref(session, artifact.id, ref, upload)
        elif upload is not None:
            raise SourceError(f"artifact {artifact.id[:12]} comes from git: resubmit it with a ref, "
                              "not an archive")
        conf = conferences.get(artifact.conference)
        checklist = _lint(conf, appendix_name, appendix_text, artifact.requested_badges)
        version = add_version(session=session, artifact=artifact, ref=ref,
                              appendix_name=appendix_name, appendix_text=appendix_text)
        if checklist is not None:
            version.checklist = checklist
        ids = Submitted(artifact.id, version.id, checklist)
    return _take_in(ids)


def _source(source: str, ref: str | None, archive: BinaryIO | Path | None, name: str | None, *,
            web: bool) -> tuple[str, str | None]:
    """Return the source and ref to record: a git source the policy allows, or a stored upload."""
    if archive is None:
        if archive_digest(source.strip()) is not None:
            raise SourceError("source refused: an archive is submitted by uploading it, not by its digest")
        return check(source, policy_from_config(current_app.config, web=web)), ref
    if source.strip() or ref:
        raise AeError("submit either a git source (and ref) or an archive, not both")
    stored = _store(archive, name)
    return stored, stored


def _store(archive: BinaryIO | Path, name: str | None) -> str:
    """Store an uploaded archive in the data dir by its sha256; return its source."""
    label = name or (archive.name if isinstance(archive, Path) else "archive")
    return store_upload(archive, label, Path(current_app.config["DATA_DIR"]),
                        max_bytes=int(current_app.config["MAX_UPLOAD_BYTES"]))


def _archive_ref(session: Any, artifact_id: str, ref: str | None, upload: str | None) -> str | None:
    """Return the archive a new version of an archive artifact takes in: the new upload, else the last."""
    if ref is not None:
        raise SourceError("an archive artifact has no refs: resubmit it with a new archive")
    return upload or latest_version(session=session, artifact_id=artifact_id).ref


def _lint(conf: conferences.Conference, name: str | None, text: str | None,
          badges: Sequence[str]) -> dict[str, Any] | None:
    if text is None:
        return None
    return lint(text, profile=conf.lint_profile(), badges=badges, filename=name or "appendix",
                max_bytes=current_app.config["MAX_APPENDIX_BYTES"]).to_dict()


def _admit(conference: str, *, web: bool) -> None:
    """Refuse the submission (429) when the intake queue is full or, from the web, the conference's
    rate is spent; the operator's CLI counts against the queue only."""
    from ae import admission

    with session_scope() as session:
        admission.check_queue(session=session, config=current_app.config)
    if web:
        from redis.exceptions import RedisError

        try:
            admission.count_conference(queue.get_redis(), conference,
                                       str(current_app.config["RATELIMIT_SUBMIT_CONFERENCE"]))
        except RedisError as exc:  # counting is best effort: a Redis outage must not refuse work
            log.warning("conference %s: submission not counted (%s)", conference, exc)


def _take_in(ids: Submitted) -> Submitted:
    """Queue the intake of committed rows; if Redis cannot take it now, reconcile will (rows are safe)."""
    from redis.exceptions import RedisError

    from ae.workers.jobs import intake_version

    try:
        queue.enqueue(intake_version, ids.version_id, queue=queue.INTAKE_QUEUE)
    except RedisError as exc:
        log.warning("version %s: intake not queued (%s); reconcile will queue it", ids.version_id, exc)
    return ids
