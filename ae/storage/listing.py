"""The artifact list of the pages: one page of rows in two queries, whatever the number of artifacts.

`ae.status.all_status` builds the whole status of every artifact (several queries each); a list
of 1,000 artifacts needs only what a row shows: title, conference, the latest version's number
and status, how many runs it has, and its verdicts.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

import sqlalchemy
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, or_, select

from ae.storage.models import Artifact, ArtifactVersion, Assignment, Run, VerdictRecord

PER_PAGE = 50


@dataclass
class Row:
    """One artifact as the list shows it."""

    id: str
    title: str
    conference: str
    version: int | None
    status: str | None
    runs: int
    verdicts: list[tuple[str, str]] = field(default_factory=list)  # (claim, outcome)


@dataclass
class Page:
    """One page of the list: its rows, its number and whether an older page follows."""

    rows: list[Row]
    number: int
    more: bool


def artifact_page(*, session: Session, page: int = 1, per_page: int = PER_PAGE,
                  conference: str | None = None, visible_to: str | None = None,
                  conferences: Collection[str] | None = None) -> Page:
    """Return one page of artifacts, newest first, with their latest version's status and verdicts.

    `visible_to` and `conferences` filter as `ae.storage.queries.list_artifacts` does: without
    `visible_to`, every artifact; with it, those the user owns, is assigned to, or that belong to
    one of `conferences`.
    """
    page = max(1, page)
    other = aliased(ArtifactVersion)
    latest = (select(func.max(other.number)).where(other.artifact_id == Artifact.id)
              .correlate(Artifact).scalar_subquery())
    runs = (select(func.count(col(Run.id))).where(Run.version_id == ArtifactVersion.id)
            .scalar_subquery())
    columns = (col(Artifact.id), col(Artifact.title), col(Artifact.conference), col(ArtifactVersion.id),
               col(ArtifactVersion.number), col(ArtifactVersion.status), runs)
    query = (sqlalchemy.select(*columns)
             .join(ArtifactVersion, (col(ArtifactVersion.artifact_id) == Artifact.id)
                   & (col(ArtifactVersion.number) == latest), isouter=True)
             .order_by(col(Artifact.created_at).desc(), col(Artifact.id).desc())
             .offset((page - 1) * per_page).limit(per_page + 1))
    if conference:
        query = query.where(col(Artifact.conference) == conference)
    if visible_to is not None:
        assigned = select(Assignment.artifact_id).where(Assignment.user_id == visible_to)
        query = query.where(or_(col(Artifact.owner_id) == visible_to, col(Artifact.id).in_(assigned),
                                col(Artifact.conference).in_(list(conferences or ()))))
    found = list(session.connection().execute(query))  # a plain row query: no ORM objects
    rows, versions = [], {}
    for artifact_id, title, conf, version_id, number, status, count in found[:per_page]:
        rows.append(Row(artifact_id, title, conf, number, status, int(count or 0)))
        if version_id is not None:
            versions[version_id] = rows[-1]
    if versions:
        verdicts = select(VerdictRecord.version_id, VerdictRecord.claim_id, VerdictRecord.outcome).where(
            col(VerdictRecord.version_id).in_(list(versions))).order_by(col(VerdictRecord.claim_id))
        for version_id, claim, outcome in session.exec(verdicts):
            versions[version_id].verdicts.append((claim, outcome))
    return Page(rows=rows, number=page, more=len(found) > per_page)
