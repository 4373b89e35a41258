"""Reconcile Redis and the workers with the database, the source of truth (DESIGN §11).

One pass (`ae reconcile`, and every AE_RECONCILE_INTERVAL seconds inside the workers):

1. Workers whose heartbeat expired are lost: their runs are queued again (`lost`) and their
   intakes taken in again, up to AE_MAX_ATTEMPTS; past it they fail with the reason.
2. Orphans: a run (or intake) still marked running by a worker that stopped, or by a live worker
   that has since reported another job, ended without recording its outcome (its work horse died,
   or the database was gone when it finished): tried again after a backoff, or failed.
3. Whatever the database says waits for a worker — queued or lost runs and submitted versions
   whose retry time has come — is queued again when Redis does not hold its job (a restarted
   Redis, an enqueue that failed after the commit). Jobs are idempotent, so a job queued twice
   is done once.
4. A version whose runs have all finished but which is not settled (a crash between the last
   run and its evaluation) is evaluated again.
5. A report older than a review event it shows (a review, a thread message, the decision, a
   badge event), whose rewrite job was lost with Redis, is written again.

Why in the workers: jobs only progress where workers are, the heartbeat is where lost workers are
found already, and the web processes stay request-only. One worker per interval does the pass
(a Redis key taken with NX); `ae reconcile` runs it by hand or from cron.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Flask
from sqlmodel import Session, col, select

from ae.storage import db
from ae.storage.models import ArtifactVersion, Run, Worker, aware, utcnow
from ae.storage.states import (
    HELD_FOR_SMOKE,
    RUN_FINISHED,
    RUN_WAITING,
    RunState,
    VersionState,
    WorkerState,
)
from ae.workers import heartbeat, queue, retry
from ae.workers.faults import Policy

log = logging.getLogger(__name__)

#: Rows younger than this are left to the process that is queueing them right now.
GRACE = timedelta(seconds=5)
LOCK_KEY = "ae:reconcile"


@dataclass
class Reconciled:
    """What one pass found and did."""

    lost_workers: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    queued_runs: list[str] = field(default_factory=list)
    queued_intakes: list[str] = field(default_factory=list)
    evaluations: list[str] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)
    gave_up: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Say what the pass did in one line."""
        return (f"lost workers: {', '.join(self.lost_workers) or 'none'}; "
                f"orphaned jobs: {len(self.orphans)}; runs queued again: {len(self.queued_runs)}; "
                f"intakes queued again: {len(self.queued_intakes)}; "
                f"evaluations queued: {len(self.evaluations)}; "
                f"reports behind their review: {len(self.reports)}; "
                f"failed after the last attempt: {len(self.gave_up)}")


def _orphaned(worker: Worker | None, row_id: str, since: datetime | None) -> str | None:
    """Say why a running job of `worker` is an orphan, or None while its worker may still run it."""
    if worker is None:
        return "its worker is not registered"
    if worker.state == WorkerState.STOPPED:
        return f"worker {worker.name} stopped without recording its outcome"
    if worker.state == WorkerState.LOST:
        return f"worker {worker.name} was lost"
    beat, since = aware(worker.last_heartbeat), aware(since)
    if worker.current_job != row_id and beat and since and beat > since + timedelta(seconds=1):
        return (f"its job on worker {worker.name} ended without recording its outcome (the work "
                f"horse died, or the database was unreachable)")
    return None


def find_orphans(*, session: Session, policy: Policy, done: Reconciled) -> set[str]:
    """Decide retry or failure for running runs and intakes whose job is gone; return versions to evaluate."""
    workers = {w.name: w for w in session.exec(select(Worker))}
    versions: set[str] = set()
    now = utcnow()
    for run in session.exec(select(Run).where(Run.status == RunState.RUNNING)):
        why = _orphaned(workers.get(run.worker or ""), run.id, run.started_at)
        if why is None:
            continue
        done.orphans.append(run.id)
        if retry.retry_run(run, reason=why, kind="internal-error", policy=policy, now=now):
            done.gave_up.append(run.id)
            versions.add(run.version_id)
        session.add(run)
    for version in session.exec(select(ArtifactVersion).where(
            ArtifactVersion.status == VersionState.INTAKE)):
        why = _orphaned(workers.get(version.worker or ""), version.id, version.updated_at)
        if why is None:
            continue
        done.orphans.append(version.id)
        if retry.retry_intake(version, reason=why, policy=policy, now=now):
            done.gave_up.append(version.id)
        session.add(version)
    return versions


def _due(moment: datetime | None, now: datetime) -> bool:
    return moment is None or (aware(moment) or now) <= now


def _waiting(*, session: Session, now: datetime) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """Return runs (id, pool) and intakes the database says wait, and versions owed an evaluation."""
    old = now - GRACE
    runs = [(r.id, r.pool) for r in session.exec(select(Run).where(col(Run.status).in_(RUN_WAITING)))
            if _due(r.retry_at, now) and (aware(r.started_at or r.created_at) or now) < old]
    intakes = [v.id for v in session.exec(select(ArtifactVersion).where(
        ArtifactVersion.status == VersionState.SUBMITTED))
        if _due(v.retry_at, now) and (aware(v.updated_at) or now) < old]
    unsettled = select(ArtifactVersion).where(
        col(ArtifactVersion.status).in_([VersionState.QUEUED, VersionState.RUNNING]))
    owed = []
    for version in session.exec(unsettled):
        its = [r for r in session.exec(select(Run).where(Run.version_id == version.id))
               if not (r.status == RunState.HELD and (r.held_reason or "").startswith(HELD_FOR_SMOKE))]
        ended = [aware(r.finished_at) or now for r in its]
        if its and all(r.status in RUN_FINISHED for r in its) and max(ended) < old:
            owed.append(version.id)
    return runs, intakes, owed


def apply_reaped(app: Flask, reaped: heartbeat.Reaped, done: Reconciled, *, inline: bool = False) -> None:
    """Queue what reaping gave back at once, and evaluate the versions of runs it failed."""
    from ae.workers.jobs import intake_version, reproduce_run

    done.lost_workers += reaped.workers
    done.gave_up += reaped.gave_up + reaped.failed_intakes
    for run_id, pool in reaped.requeue:
        queue.requeue(reproduce_run, run_id, queue=queue.pool_queue(pool), app=app)
        done.queued_runs.append(run_id)
    for version_id in reaped.reintake:
        queue.requeue(intake_version, version_id, queue=queue.INTAKE_QUEUE, app=app)
        done.queued_intakes.append(version_id)
    for version_id in sorted(reaped.versions):
        _queue_evaluation(app, version_id, done, inline=inline)


def _queue_evaluation(app: Flask, version_id: str, done: Reconciled, *, inline: bool = False) -> None:
    """Queue a version's evaluation (`inline`: evaluate it here and now, as the CLI does)."""
    from ae.workers.jobs import evaluate_version

    if inline:
        with app.app_context():
            evaluate_version(version_id)
        done.evaluations.append(version_id)
        return
    job_id = queue.evaluation_job_id(version_id)
    if job_id not in queue.pending_jobs([job_id], app):
        queue.requeue(evaluate_version, version_id, queue=queue.INTAKE_QUEUE, app=app, job_id=job_id)
        done.evaluations.append(version_id)


def _rewrite_reports(app: Flask, done: Reconciled, *, inline: bool = False) -> None:
    """Rewrite (`inline`) or queue, once, the reports that are behind their review."""
    from ae.workers.reports import behind, rewrite_report

    with db.session_scope(app) as session:
        versions = behind(session=session, grace=GRACE)
    for version_id in versions:
        if inline:
            with app.app_context():
                rewrite_report(version_id)
            done.reports.append(version_id)
            continue
        job_id = f"report-{version_id}-reconcile"
        if job_id not in queue.pending_jobs([job_id], app):
            queue.requeue(rewrite_report, version_id, queue=queue.INTAKE_QUEUE, app=app, job_id=job_id)
            done.reports.append(version_id)


def reconcile(app: Flask, *, me: str | None = None, inline: bool = False) -> Reconciled:
    """Run one pass (see the module docstring) and return what it did.

    `inline` evaluates owed versions in this process (the CLI) instead of queueing the evaluation
    (a worker's parent process must not do a job's work).
    """
    from ae.workers.jobs import intake_version, reproduce_run

    policy = Policy.from_config(app.config)
    done = Reconciled()
    with db.session_scope(app) as session:
        reaped = heartbeat.reap(session=session, max_attempts=policy.max_attempts, me=me, policy=policy)
    apply_reaped(app, reaped, done, inline=inline)
    with db.session_scope(app) as session:
        to_evaluate = find_orphans(session=session, policy=policy, done=done)
    with db.session_scope(app) as session:
        runs, intakes, owed = _waiting(session=session, now=utcnow())
    held = queue.pending_jobs([r for r, _ in runs] + intakes, app)
    for run_id, pool in runs:
        if run_id not in held:
            queue.requeue(reproduce_run, run_id, queue=queue.pool_queue(pool), app=app)
            done.queued_runs.append(run_id)
    for version_id in intakes:
        if version_id not in held:
            queue.requeue(intake_version, version_id, queue=queue.INTAKE_QUEUE, app=app)
            done.queued_intakes.append(version_id)
    for version_id in sorted(to_evaluate | set(owed)):
        _queue_evaluation(app, version_id, done, inline=inline)
    _rewrite_reports(app, done, inline=inline)
    if any((done.lost_workers, done.orphans, done.queued_runs, done.queued_intakes, done.evaluations,
            done.reports)):
        log.warning("reconcile: %s", done.summary())
    return done


def due(app: Flask, *, owner: str) -> bool:
    """Take this interval's turn to reconcile (one worker of the fleet gets it); False if not ours."""
    interval = int(float(app.config["RECONCILE_INTERVAL"]))
    if interval <= 0:
        return False
    return bool(queue.get_redis(app).set(LOCK_KEY, owner, nx=True, ex=interval))
