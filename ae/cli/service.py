"""`ae serve`, `ae worker`, `ae demo` and `ae redis`: the processes of the service."""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ae.cli.app import current, ready, with_app
from ae.cli.artifacts import echo_status
from ae.errors import AeError
from ae.storage.states import RUN_FINISHED, VERSION_SETTLED, VersionState

if TYPE_CHECKING:
    from flask import Flask

    from ae.conferences import Conference


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", type=click.IntRange(1), help="gunicorn worker processes [default: one per "
              "CPU core, 2 to 8]")
@click.option("--threads", type=click.IntRange(1), help="Threads per worker process [default: 8]")
@click.option("--dev", is_flag=True, help="Flask's development server (Werkzeug, one process) instead "
              "of gunicorn: not for production.")
@with_app
def serve(host: str, port: int, workers: int | None, threads: int | None, dev: bool) -> None:
    """Serve the web app and JSON API with gunicorn (the access log goes to stderr)."""
    from ae.storage.db import get_engine

    app = current()
    ready(app)
    get_engine(app).dispose()  # the server's processes open their own connections
    signal.signal(signal.SIGTERM, _exit_on_sigterm)  # gunicorn installs its own once it runs
    with _embedded_redis(app) as overrides:
        server = "Werkzeug (development)" if dev else "gunicorn"
        click.echo(f"ae serving on http://{host}:{port}/ with {server} (instance {app.instance_path})")
        from ae.web import serving

        if dev:  # one process: its rate limits may stay in memory
            serving.run_dev(app, host=host, port=port)
        else:
            serving.run(functools.partial(_create_app, overrides), host=host, port=port,
                        workers=workers or serving.default_workers(),
                        threads=threads or serving.DEFAULT_THREADS)


def _create_app(overrides: dict[str, Any]) -> Flask:
    """Build the app gunicorn serves through the factory (settings, then the server's overrides)."""
    from ae.app import create_app

    return create_app(overrides or None)


def _exit_on_sigterm(_signum: int, _frame: object) -> None:
    raise SystemExit(0)


@contextmanager
def _embedded_redis(app: Flask) -> Iterator[dict[str, Any]]:
    """Start the embedded redis-server unless AE_REDIS_URL names a server or it runs already, and
    stop it on the way out (signal or not) only if this process started it; yield the settings
    that make every server process count rate limits in it (gunicorn's workers do not share
    memory)."""
    if app.config.get("REDIS_URL"):
        yield {}
        return
    from ae.workers import embedded_redis

    instance, owner = Path(app.instance_path), os.getpid()
    started = embedded_redis.ensure(instance)
    overrides: dict[str, Any] = {}
    if app.config.get("RATELIMIT_STORAGE_URI") == "memory://":
        overrides["RATELIMIT_STORAGE_URI"] = f"redis+unix://{embedded_redis.socket_path(instance)}"
    try:
        yield overrides
    finally:
        if started and os.getpid() == owner:  # gunicorn's forked workers unwind through here too
            embedded_redis.stop(instance)


@click.command()
@click.option("--burst", is_flag=True, help="Exit once the queues are empty.")
@click.option("--pool", "pools", multiple=True, help="Serve only these pools (repeatable).")
@click.option("--name", help="Worker name (default: host.pid).")
@click.option("--quiet", is_flag=True, help="Log warnings only.")
@with_app
def worker(burst: bool, pools: tuple[str, ...], name: str | None, quiet: bool) -> None:
    """Run an RQ worker that reproduces artifacts on this machine."""
    from ae.workers import worker as ae_worker

    app = current()
    ready(app)
    ae_worker.run(app, burst=burst, pools=list(pools) or None, name=name,
                  log_level="WARNING" if quiet else "INFO")


@click.group()
def redis() -> None:
    """Control the embedded redis-server (used when AE_REDIS_URL is unset)."""


@redis.command("stop")
@with_app
def redis_stop() -> None:
    """Stop the embedded redis-server of this instance."""
    from ae.workers import embedded_redis

    stopped = embedded_redis.stop(Path(current().instance_path))
    click.echo("embedded redis-server stopped" if stopped else "no embedded redis-server was running")


@redis.command("status")
@with_app
def redis_status() -> None:
    """Tell whether the embedded redis-server of this instance is running."""
    from ae.workers import embedded_redis

    instance = Path(current().instance_path)
    alive = embedded_redis.is_alive(instance)
    click.echo(f"embedded redis-server at {embedded_redis.socket_path(instance)}: "
               f"{'running' if alive else 'not running'}")


def _progress(items: list[dict[str, Any]]) -> tuple[str, bool]:
    runs = [r for item in items for r in item["runs"]]
    finished = sum(r["status"] in RUN_FINISHED for r in runs)
    settled = sum(item["status"] in VERSION_SETTLED for item in items)
    line = (f"artifacts settled {settled}/{len(items)}, runs finished {finished}/{len(runs)}")
    return line, settled == len(items)


def _worker_process(app: Flask, extra_env: dict[str, str]) -> subprocess.Popen[bytes]:
    env = dict(os.environ, AE_INSTANCE_PATH=app.instance_path, **extra_env)
    for key in ("DATABASE_URL", "REDIS_URL", "DATA_DIR", "CONFERENCES_DIR", "SANDBOX"):
        if app.config.get(key):
            env[f"AE_{key}"] = str(app.config[key])
    code = "from ae.cli import cli; cli()"
    return subprocess.Popen([sys.executable, "-c", code, "worker", "--burst", "--quiet"],
                            env=env, stdin=subprocess.DEVNULL)


@click.command()
@click.option("--conference", help="Conference slug (default: AE_CONFERENCE).")
@click.option("--timeout", default=900, show_default=True, help="Seconds to wait for the worker.")
@click.option("--keep-redis", is_flag=True, help="Leave the embedded redis-server running.")
@with_app
def demo(conference: str | None, timeout: int, keep_redis: bool) -> None:
    """Submit the sample artifacts, reproduce them with a real worker, and report.

    Run again on the same instance, it submits nothing already evaluated or under way: an unchanged
    example is the same commit, so its earlier artifact is reported (or waited for) instead.
    """
    from ae import conferences
    from ae.demo import (
        as_git_repository,
        dependency_urls,
        earlier_submission,
        examples,
        mirror_env,
        unroutable,
    )
    from ae.status import all_status
    from ae.storage.db import session_scope
    from ae.submission import submit
    from ae.workers import embedded_redis

    app = current()
    ready(app)
    instance = Path(app.instance_path)
    started_redis = not app.config.get("REDIS_URL") and embedded_redis.ensure(instance)
    try:
        conference = conference or app.config["CONFERENCE"]
        mine, found = set(), examples()
        urls, mirrors = dependency_urls(found), {}
        for example in found:
            repo, commit = as_git_repository(example, instance / "demo")
            if example.name in urls:
                mirrors[urls[example.name]] = repo
                click.echo(f"mirrored {urls[example.name]} from {repo} (a dependency repository)")
                continue
            why = unroutable(example, conferences.get(conference))
            if why is not None:
                click.echo(f"{example.name}: left out, {conference} cannot evaluate it: {why}")
                continue
            with session_scope() as session:
                earlier = earlier_submission(session=session, conference=conference, source=str(repo),
                                             commit=commit)
            if earlier is not None:
                mine.add(earlier)
                click.echo(f"{example.name}: already submitted as {earlier[:12]} (commit {commit[:12]})")
                continue
            mine.add(submit(conference=conference, title=f"Sample artifact: {example.name}",
                            source=str(repo), badges=_demo_badges(conferences.get(conference))).artifact_id)
            click.echo(f"submitted {example.name} from {repo}")
        with session_scope() as session:
            items = [s for s in all_status(session=session) if s["id"] in mine]
        if not _progress(items)[1]:
            _work_until_settled(app, mine, mirror_env(mirrors), timeout)
        with session_scope() as session:
            items = [s for s in all_status(session=session) if s["id"] in mine]
        _summary(items)
        if not all(item["status"] == VersionState.DONE for item in items):
            raise AeError("the demo did not complete: see the errors above (and `ae status`)")
    finally:
        if started_redis and not keep_redis:
            embedded_redis.stop(instance)


def _demo_badges(conference: Conference) -> tuple[str, ...]:
    """Return the badges the demo asks for: Functional, and the one re-running the artifact earns."""
    from ae.badges.schemes import Meaning, get

    scheme = get(conference.badge_scheme)
    wanted = [b.key for b in scheme.badges if b.meaning in (Meaning.FUNCTIONAL, Meaning.RERUN)]
    return tuple(b for b in wanted if b in conference.badges)


def _work_until_settled(app: Flask, mine: set[str], env: dict[str, str], timeout: int) -> None:
    """Run a burst worker until the demo's own artifacts are settled (or it stops, or time is up)."""
    from ae.status import all_status
    from ae.storage.db import session_scope

    process = _worker_process(app, env)
    deadline, last = time.monotonic() + timeout, ""
    while True:
        with session_scope() as session:
            items = [s for s in all_status(session=session) if s["id"] in mine]
        line, done = _progress(items)
        if line != last:
            click.echo(f"  {line}")
            last = line
        if done or process.poll() is not None or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    if process.poll() is None:
        process.terminate()
    process.wait(timeout=60)


def _summary(items: list[dict[str, Any]]) -> None:
    click.echo("\nDemo summary")
    runs = [r for item in items for r in item["runs"]]
    verdicts = [v for item in items for v in item["verdicts"]]
    click.echo(f"  artifacts: {len(items)}  runs: {len(runs)} "
               f"({sum(r['status'] == 'succeeded' for r in runs)} succeeded)  verdicts: {len(verdicts)}")
    for item in items:
        click.echo("")
        echo_status(item)
