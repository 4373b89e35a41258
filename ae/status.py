"""A read-only summary of artifacts, runs and verdicts, shared by the CLI, the API and the pages."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlmodel import Session

from ae.evaluators.record import describe_time_sources
from ae.intake.policy import redact
from ae.storage.models import Run
from ae.storage.queries import (
    get_artifact,
    latest_version,
    list_artifacts,
    runs_of,
    verdicts_of,
    versions_of,
)
from ae.storage.states import RUN_WAITING
from ae.workers.heartbeat import live_pools, waiting_reason


def artifact_status(*, session: Session, artifact_id: str) -> dict[str, Any]:
    """Return one artifact with its latest version, runs and verdicts as plain data."""
    artifact = get_artifact(session=session, artifact_id=artifact_id)
    version = latest_version(session=session, artifact_id=artifact.id)
    runs = runs_of(session=session, version_id=version.id)
    verdicts = verdicts_of(session=session, version_id=version.id)
    live = live_pools(session=session) if any(r.status in RUN_WAITING for r in runs) else {}
    return {
        "id": artifact.id, "title": artifact.title, "conference": artifact.conference,
        "source": redact(artifact.source), "version": version.number, "commit": version.commit,
        "snapshot": version.snapshot_digest, "status": version.status, "error": version.error,
        "report": version.report_path, "dependencies": list(version.dependencies),
        "badges": (version.recommended_badges or {}).get("badges", []),
        "runs": [run_summary(r, live) for r in runs],
        "verdicts": [{"claim": v.claim_id, "outcome": v.outcome, "reason": v.reason}
                     for v in verdicts],
    }


def run_summary(run: Run, live: dict[str, int]) -> dict[str, Any]:
    """Return one run as plain data; `live` (live workers per pool) explains why a waiting run waits."""
    return {"id": run.id, "program": run.program, "cmd_key": run.cmd_key,
            "dataset": run.dataset or run.record.get("dataset"), "repetitions": run.repetitions,
            "status": run.status, "failure_kind": run.failure_kind, "message": run.message,
            "time_source": describe_time_sources(run.record.get("time_sources")),
            "pool": run.pool, "attempt": run.attempt,
            "waiting": waiting_reason(run.pool, live) if run.status in RUN_WAITING else None}


def versions_status(*, session: Session, artifact_id: str) -> list[dict[str, Any]]:
    """Return every version of an artifact, oldest first: ref, commit, state, check-list counts."""
    return [{"id": v.id, "number": v.number, "ref": v.ref, "commit": v.commit,
             "snapshot": v.snapshot_digest, "status": v.status, "error": v.error,
             "appendix": v.appendix_name, "checklist": (v.checklist or {}).get("counts"),
             "report": v.report_path, "created_at": v.created_at.isoformat()}
            for v in versions_of(session=session, artifact_id=artifact_id)]


def all_status(*, session: Session, conference: str | None = None, visible_to: str | None = None,
               conferences: Collection[str] | None = None) -> list[dict[str, Any]]:
    """Return the status of every artifact (or those `visible_to` a user may list), newest first."""
    return [artifact_status(session=session, artifact_id=a.id)
            for a in list_artifacts(session=session, conference=conference, visible_to=visible_to,
                                    conferences=conferences)]
