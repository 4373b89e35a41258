"""A chair's decision per artifact: accepted (with the badges awarded) or rejected, and a text for
the authors. Deciding again replaces the decision; signing the badges is issuance's (`ae.issuance`)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from ae.errors import AeError, NotFound
from ae.storage.models import Artifact, Decision, utcnow

OUTCOMES = ("accepted", "rejected")
MAX_TEXT = 20_000


class DecisionError(AeError):
    """A decision is not valid."""


def decide(*, session: Session, conference: str, offered: Sequence[str], artifact_id: str, outcome: str,
           badges: Sequence[str], text: str, decided_by: str | None) -> Decision:
    """Record (or replace) the chair's decision on an artifact of the conference."""
    artifact = session.get(Artifact, artifact_id)
    if artifact is None or artifact.conference != conference:
        raise NotFound(f"no artifact {artifact_id!r} in {conference}")
    if outcome not in OUTCOMES:
        raise DecisionError(f"a decision is {' or '.join(OUTCOMES)} (got {outcome!r})")
    unknown = [b for b in badges if b not in offered]
    if unknown:
        raise DecisionError(f"badge {unknown[0]!r} is not offered by {conference} ({', '.join(offered)})")
    if outcome == "accepted" and not badges:
        raise DecisionError("an accepted artifact is awarded at least one badge")
    if outcome == "rejected" and badges:
        raise DecisionError("a rejected artifact is awarded no badge")
    if len(text) > MAX_TEXT:
        raise DecisionError(f"the decision's text is at most {MAX_TEXT} characters")
    row = session.get(Decision, artifact_id) or Decision(artifact_id=artifact_id, outcome=outcome)
    row.outcome, row.badges, row.text = outcome, [b for b in offered if b in badges], text.strip()
    row.decided_by, row.decided_at = decided_by, utcnow()
    session.add(row)
    return row


def decisions_of(*, session: Session, artifact_ids: Sequence[str]) -> dict[str, Decision]:
    """Return the decisions on the given artifacts."""
    if not artifact_ids:
        return {}
    return {d.artifact_id: d for d in session.exec(select(Decision).where(
        col(Decision.artifact_id).in_(list(artifact_ids))))}
