"""Bids and declared conflicts in the database, and the bidding sheet an evaluator reads.

An evaluator of a conference bids on each of its artifacts (eager, willing, reluctant, or
conflict — a conflict they declare) from the artifact's abstract (the paper's, else the appendix's)
and its check-list summary; an artifact's author, or a chair, declares conflicts as e-mail
addresses or @domains, never by picking from the committee (authors never learn its members).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from ae.errors import AeError, NotFound
from ae.storage.models import Artifact, ArtifactVersion, Bid, Conflict, Membership, Paper, utcnow
from ae.storage.states import Role

LEVELS = ("eager", "willing", "reluctant", "conflict")
_PATTERN = re.compile(r"^(?:[^@\s]+@|@)[a-z0-9-]+(?:\.[a-z0-9-]+)+$")


class BidError(AeError):
    """A bid or a declared conflict is not valid."""


@dataclass(frozen=True)
class Sheet:
    """One artifact as a bidder reads it: title, abstract, check-list summary, their bid."""

    artifact_id: str
    title: str
    abstract: str
    checklist: list[tuple[str, str]]
    findings: int
    bid: str | None


def _evaluator(session: Session, conference: str, user_id: str) -> None:
    held = session.exec(select(Membership.id).where(
        Membership.user_id == user_id, Membership.conference == conference,
        Membership.role == Role.EVALUATOR)).first()
    if held is None:
        raise BidError(f"only evaluators of {conference} bid on its artifacts")


def _artifact(session: Session, conference: str, artifact_id: str) -> Artifact:
    artifact = session.get(Artifact, artifact_id)
    if artifact is None or artifact.conference != conference:
        raise NotFound(f"no artifact {artifact_id!r} in {conference}")
    return artifact


def place(*, session: Session, conference: str, artifact_id: str, user_id: str, level: str) -> None:
    """Record an evaluator's bid on an artifact ("" withdraws it)."""
    if level and level not in LEVELS:
        raise BidError(f"a bid is one of {', '.join(LEVELS)} (got {level!r})")
    _evaluator(session, conference, user_id)
    artifact = _artifact(session, conference, artifact_id)
    if artifact.owner_id == user_id and level != "conflict":
        raise BidError("you are this artifact's author: your only bid on it is conflict")
    row = session.exec(select(Bid).where(Bid.artifact_id == artifact_id, Bid.user_id == user_id)).first()
    if not level:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        session.add(Bid(artifact_id=artifact_id, user_id=user_id, level=level))
    else:
        row.level, row.updated_at = level, utcnow()
        session.add(row)


def place_many(*, session: Session, conference: str, user_id: str, levels: dict[str, str]) -> int:
    """Record several bids of one evaluator at once (all or none); return how many were given."""
    for artifact_id, level in sorted(levels.items()):
        place(session=session, conference=conference, artifact_id=artifact_id, user_id=user_id, level=level)
    return sum(1 for level in levels.values() if level)


def bids_of(*, session: Session, conference: str) -> dict[tuple[str, str], str]:
    """Return every bid of a conference by (artifact id, user id)."""
    rows = session.exec(select(Bid.artifact_id, Bid.user_id, Bid.level)
                        .join(Artifact, col(Artifact.id) == Bid.artifact_id)
                        .where(Artifact.conference == conference)).all()
    return {(a, u): level for a, u, level in rows}


def normalise_pattern(pattern: str) -> str:
    """Return a declared conflict as stored: an e-mail address or an @domain, lower-cased."""
    cleaned = pattern.strip().lower()
    if not _PATTERN.match(cleaned):
        raise BidError(f"a conflict is an e-mail address (alice@uni.edu) or a domain (@uni.edu), "
                       f"not {pattern.strip()[:80]!r}")
    return cleaned


def declare(*, session: Session, conference: str, artifact_id: str, pattern: str, reason: str = "",
            declared_by: str | None) -> Conflict:
    """Declare a conflict of an artifact with an e-mail address or a domain (once each)."""
    _artifact(session, conference, artifact_id)
    cleaned = normalise_pattern(pattern)
    if len(reason) > 500:
        raise BidError("a conflict's reason is at most 500 characters")
    if session.exec(select(Conflict.id).where(Conflict.artifact_id == artifact_id,
                                              Conflict.pattern == cleaned)).first() is not None:
        raise BidError(f"{cleaned} is already declared for this artifact")
    row = Conflict(artifact_id=artifact_id, pattern=cleaned, reason=reason.strip(), declared_by=declared_by)
    session.add(row)
    return row


def withdraw(*, session: Session, conference: str, artifact_id: str, conflict_id: int) -> None:
    """Withdraw a declared conflict of an artifact."""
    _artifact(session, conference, artifact_id)
    row = session.get(Conflict, conflict_id)
    if row is None or row.artifact_id != artifact_id:
        raise NotFound(f"no declared conflict {conflict_id} on this artifact")
    session.delete(row)


def declared_of(*, session: Session, artifact_ids: Sequence[str]) -> dict[str, list[Conflict]]:
    """Return the declared conflicts of each artifact."""
    found: dict[str, list[Conflict]] = {a: [] for a in artifact_ids}
    if artifact_ids:
        for row in session.exec(select(Conflict).where(col(Conflict.artifact_id).in_(list(artifact_ids)))
                                .order_by(col(Conflict.id))):
            found[row.artifact_id].append(row)
    return found


def latest_versions(*, session: Session, artifact_ids: Sequence[str]) -> dict[str, ArtifactVersion]:
    """Return each artifact's latest version."""
    found: dict[str, ArtifactVersion] = {}
    if artifact_ids:
        for version in session.exec(select(ArtifactVersion)
                                    .where(col(ArtifactVersion.artifact_id).in_(list(artifact_ids)))
                                    .order_by(col(ArtifactVersion.number))):
            found[version.artifact_id] = version
    return found


def abstract_of(paper: Paper | None, checklist: dict[str, Any]) -> str:
    """Return an artifact's abstract: the paper's as imported, else the appendix's Abstract section."""
    if paper is not None and paper.abstract.strip():
        return paper.abstract.strip()
    for section in checklist.get("sections") or []:
        if section.get("key") == "abstract" and section.get("text"):
            return str(section["text"])
    return ""


def sheet(*, session: Session, conference: str, user_id: str) -> list[Sheet]:
    """Return what an evaluator bids from: every artifact of the conference with their bid."""
    _evaluator(session, conference, user_id)
    artifacts = session.exec(select(Artifact).where(Artifact.conference == conference)
                             .order_by(col(Artifact.created_at), col(Artifact.id))).all()
    ids = [a.id for a in artifacts]
    versions = latest_versions(session=session, artifact_ids=ids)
    papers = {p.artifact_id: p for p in session.exec(select(Paper).where(col(Paper.artifact_id).in_(ids)))}
    every = bids_of(session=session, conference=conference)
    mine = {a: level for (a, u), level in every.items() if u == user_id}
    rows = []
    for artifact in artifacts:
        checklist = versions[artifact.id].checklist if artifact.id in versions else {}
        items = [(str(i.get("label")), str(i.get("value"))) for i in checklist.get("items") or []
                 if not i.get("empty")]
        rows.append(Sheet(artifact.id, artifact.title, abstract_of(papers.get(artifact.id), checklist), items,
                          len(checklist.get("findings") or []), mine.get(artifact.id)))
    return rows
