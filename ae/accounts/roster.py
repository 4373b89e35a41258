"""A conference's people: who holds which role, inviting more, assigning evaluators to artifacts.

Rule (DESIGN §1, §3a): authors never learn evaluators' names; everywhere they are shown to
someone who is not a chair, evaluators are "Evaluator A", "Evaluator B", … in the order they were
assigned to that artifact.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from string import ascii_uppercase
from typing import Any

from sqlmodel import Session, col, select

from ae import mail
from ae.accounts import links
from ae.errors import AeError, NotFound
from ae.storage.models import Artifact, Assignment, Membership, User
from ae.storage.states import Role


@dataclass(frozen=True)
class Person:
    """A member of a conference and their roles there."""

    user_id: str
    name: str
    email: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Invited:
    """An invitation made: its link, and whether it was mailed (else the chair passes it on)."""

    email: str
    role: str
    link: str
    mailed: bool


def people_of(*, session: Session, conference: str) -> list[Person]:
    """Return the conference's members with their roles, by name."""
    rows = session.exec(select(User.id, User.name, User.email, Membership.role)
                        .join(Membership, col(Membership.user_id) == User.id)
                        .where(Membership.conference == conference)).all()
    grouped: dict[str, tuple[str, str, set[str]]] = {}
    for user_id, name, email, role in rows:
        grouped.setdefault(user_id, (name, email, set()))[2].add(role)
    return sorted((Person(uid, name, email, tuple(sorted(roles)))
                   for uid, (name, email, roles) in grouped.items()), key=lambda p: (p.name, p.email))


def evaluators_of(*, session: Session, artifact_ids: Sequence[str]) -> dict[str, list[str]]:
    """Return each artifact's assigned evaluators (user ids) in the order they were assigned."""
    if not artifact_ids:
        return {}
    rows = session.exec(select(Assignment.artifact_id, Assignment.user_id)
                        .where(col(Assignment.artifact_id).in_(list(artifact_ids)))
                        .order_by(col(Assignment.created_at), col(Assignment.id))).all()
    found: dict[str, list[str]] = {}
    for artifact_id, user_id in rows:
        found.setdefault(artifact_id, []).append(user_id)
    return found


def pseudonym(n: int) -> str:
    """Return the name the n-th (from 0) evaluator of an artifact goes by: Evaluator A, B, …, AA."""
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = ascii_uppercase[rest] + letters
    return f"Evaluator {letters}"


def shown_evaluators(evaluators: Sequence[str], names: Mapping[str, str], *, viewer: str | None,
                     real_names: bool) -> list[str]:
    """Return how an artifact's evaluators are shown: names to chairs, else pseudonyms ("you" marked)."""
    shown = []
    for n, user_id in enumerate(evaluators):
        label = names.get(user_id, pseudonym(n)) if real_names else pseudonym(n)
        shown.append(f"{label} (you)" if user_id == viewer else label)
    return shown


def assign(*, session: Session, conference: str, artifact_id: str, user_id: str) -> Assignment:
    """Assign an evaluator of the conference to one of its artifacts (not their own, not twice)."""
    artifact = session.get(Artifact, artifact_id)
    if artifact is None or artifact.conference != conference:
        raise NotFound(f"no artifact {artifact_id!r} in {conference}")
    held = session.exec(select(Membership.id).where(
        Membership.user_id == user_id, Membership.conference == conference,
        Membership.role == Role.EVALUATOR)).first()
    if held is None:
        raise AeError(f"that person is not an evaluator of {conference}: invite them as one first")
    if artifact.owner_id == user_id:
        raise AeError("an author cannot evaluate their own artifact")
    if session.exec(select(Assignment.id).where(Assignment.artifact_id == artifact_id,
                                                Assignment.user_id == user_id)).first() is not None:
        raise AeError("that evaluator is already assigned to this artifact")
    assignment = Assignment(artifact_id=artifact_id, user_id=user_id)
    session.add(assignment)
    return assignment


def invite(*, session: Session, config: Mapping[str, Any], email: str, conference: str,
           conference_name: str, role: str, invited_by: str | None,
           link_for: Callable[[str], str], days: int = links.INVITATION_DAYS) -> Invited:
    """Invite a person to a role: mail the link when mail is configured, else return it to show."""
    try:
        wanted = Role(role)
    except ValueError:
        raise AeError(f"role must be one of {', '.join(r.value for r in Role)}") from None
    token = links.invite(session=session, email=email, conference=conference, role=wanted,
                         invited_by=invited_by, days=days)
    link = link_for(token)
    address = email.strip().lower()
    if not mail.configured(config):
        return Invited(address, wanted, link, mailed=False)
    mail.send(config, to=address, subject=f"Invitation: {wanted} of {conference_name}",
              body=f"You are invited as {wanted} of {conference_name} on ae.\n\nAccept here (valid "
                   f"{days} days, once):\n\n{link}\n")
    return Invited(address, wanted, link, mailed=True)
