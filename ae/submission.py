"""Submitting an artifact: validate, commit the rows, then enqueue the intake job."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app

from ae import conferences
from ae.checklist.lint import lint
from ae.errors import AeError
from ae.intake.policy import check, policy_from_config
from ae.storage.db import session_scope
from ae.storage.queries import add_version, create_artifact, get_artifact
from ae.workers import queue


@dataclass(frozen=True)
class Submitted:
    """Ids of a new submission and the check-list of an appendix handed in with it."""

    artifact_id: str
    version_id: str
    checklist: dict[str, Any] | None = None


def submit(*, conference: str, title: str, source: str, ref: str | None = None,
           badges: Sequence[str] = (), appendix_name: str | None = None,
           appendix_text: str | None = None, web: bool = False) -> Submitted:
    """Create the artifact and its first version, commit, and enqueue intake.

    `web` says the submission came from the web or the API: the source policy then refuses local
    paths whatever the configuration says.
    """
    conf = conferences.get(conference)
    unknown = [b for b in badges if b not in conf.badges]
    if unknown:
        raise AeError(f"badge {unknown[0]!r} is not offered by {conference} ({', '.join(conf.badges)})")
    if not title.strip():
        raise AeError("a title is required")
    source = check(source, policy_from_config(current_app.config, web=web))
    checklist = _lint(conf, appendix_name, appendix_text, badges)
    with session_scope() as session:
        artifact, version = create_artifact(
            session=session, conference=conference, title=title.strip(), source=source, ref=ref,
            requested_badges=badges, appendix_name=appendix_name, appendix_text=appendix_text)
        if checklist is not None:
            version.checklist = checklist
        ids = Submitted(artifact.id, version.id, checklist)
    return _take_in(ids)


def resubmit(*, artifact_id: str, ref: str | None = None, appendix_name: str | None = None,
             appendix_text: str | None = None, web: bool = False) -> Submitted:
    """Add a new version of an artifact (another commit of its source), commit, enqueue intake."""
    with session_scope() as session:
        artifact = get_artifact(session=session, artifact_id=artifact_id)
        check(artifact.source, policy_from_config(current_app.config, web=web))
        conf = conferences.get(artifact.conference)
        checklist = _lint(conf, appendix_name, appendix_text, artifact.requested_badges)
        version = add_version(session=session, artifact=artifact, ref=ref,
                              appendix_name=appendix_name, appendix_text=appendix_text)
        if checklist is not None:
            version.checklist = checklist
        ids = Submitted(artifact.id, version.id, checklist)
    return _take_in(ids)


def _lint(conf: conferences.Conference, name: str | None, text: str | None,
          badges: Sequence[str]) -> dict[str, Any] | None:
    if text is None:
        return None
    return lint(text, profile=conf.lint_profile(), badges=badges, filename=name or "appendix",
                max_bytes=current_app.config["MAX_APPENDIX_BYTES"]).to_dict()


def _take_in(ids: Submitted) -> Submitted:
    from ae.workers.jobs import intake_version

    queue.enqueue(intake_version, ids.version_id, queue=queue.INTAKE_QUEUE)
    return ids
