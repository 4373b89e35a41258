"""The chair's dashboard as data: every artifact's state, stuck jobs, missing reviews per round,
disagreements (between evaluators, and with the automatic evidence), decisions; and its exports.

Rules: a run is *stuck* when it is lost, waits for a retry after a fault, or has been queued for
longer than `queued_after` without a worker taking it; a version is stuck the same way in intake.
A review is *missing* when an assigned evaluator has not submitted one for a round that has begun.
Evaluators *disagree* on a badge when their latest submitted recommendations differ (a badge they
marked not requested aside); a review *contradicts the evidence* when it says "yes" to a badge the
automatic recommendation did not recommend, or "no" to one it did.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from ae.accounts import roster
from ae.review import bidding, decisions
from ae.storage.models import Artifact, ArtifactVersion, Review, Run, User, Worker, aware
from ae.storage.states import RunState, VersionState

QUEUED_AFTER = timedelta(minutes=30)


@dataclass(frozen=True)
class Stuck:
    """A job that needs a look: what, its id, and why."""

    kind: str  # "run" | "intake"
    id: str
    why: str


@dataclass
class Row:
    """One artifact on the dashboard."""

    artifact_id: str
    title: str
    version: int | None
    status: str | None
    runs: dict[str, int] = field(default_factory=dict)
    stuck: list[Stuck] = field(default_factory=list)
    evaluators: list[str] = field(default_factory=list)
    missing: dict[str, list[str]] = field(default_factory=dict)  # round -> evaluators without a review
    submitted: dict[str, int] = field(default_factory=dict)  # round -> reviews submitted
    recommendations: dict[str, dict[str, str]] = field(default_factory=dict)  # badge -> evaluator -> level
    evidence: dict[str, str] = field(default_factory=dict)  # badge -> automatic status
    disagreements: list[str] = field(default_factory=list)
    decision: dict[str, Any] | None = None


def _stuck_runs(runs: Sequence[Run], now: datetime, queued_after: timedelta) -> list[Stuck]:
    found = []
    for run in runs:
        created, retry = aware(run.created_at), aware(run.retry_at)
        if run.status == RunState.LOST:
            found.append(Stuck("run", run.id, f"{run.program}: lost (worker {run.worker or 'unknown'})"))
        elif run.status == RunState.QUEUED and retry is not None and run.attempt > 0:
            found.append(Stuck("run", run.id, f"{run.program}: retrying, attempt {run.attempt + 1} "
                                              f"not before {retry:%Y-%m-%d %H:%M} UTC"))
        elif run.status == RunState.QUEUED and created is not None and now - created > queued_after:
            minutes = int((now - created).total_seconds() // 60)
            found.append(Stuck("run", run.id, f"{run.program}: queued {minutes} min on pool {run.pool}"))
    return found


def _stuck_version(version: ArtifactVersion, now: datetime, queued_after: timedelta) -> list[Stuck]:
    retry, created = aware(version.retry_at), aware(version.created_at)
    if version.status in (VersionState.SUBMITTED, VersionState.INTAKE):
        if retry is not None and version.attempt > 0:
            return [Stuck("intake", version.id, f"intake retrying (attempt {version.attempt + 1})")]
        if created is not None and now - created > queued_after:
            minutes = int((now - created).total_seconds() // 60)
            return [Stuck("intake", version.id, f"intake waiting {minutes} min")]
    return []


def _disagreements(recommendations: dict[str, dict[str, str]], evidence: dict[str, str],
                   names: dict[str, str]) -> list[str]:
    found = []
    for badge, levels in recommendations.items():
        said = {level for level in levels.values() if level != "not-requested"}
        if len(said) > 1:
            found.append(f"{badge}: evaluators disagree ("
                         + ", ".join(sorted(f"{names.get(u, u)} {lv}" for u, lv in levels.items())) + ")")
        auto = evidence.get(badge)
        for user, level in sorted(levels.items()):
            if (level == "yes" and auto == "not-recommended") or (level == "no" and auto == "recommended"):
                found.append(f"{badge}: {names.get(user, user)} says {level}, the evidence says {auto}")
    return found


def rows(*, session: Session, conference: str, rounds_begun: Sequence[str], now: datetime | None = None,
         queued_after: timedelta = QUEUED_AFTER) -> list[Row]:
    """Return the dashboard's row of every artifact of a conference."""
    now = now or datetime.now(UTC)
    artifacts = list(session.exec(select(Artifact).where(Artifact.conference == conference)
                                  .order_by(col(Artifact.created_at), col(Artifact.id))))
    ids = [a.id for a in artifacts]
    versions = bidding.latest_versions(session=session, artifact_ids=ids)
    runs: dict[str, list[Run]] = {}
    for run in session.exec(select(Run).where(col(Run.version_id).in_([v.id for v in versions.values()]))):
        runs.setdefault(run.version_id, []).append(run)
    assigned = roster.evaluators_of(session=session, artifact_ids=ids)
    names = {u.id: u.name for u in session.exec(select(User).where(
        col(User.id).in_(sorted({u for users in assigned.values() for u in users}))))}
    reviews: dict[str, list[Review]] = {}
    for review in session.exec(select(Review).where(col(Review.artifact_id).in_(ids))
                               .order_by(col(Review.updated_at))):
        reviews.setdefault(review.artifact_id, []).append(review)
    decided = decisions.decisions_of(session=session, artifact_ids=ids)
    found = []
    for artifact in artifacts:
        version = versions.get(artifact.id)
        row = Row(artifact.id, artifact.title, version.number if version else None,
                  version.status if version else None,
                  evaluators=[names.get(u, u) for u in assigned.get(artifact.id, [])])
        if version is not None:
            mine = runs.get(version.id, [])
            for run in mine:
                row.runs[run.status] = row.runs.get(run.status, 0) + 1
            row.stuck = _stuck_version(version, now, queued_after) + _stuck_runs(mine, now, queued_after)
            row.evidence = {str(r.get("badge")): str(r.get("status"))
                            for r in (version.recommended_badges or {}).get("badges", [])}
        done = [r for r in reviews.get(artifact.id, []) if r.submitted_at is not None]
        for round_name in rounds_begun:
            wrote = {r.user_id for r in done if r.round == round_name}
            row.submitted[round_name] = len(wrote)
            row.missing[round_name] = [names.get(u, u) for u in assigned.get(artifact.id, [])
                                       if u not in wrote]
        latest: dict[str, Review] = {}
        for review in done:  # by updated_at: the last one of each evaluator wins
            latest[review.user_id] = review
        for user, review in latest.items():
            for key, level in review.answers.items():
                if key.startswith("badge:") and isinstance(level, str) and level:
                    row.recommendations.setdefault(key.removeprefix("badge:"), {})[user] = level
        row.disagreements = _disagreements(row.recommendations, row.evidence, names)
        row.recommendations = {b: {names.get(u, u): lv for u, lv in levels.items()}
                               for b, levels in row.recommendations.items()}
        if artifact.id in decided:
            d = decided[artifact.id]
            when = aware(d.decided_at)
            row.decision = {"outcome": d.outcome, "badges": list(d.badges), "text": d.text,
                            "decided_at": when.isoformat() if when else None}
        found.append(row)
    return found


def workers(*, session: Session) -> list[dict[str, Any]]:
    """Return the workers as the dashboard shows them: name, state, pools, job, last heartbeat."""
    return [{"name": w.name, "state": w.state, "pools": list(w.pools), "current_job": w.current_job,
             "last_heartbeat": w.last_heartbeat.isoformat()}
            for w in session.exec(select(Worker).order_by(col(Worker.state), col(Worker.name)))]


def as_json(found: Sequence[Row]) -> list[dict[str, Any]]:
    """Return the rows as JSON-ready dicts."""
    return [asdict(r) for r in found]


CSV_COLUMNS = ("artifact_id", "title", "version", "status", "evaluators", "missing_reviews", "stuck",
               "disagreements", "decision", "badges_awarded")


def as_csv(found: Sequence[Row]) -> str:
    """Return the rows as CSV, one line per artifact (lists joined with "; ")."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in found:
        missing = "; ".join(f"{rnd}: {', '.join(who)}" for rnd, who in r.missing.items() if who)
        writer.writerow([r.artifact_id, _cell(r.title), r.version or "", r.status or "",
                         _cell("; ".join(r.evaluators)), _cell(missing),
                         _cell("; ".join(s.why for s in r.stuck)), _cell("; ".join(r.disagreements)),
                         r.decision["outcome"] if r.decision else "",
                         " ".join(r.decision["badges"]) if r.decision else ""])
    return out.getvalue()


def _cell(text: str) -> str:
    """Keep a spreadsheet from reading a cell as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
