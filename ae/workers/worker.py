"""`ae worker`: hardware profile -> pool queues, heavy imports preloaded, fork-safe DB, heartbeat.

The heartbeat rides on RQ's own: RQ calls `heartbeat()` in the parent process before each
dequeue, after each job and every `job_monitoring_interval` while the forked work horse runs.
We set both intervals to `HEARTBEAT_INTERVAL` and write the DB row at most once per interval,
so a job never waits for the registry and no thread is alive when RQ forks. The parent closes
its DB connections after each use, so a horse inherits an empty pool and need not dispose it.

Nothing is lost (DESIGN §11): the heartbeat records the job being worked on and, once per
AE_RECONCILE_INTERVAL, one worker of the fleet runs `ae.workers.reconcile`. After each job the
parent checks its row: a run (or intake) its horse left marked running ended without recording its
outcome (the horse died, or the database was gone) and is tried again after a backoff. SIGTERM
lets the job finish for AE_SHUTDOWN_GRACE seconds, then hands it back to the queue without
counting the attempt. A Redis or database outage never stops the worker: it waits and goes on.
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import socket
import time
from pathlib import Path
from typing import Any

from flask import Flask
from redis.exceptions import RedisError
from rq import Worker
from rq.job import Job
from rq.queue import Queue

from ae import conferences
from ae.errors import ConfigError
from ae.files import atomic
from ae.pools import Pool, Profile, load_profile, matching_pools, pool_from_mapping, profile_from_platform
from ae.storage import db
from ae.storage.models import ArtifactVersion, Run
from ae.storage.states import RunState, VersionState
from ae.workers import faults, heartbeat, queue, reconcile, retry

#: Imported once in the parent so each forked job starts warm.
PRELOAD = ("ae.workers.jobs", "ae.evaluation", "ae.evaluators.pipeline", "ae.verdicts.rule",
           "ae.ck", "ae.reports.artifact")

log = logging.getLogger(__name__)


def detect_profile(app: Flask) -> Profile:
    """Return this machine's profile: the declared WORKER_PROFILE file, else the platform stage's."""
    if app.config.get("WORKER_PROFILE"):
        return load_profile(Path(app.config["WORKER_PROFILE"]))
    from ae.evaluators.platform import detect_platform

    return profile_from_platform(detect_platform().to_dict())


def all_pools(app: Flask) -> list[Pool]:
    """Return every pool definition of every loaded conference."""
    return [pool_from_mapping(p, source=str(c.path))
            for c in conferences.all_conferences(app).values() for p in c.pools]


def serving_pools(app: Flask, profile: Profile, requested: list[str] | None = None) -> list[str]:
    """Return the pools to serve, most specific first: those the profile satisfies, or `requested`.

    A Slurm pool is served only when requested: its worker must run where jobs can be submitted.
    """
    from ae.clusters import pool_settings

    definitions = all_pools(app)
    if not requested:
        batch = pool_settings(conferences.all_conferences(app))
        return [name for name in matching_pools(profile, definitions) if name not in batch]
    known = {p.name for p in definitions}
    unknown = [name for name in requested if name not in known]
    if unknown:
        raise ConfigError(f"--pool {unknown[0]!r} is not a pool of any conference "
                          f"(pools: {', '.join(sorted(known))})")
    order = {name: i for i, name in enumerate(matching_pools(profile, definitions))}
    return sorted(dict.fromkeys(requested), key=lambda n: (order.get(n, len(order)), n))


def queue_names(app: Flask, pools: list[str] | None = None, *, remote: bool = False) -> list[str]:
    """Return the queues a worker serves: intake (local workers only), then each pool in order."""
    if pools is None:
        pools = serving_pools(app, detect_profile(app))
    intake = [] if remote else [queue.INTAKE_QUEUE]
    return intake + [queue.pool_queue(p) for p in pools]


def reap_lost(app: Flask, *, me: str | None = None, inline: bool = False) -> heartbeat.Reaped:
    """Mark lost workers, queue their runs and intakes again (or fail them past MAX_ATTEMPTS).

    `inline` (the CLI) evaluates the versions of failed runs here instead of queueing that.
    """
    policy = faults.Policy.from_config(app.config)
    with db.session_scope(app) as session:
        outcome = heartbeat.reap(session=session, max_attempts=policy.max_attempts, me=me, policy=policy)
    reconcile.apply_reaped(app, outcome, reconcile.Reconciled(), inline=inline)
    return outcome


class AeWorker(Worker):
    """An RQ worker that registers and heartbeats in the DB; its horse drops pooled DB connections."""

    flask_app: Flask | None = None
    registration: dict[str, Any] = {}
    _next_beat = 0.0
    _current: str | None = None  # the job (row id) the horse works on
    _stop_deadline: float | None = None  # SIGTERM: when the running job is handed back
    stopping = False  # SIGTERM/SIGINT received: the work loop is not started again
    _handing_back = False
    _horse_end = ""  # how the last horse ended, when it did not end by itself

    def main_work_horse(self, job: Job, queue: Queue) -> None:
        """Run one job in the forked child, after making the DB engine fork-safe."""
        if self.flask_app is not None and _holds_connections(self.flask_app):
            db.dispose_after_fork(self.flask_app)
        super().main_work_horse(job, queue)

    def register_birth(self) -> None:
        """Register in Redis (RQ) and in the worker table; clean what dead processes left; reconcile."""
        super().register_birth()  # type: ignore[no-untyped-call]  # unannotated in rq
        app = self.flask_app
        if app is None:
            return
        with db.session_scope(app) as session:
            heartbeat.register(session=session, name=self.name, host=self.hostname or "",
                               pid=os.getpid(), ttl=float(app.config["HEARTBEAT_TTL"]),
                               **self.registration)
        self._next_beat = time.monotonic() + float(app.config["HEARTBEAT_INTERVAL"])
        atomic.clean_stale(Path(app.config["DATA_DIR"]), max_age_s=float(app.config["JOB_TIMEOUT"]) + 600)
        try:  # take over what lost workers left, and what Redis lost, before the first dequeue
            reconcile.reconcile(app, me=self.name)
        except Exception:
            log.exception("worker %s: reconcile at start failed; the next heartbeat retries", self.name)
        _release_connections(app)

    def register_death(self) -> None:
        """Mark the worker stopped in Redis (RQ) and in the worker table."""
        try:
            super().register_death()  # type: ignore[no-untyped-call]  # unannotated in rq
        except RedisError as exc:
            log.warning("worker %s: could not deregister from Redis: %s", self.name, exc)
        if self.flask_app is not None:
            with db.session_scope(self.flask_app) as session:
                heartbeat.stop(session=session, name=self.name)

    def request_stop(self, signum: Any, frame: Any) -> None:
        """SIGTERM/SIGINT: finish the job within AE_SHUTDOWN_GRACE seconds, else hand it back."""
        self.stopping = True
        if self.flask_app is not None:
            grace = float(self.flask_app.config["SHUTDOWN_GRACE"])
            self._stop_deadline = time.monotonic() + grace
            if self._current:
                log.warning("worker %s: stopping; job %s may run %.0f s more before it is handed back",
                            self.name, self._current, grace)
        super().request_stop(signum, frame)  # type: ignore[no-untyped-call]  # unannotated in rq

    def execute_job(self, job: Job, queue: Queue) -> None:
        """Run a job in a horse, then make sure its row recorded an outcome (or try it again)."""
        self._current, self._horse_end, self._handing_back = job.id, "", False
        try:
            super().execute_job(job, queue)
        finally:
            self._current = None
            self._settle(job)

    def handle_work_horse_killed(self, job: Job, retpid: int, ret_val: int, rusage: Any) -> None:
        """Remember how the horse died, for the reason the run shows."""
        if ret_val and os.WIFSIGNALED(ret_val):
            self._horse_end = f"its process was killed by signal {os.WTERMSIG(ret_val)}"
        else:
            self._horse_end = f"its process exited with status {os.WEXITSTATUS(ret_val or 0)}"
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)  # type: ignore[no-untyped-call]

    def handle_exception(self, job: Job, *exc_info: Any) -> None:
        """An author's mistake is one line in the log; anything else keeps its traceback."""
        exc = exc_info[1] if len(exc_info) > 1 else None
        if exc is not None and faults.is_user_error(exc):
            log.warning("job %s: %s", job.id, faults.describe(exc))
            return
        super().handle_exception(job, *exc_info)

    def _settle(self, job: Job) -> None:
        """Decide for a row that the job left marked as being worked on by this worker."""
        app = self.flask_app
        if app is None:
            return
        try:
            requeue = _settle_row(app, job.id, self.name, handed_back=self._handing_back,
                                  why=self._horse_end or _job_error(job))
        except Exception as exc:  # the database is gone too: reconcile finds the orphan later
            log.warning("worker %s: could not check job %s after it ended: %s", self.name, job.id,
                        faults.describe(exc))
            return
        finally:
            _release_connections(app)
        if requeue is not None:
            func, row_id, queue_name = requeue
            try:
                queue.requeue(func, row_id, queue=queue_name, app=app)
            except RedisError as exc:
                log.warning("worker %s: could not queue %s again (%s); reconcile will", self.name, job.id,
                            faults.describe(exc))

    def maintain_heartbeats(self, job: Job, execution: Any) -> None:
        """RQ's heartbeats while the horse runs; a Redis outage only delays them."""
        try:
            super().maintain_heartbeats(job, execution)
        except RedisError as exc:
            log.warning("worker %s: Redis unreachable during job %s: %s", self.name, job.id,
                        faults.describe(exc))
            self._our_heartbeat()

    def heartbeat(self, timeout: int | None = None, pipeline: Any = None) -> None:
        """Send RQ's heartbeat; at most once per interval also the DB row, reaping and reconcile."""
        if pipeline is not None:
            super().heartbeat(timeout, pipeline)
        else:
            try:
                super().heartbeat(timeout, pipeline)
            except RedisError as exc:  # while dequeueing, RQ then waits for Redis with its backoff
                log.warning("worker %s: Redis heartbeat failed: %s", self.name, faults.describe(exc))
        self._our_heartbeat()

    def set_state(self, state: str, pipeline: Any = None) -> None:
        """Record RQ's worker state; a Redis outage only loses the note."""
        try:
            super().set_state(state, pipeline)
        except RedisError as exc:
            log.warning("worker %s: Redis unreachable: %s", self.name, faults.describe(exc))

    def _our_heartbeat(self) -> None:
        app = self.flask_app
        if app is None or self.is_horse:
            return
        self._hand_back_when_due()
        if time.monotonic() < self._next_beat:
            return
        self._next_beat = time.monotonic() + float(app.config["HEARTBEAT_INTERVAL"])
        try:
            with db.session_scope(app) as session:
                heartbeat.beat(session=session, name=self.name, ttl=float(app.config["HEARTBEAT_TTL"]),
                               current_job=self._current)
            if reconcile.due(app, owner=self.name):
                reconcile.reconcile(app, me=self.name)
            else:
                reap_lost(app, me=self.name)
        except Exception as exc:  # a DB or Redis hiccup must not stop the worker; the next beat retries
            log.warning("worker %s: heartbeat or reconcile failed: %s", self.name, faults.describe(exc))
        finally:
            _release_connections(app)

    def _hand_back_when_due(self) -> None:
        """Past the shutdown grace, stop the horse: its job goes back to the queue (see _settle)."""
        if (self._stop_deadline is None or not self.horse_pid or self._handing_back
                or time.monotonic() < self._stop_deadline):
            return
        log.warning("worker %s: shutdown grace over, handing job %s back", self.name, self._current)
        self._handing_back = True
        self.kill_horse(signal.SIGKILL)


def _job_error(job: Job) -> str:
    """Return the last line of the exception a job ended with, if Redis still has it."""
    try:
        result = job.latest_result()
    except Exception:  # Redis gone, or the job's key with it
        return ""
    text = getattr(result, "exc_string", None) or ""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return f"its job failed: {lines[-1].strip()}" if lines else ""


def _settle_row(app: Flask, row_id: str, me: str, *, handed_back: bool, why: str,
                ) -> tuple[Any, str, str] | None:
    """Retry, hand back or fail a row a finished job left held by `me`; return what to queue now."""
    from ae.workers.jobs import intake_version, reproduce_run

    policy = faults.Policy.from_config(app.config)
    reason = why or "its job ended without recording its outcome"
    with db.session_scope(app) as session:
        run = session.get(Run, row_id, with_for_update=True)
        if run is not None and run.status == RunState.RUNNING and run.worker == me:
            if handed_back:
                retry.hand_back_run(run, reason=f"worker {me} was stopped (SIGTERM) during the run")
                return reproduce_run, run.id, queue.pool_queue(run.pool)
            log.warning("run %s: attempt %d on %s: %s", run.id, run.attempt, me, reason)
            retry.retry_run(run, reason=reason, kind="internal-error", policy=policy)
            return None  # a retry waits for its backoff: reconcile queues it when due
        version = session.get(ArtifactVersion, row_id, with_for_update=True)
        if version is not None and version.status == VersionState.INTAKE and version.worker == me:
            if handed_back:
                retry.hand_back_intake(version, reason=f"worker {me} was stopped (SIGTERM) during intake")
                return intake_version, version.id, queue.INTAKE_QUEUE
            log.warning("version %s: intake attempt %d on %s: %s", version.id, version.attempt, me, reason)
            retry.retry_intake(version, reason=reason, policy=policy)
    return None


def _release_connections(app: Flask) -> None:
    """Close the parent's pooled DB connections, so that forked horses inherit none."""
    engine = app.extensions["ae"].get("engine")
    if engine is not None:
        engine.dispose()


def _holds_connections(app: Flask) -> bool:
    """Tell whether the app's engine pool holds connections a forked child must not share."""
    engine = app.extensions["ae"].get("engine")
    if engine is None:
        return False
    pool = engine.pool
    try:
        return bool(pool.checkedin() or pool.checkedout())
    except AttributeError:  # a pool without counters: assume it holds some
        return True


def preload() -> None:
    """Import the modules jobs use, so forked work horses do not import them again."""
    for name in PRELOAD:
        importlib.import_module(name)


def warm_orm(app: Flask) -> None:
    """Configure the mappers and compile the row lookups jobs start with, once, in the parent.

    Each forked horse otherwise redoes both, and on a copy-on-write fork the memory it touches
    doing so costs more than the queries (about 40 % of a trivial job's time on PostgreSQL).
    """
    from sqlalchemy.orm import configure_mappers

    from ae.storage.models import Artifact, ArtifactVersion, Run

    configure_mappers()
    with db.session_scope(app) as session:
        for model in (Run, ArtifactVersion, Artifact):
            session.get(model, "")
    _release_connections(app)


def run(app: Flask, *, burst: bool = False, pools: list[str] | None = None,
        name: str | None = None, log_level: str = "INFO") -> bool:
    """Serve the queues until stopped (or until empty with burst); return whether any job ran."""
    preload()
    logging.getLogger("rq.worker").setLevel(log_level)
    with app.app_context():
        warm_orm(app)
        profile = detect_profile(app)
        remote = bool(app.config.get("SERVICE_URL"))
        served = serving_pools(app, profile, pools)
        names = queue_names(app, served, remote=remote)
        if not names:
            raise ConfigError(f"this worker ({profile.summary()}) satisfies no pool of any conference; "
                              "name one with --pool or see `ae workers profile`")
        interval = max(1, int(float(app.config["HEARTBEAT_INTERVAL"])))
        worker = AeWorker(names, connection=queue.get_redis(app),
                          name=name or f"{socket.gethostname()}.{os.getpid()}",
                          worker_ttl=interval + 15, job_monitoring_interval=interval)
        worker.flask_app = app
        worker.registration = {"pools": served, "queues": names, "profile": profile.to_dict(),
                               "remote": remote}
        worked = False
        while True:  # RQ's loop ends on an error it does not expect (Redis gone mid-job): go on
            worked = worker.work(burst=burst, logging_level=log_level) or worked
            if burst or worker.stopping:  # an idle worker's stop ends work() without _stop_requested
                return worked
            log.warning("worker %s: the work loop ended unexpectedly; waiting for Redis to start again",
                        worker.name)
            _wait_for_redis(app)


def _wait_for_redis(app: Flask, *, longest: float = 30.0) -> None:
    """Return once Redis answers PING, waiting 1, 2, 4 … s (at most `longest`) between tries."""
    wait = 1.0
    while True:
        try:
            if queue.get_redis(app).ping():
                return
        except RedisError:
            pass
        time.sleep(wait)
        wait = min(longest, wait * 2)
