"""The badge recommendation of an artifact version: its evidence and its submitted reviews, together.

Rule: this is the one place that says what is recommended. The evaluation pass stores the evidence's
part (`version.recommended_badges`, written once from runs, verdicts and check-list); the
evaluators' opinions are added here when the recommendation is read, so every reader (`ae status`,
the API, the artifact page, the reports, the chair's badge page, a credential's evidence summary)
sees the reviews submitted so far and nothing has to be rewritten when a review arrives.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from ae.badges import schemes
from ae.badges.recommend import Recommendation, as_dicts, with_reviews
from ae.conferences import Conference
from ae.review.reviews import opinions_of
from ae.storage.models import ArtifactVersion


def of_versions(*, session: Session, conference: Conference,
                versions: Sequence[ArtifactVersion]) -> dict[str, list[Recommendation]]:
    """Return the recommendation of each version (by id); none before its evidence or a review."""
    views = opinions_of(session=session, version_ids=[v.id for v in versions], rounds=conference.rounds)
    scheme = schemes.get(conference.badge_scheme)
    found: dict[str, list[Recommendation]] = {}
    for version in versions:
        stored = (version.recommended_badges or {}).get("badges", [])
        mine = views.get(version.id, [])
        found[version.id] = (with_reviews(scheme, conference.badges, stored, mine)
                             if stored or mine else [])
    return found


def of_version(*, session: Session, conference: Conference, version: ArtifactVersion) -> list[Recommendation]:
    """Return a version's recommendation: the evidence combined with the submitted reviews."""
    return of_versions(session=session, conference=conference, versions=[version])[version.id]


def rows(*, session: Session, conference: Conference, version: ArtifactVersion) -> list[dict[str, Any]]:
    """Return a version's recommendation as JSON-ready rows (badge, title, status, why, reasons)."""
    return as_dicts(of_version(session=session, conference=conference, version=version))
