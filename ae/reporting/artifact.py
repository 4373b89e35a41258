"""An artifact version's whole report from the database: evidence, review, decision, issued badges.

Rule: the report is what the authors may read. Reviews are cut to the fields meant for authors and
signed "Evaluator A"; thread writers are "Author", "Evaluator A" or "Chair"; no name or e-mail
address of an evaluator is ever put in it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlmodel import Session

from ae import recommendation
from ae.badges import schemes
from ae.checklist.claims import Claim
from ae.conferences import Conference
from ae.errors import NotFound
from ae.evaluation import version_diff
from ae.issuance import issued_of
from ae.reporting.evidence import build_report, headline
from ae.reports.artifact import ArtifactReport
from ae.review.decisions import decisions_of
from ae.review.reviews import Reader, readable
from ae.review.threads import threads_of
from ae.storage.models import ArtifactVersion, IssuedBadge, Paper
from ae.storage.queries import claims_of, get_artifact, runs_of, verdicts_of, versions_of
from ae.verdicts.rule import Verdict

DAY = "%Y-%m-%d"


def pick_version(*, session: Session, artifact_id: str, number: int | None) -> ArtifactVersion:
    """Return version `number` of an artifact (its latest when None), or say which ones exist."""
    versions = versions_of(session=session, artifact_id=artifact_id)
    if not versions:
        raise NotFound(f"artifact {artifact_id!r} has no version")
    if number is None:
        return versions[-1]
    found = [v for v in versions if v.number == number]
    if not found:
        raise NotFound(f"artifact {artifact_id!r} has no version {number} "
                       f"(its versions: {', '.join(str(v.number) for v in versions)})")
    return found[0]


def artifact_report(*, session: Session, artifact_id: str, conference: Conference, base_url: str,
                    generated_at: str, number: int | None = None) -> ArtifactReport:
    """Gather the report of an artifact's version (latest by default) as it stands now."""
    artifact = get_artifact(session=session, artifact_id=artifact_id)
    version = pick_version(session=session, artifact_id=artifact.id, number=number)
    runs = runs_of(session=session, version_id=version.id)
    claims = [Claim.from_dict(c.data) for c in claims_of(session=session, version_id=version.id)]
    judged = {v.claim_id: Verdict.from_dict(v.data)
              for v in verdicts_of(session=session, version_id=version.id)}
    verdicts = [judged.get(c.id) or _pending(c) for c in claims]
    report = build_report(artifact, version, runs, claims, verdicts, plots=True, generated_at=generated_at)
    scheme = schemes.get(conference.badge_scheme)
    decision = decisions_of(session=session, artifact_ids=[artifact.id]).get(artifact.id)
    issued = issued_of(session=session, artifact_id=artifact.id)
    title = {b.key: b.title for b in scheme.badges}
    requested = artifact.requested_badges or list(conference.badges)
    recommended = recommendation.rows(session=session, conference=conference, version=version)
    return replace(
        report, status=version.status, conference_name=conference.name, scheme=scheme.name,
        scheme_version=scheme.version, paper=_paper(session.get(Paper, artifact.id)),
        decision=None if decision is None else {
            "outcome": decision.outcome, "badges": [title.get(b, b) for b in decision.badges],
            "text": decision.text},
        issued=[_issued(row, title, base_url.rstrip("/")) for row in issued],
        badges=recommended,
        headline=_headline(requested, headline(artifact.requested_badges, recommended), decision, issued,
                           title),
        changes=_changes(session, version), reviews=_reviews(session, artifact.id, conference),
        threads=[{"about": t["about"], "messages": [{"by": m["by"], "body": m["body"]}
                                                    for m in t["messages"]]}
                 for t in threads_of(session=session, artifact=artifact, reader_id=None)],
    )


def _paper(paper: Paper | None) -> dict[str, Any]:
    if paper is None:
        return {}
    return {"pid_text": f"HotCRP paper #{paper.hotcrp_pid}" if paper.hotcrp_pid is not None else "imported",
            "authors": [str(a.get("name")) for a in paper.authors if a.get("name")]}


def _reviews(session: Session, artifact_id: str, conference: Conference) -> list[dict[str, Any]]:
    """Return the submitted reviews as authors read them: pseudonyms, the fields meant for authors."""
    found = readable(session=session, artifact_id=artifact_id, fields=conference.review_fields(),
                     reader=Reader("authors"), rounds=conference.rounds)
    return [{"evaluator": r["evaluator"], "round": r["round"],
             "answers": [{"label": a["label"], "value": a["value_label"] or a["value"]}
                         for a in r["answers"]]}
            for r in found if r["submitted"]]


def _pending(claim: Claim) -> Verdict:
    return Verdict(claim_id=claim.id, outcome="pending", reason="waiting for its runs", n=0,
                   measured_median=None, ratio_median=None, ratio_ci=None, band=None, noise=(),
                   more_repetitions=0)


def _issued(row: IssuedBadge, title: dict[str, str], base: str) -> dict[str, Any]:
    status = "valid" if row.revoked_at is None else (
        f"revoked on {row.revoked_at.strftime(DAY)}: {row.revoked_reason or 'no reason given'}")
    return {"badge": row.badge, "title": title.get(row.badge, row.badge),
            "issued": row.issued_at.strftime(DAY), "status": status, "url": f"{base}/badges/{row.id}",
            "verify": f"{base}/badges/verify"}


def _headline(requested: list[str], recommended: list[dict[str, Any]], decision: Any,
              issued: list[IssuedBadge], title: dict[str, str]) -> list[dict[str, Any]]:
    """Say per requested badge (and per badge awarded unrequested) what came of it: issued, awarded,
    refused, or the recommendation."""
    by_badge = {row["badge"]: row for row in recommended}
    granted = {i.badge for i in issued} | set(decision.badges if decision is not None else ())
    rows = []
    for badge in [*requested, *sorted(granted - set(requested), key=list(title).index)]:
        mine = [i for i in issued if i.badge == badge]
        live = [i for i in mine if i.revoked_at is None]
        shown = by_badge.get(badge, {"outcome": "not assessed", "basis": "no recommendation yet"})
        if live:
            outcome, basis = "awarded", f"issued on {live[-1].issued_at.strftime(DAY)} (credential below)"
        elif mine:
            outcome, basis = "revoked", mine[-1].revoked_reason or "revoked by the chair"
        elif decision is not None and decision.outcome == "accepted" and badge in decision.badges:
            outcome, basis = "awarded", "the chair's decision (the credential is not issued yet)"
        elif decision is not None:
            outcome, basis = "not awarded", "the chair's decision"
        else:
            outcome, basis = shown["outcome"], shown["basis"]
        rows.append({"badge": badge, "title": title.get(badge, badge), "requested": badge in requested,
                     "outcome": outcome, "basis": basis})
    return rows


def _changes(session: Session, version: ArtifactVersion) -> dict[str, Any] | None:
    """Summarise what changed since the previous version: commit, verdicts, measured metrics, outputs."""
    older = [v for v in versions_of(session=session, artifact_id=version.artifact_id)
             if v.number < version.number]
    if not older:
        return None
    diff = version_diff(session=session, older=older[-1], newer=version)
    lines = [f"commit {(diff['a']['commit'] or 'none')[:12]} → {(diff['b']['commit'] or 'none')[:12]}"]
    changed = [c for c in diff["claims"] if c["changed"]]
    lines += [f"claim {c['claim']}: {c['a'] or 'not judged'} → {c['b'] or 'not judged'}" for c in changed]
    if not changed:
        lines.append("no claim's verdict changed")
    for target in diff["targets"]:
        name = f"{target['program']} {target['cmd_key']}"
        name += f" on {target['dataset']}" if target["dataset"] else ""
        if target["status"] != "compared":
            lines.append(f"{name}: {target['status']}")
            continue
        found = target["diff"]
        moved = [f"{row['metric']} {row['status']}" + (f" (×{row['ratio']:.3g})" if row["ratio"] else "")
                 for row in found["samples"] if row["status"] != "same"]
        outputs = [o["name"] for o in found["outputs"] if o["status"] != "same"]
        deps = [d["key"] for d in found["deps"]]
        parts = moved + ([f"outputs differ: {', '.join(map(str, outputs))}"] if outputs else []) + (
            [f"dependencies differ: {', '.join(deps)}"] if deps else [])
        lines.append(f"{name}: {'; '.join(parts) if parts else 'no measured difference'}")
    return {"from": older[-1].number, "lines": lines}
