"""Database reads and writes, each taking a keyword-only session; callers own the transaction."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlmodel import Session, col, func, or_, select

from ae.errors import NotFound
from ae.storage.models import Artifact, ArtifactVersion, Assignment, ClaimRecord, Run, VerdictRecord, utcnow


def get_artifact(*, session: Session, artifact_id: str) -> Artifact:
    """Return an artifact by id or raise NotFound."""
    artifact = session.get(Artifact, artifact_id)
    if artifact is None:
        raise NotFound(f"no artifact {artifact_id!r}")
    return artifact


def get_version(*, session: Session, version_id: str) -> ArtifactVersion:
    """Return a version by id or raise NotFound."""
    version = session.get(ArtifactVersion, version_id)
    if version is None:
        raise NotFound(f"no artifact version {version_id!r}")
    return version


def get_run(*, session: Session, run_id: str) -> Run:
    """Return a run by id or raise NotFound."""
    run = session.get(Run, run_id)
    if run is None:
        raise NotFound(f"no run {run_id!r}")
    return run


def create_artifact(*, session: Session, conference: str, title: str, source: str,
                    ref: str | None, requested_badges: Sequence[str] = (),
                    appendix_name: str | None = None, appendix_text: str | None = None,
                    owner_id: str | None = None) -> tuple[Artifact, ArtifactVersion]:
    """Add an artifact and its first version; the caller commits."""
    artifact = Artifact(conference=conference, title=title, source=source,
                        requested_badges=list(requested_badges), owner_id=owner_id)
    version = ArtifactVersion(artifact_id=artifact.id, number=1, ref=ref,
                              appendix_name=appendix_name, appendix_text=appendix_text)
    session.add(artifact)
    session.add(version)
    return artifact, version


def add_version(*, session: Session, artifact: Artifact, ref: str | None,
                appendix_name: str | None = None, appendix_text: str | None = None,
                ) -> ArtifactVersion:
    """Add the next version of an artifact (a resubmission); the caller commits."""
    last = session.exec(select(func.max(ArtifactVersion.number))
                        .where(ArtifactVersion.artifact_id == artifact.id)).one()
    version = ArtifactVersion(artifact_id=artifact.id, number=(last or 0) + 1, ref=ref,
                              appendix_name=appendix_name, appendix_text=appendix_text)
    session.add(version)
    return version


def versions_of(*, session: Session, artifact_id: str) -> list[ArtifactVersion]:
    """Return an artifact's versions, oldest first."""
    query = (select(ArtifactVersion).where(ArtifactVersion.artifact_id == artifact_id)
             .order_by(col(ArtifactVersion.number)))
    return list(session.exec(query))


def list_artifacts(*, session: Session, conference: str | None = None, visible_to: str | None = None,
                   conferences: Collection[str] | None = None) -> list[Artifact]:
    """Return artifacts, newest first.

    With `visible_to` (a user id), only those the user owns, is assigned to, or that belong to one
    of `conferences` (those the user chairs or organizes); without it, all of them.
    """
    query = select(Artifact).order_by(col(Artifact.created_at).desc())
    if conference:
        query = query.where(Artifact.conference == conference)
    if visible_to is not None:
        assigned = select(Assignment.artifact_id).where(Assignment.user_id == visible_to)
        query = query.where(or_(Artifact.owner_id == visible_to, col(Artifact.id).in_(assigned),
                                col(Artifact.conference).in_(list(conferences or ()))))
    return list(session.exec(query))


def latest_version(*, session: Session, artifact_id: str) -> ArtifactVersion:
    """Return the newest version of an artifact."""
    query = (select(ArtifactVersion).where(ArtifactVersion.artifact_id == artifact_id)
             .order_by(col(ArtifactVersion.number).desc()))
    version = session.exec(query).first()
    if version is None:
        raise NotFound(f"artifact {artifact_id!r} has no version")
    return version


def find_artifact(*, session: Session, prefix: str) -> Artifact:
    """Return the one artifact whose id starts with `prefix` (ids are long; users type a few chars)."""
    matches = list(session.exec(select(Artifact).where(col(Artifact.id).startswith(prefix)).limit(2)))
    if not matches:
        raise NotFound(f"no artifact with id {prefix!r}")
    if len(matches) > 1:
        raise NotFound(f"artifact id {prefix!r} is ambiguous: type more characters")
    return matches[0]


def runs_of(*, session: Session, version_id: str) -> list[Run]:
    """Return the runs of a version in creation order."""
    query = select(Run).where(Run.version_id == version_id).order_by(col(Run.created_at), col(Run.id))
    return list(session.exec(query))


def claims_of(*, session: Session, version_id: str) -> list[ClaimRecord]:
    """Return the claims of a version."""
    query = select(ClaimRecord).where(ClaimRecord.version_id == version_id).order_by(col(ClaimRecord.id))
    return list(session.exec(query))


def verdicts_of(*, session: Session, version_id: str) -> list[VerdictRecord]:
    """Return the stored verdicts of a version."""
    query = select(VerdictRecord).where(VerdictRecord.version_id == version_id)
    return list(session.exec(query.order_by(col(VerdictRecord.claim_id))))


def replace_claims(*, session: Session, version_id: str, claims: Sequence[dict[str, Any]]) -> None:
    """Store the version's claims, replacing earlier ones."""
    for old in claims_of(session=session, version_id=version_id):
        session.delete(old)
    session.flush()
    for claim in claims:
        session.add(ClaimRecord(version_id=version_id, claim_id=claim["id"], data=dict(claim)))


def replace_verdicts(*, session: Session, version_id: str, verdicts: Sequence[dict[str, Any]]) -> None:
    """Store the version's verdicts, replacing earlier ones."""
    for old in verdicts_of(session=session, version_id=version_id):
        session.delete(old)
    session.flush()
    for verdict in verdicts:
        session.add(VerdictRecord(version_id=version_id, claim_id=verdict["claim_id"],
                                  outcome=verdict["outcome"], reason=verdict["reason"],
                                  data=dict(verdict), computed_at=utcnow()))

