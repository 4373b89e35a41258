"""The RQ worker of `ae worker`: the queues it serves, heavy imports preloaded, fork-safe DB."""

from __future__ import annotations

import importlib
import logging
import os
import socket

from flask import Flask
from rq import Worker
from rq.job import Job
from rq.queue import Queue

from ae import conferences, db, queue

#: Imported once in the parent so each forked job starts warm.
PRELOAD = ("ae.jobs", "ae.evaluation", "ae.evaluators.pipeline", "ae.evaluators.verdicts",
           "ae.ck", "ae.reports.artifact")


class AeWorker(Worker):
    """An RQ worker whose forked work horse drops the parent's pooled DB connections first."""

    flask_app: Flask | None = None

    def main_work_horse(self, job: Job, queue: Queue) -> None:
        """Run one job in the forked child, after making the DB engine fork-safe."""
        if self.flask_app is not None:
            db.dispose_after_fork(self.flask_app)
        super().main_work_horse(job, queue)


def queue_names(app: Flask, pools: list[str] | None = None) -> list[str]:
    """Return the queues a worker serves: intake, then each pool (all pools of all conferences)."""
    if pools is None:
        pools = sorted({p for c in conferences.all_conferences(app).values() for p in c.pool_names()})
    return [queue.INTAKE_QUEUE] + [queue.pool_queue(p) for p in pools]


def preload() -> None:
    """Import the modules jobs use, so forked work horses do not import them again."""
    for name in PRELOAD:
        importlib.import_module(name)


def run(app: Flask, *, burst: bool = False, pools: list[str] | None = None,
        name: str | None = None, log_level: str = "INFO") -> bool:
    """Serve the queues until stopped (or until empty with burst); return whether any job ran."""
    preload()
    logging.getLogger("rq.worker").setLevel(log_level)
    with app.app_context():
        connection = queue.get_redis(app)
        names = queue_names(app, pools)
        worker = AeWorker(names, connection=connection,
                          name=name or f"{socket.gethostname()}.{os.getpid()}")
        worker.flask_app = app
        return worker.work(burst=burst, logging_level=log_level)
