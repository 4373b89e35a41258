"""A chair's decision on an artifact, carried out: the badges it accepts issued, the others withheld
or revoked, all by the deciding chair through `ae.issuance` (one path, one audit trail).

Rules:
- an accepted badge that holds no valid credential is issued (signed at once) with the decision as
  its note; one already issued stays as it is;
- a badge the decision does not accept loses its valid credential (revoked, the reason says the
  decision changed); a requested or previously accepted badge without one is recorded as withheld,
  unless its last event already took it away (withheld or revoked);
- if any of it cannot be done (no pinned commit yet, a badge not offered), nothing is stored:
  the decision and its badges stand or fall together.
The caller has asked the policy whether the actor chairs the conference and owns the transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

from ae import issuance
from ae.conferences import Conference
from ae.review import decisions
from ae.storage.models import Decision
from ae.storage.queries import get_artifact


@dataclass
class Outcome:
    """What a decision did: the row, and the badges issued, revoked and withheld because of it."""

    decision: Decision
    issued: list[str] = field(default_factory=list)
    revoked: list[str] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)

    def summary(self, titles: dict[str, str]) -> str:
        """Say in one sentence what happened to the badges."""
        parts = [f"{verb} {', '.join(titles.get(b, b) for b in badges)}"
                 for verb, badges in (("issued", self.issued), ("revoked", self.revoked),
                                      ("withheld", self.withheld)) if badges]
        return "; ".join(parts) if parts else "no badge changed"


def decide(*, session: Session, issuer: issuance.Issuer, conference: Conference, artifact_id: str,
           outcome: str, badges: Sequence[str], text: str, actor_id: str | None) -> Outcome:
    """Record the chair's decision and carry it out on the artifact's badges, as that chair."""
    before = decisions.decisions_of(session=session, artifact_ids=[artifact_id]).get(artifact_id)
    earlier = set(before.badges) if before is not None and before.outcome == "accepted" else set()
    row = decisions.decide(session=session, conference=conference.slug, offered=conference.badges,
                           artifact_id=artifact_id, outcome=outcome, badges=badges, text=text,
                           decided_by=actor_id)  # NotFound for another conference's artifact
    artifact = get_artifact(session=session, artifact_id=row.artifact_id)
    done = Outcome(row)
    note = f"the chair's decision: {row.outcome}" + (f" — {row.text}" if row.text else "")
    for badge in row.badges:
        if not issuance.active(session=session, artifact_id=artifact.id, badge=badge):
            issuance.issue(session=session, issuer=issuer, conference=conference, artifact_id=artifact.id,
                           badge=badge, actor_id=actor_id, note=note)
            done.issued.append(badge)
    last = {e.badge: e.action for e in issuance.events(session=session, artifact_id=artifact.id)}
    concerned = set(artifact.requested_badges) | earlier
    for badge in [b for b in conference.badges if b not in row.badges]:
        live = issuance.active(session=session, artifact_id=artifact.id, badge=badge)
        for held in live:
            issuance.revoke(session=session, badge_id=held.id, actor_id=actor_id,
                            reason=f"the chair's decision changed: {row.outcome}"
                                   + (f" — {row.text}" if row.text else ""))
            done.revoked.append(badge)
        if not live and badge in concerned and last.get(badge) not in ("withheld", "revoked"):
            issuance.withhold(session=session, conference=conference, artifact_id=artifact.id, badge=badge,
                              actor_id=actor_id, note=note)
            done.withheld.append(badge)
    return done
