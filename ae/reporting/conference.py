"""A conference's report from the database, in a fixed number of queries whatever its size.

Rule: an artifact counts with its latest version. Badge counts: requested (by the authors),
recommended or not (the latest version's evidence and submitted reviews, `ae.recommendation`),
awarded (the chair's decision), issued and revoked (signed credentials). The timeline counts each
event in the phase whose dates hold its day.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from ae import recommendation
from ae.badges import schemes
from ae.conferences import Conference
from ae.issuance import issued_in
from ae.reports.conference import ConferenceReport
from ae.review import phases, schedule
from ae.review.decisions import decisions_of
from ae.storage.models import Artifact, ArtifactVersion, Review, Run, VerdictRecord
from ae.storage.states import RunState

REPRODUCED = "reproduced"


def conference_report(*, session: Session, conference: Conference, today: dt.date,
                      generated_at: str) -> ConferenceReport:
    """Gather a conference's report as its data stands now, its phases read on `today`."""
    scheme = schemes.get(conference.badge_scheme)
    title = {b.key: b.title for b in scheme.badges}
    artifacts = list(session.exec(select(Artifact).where(Artifact.conference == conference.slug)
                                  .order_by(col(Artifact.created_at), col(Artifact.id))))
    ids = [a.id for a in artifacts]
    versions = list(session.exec(select(ArtifactVersion).where(col(ArtifactVersion.artifact_id).in_(ids))
                                 .order_by(col(ArtifactVersion.number)))) if ids else []
    latest = {v.artifact_id: v for v in versions}
    latest_ids = [v.id for v in latest.values()]
    verdicts = _by(session.exec(select(VerdictRecord).where(col(VerdictRecord.version_id).in_(latest_ids))),
                   "version_id") if latest_ids else {}
    runs = _by(session.exec(select(Run).where(col(Run.version_id).in_(latest_ids))), "version_id") \
        if latest_ids else {}
    decided = decisions_of(session=session, artifact_ids=ids)
    issued = issued_in(session=session, conference=conference.slug)
    reviews = list(session.exec(select(Review.submitted_at).where(
        col(Review.artifact_id).in_(ids), col(Review.submitted_at).is_not(None)))) if ids else []
    found = recommendation.of_versions(session=session, conference=conference, versions=list(latest.values()))
    recommended = {v.artifact_id: {r.badge: r.status for r in found[v.id]} for v in latest.values()}
    results = []
    for artifact in artifacts:
        version = latest.get(artifact.id)
        mine = [i for i in issued if i.artifact_id == artifact.id and i.revoked_at is None]
        results.append(_result(artifact, version, verdicts.get(version.id, []) if version else [],
                               decided.get(artifact.id), [title.get(i.badge, i.badge) for i in mine], title,
                               recommended.get(artifact.id, {})))
    lines = [_line(r, runs.get(latest[r["artifact_id"]].id, []) if r["artifact_id"] in latest else [])
             for r in results]
    events = {
        "submitted": [a.created_at for a in artifacts],
        "evaluated": [v.updated_at for v in versions if v.status == "done"],
        "reviews": [r for r in reviews if r is not None],
        "decisions": [d.decided_at for d in decided.values()],
        "issued": [i.issued_at for i in issued],
    }
    filed = schedule.effective(session=session, conference=conference.slug, filed=conference.phases)
    statuses = Counter(v.status for v in latest.values())
    return ConferenceReport(
        slug=conference.slug, name=conference.name, scheme=scheme.name, scheme_version=scheme.version,
        today=today.isoformat(), generated_at=generated_at,
        badges=_badges(conference.badges, artifacts, recommended, decided, issued, title),
        timeline=timeline(filed, today, events), results=results, lines=lines,
        summary={"artifacts": len(artifacts), "statuses": dict(sorted(statuses.items()))},
    )


def _by(rows: Any, key: str) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped


def _result(artifact: Artifact, version: ArtifactVersion | None, verdicts: Sequence[VerdictRecord],
            decision: Any, issued: list[str], title: dict[str, str],
            recommended: dict[str, str]) -> dict[str, Any]:
    found = (version.checklist.get("dois") or []) if version else []
    dois = [d["value"] for d in found if not d.get("placeholder")]
    decided = "pending" if decision is None else decision.outcome
    return {
        "artifact_id": artifact.id, "title": artifact.title, "version": version.number if version else 0,
        "status": version.status if version else "none", "claims": len(verdicts),
        "reproduced": sum(v.outcome == REPRODUCED for v in verdicts),
        "requested": [title.get(b, b) for b in artifact.requested_badges],
        "recommended": [title.get(b, b) for b, s in recommended.items() if s == "recommended"],
        "decision": decided,
        "awarded": [title.get(b, b) for b in decision.badges] if decision is not None else [],
        "issued": issued, "doi": dois[0] if dois else None, "commit": version.commit if version else None,
    }


def _line(result: dict[str, Any], runs: Sequence[Run]) -> str:
    """Say in one line how an artifact fared."""
    failed = Counter(r.failure_kind or r.status for r in runs if r.status == RunState.FAILED)
    ok = sum(r.status == RunState.SUCCEEDED for r in runs)
    kinds = ", ".join(f"{kind} ×{n}" for kind, n in sorted(failed.items()))
    failures = f", {sum(failed.values())} failed ({kinds})" if failed else ""
    awarded = ", ".join(result["awarded"]) or "none"
    decision = f"accepted ({awarded})" if result["decision"] == "accepted" else result["decision"]
    return (f"{result['title']} ({result['artifact_id'][:8]}, version {result['version']}, "
            f"{result['status']}): {result['reproduced']} of {result['claims']} claims reproduced; "
            f"runs: {ok} succeeded{failures}; "
            f"recommended: {', '.join(result['recommended']) or 'none'}; decision: {decision}; "
            f"issued: {', '.join(result['issued']) or 'none'}")


def _badges(offered: Sequence[str], artifacts: Sequence[Artifact], recommended: dict[str, dict[str, str]],
            decided: dict[str, Any], issued: Sequence[Any], title: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for badge in offered:
        statuses = [recommended.get(a.id, {}).get(badge) for a in artifacts]
        rows.append({
            "badge": badge, "title": title.get(badge, badge),
            "requested": sum(badge in a.requested_badges for a in artifacts),
            "recommended": statuses.count("recommended"),
            "not_recommended": statuses.count("not-recommended"),
            "awarded": sum(d.outcome == "accepted" and badge in d.badges for d in decided.values()),
            "issued": sum(i.badge == badge and i.revoked_at is None for i in issued),
            "revoked": sum(i.badge == badge and i.revoked_at is not None for i in issued),
        })
    return rows


def timeline(filed: Sequence[phases.Phase], today: dt.date,
             events: dict[str, list[datetime]]) -> list[dict[str, Any]]:
    """Return each phase with its dates, its state on `today` and the events counted in it."""
    ordered = phases.ordered(filed)
    now = phases.current(ordered, today)
    rows = []
    for n, phase in enumerate(ordered):
        last = phase.end or (ordered[n + 1].date - dt.timedelta(days=1) if n + 1 < len(ordered) else None)
        state = ("current" if now is not None and now.name == phase.name else
                 "upcoming" if phase.date > today else "over")
        row: dict[str, Any] = {"phase": phase.name, "starts": phase.date.isoformat(),
                               "ends": last.isoformat() if last else "open", "state": state}
        for kind, times in events.items():
            row[kind] = sum(phase.date <= t.date() and (last is None or t.date() <= last) for t in times)
        rows.append(row)
    if ordered:
        early = {kind: sum(t.date() < ordered[0].date for t in times) for kind, times in events.items()}
        if any(early.values()):
            ends = (ordered[0].date - dt.timedelta(days=1)).isoformat()
            rows.insert(0, {"phase": "before the first phase", "starts": "—", "ends": ends, "state": "over",
                            **early})
    return rows
