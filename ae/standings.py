"""A conference's tournament as the service keeps it: rules, points from runs and imports, the board.

The one place that reads and writes tournament rows; the web, the API and the CLI call it with a
session and get plain data back (`ae.tournaments` does the ranking). Points come from two places:
- every artifact of the conference, its latest version: one point per (program, cmd_key, dataset,
  pool) of its runs on the tournament's pools — *independently reproduced* (our workers ran it),
  with the counted repetitions of its succeeded runs and the values its claims give;
- CK experiment points imported by an organizer (`ae tournament import`) — *author-reported*;
- volunteers' results of the conference's solutions (`ae.crowd`) — *volunteer-reported*.
The rules are the conference file's `[tournament]` table, or the organizer's edited copy of it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from ae import conferences, crowd
from ae.checklist.claims import OUTPUT_METRIC, Claim
from ae.ck.flat import split_statistic
from ae.errors import NotFound, TournamentError
from ae.pools import profile_from_platform
from ae.solutions import hardware
from ae.storage.models import (
    Artifact,
    ArtifactVersion,
    ClaimRecord,
    Run,
    TournamentPoint,
    TournamentState,
    utcnow,
)
from ae.storage.states import RUN_WAITING, RunState
from ae.tournaments.ck_import import ImportResult, import_experiments
from ae.tournaments.definition import RUN_ROOT, Provenance, Tournament, parse_tournament
from ae.tournaments.points import Point, PointStatus
from ae.tournaments.scoreboard import Scoreboard, build


@dataclass(frozen=True)
class Standing:
    """A conference's tournament now: its rules, whether they were edited, whether it is public."""

    conference: str
    name: str
    rules: Tournament
    edited: bool
    published: bool
    revision: int
    published_at: datetime | None = None


def with_tournament(slug: str) -> conferences.Conference:
    """Return conference `slug` if it has a tournament, else raise NotFound."""
    conference = conferences.get(slug)
    if conference.tournament is None:
        raise NotFound(f"conference {slug!r} has no tournament")
    return conference


def tournament_slugs() -> list[str]:
    """Return the conferences that have a tournament."""
    return [slug for slug, c in conferences.all_conferences().items() if c.tournament is not None]


def standing(*, session: Session, conference: str) -> Standing:
    """Return the tournament of a conference: the organizer's rules if edited, else the file's."""
    conf = with_tournament(conference)
    assert conf.tournament is not None
    state = session.get(TournamentState, conference)
    rules = conf.tournament
    if state is not None and state.rules:
        rules = parse_rules(state.rules, pools=conf.pool_names())
    return Standing(conference=conference, name=conf.name, rules=rules,
                    edited=bool(state and state.rules), published=bool(state and state.published),
                    revision=state.revision if state else 0,
                    published_at=state.published_at if state else None)


def parse_rules(text: str, *, pools: Sequence[str] | None) -> Tournament:
    """Validate rules written as a `[tournament]` TOML table (what the organizer's page edits)."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TournamentError(f"the rules are not valid TOML: {exc}") from None
    if set(data) != {"tournament"}:
        extra = sorted(set(data) - {"tournament"})
        raise TournamentError("the rules must be one [tournament] table"
                              + (f" (found [{extra[0]}])" if extra else ""))
    return parse_tournament(data["tournament"], where="[tournament]", pools=pools)


def _state(session: Session, conference: str) -> TournamentState:
    state = session.get(TournamentState, conference)
    if state is None:
        state = TournamentState(conference=conference)
        session.add(state)
    return state


def save_rules(*, session: Session, conference: str, text: str | None, user_id: str | None) -> Standing:
    """Store an organizer's rules (validated), or drop them (`text` None: back to the file's)."""
    conf = with_tournament(conference)
    if text is not None:
        parse_rules(text, pools=conf.pool_names())
    state = _state(session, conference)
    state.rules = text
    _touch(state, user_id)
    session.flush()
    return standing(session=session, conference=conference)


def publish(*, session: Session, conference: str, published: bool, user_id: str | None) -> Standing:
    """Make the tournament's board public (or private again)."""
    with_tournament(conference)
    state = _state(session, conference)
    state.published = published
    state.published_at = utcnow() if published else None
    _touch(state, user_id)
    session.flush()
    return standing(session=session, conference=conference)


def _touch(state: TournamentState, user_id: str | None) -> None:
    state.revision = (state.revision or 0) + 1
    state.updated_by, state.updated_at = user_id, utcnow()


def points(*, session: Session, conference: str, rules: Tournament) -> list[Point]:
    """Return every point of a conference's tournament: reproduced runs, then imported points."""
    found = (_run_points(session, conference, rules) + _imported_points(session, conference)
             + crowd.points(session=session, conference=conference, rules=rules))
    return sorted(found, key=lambda p: (p.entry, p.configuration, p.id))


def board(*, session: Session, conference: str, fronts: Sequence[str] | None = None, sort: str | None = None,
          descending: bool | None = None) -> tuple[Standing, Scoreboard]:
    """Return a tournament's standing and its board (ranked under the current rules)."""
    now = standing(session=session, conference=conference)
    found = points(session=session, conference=conference, rules=now.rules)
    return now, build(now.rules, found, fronts=fronts, sort=sort, descending=descending)


def _latest_versions(session: Session, conference: str) -> list[tuple[Artifact, ArtifactVersion]]:
    newest = (select(ArtifactVersion.artifact_id, func.max(ArtifactVersion.number).label("number"))
              .group_by(col(ArtifactVersion.artifact_id)).subquery())
    query = (select(Artifact, ArtifactVersion)
             .join(ArtifactVersion, col(ArtifactVersion.artifact_id) == Artifact.id)
             .join(newest, (col(ArtifactVersion.artifact_id) == newest.c.artifact_id)
                   & (col(ArtifactVersion.number) == newest.c.number))
             .where(Artifact.conference == conference).order_by(col(Artifact.created_at), col(Artifact.id)))
    return [(a, v) for a, v in session.exec(query).all()]


def claim_key(metric: str) -> str | None:
    """Return the CK flat key (no statistic) a claim's metric names, None for output claims."""
    if metric == OUTPUT_METRIC:
        return None
    if metric.startswith("#"):
        return split_statistic(metric)[0]
    return RUN_ROOT + metric.replace(".", "#")


def _run_points(session: Session, conference: str, rules: Tournament) -> list[Point]:
    pairs = _latest_versions(session, conference)
    if not pairs:
        return []
    version_ids = [v.id for _, v in pairs]
    runs: dict[str, list[Run]] = {}
    for run in session.exec(select(Run).where(col(Run.version_id).in_(version_ids))
                            .order_by(col(Run.created_at), col(Run.id))):
        runs.setdefault(run.version_id, []).append(run)
    claims: dict[str, list[Claim]] = {}
    for record in session.exec(select(ClaimRecord).where(col(ClaimRecord.version_id).in_(version_ids))
                               .order_by(col(ClaimRecord.id))):
        claims.setdefault(record.version_id, []).append(Claim.from_dict(record.data))
    out = []
    for artifact, version in pairs:
        targets: dict[tuple[str, str, str | None, str], list[Run]] = {}
        for run in runs.get(version.id, []):
            if rules.pools is None or run.pool in rules.pools:
                targets.setdefault((run.program, run.cmd_key, run.dataset, run.pool), []).append(run)
        for target, mine in targets.items():
            out.append(_run_point(artifact, target, mine, claims.get(version.id, []), rules))
    return out


def _run_point(artifact: Artifact, target: tuple[str, str, str | None, str], runs: list[Run],
               claims: list[Claim], rules: Tournament) -> Point:
    program, cmd_key, dataset, pool = target
    succeeded = [r for r in runs if r.status == RunState.SUCCEEDED and r.samples]
    samples: dict[str, list[float]] = {}
    for run in succeeded:
        per_key: dict[str, list[float]] = {}
        for sample in run.samples:
            for key, value in sample.items():
                if isinstance(value, int | float) and not isinstance(value, bool):
                    per_key.setdefault(key, []).append(float(value))
        for key, values in per_key.items():
            samples.setdefault(key, []).extend(rules.counted(values))
    if succeeded:
        status = PointStatus.MEASURED
    elif any(r.status in RUN_WAITING or r.status == RunState.RUNNING for r in runs):
        status = PointStatus.PENDING
    else:
        status = PointStatus.FAILED
    failed = next((r for r in reversed(runs) if r.status == RunState.FAILED), None)
    claimed: dict[str, float] = {}
    for claim in claims:
        flat_key = claim_key(claim.metric)
        if (flat_key is not None and claim.expected is not None and claim.program in (None, program)
                and claim.cmd_key in (None, cmd_key) and claim.dataset in (None, dataset)):
            claimed.setdefault(flat_key, float(claim.expected))
    meta: dict[str, Any] = {"pool": pool}
    platform = next((r.record.get("platform") for r in reversed(succeeded) if r.record.get("platform")), None)
    if isinstance(platform, dict):
        meta["platform"] = platform.get("cpu_model") or platform.get("arch")
        meta["hardware"], meta["fingerprint"] = _hardware(platform)
    meta.update(rules.pool_meta.get(pool, {}))
    label = (f"{program}:{cmd_key}" + (f" ({dataset})" if dataset else "")
             + (f" on {pool}" if pool != "default" else ""))
    return Point(id=f"{artifact.id}/{program}/{cmd_key}/{dataset or '-'}/{pool}", entry=artifact.title,
                 entry_id=artifact.id, configuration=label, provenance=Provenance.REPRODUCED, status=status,
                 samples=samples, meta=meta, claimed=claimed,
                 message=f"{failed.failure_kind}: {failed.message}" if status is PointStatus.FAILED and failed
                 else None)


def _hardware(platform: dict[str, Any]) -> tuple[str | None, str | None]:
    """Return the hardware class and fingerprint of a run's recorded platform (None: unreadable)."""
    try:
        profile = profile_from_platform(platform)
    except (KeyError, TypeError, ValueError):
        return None, None
    return hardware.describe(profile), hardware.fingerprint(profile)


def solution_board(*, session: Session, name: str) -> dict[str, Any]:
    """Return a solution's scoreboard: the committee's runs of its commit and the volunteers' results,
    grouped by hardware class (each group's rows in board order, every row marked with its provenance)."""
    solution = crowd.get(session=session, name=name)
    artifacts = crowd.artifact_ids(session=session, solution=solution)
    now = standing(session=session, conference=solution.conference)
    found = [p for p in points(session=session, conference=solution.conference, rules=now.rules)
             if (p.meta.get("solution") == name) or (p.entry_id in artifacts)]
    board = build(now.rules, found)
    groups: dict[str, dict[str, Any]] = {}
    for row in board.rows():
        key = str(row.point.meta.get("fingerprint") or row.point.meta.get("pool"))
        group = groups.setdefault(key, {"fingerprint": row.point.meta.get("fingerprint"),
                                        "hardware": row.point.meta.get("hardware") or "unknown", "rows": []})
        group["rows"].append({**row.to_dict(), "hardware": group["hardware"],
                              "validation": row.point.meta.get("validation", "committee")})
    return {"solution": crowd.summary(solution), "conference": solution.conference,
            "metrics": [m.name for m in now.rules.metrics], "groups": list(groups.values())}


def _imported_points(session: Session, conference: str) -> list[Point]:
    query = select(TournamentPoint).where(TournamentPoint.conference == conference)
    return [Point(id=f"ck:{row.key}", entry=row.entry, entry_id=row.artifact_id,
                  configuration=row.configuration, provenance=Provenance(row.provenance), flat=row.flat,
                  meta=row.meta, notes=tuple(row.notes), zero_is_missing=True) for row in session.exec(query)]


def import_points(*, session: Session, conference: str, path: Path, entry: str | None = None,
                  tags: Sequence[str] = (), artifact_id: str | None = None,
                  provenance: Provenance = Provenance.AUTHOR) -> ImportResult:
    """Import the CK experiment entries under `path` as points (a point imported again is replaced)."""
    now = standing(session=session, conference=conference)
    if artifact_id is not None:
        artifact = session.get(Artifact, artifact_id)
        if artifact is None or artifact.conference != conference:
            raise NotFound(f"no artifact {artifact_id!r} in {conference}")
        entry = entry or artifact.title
    result = import_experiments(path, entry=entry, tags=tags,
                                watched=[m.flat_key for m in now.rules.metrics if not m.from_meta])
    existing = {row.key: row for row in session.exec(
        select(TournamentPoint).where(TournamentPoint.conference == conference))}
    for point in result.points:
        row = existing.get(point.key) or TournamentPoint(
            conference=conference, key=point.key, entry=point.entry, configuration=point.configuration)
        row.entry, row.configuration, row.provenance = point.entry, point.configuration, str(provenance)
        row.artifact_id, row.flat, row.meta = artifact_id, point.flat, point.meta
        row.notes = list(point.notes)
        row.source, row.imported_at = str(path), utcnow()
        session.add(row)
    state = _state(session, conference)
    _touch(state, None)
    session.flush()
    return result


def remove_imported(*, session: Session, conference: str, entry: str | None = None) -> int:
    """Remove imported points (of one entry, or all); return how many."""
    query = select(TournamentPoint).where(TournamentPoint.conference == conference)
    if entry is not None:
        query = query.where(TournamentPoint.entry == entry)
    rows = list(session.exec(query))
    for row in rows:
        session.delete(row)
    _touch(_state(session, conference), None)
    session.flush()
    return len(rows)


def fingerprint(*, session: Session, conference: str) -> str:
    """Return a short digest that changes whenever the board may change (a run ends, a rule changes)."""
    state = session.get(TournamentState, conference)
    artifact_ids = select(Artifact.id).where(Artifact.conference == conference)
    version_ids = select(ArtifactVersion.id).where(col(ArtifactVersion.artifact_id).in_(artifact_ids))
    runs = session.exec(select(func.count(), func.max(Run.finished_at), func.max(Run.started_at))
                        .where(col(Run.version_id).in_(version_ids))).one()
    statuses = session.exec(select(Run.status, func.count()).where(col(Run.version_id).in_(version_ids))
                            .group_by(col(Run.status))).all()
    versions = session.exec(select(func.count()).select_from(ArtifactVersion)
                            .where(col(ArtifactVersion.artifact_id).in_(artifact_ids))).one()
    text = repr((state.revision if state else 0, tuple(runs), sorted(statuses), versions,
                 crowd.change_stamp(session=session, conference=conference)))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
