"""A read-only summary of artifacts, runs and verdicts, shared by the CLI, the API and the pages."""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

from redis import Redis
from sqlmodel import Session, col, select

from ae import recommendation
from ae.accounts.roster import evaluators_of, shown_evaluators
from ae.badges import schemes
from ae.badges.recommend import as_dicts
from ae.checklist.claims import Claim
from ae.conferences import Conference
from ae.conferences import get as conference_of
from ae.errors import NotFound
from ae.evaluators.record import describe_time_sources
from ae.intake.policy import archive_digest, redact
from ae.storage.models import ArtifactVersion, Run, User
from ae.storage.queries import (
    claims_of,
    get_artifact,
    latest_version,
    list_artifacts,
    runs_of,
    verdicts_of,
    versions_of,
)
from ae.storage.states import RUN_FINISHED, RUN_WAITING, VERSION_SETTLED, RunState
from ae.verdicts.rule import Verdict
from ae.workers import logs, progress
from ae.workers.heartbeat import live_pools, waiting_reason


def artifact_status(*, session: Session, artifact_id: str, base_url: str = "") -> dict[str, Any]:
    """Return one artifact with its latest version, runs, verdicts, recommendation and issued badges.

    Badge links start with `base_url` (the service's address; empty: paths on this service).
    """
    artifact = get_artifact(session=session, artifact_id=artifact_id)
    version = latest_version(session=session, artifact_id=artifact.id)
    conference = conference_of(artifact.conference)
    runs = runs_of(session=session, version_id=version.id)
    verdicts = verdicts_of(session=session, version_id=version.id)
    live = live_pools(session=session) if any(r.status in RUN_WAITING for r in runs) else {}
    return {
        "id": artifact.id, "title": artifact.title, "conference": artifact.conference,
        "source": redact(artifact.source), "version": version.number, "commit": version.commit,
        "snapshot": version.snapshot_digest, "status": version.status, "error": version.error,
        "report": version.report_path, "dependencies": list(version.dependencies),
        "badges": recommendation.rows(session=session, conference=conference, version=version),
        "issued": issued_badges(session=session, artifact_id=artifact.id, conference=conference,
                                base_url=base_url),
        "smoke": smoke_view(version.smoke),
        "runs": [run_summary(r, live) for r in runs],
        "verdicts": [{"claim": v.claim_id, "outcome": v.outcome, "reason": v.reason}
                     for v in verdicts],
    }


def issued_badges(*, session: Session, artifact_id: str, conference: Conference,
                  base_url: str = "") -> list[dict[str, Any]]:
    """Return every badge issued to an artifact, revoked ones too, with its badge and verification pages."""
    from ae.issuance import issued_of

    scheme = schemes.get(conference.badge_scheme)
    found = session.exec(select(ArtifactVersion.id, ArtifactVersion.number, ArtifactVersion.report_path)
                         .where(ArtifactVersion.artifact_id == artifact_id)).all()
    numbers = {version_id: number for version_id, number, _ in found}
    reports = {version_id: path for version_id, _, path in found}
    base = base_url.rstrip("/")
    return [{"id": row.id, "badge": row.badge, "title": scheme.title(row.badge),
             "version": numbers.get(row.version_id), "issued_at": row.issued_at.isoformat(),
             "status": "valid" if row.revoked_at is None else "revoked",
             "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
             "revoked_reason": row.revoked_reason, "report_digest": row.report_digest,
             "report_kind": "pdf" if (reports.get(row.version_id) or "").endswith(".pdf") else "html",
             "url": f"{base}/badges/{row.id}", "image": f"{base}/badges/{row.id}.svg",
             "verify": f"{base}/badges/verify"}
            for row in issued_of(session=session, artifact_id=artifact_id)]


def run_summary(run: Run, live: dict[str, int]) -> dict[str, Any]:
    """Return one run as plain data; `live` (live workers per pool) explains why a waiting run waits."""
    return {"id": run.id, "program": run.program, "cmd_key": run.cmd_key,
            "dataset": run.dataset or run.record.get("dataset"), "repetitions": run.repetitions,
            "status": run.status, "failure_kind": run.failure_kind, "message": run.message,
            "time_source": describe_time_sources(run.record.get("time_sources")),
            "pool": run.pool, "attempt": run.attempt,
            "stage": run.stage,
            "waiting": (run.held_reason if run.status == RunState.HELD
                        else waiting_reason(run.pool, live) if run.status in RUN_WAITING else None)}


def smoke_view(smoke: dict[str, Any] | None) -> dict[str, Any] | None:
    """Return a version's smoke stage as shown: outcome per command, estimates, waits, sentences."""
    if not smoke:
        return None
    from ae.smoke.notice import lines

    view = {k: v for k, v in smoke.items() if k != "sizes"}
    view["sentences"] = lines(smoke) if smoke.get("stage") == "done" else []
    return view


def versions_status(*, session: Session, artifact_id: str) -> list[dict[str, Any]]:
    """Return every version of an artifact, oldest first: ref, commit, state, check-list counts."""
    return [{"id": v.id, "number": v.number, "ref": v.ref, "commit": v.commit,
             "snapshot": v.snapshot_digest, "status": v.status, "error": v.error,
             "appendix": v.appendix_name, "checklist": (v.checklist or {}).get("counts"),
             "report": v.report_path, "created_at": v.created_at.isoformat()}
            for v in versions_of(session=session, artifact_id=artifact_id)]


def all_status(*, session: Session, conference: str | None = None, visible_to: str | None = None,
               conferences: Collection[str] | None = None, base_url: str = "") -> list[dict[str, Any]]:
    """Return the status of every artifact (or those `visible_to` a user may list), newest first."""
    return [artifact_status(session=session, artifact_id=a.id, base_url=base_url)
            for a in list_artifacts(session=session, conference=conference, visible_to=visible_to,
                                    conferences=conferences)]


def artifact_history(*, session: Session, artifact_id: str, redis: Redis | None = None,
                     viewer: str | None = None, evaluator_names: bool = False) -> dict[str, Any]:
    """Return an artifact with every version, newest first: check-list, runs (with live progress
    read from `redis`), claims with their verdicts, badges and which reports exist.

    Evaluators are pseudonyms ("Evaluator A") unless `evaluator_names` (a chair looks).
    """
    from ae.evaluation import build_report

    artifact = get_artifact(session=session, artifact_id=artifact_id)
    assigned = evaluators_of(session=session, artifact_ids=[artifact.id]).get(artifact.id, [])
    names = dict(session.exec(select(User.id, User.name).where(col(User.id).in_(assigned))).all()) \
        if evaluator_names and assigned else {}
    conference = conference_of(artifact.conference)
    every = versions_of(session=session, artifact_id=artifact.id)
    recommended = recommendation.of_versions(session=session, conference=conference, versions=every)
    versions = []
    for version in reversed(every):
        runs = runs_of(session=session, version_id=version.id)
        claims = [Claim.from_dict(c.data) for c in claims_of(session=session, version_id=version.id)]
        judged = {v.claim_id: Verdict.from_dict(v.data)
                  for v in verdicts_of(session=session, version_id=version.id)}
        verdicts = [judged.get(c.id) or _pending(c) for c in claims]
        report = build_report(artifact, version, runs, claims, verdicts)
        versions.append(_version_view(version, runs, redis, report.claims, report.runs,
                                      as_dicts(recommended[version.id])))
    return {
        "id": artifact.id, "title": artifact.title, "conference": artifact.conference,
        "source": redact(artifact.source), "archive": archive_digest(artifact.source) is not None,
        "requested_badges": list(artifact.requested_badges), "owner_id": artifact.owner_id,
        "created_at": artifact.created_at, "versions": versions,
        "issued": issued_badges(session=session, artifact_id=artifact.id, conference=conference),
        "evaluators": shown_evaluators(assigned, names, viewer=viewer, real_names=evaluator_names),
    }


def _pending(claim: Claim) -> Verdict:
    return Verdict(claim_id=claim.id, outcome="pending", reason="waiting for its runs", n=0,
                   measured_median=None, ratio_median=None, ratio_ci=None, band=None, noise=(),
                   more_repetitions=0)


def _version_view(version: ArtifactVersion, runs: list[Run], redis: Redis | None,
                  claim_rows: list[dict[str, Any]], run_rows: list[dict[str, Any]],
                  badges: list[dict[str, Any]]) -> dict[str, Any]:
    report = version.report_path or ""
    return {
        "id": version.id, "number": version.number, "ref": version.ref, "commit": version.commit,
        "archive": archive_digest(version.ref or ""), "snapshot": version.snapshot_digest,
        "status": version.status, "error": version.error, "created_at": version.created_at,
        "dependencies": list(version.dependencies), "checklist": version.checklist or {},
        "appendix_name": version.appendix_name, "appendix_text": version.appendix_text,
        "badges": badges,
        "reports": (["html", "pdf"] if report.endswith(".pdf") else ["html"]) if report else [],
        "claims": claim_rows, "smoke": smoke_view(version.smoke),
        "runs": [_run_view(run, row, redis) for run, row in zip(runs, run_rows, strict=True)],
    }


def _run_view(run: Run, row: dict[str, Any], redis: Redis | None) -> dict[str, Any]:
    live = progress.read(redis, run.id) if redis is not None and run.status == RunState.RUNNING else None
    return {
        **row, "id": run.id, "pool": run.pool, "attempt": run.attempt, "message": run.message,
        "failure_kind": run.failure_kind, "started_at": run.started_at, "finished_at": run.finished_at,
        "stage": run.stage, "held_reason": run.held_reason,
        "finished": run.status in RUN_FINISHED, "samples": len(run.samples),
        "progress": live.to_dict() if live else None,
        "logs": sorted(logs.log_names(run.record, live.logs if live else None)),
        "outputs": logs.output_names(run.record),
    }


def run_logs(*, session: Session, artifact_id: str, run_id: str,
             redis: Redis | None = None) -> dict[str, Any]:
    """Return a run of an artifact (NotFound if it is another's): status, log and output names."""
    run = session.get(Run, run_id)
    version = session.get(ArtifactVersion, run.version_id) if run is not None else None
    if run is None or version is None or version.artifact_id != artifact_id:
        raise NotFound(f"no run {run_id!r} of artifact {artifact_id!r}")
    live = progress.read(redis, run.id) if redis is not None else None
    return {"id": run.id, "status": run.status, "finished": run.status in RUN_FINISHED,
            "logs": logs.log_names(run.record, live.logs if live else None),
            "outputs": logs.output_names(run.record),
            "progress": live.to_dict() if live else None}


def report_file(*, session: Session, artifact_id: str, number: int, kind: str, data_dir: Path,
                issued: str | None = None) -> Path:
    """Return the file of version `number`'s report in `kind` (html, pdf); NotFound until there is one.

    `issued` (a SHA-256, hex or `sha256:…`) picks the report a credential names, kept as it was issued.
    """
    version = session.exec(select(ArtifactVersion).where(
        ArtifactVersion.artifact_id == artifact_id, ArtifactVersion.number == number)).first()
    if version is None:
        raise NotFound(f"artifact {artifact_id!r} has no version {number}")
    if not version.report_path:
        raise NotFound(f"version {number} has no report yet")
    path = Path(version.report_path).with_name(f"report.{kind}")
    if issued is not None:
        hexdigest = issued.removeprefix("sha256:")
        if not re.fullmatch(r"[0-9a-f]{64}", hexdigest):
            raise NotFound(f"no issued report {issued!r} (give the credential's report digest)")
        path = path.parent / "issued" / hexdigest / path.name
    if not path.resolve().is_relative_to((data_dir / "reports").resolve()) or not path.is_file():
        raise NotFound(f"version {number} has no {kind.upper()} report")
    return path


def live_status(*, session: Session, artifact_id: str, redis: Redis | None = None) -> dict[str, Any]:
    """Return what an open artifact page polls: the latest version's status and each unsettled
    version's runs with their live progress."""
    versions = versions_of(session=session, artifact_id=artifact_id)
    if not versions:
        raise NotFound(f"artifact {artifact_id!r} has no version")
    open_ids = [v.id for v in versions if v.status not in VERSION_SETTLED]
    runs = session.exec(select(Run).where(col(Run.version_id).in_(open_ids))).all() if open_ids else []
    return {"status": versions[-1].status, "settled": not open_ids,
            "runs": [{"id": r.id, "status": r.status, "progress": _live(redis, r)} for r in runs]}


def _live(redis: Redis | None, run: Run) -> dict[str, Any] | None:
    if redis is None or run.status != RunState.RUNNING:
        return None
    found = progress.read(redis, run.id)
    return found.to_dict() if found else None
