"""`ae worker`: hardware profile -> pool queues, heavy imports preloaded, fork-safe DB, heartbeat.

The heartbeat rides on RQ's own: RQ calls `heartbeat()` in the parent process before each
dequeue, after each job and every `job_monitoring_interval` while the forked work horse runs.
We set both intervals to `HEARTBEAT_INTERVAL` and write the DB row at most once per interval,
so a job never waits for the registry and no thread is alive when RQ forks. The parent closes
its DB connections after each use, so a horse inherits an empty pool and need not dispose it.
"""

from __future__ import annotations

import importlib
import logging
import os
import socket
import time
from pathlib import Path
from typing import Any

from flask import Flask
from rq import Worker
from rq.job import Job
from rq.queue import Queue

from ae import conferences
from ae.errors import ConfigError
from ae.pools import Pool, Profile, load_profile, matching_pools, pool_from_mapping, profile_from_platform
from ae.storage import db
from ae.workers import heartbeat, queue

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
    """Return the pools to serve, most specific first: those the profile satisfies, or `requested`."""
    definitions = all_pools(app)
    if not requested:
        return matching_pools(profile, definitions)
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


def reap_lost(app: Flask, *, me: str | None = None) -> heartbeat.Reaped:
    """Mark lost workers, queue their runs again (or fail them past MAX_ATTEMPTS)."""
    from ae.workers.jobs import evaluate_version, reproduce_run

    with db.session_scope(app) as session:
        outcome = heartbeat.reap(session=session, max_attempts=int(app.config["MAX_ATTEMPTS"]), me=me)
    for run_id, pool in outcome.requeue:
        queue.requeue(reproduce_run, run_id, queue=queue.pool_queue(pool), app=app)
    for version_id in sorted(outcome.versions):
        evaluate_version(version_id)
    return outcome


class AeWorker(Worker):
    """An RQ worker that registers and heartbeats in the DB; its horse drops pooled DB connections."""

    flask_app: Flask | None = None
    registration: dict[str, Any] = {}
    _next_beat = 0.0

    def main_work_horse(self, job: Job, queue: Queue) -> None:
        """Run one job in the forked child, after making the DB engine fork-safe."""
        if self.flask_app is not None and _holds_connections(self.flask_app):
            db.dispose_after_fork(self.flask_app)
        super().main_work_horse(job, queue)

    def register_birth(self) -> None:
        """Register in Redis (RQ) and in the worker table."""
        super().register_birth()  # type: ignore[no-untyped-call]  # unannotated in rq
        app = self.flask_app
        if app is None:
            return
        with db.session_scope(app) as session:
            heartbeat.register(session=session, name=self.name, host=self.hostname or "",
                               pid=os.getpid(), ttl=float(app.config["HEARTBEAT_TTL"]),
                               **self.registration)
        self._next_beat = time.monotonic() + float(app.config["HEARTBEAT_INTERVAL"])
        reap_lost(app, me=self.name)  # take over what lost workers left before the first dequeue
        _release_connections(app)

    def register_death(self) -> None:
        """Mark the worker stopped in Redis (RQ) and in the worker table."""
        super().register_death()  # type: ignore[no-untyped-call]  # unannotated in rq
        if self.flask_app is not None:
            with db.session_scope(self.flask_app) as session:
                heartbeat.stop(session=session, name=self.name)

    def heartbeat(self, timeout: int | None = None, pipeline: Any = None) -> None:
        """Send RQ's heartbeat; at most once per interval also the DB row and the lost-worker check."""
        super().heartbeat(timeout, pipeline)
        app = self.flask_app
        if app is None or self.is_horse or time.monotonic() < self._next_beat:
            return
        self._next_beat = time.monotonic() + float(app.config["HEARTBEAT_INTERVAL"])
        try:
            with db.session_scope(app) as session:
                heartbeat.beat(session=session, name=self.name, ttl=float(app.config["HEARTBEAT_TTL"]))
            reap_lost(app, me=self.name)
        except Exception:  # a DB or Redis hiccup must not stop the worker; the next beat retries
            log.exception("worker %s: heartbeat to the database failed", self.name)
        finally:
            _release_connections(app)


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
        return worker.work(burst=burst, logging_level=log_level)
