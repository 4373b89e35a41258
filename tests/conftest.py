"""Shared fixtures: an app on real PostgreSQL/Redis when reachable (else SQLite/embedded Redis),
a CLI runner, real git repositories and a real `ae worker --burst` subprocess."""

from __future__ import annotations

import functools
import json
import os
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ae.workers import embedded_redis

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """In CI (`CI` set, as .ci/run does) a skipped test is a failure: CI must run every test."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every test must run: {reason}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the modules that hold `slow` tests first, each in its place (a stable sort).

    With `--dist loadscope --no-loadscope-reorder` (the README's command) the two xdist workers
    start on the long modules and the many short ones fill the end, so that both finish together
    instead of one running a long module alone at the end.
    """
    slow = {item.nodeid.split("::")[0] for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.nodeid.split("::")[0] not in slow)


def _reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _postgres_admin_url() -> str | None:
    if os.environ.get("AE_TEST_DATABASE_URL"):
        return os.environ["AE_TEST_DATABASE_URL"]
    if _reachable(5432):
        return "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    return None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """A private PostgreSQL database for this test session (None when no server is reachable)."""
    admin = _postgres_admin_url()
    if admin is None:
        if os.environ.get("CI"):
            pytest.fail("CI must test on PostgreSQL: none reachable on 127.0.0.1:5432")
        yield None
        return
    import psycopg

    name = f"ae_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    plain = admin.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = admin.rpartition("/")
    yield f"{base}/{name}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _truncate_all(url: str) -> None:
    from sqlalchemy import create_engine, inspect, text
    from sqlmodel import SQLModel

    import ae.storage.models  # noqa: F401

    engine = create_engine(url)
    with engine.begin() as conn:
        present = set(inspect(conn).get_table_names())  # a test may never have migrated the database
        # DELETE, children first: on tables this small it is ten times faster than TRUNCATE, which
        # gives every table a new file (0.35 s a test for the whole schema)
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name in present:
                conn.execute(text(f'DELETE FROM "{table.name}"'))
    engine.dispose()


@pytest.fixture
def database_url(postgres_url: str | None, tmp_path: Path) -> Iterator[str]:
    """PostgreSQL (emptied after the test) when reachable, else a fresh SQLite file."""
    if postgres_url is None:
        yield f"sqlite:///{tmp_path / 'ae.sqlite'}"
        return
    yield postgres_url
    _truncate_all(postgres_url)


def _claim_redis_db() -> tuple[Any, str]:
    """Take a Redis DB number (1-15) no other test process holds; return its client and URL."""
    from redis import Redis

    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    for number in range(1, 16):
        url = f"redis://127.0.0.1:6379/{number}"
        client = Redis.from_url(url)
        if client.set("ae-test:owner", owner, nx=True, ex=3600):
            for key in client.scan_iter(count=1000):
                if key != b"ae-test:owner":
                    client.delete(key)
            return client, url
        client.close()
    raise RuntimeError("every Redis DB 1-15 on 127.0.0.1:6379 is held by another test process")


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A Redis DB of its own on the local server (claimed, emptied after), else an embedded server."""
    if os.environ.get("AE_TEST_REDIS_URL"):
        from redis import Redis

        url = os.environ["AE_TEST_REDIS_URL"]
        client = Redis.from_url(url)
        client.flushdb()
        yield url
        client.flushdb()
        client.close()
        return
    if _reachable(6379):
        client, url = _claim_redis_db()
        yield url
        client.flushdb()
        client.close()
        return
    instance = tmp_path / "redis"
    embedded_redis.ensure(instance)
    yield embedded_redis.url(instance)
    embedded_redis.stop(instance)


@pytest.fixture
def config(tmp_path: Path, database_url: str, redis_url: str) -> dict[str, Any]:
    """The test configuration: every path under tmp_path, real database and Redis."""
    return {
        "TESTING": True, "INSTANCE_PATH": str(tmp_path / "instance"), "DATABASE_URL": database_url,
        "REDIS_URL": redis_url, "DATA_DIR": str(tmp_path / "data"),
        "CONFERENCES_DIR": str(ROOT / "conferences"), "SANDBOX": "auto",
        "SOURCE_ALLOW_LOCAL": True,  # tests submit local repositories, on PostgreSQL too
    }


@pytest.fixture
def app(config: dict[str, Any]) -> Iterator[Any]:
    """A migrated app."""
    from ae.app import create_app
    from ae.storage import migrate
    from ae.storage.db import get_engine

    application = create_app(config)
    migrate.upgrade(get_engine(application))
    with application.app_context():
        yield application
    get_engine(application).dispose()


@pytest.fixture
def client(app: Any) -> Any:
    """A Flask test client."""
    return app.test_client()


@pytest.fixture
def runner(app: Any) -> Any:
    """Invoke `ae` commands against the test app: runner.invoke([...])."""
    from ae.cli import cli

    class Runner:
        def invoke(self, args: list[str], **kwargs: Any) -> Any:
            return app.test_cli_runner().invoke(cli, args, **kwargs)

    return Runner()


def worker_env(config: dict[str, Any]) -> dict[str, str]:
    """Return the environment that points an `ae` subprocess at the test's database and Redis."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AE_")}
    env.update({
        "AE_INSTANCE_PATH": config["INSTANCE_PATH"], "AE_DATABASE_URL": config["DATABASE_URL"],
        "AE_REDIS_URL": config["REDIS_URL"], "AE_DATA_DIR": config["DATA_DIR"],
        "AE_CONFERENCES_DIR": config["CONFERENCES_DIR"], "AE_SANDBOX": config["SANDBOX"],
        "AE_SECRET_KEY": "test-secret-not-for-production",
    })
    env.update({f"AE_{key}": json.dumps(value) for key, value in config.items()
                if key.startswith(("SOURCE_", "CLONE_", "SNAPSHOT_"))})
    return env


def run_ae(config: dict[str, Any], *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the real `ae` command in a subprocess against the test configuration."""
    return subprocess.run([sys.executable, "-c", "from ae.cli import cli; cli()", *args],
                          env=worker_env(config), capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def ae_env(config: dict[str, Any]) -> dict[str, str]:
    """The environment of an `ae` subprocess pointed at the test's database and Redis."""
    return worker_env(config)


@pytest.fixture
def ae_server(app: Any, ae_env: dict[str, str]) -> Iterator[str]:
    """A real `ae serve` (on the migrated test database) on a free loopback port; yields its URL."""
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-c", "from ae.cli import cli; cli()", "serve",
                                "--port", str(port)], env=ae_env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/health", timeout=2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "ae serve did not answer within 30 s"
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()  # gunicorn's graceful stop: a loaded machine may need more than seconds
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless chromium for the session, driven by Playwright (CI installs Debian's chromium)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests: install Debian's chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield launched
        launched.close()


@pytest.fixture
def ae_process(config: dict[str, Any]) -> Any:
    """Run the real `ae` command in a subprocess: ae_process("status", config=None)."""
    def run(*args: str, config: dict[str, Any] = config, timeout: float = 300) -> Any:
        return run_ae(config, *args, timeout=timeout)

    return run


@pytest.fixture
def burst_worker(config: dict[str, Any]) -> Any:
    """Run a real `ae worker --burst` subprocess until the queues are empty."""
    def run(*pools: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        args = ["worker", "--burst"] + [a for p in pools for a in ("--pool", p)]
        result = run_ae(config, *args, timeout=timeout)
        assert result.returncode == 0, result.stderr[-3000:]
        return result

    return run


def wait_for(predicate: Callable[[], Any], timeout: float = 240, what: str = "condition") -> Any:
    """Poll until predicate() is truthy and return its value; fail after a generous `timeout`."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def make_git_repo(src: Path, dest: Path, message: str = "initial") -> str:
    """Copy a directory into a new git repository with one commit; return the commit SHA."""
    from ae.intake.git import init_repository

    shutil.copytree(src, dest)
    return init_repository(dest, message=message)


@pytest.fixture
def example_repo(tmp_path: Path) -> Any:
    """Make a git repository of a sample artifact from examples/: example_repo("pi-python")."""
    def make(name: str) -> Path:
        dest = tmp_path / "repos" / name
        make_git_repo(EXAMPLES / name, dest)
        return dest

    return make



PASSWORD = "correct horse battery staple"


@functools.cache
def password_hash(password: str = PASSWORD) -> str:
    """Return the real argon2 hash of a test password, computed once per process (argon2 is slow on
    purpose: about 0.25 s a hash on a loaded 2-core machine, and a test may create a dozen accounts)."""
    from ae.accounts import passwords

    return passwords.hash_password(password)


class People:
    """Accounts for the tests: each with an API token of every scope and a known password."""

    def __init__(self, app: Any) -> None:
        from ae.accounts import tokens, users
        from ae.storage.db import session_scope
        from ae.storage.states import Role

        self.app, self.ids, self.tokens, self.emails = app, {}, {}, {}
        cast = {
            "admin": [], "chair": [("ppopp-2019", Role.CHAIR)], "author": [("ppopp-2019", Role.AUTHOR)],
            "other_author": [("ppopp-2019", Role.AUTHOR)], "evaluator": [("ppopp-2019", Role.EVALUATOR)],
            "other_evaluator": [("ppopp-2019", Role.EVALUATOR)],
            "organizer": [("ppopp-2019", Role.ORGANIZER)], "outsider": [],
        }
        with app.app_context(), session_scope() as session:
            for name, roles in cast.items():
                user = users.create_user(session=session, email=f"{name}@ae.test", name=name.title(),
                                         is_admin=name == "admin")
                user.password_hash = password_hash()
                session.flush()
                for conference, role in roles:
                    users.grant(session=session, user=user, conference=conference, role=role)
                _, token = tokens.create(session=session, user=user, name="tests",
                                         scopes=["read", "submit", "review"])
                self.ids[name], self.tokens[name], self.emails[name] = user.id, token, user.email

    def headers(self, name: str) -> dict[str, str]:
        """Return the Authorization header of `name`'s API token."""
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def sign_in(self, client: Any, name: str, password: str = PASSWORD) -> Any:
        """Sign a test client in as `name` through the real form (CSRF token included)."""
        import re

        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token, "the sign-in form carries a CSRF token"
        return client.post("/login", data={"email": self.emails[name], "password": password,
                                           "csrf_token": token.group(1)})

    def assign(self, artifact_id: str, name: str) -> None:
        """Assign `name` (an evaluator) to an artifact."""
        from ae.storage.db import session_scope
        from ae.storage.models import Assignment

        with self.app.app_context(), session_scope() as session:
            session.add(Assignment(artifact_id=artifact_id, user_id=self.ids[name]))

    def own(self, artifact_id: str, name: str) -> None:
        """Make `name` the owner of an artifact (as if they had submitted it through the web)."""
        from ae.storage.db import session_scope
        from ae.storage.models import Artifact

        with self.app.app_context(), session_scope() as session:
            artifact = session.get(Artifact, artifact_id)
            assert artifact is not None
            artifact.owner_id = self.ids[name]


@pytest.fixture
def people(app: Any) -> People:
    """Accounts of every role in ppopp-2019 (and none), with tokens; see People."""
    return People(app)
