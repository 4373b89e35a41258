"""Published solutions and the crowd results volunteers send for them (the service's side).

The one place that reads and writes `solution` and `crowd_result` rows; the web, the API and the CLI
call it with a session. A result is taken in only when its digest and signature hold
(`ae.solutions.result.verify`) and it is a result of the published manifest; it is then judged
again here from its samples with the verdict rule (the volunteer's own verdicts are kept as
`claimed`, never shown as ours) and its output digests compared with the manifest's references.
A result that fails validation is stored and shown as failed, not hidden. Crowd points are always
*volunteer-reported*, carry the hardware class they were measured on, and outliers among the results
of one configuration on one hardware class are flagged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from ae import conferences
from ae.accounts import tokens
from ae.ck.flat import split_statistic
from ae.errors import NotFound, SolutionError
from ae.solutions import manifest as manifests
from ae.solutions import result as results
from ae.solutions.outliers import outliers
from ae.storage.models import Artifact, ArtifactVersion, CrowdResult, Solution, utcnow
from ae.tournaments.definition import Provenance, Tournament
from ae.tournaments.points import Point, PointStatus


def publish(*, session: Session, manifest: manifests.Manifest, user_id: str | None) -> Solution:
    """Publish (or replace) a solution; its manifest must pin a commit and name a known conference."""
    if manifest.commit is None:
        raise SolutionError(f"solution {manifest.name} pins no commit (publish it with --source to pin one)")
    conferences.get(manifest.conference)
    row = session.get(Solution, manifest.name) or Solution(name=manifest.name, conference=manifest.conference,
                                                           title="", digest="")
    row.conference, row.title = manifest.conference, str(manifest.data["title"])
    row.manifest, row.digest = manifest.data, manifest.digest
    row.published_by, row.published_at = user_id, utcnow()
    session.add(row)
    session.flush()
    return row


def all_solutions(*, session: Session, conference: str | None = None) -> list[Solution]:
    """Return the published solutions (of one conference), by name."""
    query = select(Solution).order_by(col(Solution.name))
    if conference is not None:
        query = query.where(Solution.conference == conference)
    return list(session.exec(query))


def get(*, session: Session, name: str) -> Solution:
    """Return a published solution, or raise NotFound."""
    row = session.get(Solution, name)
    if row is None:
        raise NotFound(f"no solution {name!r} is published here")
    return row


def summary(row: Solution, *, results: int = 0) -> dict[str, Any]:
    """Return a solution as the API lists it."""
    return {"name": row.name, "title": row.title, "conference": row.conference, "digest": row.digest,
            "commit": row.manifest["artifact"].get("commit"), "published_at": row.published_at.isoformat(),
            "configurations": [c["cmd_key"] for c in row.manifest["configurations"]], "results": results}


def counts(*, session: Session) -> dict[str, int]:
    """Return the number of crowd results per solution."""
    rows = session.exec(select(CrowdResult.solution, func.count()).group_by(col(CrowdResult.solution))).all()
    return {name: int(n) for name, n in rows}


def accept(*, session: Session, name: str, submission: Any, token: str, user_id: str) -> CrowdResult:
    """Check, judge and store a volunteer's result; raise ResultRefused or SolutionError if it is refused."""
    row = get(session=session, name=name)
    resolved = tokens.resolve(session=session, token=token)
    token_id = resolved[1].id if resolved is not None and resolved[0].id == user_id else None
    manifest = manifests.Manifest(row.manifest)
    body = results.verify(submission, token)
    results.check_against(manifest, body)
    if session.exec(select(CrowdResult.id).where(CrowdResult.digest == submission["digest"])).first():
        raise SolutionError("this result was already received (each result is sent once)")
    claims = manifest.claims()
    verdicts: dict[str, Any] = {}
    problems: dict[str, list[str]] = {}
    for run in body["runs"]:
        valid, found = results.validation(manifest, run)
        problems[run["cmd_key"]] = found
        outputs_ok = valid if manifest.references(run["cmd_key"]) else None
        for claim_id, verdict in results.judge(claims, run, outputs_ok=outputs_ok).items():
            verdicts[claim_id] = {"outcome": str(verdict.outcome), "reason": verdict.reason}
    hardware = body["hardware"]
    crowd = CrowdResult(solution=name, user_id=user_id, token_id=token_id, digest=submission["digest"],
                        manifest_digest=body["manifest_digest"], hardware_fingerprint=hardware["fingerprint"],
                        hardware_class=hardware["class"], hardware=hardware,
                        environment=body.get("environment", {}), runs=body["runs"],
                        claimed=body.get("verdicts", {}), verdicts=verdicts, problems=problems,
                        valid=not any(problems.values()))
    session.add(crowd)
    session.flush()
    return crowd


def result_summary(row: CrowdResult) -> dict[str, Any]:
    """Return a stored result as the API answers it (no volunteer identity)."""
    return {"id": row.id, "solution": row.solution, "hardware": row.hardware_class,
            "fingerprint": row.hardware_fingerprint, "valid": row.valid,
            "problems": {k: v for k, v in row.problems.items() if v}, "verdicts": row.verdicts,
            "claimed": row.claimed, "received_at": row.received_at.isoformat()}


def artifact_ids(*, session: Session, solution: Solution) -> set[str]:
    """Return the conference's artifacts with a version at the solution's commit (the committee's runs)."""
    commit = solution.manifest["artifact"].get("commit")
    query = (select(Artifact.id).join(ArtifactVersion, col(ArtifactVersion.artifact_id) == Artifact.id)
             .where(Artifact.conference == solution.conference, ArtifactVersion.commit == commit))
    return set(session.exec(query))


def points(*, session: Session, conference: str, rules: Tournament) -> list[Point]:
    """Return the crowd points of every solution of a conference (volunteer-reported, outliers flagged)."""
    names = {s.name: s for s in all_solutions(session=session, conference=conference)}
    if not names:
        return []
    rows = list(session.exec(select(CrowdResult).where(col(CrowdResult.solution).in_(list(names)))
                             .order_by(col(CrowdResult.received_at), col(CrowdResult.id))))
    flags = _outlier_notes(rows, [split_statistic(m.key)[0].rsplit("#", 1)[-1]
                                  for m in rules.metrics if not m.from_meta])
    out = []
    for row in rows:
        title = names[row.solution].title
        for run in row.runs:
            out.append(_point(row, run, title, rules, flags.get(f"{row.id}/{run['cmd_key']}", [])))
    return out


def _point(row: CrowdResult, run: dict[str, Any], title: str, rules: Tournament, flags: list[str]) -> Point:
    problems = row.problems.get(run["cmd_key"]) or []
    samples: dict[str, list[float]] = {}
    for key in {k for s in run["samples"] for k in s}:
        values = results.numbers(run, key)
        if values:
            samples[key] = list(rules.counted(values))
    status = PointStatus.MEASURED if run["ok"] and not problems else PointStatus.FAILED
    failed = [f"failed validation: {'; '.join(problems)}"] if problems else []
    notes = ("volunteer-reported", *failed, *flags)
    meta = {"pool": "volunteer", "platform": row.hardware_class, "hardware": row.hardware_class,
            "fingerprint": row.hardware_fingerprint, "solution": row.solution, "result": row.id,
            "validation": "failed" if problems else "valid", "outlier": bool(flags)}
    return Point(id=f"crowd:{row.id}/{run['cmd_key']}", entry=f"{title} (volunteers)",
                 configuration=f"{run['program']}:{run['cmd_key']} on {row.hardware_class}",
                 provenance=Provenance.VOLUNTEER, status=status, samples=samples, meta=meta, notes=notes,
                 message=f"failed validation: {'; '.join(problems)}" if problems else None)


def _outlier_notes(rows: Iterable[CrowdResult], keys: list[str]) -> dict[str, list[str]]:
    """Flag each (result, configuration) whose median of a metric is an outlier on its hardware class."""
    groups: dict[tuple[str, str, str], dict[str, float]] = {}
    for row in rows:
        if not row.valid:
            continue
        for run in row.runs:
            for metric in keys:
                measured = sorted(results.numbers(run, metric))
                if measured:
                    middle = measured[len(measured) // 2]
                    groups.setdefault((run["cmd_key"], row.hardware_fingerprint, metric), {})[
                        f"{row.id}/{run['cmd_key']}"] = middle
    found: dict[str, list[str]] = {}
    for (_, _, metric), medians in groups.items():
        for point, score in outliers(medians).items():
            found.setdefault(point, []).append(
                f"outlier: {metric} {medians[point]:.4g} (modified z-score {score:.1f} among {len(medians)} "
                "results on this hardware class)")
    return found


def change_stamp(*, session: Session, conference: str) -> tuple[int, str]:
    """Return how many crowd results a conference's solutions hold and the newest one's time."""
    names = select(Solution.name).where(Solution.conference == conference)
    count, newest = session.exec(select(func.count(), func.max(CrowdResult.received_at))
                                 .where(col(CrowdResult.solution).in_(names))).one()
    return int(count), str(newest)
