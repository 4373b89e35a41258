"""The worker registry in the database: registration, heartbeats, lost workers and their runs.

Rule (DESIGN §11): a worker whose heartbeat is older than its TTL is *lost*. Each run it was
running is marked `lost` and queued again under the same id, until the run has been started
`max_attempts` times; then it fails with failure kind `lost`, so that its version can still be
evaluated. An intake it was doing goes back to `submitted` and is queued again the same way.
Live workers reap lost ones as part of their own heartbeat; exactly one reaper wins each lost
worker (a conditional UPDATE), so no run is queued twice. The heartbeat also records the job the
worker's horse is running (`current_job`), so that a run whose job ended without recording its
outcome is found while its worker lives on (`ae.workers.reconcile`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from ae.pools import profile_from_platform
from ae.storage.models import ArtifactVersion, Run, Worker, aware, utcnow
from ae.storage.states import RunState, VersionState, WorkerState
from ae.workers import retry
from ae.workers.faults import Policy

log = logging.getLogger(__name__)


def register(*, session: Session, name: str, host: str, pid: int, pools: list[str],
             queues: list[str], profile: dict[str, Any], remote: bool, ttl: float) -> Worker:
    """Insert or refresh the row of a starting worker."""
    now = utcnow()
    worker = session.get(Worker, name) or Worker(name=name, host=host, pid=pid)
    worker.host, worker.pid, worker.pools, worker.queues = host, pid, list(pools), list(queues)
    worker.profile, worker.remote, worker.state = dict(profile), remote, WorkerState.ALIVE
    worker.started_at, worker.last_heartbeat = now, now
    worker.expires_at, worker.stopped_at = now + timedelta(seconds=ttl), None
    session.add(worker)
    return worker


def beat(*, session: Session, name: str, ttl: float, current_job: str | None = None) -> None:
    """Record a heartbeat and the job being worked on: one UPDATE of the worker's row."""
    now = utcnow()
    session.execute(update(Worker).where(col(Worker.name) == name).values(
        last_heartbeat=now, expires_at=now + timedelta(seconds=ttl), state=WorkerState.ALIVE,
        stopped_at=None, current_job=current_job))


def stop(*, session: Session, name: str) -> None:
    """Mark a worker that shut down cleanly."""
    now = utcnow()
    session.execute(update(Worker).where(col(Worker.name) == name).values(
        state=WorkerState.STOPPED, stopped_at=now, expires_at=now, current_job=None))


def is_alive(worker: Worker, now: datetime | None = None) -> bool:
    """Tell whether a worker's heartbeat is current."""
    expires = aware(worker.expires_at)
    return worker.state == WorkerState.ALIVE and expires is not None and expires > (now or utcnow())


def live_pools(*, session: Session) -> dict[str, int]:
    """Return the number of live workers per pool."""
    now = utcnow()
    counts: dict[str, int] = {}
    for worker in session.exec(select(Worker).where(Worker.state == WorkerState.ALIVE)):
        if is_alive(worker, now):
            for pool in worker.pools:
                counts[pool] = counts.get(pool, 0) + 1
    return counts


def waiting_reason(pool: str, live: dict[str, int]) -> str | None:
    """Say why a queued run cannot start, or None when a live worker serves its pool."""
    if live.get(pool):
        return None
    return (f"no live worker serves pool {pool!r}: start `ae worker` on a machine that satisfies it "
            f"(see `ae workers`)")


def list_workers(*, session: Session) -> list[dict[str, Any]]:
    """Return every registered worker with its current run and liveness, newest first."""
    now = utcnow()
    current: dict[str, str] = {}
    for run in session.exec(select(Run).where(Run.status == RunState.RUNNING)):
        if run.worker:
            current[run.worker] = run.id
    rows = session.exec(select(Worker).order_by(col(Worker.started_at).desc(), col(Worker.name)))
    result = []
    for worker in rows:
        summary = profile_from_platform(worker.profile).summary() if worker.profile else ""
        result.append({
            "name": worker.name, "host": worker.host, "pid": worker.pid, "pools": worker.pools,
            "queues": worker.queues, "profile": summary, "remote": worker.remote,
            "state": (worker.state if worker.state != WorkerState.ALIVE or is_alive(worker, now)
                      else "expired"),
            "alive": is_alive(worker, now), "current_run": current.get(worker.name),
            "last_heartbeat": aware(worker.last_heartbeat), "started_at": aware(worker.started_at),
        })
    return result


def _claim_lost(*, session: Session, now: datetime, me: str | None) -> list[Worker]:
    """Mark expired workers lost; return those this caller won (one reaper per worker)."""
    query = select(Worker).where(Worker.state == WorkerState.ALIVE, Worker.expires_at < now)
    won = []
    for worker in list(session.exec(query)):
        if worker.name == me:
            continue
        result = session.execute(update(Worker).where(
            col(Worker.name) == worker.name, col(Worker.state) == WorkerState.ALIVE,
            col(Worker.expires_at) < now,
        ).values(state=WorkerState.LOST, stopped_at=now))
        # Session.execute is typed to return a Result; for an UPDATE it is a CursorResult with rowcount.
        if result.rowcount == 1:  # type: ignore[attr-defined]
            won.append(worker)
    return won


@dataclass
class Reaped:
    """What reaping decided: lost workers, runs and intakes to queue again, versions to evaluate."""

    workers: list[str] = field(default_factory=list)
    requeue: list[tuple[str, str]] = field(default_factory=list)
    gave_up: list[str] = field(default_factory=list)
    versions: set[str] = field(default_factory=set)
    reintake: list[str] = field(default_factory=list)
    failed_intakes: list[str] = field(default_factory=list)


def reap(*, session: Session, max_attempts: int, me: str | None = None,
         policy: Policy | None = None) -> Reaped:
    """Mark lost workers and decide, per run or intake they held, retry or failure; the caller commits."""
    now = utcnow()
    policy = policy or Policy(max_attempts=max_attempts)
    outcome = Reaped()
    for worker in _claim_lost(session=session, now=now, me=me):
        outcome.workers.append(worker.name)
        seen = aware(worker.last_heartbeat)
        lost = (f"worker {worker.name} on {worker.host} stopped heartbeating "
                f"(last {seen:%Y-%m-%d %H:%M:%S} UTC)")
        runs = release_held(session=session, worker=worker.name, reason=lost, policy=policy,
                            outcome=outcome, now=now)
        log.warning("worker %s on %s is lost with %d running job(s)", worker.name, worker.host, runs)
    return outcome


def release_held(*, session: Session, worker: str, reason: str, policy: Policy, outcome: Reaped,
                 now: datetime | None = None) -> int:
    """Decide retry or failure for every run and intake `worker` holds; return how many it held."""
    held = select(Run).where(Run.worker == worker, Run.status == RunState.RUNNING)
    runs = list(session.exec(held))
    for run in runs:
        if retry.retry_run(run, reason=reason, kind="lost", policy=policy, lost=True, now=now):
            outcome.gave_up.append(run.id)
            outcome.versions.add(run.version_id)
        else:
            outcome.requeue.append((run.id, run.pool))
        session.add(run)
    intakes = list(session.exec(select(ArtifactVersion).where(
        ArtifactVersion.worker == worker, ArtifactVersion.status == VersionState.INTAKE)))
    for version in intakes:
        if retry.retry_intake(version, reason=reason, policy=policy, lost=True, now=now):
            outcome.failed_intakes.append(version.id)
        else:
            outcome.reintake.append(version.id)
        session.add(version)
    return len(runs) + len(intakes)
