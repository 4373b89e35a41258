"""Queue throughput: trivial jobs through our enqueue/record path against bare RQ, in one run.

Ours: per job a `Run` row is committed (the record that must exist before its job), then
`ae.workers.queue.enqueue` queues the job under the row id on `ae:pool:default`, and
`ae.workers.worker.run(burst=True)` serves it (profile detection, DB registration, heartbeats, fork
safety). Baseline: `rq.Queue.enqueue` and a bare `rq.Worker(...).work(burst=True)`. Both run the same
trivial job (return the argument), share the Redis server and this process
(`ae.workers.worker.preload()` runs first, so every forked work horse starts from the same memory),
and alternate in rounds so that load drifting on the machine hits both. Throughput is jobs /
(enqueue + drain). A third line, not compared, shows a job that also opens and records its row in
two transactions, as `reproduce_run` does around the pipeline.

    python benchmarks/queue.py [--jobs 2000] [--rounds 4] [--database-url URL] [--redis-url URL]

Without URLs: a SQLite file in a temporary instance and the local Redis on 127.0.0.1:6379 (DB 14)
when reachable, else the embedded redis-server.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the stdlib `queue`: keep its folder off the import path, and make it
# importable as `benchmarks.queue`, since RQ refuses job functions from `__main__`.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import socket  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TARGET = 0.8


def trivial_job(value: Any) -> Any:
    """The trivial job both sides run: return the argument."""
    return value


def recording_job(run_id: str) -> None:
    """A job that also records: open the run and store its result, as reproduce_run does."""
    from ae.storage.db import session_scope
    from ae.storage.models import utcnow
    from ae.storage.queries import get_run
    from ae.workers.jobs import _worker_name

    with session_scope() as session:
        run = get_run(session=session, run_id=run_id)
        run.status, run.started_at, run.worker = "running", utcnow(), _worker_name()
        run.attempt += 1
    with session_scope() as session:
        run = get_run(session=session, run_id=run_id)
        run.status, run.finished_at, run.samples = "succeeded", utcnow(), [{"value": 1}]


def _redis_url(instance: Path, given: str | None) -> tuple[str, Any]:
    if given:
        return given, None
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return "redis://127.0.0.1:6379/14", None
    except OSError:
        from ae.workers import embedded_redis

        embedded_redis.ensure(instance)
        return embedded_redis.url(instance), instance


def measure_bare(redis: Any, jobs: int, job: Any) -> tuple[float, float]:
    """Enqueue and drain `jobs` trivial jobs with bare RQ; return (enqueue_s, drain_s)."""
    from rq import Queue, Worker

    queue = Queue("bench:bare", connection=redis)
    start = time.perf_counter()
    for i in range(jobs):
        queue.enqueue(job, i)
    enqueued = time.perf_counter()
    Worker([queue], connection=redis).work(burst=True, logging_level="WARNING")
    assert queue.count == 0
    return enqueued - start, time.perf_counter() - enqueued


def measure_ours(app: Any, jobs: int, job: Any, queue_pool: str) -> tuple[float, float]:
    """Enqueue and drain `jobs` trivial jobs through ae; return (enqueue_s, drain_s)."""
    from sqlmodel import func, select

    from ae.storage.db import session_scope
    from ae.storage.models import Artifact, ArtifactVersion, Run
    from ae.workers import queue, worker

    with app.app_context():
        with session_scope() as session:
            artifact = Artifact(conference="ppopp-2019", title="bench", source="bench")
            version = ArtifactVersion(artifact_id=artifact.id)
            session.add_all([artifact, version])
        start = time.perf_counter()
        for _ in range(jobs):
            with session_scope() as session:
                run = Run(version_id=version.id, program="trivial", cmd_key="noop")
                session.add(run)
            queue.enqueue(job, run.id, queue=queue.pool_queue(queue_pool))
        enqueued = time.perf_counter()
    worker.run(app, burst=True, pools=[queue_pool], name=f"bench-{job.__name__}", log_level="WARNING")
    drained = time.perf_counter()
    with app.app_context():
        assert queue.get_queue(queue.pool_queue(queue_pool)).count == 0
        if job.__name__ == "recording_job":
            with session_scope() as session:
                done = session.exec(select(func.count()).select_from(Run).where(
                    Run.version_id == version.id, Run.status == "succeeded")).one()
            assert done == jobs, f"only {done} of {jobs} runs were recorded"
    return enqueued - start, drained - enqueued


def _add(total: tuple[float, float], more: tuple[float, float]) -> tuple[float, float]:
    return total[0] + more[0], total[1] + more[1]


def main() -> None:
    """Run both sides, print the table and the JSON result line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=4, help="alternations of the sides")
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from redis import Redis

    from ae.app import create_app
    from ae.storage import migrate
    from ae.storage.db import get_engine
    from ae.workers import embedded_redis, worker

    with tempfile.TemporaryDirectory(prefix="ae-bench-queue-") as tmp:
        instance = Path(tmp) / "instance"
        redis_url, embedded = _redis_url(instance, args.redis_url)
        app = create_app({
            "TESTING": True, "INSTANCE_PATH": str(instance), "REDIS_URL": redis_url,
            "DATABASE_URL": args.database_url or f"sqlite:///{instance / 'ae.sqlite'}",
            "DATA_DIR": str(Path(tmp) / "data"), "CONFERENCES_DIR": str(ROOT / "conferences")})
        migrate.upgrade(get_engine(app))
        worker.preload()  # both sides fork a process of the same size
        redis = Redis.from_url(redis_url)
        redis.flushdb()
        try:
            importable = importlib.import_module("benchmarks.queue")
            per_round = [args.jobs // args.rounds + (i < args.jobs % args.rounds)
                         for i in range(args.rounds)]
            bare = ours = recording = (0.0, 0.0)
            for jobs in per_round:  # alternate the sides, so load drifting on the machine hits both
                bare = _add(bare, measure_bare(redis, jobs, importable.trivial_job))
                ours = _add(ours, measure_ours(app, jobs, importable.trivial_job, "default"))
                recording = _add(recording, measure_ours(app, jobs, importable.recording_job,
                                                         "default"))
        finally:
            redis.flushdb()
            if embedded is not None:
                embedded_redis.stop(embedded)
            if args.database_url:
                migrate.downgrade(get_engine(app), "base")
            get_engine(app).dispose()

    rate = {name: args.jobs / (enq + drain)
            for name, (enq, drain) in (("bare", bare), ("ours", ours), ("recording", recording))}
    print(f"{args.jobs} trivial jobs, database {str(app.config['DATABASE_URL']).split(':')[0]}, "
          f"redis {redis_url.split('://')[0]}")
    print(f"{'':24}{'enqueue s':>11}{'drain s':>10}{'jobs/s':>10}")
    print(f"{'bare RQ':24}{bare[0]:>11.2f}{bare[1]:>10.2f}{rate['bare']:>10.1f}")
    print(f"{'ae enqueue/record':24}{ours[0]:>11.2f}{ours[1]:>10.2f}{rate['ours']:>10.1f}")
    print(f"{'  + job writes its row':24}{recording[0]:>11.2f}{recording[1]:>10.2f}"
          f"{rate['recording']:>10.1f}   (not compared: bare RQ has no row to write)")
    ratio = rate["ours"] / rate["bare"]
    print(json.dumps({"benchmark": "queue", "ours": round(rate["ours"], 3),
                      "baseline": round(rate["bare"], 3), "ratio": round(ratio, 3),
                      "target": f">= {TARGET}", "met": ratio >= TARGET}))


if __name__ == "__main__":
    main()
