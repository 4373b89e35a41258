"""Redis and RQ wiring: the connection (embedded or by URL), queue names and the enqueue helper."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from redis import Redis
from rq import Queue

from ae.workers import embedded_redis

INTAKE_QUEUE = "ae:intake"
POOL_QUEUE_PREFIX = "ae:pool:"


def pool_queue(pool: str) -> str:
    """Return the RQ queue name of a hardware pool."""
    return f"{POOL_QUEUE_PREFIX}{pool}"


def init_app(app: Flask) -> None:
    """Attach a lazily opened Redis connection to the app."""
    app.extensions.setdefault("ae", {})["redis"] = None


def redis_url(app: Flask | None = None) -> str:
    """Return the Redis URL in use, starting the embedded server when none is configured."""
    app = app or current_app
    if app.config.get("REDIS_URL"):
        return str(app.config["REDIS_URL"])
    instance = Path(app.instance_path)
    embedded_redis.ensure(instance)
    return embedded_redis.url(instance)


def get_redis(app: Flask | None = None) -> Redis:
    """Return the app's Redis connection, opening it on first use."""
    app = app or current_app
    ext = app.extensions["ae"]
    if ext["redis"] is None:
        ext["redis"] = Redis.from_url(redis_url(app))
    redis: Redis = ext["redis"]
    return redis


def get_queue(name: str, app: Flask | None = None) -> Queue:
    """Return the RQ queue `name` on the app's connection."""
    return Queue(name, connection=get_redis(app))


def enqueue(func: Callable[..., Any], row_id: str, *, queue: str, app: Flask | None = None,
            description: str | None = None, job_id: str | None = None) -> str:
    """Enqueue `func(row_id)` with the row id as the RQ job id; the row must be committed already."""
    app = app or current_app
    job = get_queue(queue, app).enqueue(
        func, row_id, job_id=job_id or row_id, job_timeout=int(app.config["JOB_TIMEOUT"]),
        description=description or f"{func.__name__}({row_id})",
        result_ttl=86400, failure_ttl=7 * 86400,
    )
    return job.id


def requeue(func: Callable[..., Any], row_id: str, *, queue: str, app: Flask | None = None,
            job_id: str | None = None) -> str:
    """Enqueue a row's job again under the same id, first dropping the stale job a lost worker held."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    try:
        Job.fetch(job_id or row_id, connection=get_redis(app)).delete()
    except NoSuchJobError:
        pass
    return enqueue(func, row_id, queue=queue, app=app, job_id=job_id)


#: RQ job statuses of a job that is still going to run or running.
PENDING = frozenset({"queued", "started", "scheduled", "deferred"})


def pending_jobs(job_ids: list[str], app: Flask | None = None) -> set[str]:
    """Return those of `job_ids` that Redis still holds as waiting or running."""
    from rq.job import Job

    if not job_ids:
        return set()
    redis = get_redis(app)
    with redis.pipeline(transaction=False) as pipe:
        for job_id in job_ids:
            pipe.hget(Job.key_for(job_id), "status")
        found = pipe.execute()
    return {job_id for job_id, status in zip(job_ids, found, strict=True)
            if status is not None and status.decode() in PENDING}


def evaluation_job_id(version_id: str) -> str:
    """Return the RQ job id of a version's evaluation (the intake job has the version's own id)."""
    return f"evaluate-{version_id}"

