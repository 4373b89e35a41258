"""Issuing, withholding and revoking badges: a chair's decisions, signed, recorded, never deleted.

The caller (a view or a CLI command) has already asked the policy whether the actor chairs the
conference; this module checks what the data must satisfy and owns no transaction.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, func, select

from ae import recommendation
from ae.badges import schemes, status
from ae.badges.credential import Award, credential, digest, sign, status_list_credential
from ae.badges.exports import Awarded, Published
from ae.badges.keys import KeyStore
from ae.badges.recommend import Recommendation, as_dicts
from ae.conferences import Conference
from ae.errors import BadgeError, NotFound
from ae.storage.models import Artifact, ArtifactVersion, BadgeEvent, IssuedBadge, Paper, VerdictRecord, utcnow
from ae.storage.queries import get_artifact, latest_version

KEY_FILE = "badge-keys.json"
#: Under a version's report folder: the reports that issued credentials name, by SHA-256.
ISSUED_DIR = "issued"


@dataclass(frozen=True)
class Issuer:
    """Who signs: the service's public address, its name, and its key file."""

    url: str
    name: str
    keys: KeyStore


def issuer_for(*, base_url: str, instance_path: str | Path, name: str = "ae artifact evaluation") -> Issuer:
    """Return the issuer of an instance: its keys live in `<instance>/badge-keys.json`."""
    return Issuer(base_url.rstrip("/"), name, KeyStore(Path(instance_path) / KEY_FILE))


def evidence_summary(*, session: Session, version_id: str, commit: str | None, snapshot: str | None,
                     recommended: dict[str, Any]) -> dict[str, Any]:
    """Return the evidence a badge rests on, summarised (its digest goes into the credential)."""
    verdicts = session.exec(select(VerdictRecord).where(VerdictRecord.version_id == version_id)
                            .order_by(col(VerdictRecord.claim_id))).all()
    return {"version": version_id, "commit": commit, "snapshot_digest": snapshot,
            "verdicts": [[v.claim_id, v.outcome] for v in verdicts],
            "recommended": [[b.get("badge"), b.get("status")] for b in recommended.get("badges", [])]}


def _report_digest(path: str | None) -> str | None:
    """Return the digest of the version's report and keep that report beside the newer ones.

    The report is written again as the review goes on; the credential names the one that stood
    when it was issued, kept (with its Markdown and HTML) in `<report folder>/issued/<sha256>/`.
    """
    if not path or not Path(path).is_file():
        return None
    named = Path(path)
    data = named.read_bytes()
    hexdigest = hashlib.sha256(data).hexdigest()
    kept = named.parent / ISSUED_DIR / hexdigest
    if not kept.is_dir():
        staging = named.parent / ISSUED_DIR / f".{hexdigest}.{uuid.uuid4().hex[:8]}"
        staging.mkdir(parents=True)
        for companion in named.parent.glob("report.*"):
            if companion != named:
                shutil.copyfile(companion, staging / companion.name)
        (staging / named.name).write_bytes(data)  # the very bytes digested
        try:
            staging.rename(kept)
        except OSError:  # kept meanwhile by another issuance of the same report
            shutil.rmtree(staging, ignore_errors=True)
    return f"sha256:{hexdigest}"


def active(*, session: Session, artifact_id: str, badge: str | None = None) -> list[IssuedBadge]:
    """Return an artifact's issued badges that are not revoked (one badge, or all)."""
    query = select(IssuedBadge).where(IssuedBadge.artifact_id == artifact_id,
                                      col(IssuedBadge.revoked_at).is_(None))
    if badge is not None:
        query = query.where(IssuedBadge.badge == badge)
    return list(session.exec(query.order_by(col(IssuedBadge.issued_at))).all())


def _offered(*, session: Session, conference: Conference, artifact_id: str, badge: str) -> Artifact:
    artifact = get_artifact(session=session, artifact_id=artifact_id)
    if artifact.conference != conference.slug:  # as if absent: another conference's artifacts are not here
        raise NotFound(f"no artifact {artifact_id!r}")
    if badge not in conference.badges:
        offered = ", ".join(conference.badges)
        raise BadgeError(f"badge {badge!r} is not offered by {conference.slug} ({offered})")
    return artifact


def issue(*, session: Session, issuer: Issuer, conference: Conference, artifact_id: str, badge: str,
          actor_id: str | None, note: str = "", now: datetime | None = None) -> IssuedBadge:
    """Issue `badge` to the artifact's latest version: sign its credential, record it and the event."""
    artifact = _offered(session=session, conference=conference, artifact_id=artifact_id, badge=badge)
    if active(session=session, artifact_id=artifact.id, badge=badge):
        raise BadgeError(f"{badge!r} is already issued to artifact {artifact.id}: "
                         "revoke it first to re-issue")
    version = latest_version(session=session, artifact_id=artifact.id)
    if not version.commit:
        raise BadgeError(f"version {version.number} of artifact {artifact.id} has no pinned commit yet "
                         "(intake has not finished): nothing to certify")
    at = now or utcnow()
    scheme = schemes.get(conference.badge_scheme)
    recommended = as_dicts(recommendation.of_version(session=session, conference=conference, version=version))
    summary = evidence_summary(session=session, version_id=version.id, commit=version.commit,
                               snapshot=version.snapshot_digest, recommended={"badges": recommended})
    last = session.exec(select(func.max(IssuedBadge.status_index))).one()
    index = 0 if last is None else int(last) + 1
    if index >= status.SIZE:
        raise BadgeError(f"the revocation status list is full ({status.SIZE} badges)")
    row_id = uuid.uuid4()
    award = Award(credential_id=f"urn:uuid:{row_id}", issuer_url=issuer.url, issuer_name=issuer.name,
                  conference=conference.slug, conference_name=conference.name, artifact_id=artifact.id,
                  artifact_title=artifact.title, commit=version.commit,
                  snapshot_digest=version.snapshot_digest,
                  scheme=scheme, badge=badge, evidence_digest=digest(summary),
                  report_digest=_report_digest(version.report_path), status_index=index, issued_at=at)
    key = issuer.keys.signing_key(int(at.timestamp()))
    row = IssuedBadge(id=row_id.hex, artifact_id=artifact.id, version_id=version.id,
                      conference=conference.slug, scheme=scheme.name, scheme_version=scheme.version,
                      badge=badge, status_index=index, kid=key.kid, credential=sign(credential(award), key),
                      evidence_digest=award.evidence_digest,
                      report_digest=award.report_digest, issued_by=actor_id, issued_at=at)
    session.add(row)
    session.flush()  # the event refers to the row (no ORM relationship orders the two inserts)
    session.add(BadgeEvent(artifact_id=artifact.id, badge=badge, action="issued", issued_badge_id=row.id,
                           actor_id=actor_id, note=note, at=at))
    return row


def withhold(*, session: Session, conference: Conference, artifact_id: str, badge: str, actor_id: str | None,
             note: str) -> BadgeEvent:
    """Record a chair's decision not to award `badge` (an event; nothing is signed)."""
    artifact = _offered(session=session, conference=conference, artifact_id=artifact_id, badge=badge)
    if active(session=session, artifact_id=artifact.id, badge=badge):
        raise BadgeError(f"{badge!r} is issued to artifact {artifact.id}: revoke it instead")
    event = BadgeEvent(artifact_id=artifact.id, badge=badge, action="withheld", actor_id=actor_id, note=note)
    session.add(event)
    return event


def get_issued(*, session: Session, badge_id: str) -> IssuedBadge:
    """Return an issued badge by id (or a unique prefix of at least 6 characters)."""
    row = session.get(IssuedBadge, badge_id)
    if row is None and len(badge_id) >= 6 and badge_id.isalnum():
        found = session.exec(select(IssuedBadge).where(col(IssuedBadge.id).startswith(badge_id))).all()
        row = found[0] if len(found) == 1 else None
    if row is None:
        raise NotFound(f"no issued badge {badge_id!r}")
    return row


def revoke(*, session: Session, badge_id: str, actor_id: str | None, reason: str,
           now: datetime | None = None) -> IssuedBadge:
    """Revoke an issued badge: recorded with who, when and why; the row and its credential stay."""
    row = get_issued(session=session, badge_id=badge_id)
    if not reason.strip():
        raise BadgeError("say why the badge is revoked (a reason is required)")
    if row.revoked_at is not None:
        raise BadgeError(f"badge {row.id} was already revoked at {row.revoked_at:%Y-%m-%d %H:%M}")
    at = now or utcnow()
    row.revoked_at, row.revoked_by, row.revoked_reason = at, actor_id, reason.strip()
    session.add(row)
    session.add(BadgeEvent(artifact_id=row.artifact_id, badge=row.badge, action="revoked",
                           issued_badge_id=row.id, actor_id=actor_id, note=reason.strip(), at=at))
    return row


def issued_of(*, session: Session, artifact_id: str) -> list[IssuedBadge]:
    """Return every badge issued to an artifact, revoked ones included, oldest first."""
    return list(session.exec(select(IssuedBadge).where(IssuedBadge.artifact_id == artifact_id)
                             .order_by(col(IssuedBadge.issued_at))).all())


def events(*, session: Session, artifact_id: str) -> list[BadgeEvent]:
    """Return an artifact's badge decisions, oldest first (the audit trail)."""
    return list(session.exec(select(BadgeEvent).where(BadgeEvent.artifact_id == artifact_id)
                             .order_by(col(BadgeEvent.at), col(BadgeEvent.id))).all())


def issued_in(*, session: Session, conference: str, include_revoked: bool = True) -> list[IssuedBadge]:
    """Return a conference's issued badges, oldest first."""
    query = select(IssuedBadge).where(IssuedBadge.conference == conference)
    if not include_revoked:
        query = query.where(col(IssuedBadge.revoked_at).is_(None))
    return list(session.exec(query.order_by(col(IssuedBadge.issued_at), col(IssuedBadge.id))).all())


def status_list_jwt(*, session: Session, issuer: Issuer, now: datetime | None = None) -> str:
    """Return the signed revocation status list of every badge the service issued."""
    revoked = session.exec(select(IssuedBadge.status_index)
                           .where(col(IssuedBadge.revoked_at).is_not(None))).all()
    at = now or utcnow()
    key = issuer.keys.signing_key(int(at.timestamp()))
    return sign(status_list_credential(issuer.url, status.encode(revoked), at), key)


def published(*, session: Session, conference: Conference, base_url: str,
              with_authors: bool = False) -> list[Published]:
    """Return the conference's artifacts that hold or held an issued badge (public facts only).

    Authors' names come only `with_authors` (the chair's exports), from the imported paper.
    """
    scheme = schemes.get(conference.badge_scheme)
    rows = issued_in(session=session, conference=conference.slug)
    base = base_url.rstrip("/")
    page = f"{base}/reproduced/{conference.slug}"
    by_artifact: dict[str, list[IssuedBadge]] = {}
    for row in rows:
        by_artifact.setdefault(row.artifact_id, []).append(row)
    ids = list(by_artifact)
    artifacts = {a.id: a for a in session.exec(select(Artifact).where(col(Artifact.id).in_(ids)))}
    version_ids = [mine[-1].version_id for mine in by_artifact.values()]
    versions = {v.id: v for v in session.exec(select(ArtifactVersion)
                                              .where(col(ArtifactVersion.id).in_(version_ids)))}
    counts: dict[str, dict[str, int]] = {}
    for version_id, outcome, n in session.exec(
            select(VerdictRecord.version_id, VerdictRecord.outcome, func.count())
            .where(col(VerdictRecord.version_id).in_(version_ids))
            .group_by(col(VerdictRecord.version_id), col(VerdictRecord.outcome))):
        counts.setdefault(version_id, {})[outcome] = int(n)
    papers = ({p.artifact_id: p for p in session.exec(select(Paper).where(col(Paper.artifact_id).in_(ids)))}
              if with_authors else {})
    out = []
    for artifact_id, mine in by_artifact.items():
        artifact, version = artifacts[artifact_id], versions[mine[-1].version_id]
        dois = [d["value"] for d in (version.checklist or {}).get("dois") or [] if not d.get("placeholder")]
        paper = papers.get(artifact_id)
        source = artifact.source if artifact.source.startswith(("https://", "http://")) else ""
        out.append(Published(
            artifact_id=artifact.id, title=artifact.title, url=f"{page}#{artifact.id}",
            repository_url=source or page, doi=dois[0] if dois else None,
            commit=version.commit, snapshot_digest=version.snapshot_digest,
            badges=tuple(Awarded(r.badge, scheme.title(r.badge), r.issued_at,
                                 f"{base}/badges/{r.id}", r.revoked_at is not None) for r in mine),
            verdicts=dict(sorted(counts.get(version.id, {}).items())),
            authors=tuple(str(a.get("name", "")) for a in (paper.authors if paper else []) if a.get("name"))))
    return out


def recommendations(*, session: Session, conference: Conference, artifact_id: str) -> list[Recommendation]:
    """Return the badge recommendations of an artifact's latest version: evidence and submitted reviews."""
    version = latest_version(session=session, artifact_id=artifact_id)
    return recommendation.of_version(session=session, conference=conference, version=version)
