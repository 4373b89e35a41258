"""The chair's assignment: the conflicts known for a conference, the solver's proposal from the
stored bids, and committing an edited proposal into the Assignment table.

Committing adds the pairs that are not there yet and removes none (an evaluator may have started
a review); a pair in conflict, or with someone who is not an evaluator, refuses the whole commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from ae.accounts import roster
from ae.errors import AeError
from ae.review import bidding, conflicts, solver
from ae.storage.models import Artifact, Assignment, Membership, Paper, User
from ae.storage.states import Role


@dataclass(frozen=True)
class Situation:
    """What the proposal is made from: artifacts, evaluators, bids, conflicts with their reasons."""

    artifacts: list[Artifact]
    evaluators: list[conflicts.Person]
    bids: dict[tuple[str, str], str]
    conflicts: dict[tuple[str, str], list[str]]
    assigned: set[tuple[str, str]]


def evaluators_of(*, session: Session, conference: str) -> list[conflicts.Person]:
    """Return the evaluators of a conference, by name."""
    rows = session.exec(select(User.id, User.name, User.email)
                        .join(Membership, col(Membership.user_id) == User.id)
                        .where(Membership.conference == conference, Membership.role == Role.EVALUATOR,
                               col(User.active).is_(True))
                        .order_by(col(User.name), col(User.email))).all()
    return [conflicts.Person(uid, name, email) for uid, name, email in rows]


def situation(*, session: Session, conference: str) -> Situation:
    """Gather a conference's artifacts, evaluators, bids, declared and detected conflicts, assignments."""
    artifacts = list(session.exec(select(Artifact).where(Artifact.conference == conference)
                                  .order_by(col(Artifact.created_at), col(Artifact.id))))
    ids = [a.id for a in artifacts]
    people = evaluators_of(session=session, conference=conference)
    bids = bidding.bids_of(session=session, conference=conference)
    versions = bidding.latest_versions(session=session, artifact_ids=ids)
    papers = {p.artifact_id: p for p in session.exec(select(Paper).where(col(Paper.artifact_id).in_(ids)))}
    declared = bidding.declared_of(session=session, artifact_ids=ids)
    owners = {u.id: u for u in session.exec(select(User).where(
        col(User.id).in_([a.owner_id for a in artifacts if a.owner_id])))}
    found: dict[tuple[str, str], list[str]] = {}
    for artifact in artifacts:
        owner = owners.get(artifact.owner_id or "")
        paper = papers.get(artifact.id)
        version = versions.get(artifact.id)
        authorship = conflicts.Authorship(
            owner=conflicts.Person(owner.id, owner.name, owner.email) if owner else None,
            authors=tuple((str(a.get("name", "")), str(a.get("email", ""))) for a in
                          (paper.authors if paper else [])),
            appendix=(version.appendix_text or "") if version else "",
            declared=tuple(c.pattern for c in declared[artifact.id]))
        for person in people:
            why = conflicts.reasons(person, authorship)
            if bids.get((artifact.id, person.user_id)) == "conflict":
                why.insert(0, "declared by the evaluator")
            if why:
                found[(artifact.id, person.user_id)] = why
    assigned = set(session.exec(select(Assignment.artifact_id, Assignment.user_id)
                                .where(col(Assignment.artifact_id).in_(ids))).all())
    return Situation(artifacts, people, bids, found, {(a, u) for a, u in assigned})


def propose(*, session: Session, conference: str, k: int,
            most: int | None) -> tuple[Situation, solver.Proposal]:
    """Return the situation and the solver's proposal (the assignments made so far kept)."""
    now = situation(session=session, conference=conference)
    proposal = solver.propose([a.id for a in now.artifacts], [p.user_id for p in now.evaluators], k=k,
                              bids=now.bids, conflicts=set(now.conflicts), fixed=now.assigned, most=most)
    return now, proposal


def commit(*, session: Session, conference: str, pairs: Iterable[tuple[str, str]]) -> int:
    """Assign every (artifact id, user id) pair not yet assigned; return how many were added."""
    now = situation(session=session, conference=conference)
    names = {p.user_id: p.name for p in now.evaluators}
    titles = {a.id: a.title for a in now.artifacts}
    added = 0
    for artifact_id, user_id in sorted(set(pairs)):
        if artifact_id not in titles:
            raise AeError(f"no artifact {artifact_id!r} in {conference}: nothing was assigned")
        if user_id not in names:
            raise AeError(f"{user_id!r} is not an evaluator of {conference}: nothing was assigned")
        why = now.conflicts.get((artifact_id, user_id))
        if why:
            raise AeError(f"{names[user_id]} is in conflict with {titles[artifact_id]!r} ({why[0]}): "
                          f"nothing was assigned")
        if (artifact_id, user_id) in now.assigned:
            continue
        roster.assign(session=session, conference=conference, artifact_id=artifact_id, user_id=user_id)
        added += 1
    return added
