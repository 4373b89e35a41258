"""`ae serve` as a real process: gunicorn by default, Werkzeug with --dev, and the embedded
redis-server it started stopped with it (on SIGTERM, SIGINT or any other exit), one it did not
start left alone."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from redis import Redis

from ae.workers import embedded_redis

ROOT = Path(__file__).resolve().parents[2]
START_S = 90  # the 2-core CI machine under load imports the app in 15 s and more


@dataclass
class Served:
    """A running `ae serve`: its process, URL and instance, and what it wrote to stderr."""

    process: subprocess.Popen[bytes]
    url: str
    instance: Path
    stderr: Path

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        """GET a path; return status, headers and body."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        """Send `sig` and return the exit status."""
        self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)

    def log(self) -> str:
        """Return what the server wrote to stderr."""
        return self.stderr.read_text(errors="replace")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _embedded_env(instance: Path) -> dict[str, str]:
    """The embedded default in a private instance: SQLite file, no AE_REDIS_URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AE_")}
    env.update(AE_INSTANCE_PATH=str(instance), AE_CONFERENCES_DIR=str(ROOT / "conferences"))
    return env


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[object]:
    """Start `ae serve ARGS` on the embedded default; wait until it answers."""
    started: list[Served] = []

    def start(*args: str, port: int | None = None, wait: bool = True) -> Served:
        port = port or _free_port()
        instance = tmp_path / "instance"
        stderr = tmp_path / f"serve-{len(started)}.err"
        with open(stderr, "wb") as err:
            process = subprocess.Popen(
                [sys.executable, "-c", "from ae.cli import cli; cli()", "serve", "--port", str(port), *args],
                env=_embedded_env(instance), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=err)
        served = Served(process, f"http://127.0.0.1:{port}", instance, stderr)
        started.append(served)
        deadline = time.monotonic() + START_S
        while wait:
            try:
                served.get("/api/health")
                break
            except OSError:
                assert process.poll() is None, f"ae serve exited: {served.log()[-3000:]}"
                assert time.monotonic() < deadline, f"ae serve did not answer: {served.log()[-3000:]}"
                time.sleep(0.2)
        return served

    yield start
    for served in started:
        if served.process.poll() is None:
            served.process.kill()
            served.process.wait()
    embedded_redis.stop(tmp_path / "instance")


def _gone(pid: int, timeout: float = 15) -> bool:
    """Wait until a process has ended (a zombie nobody reaps counts as ended); tell whether it has."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return True
        if state in ("Z", "X"):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)


def _failed_sign_in(url: str) -> int:
    """Sign in with a wrong password through the form (CSRF token and cookie included)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    page = opener.open(f"{url}/login", timeout=30).read().decode()
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    form = urllib.parse.urlencode({"email": "nobody@ae.test", "password": "wrong",
                                   "csrf_token": match.group(1)}).encode()
    try:
        opener.open(f"{url}/login", data=form, timeout=30)
    except urllib.error.HTTPError as exc:
        return exc.code
    return 200


def _redis_pid(instance: Path) -> int:
    return int((instance / "redis.pid").read_text())


@pytest.mark.slow
def test_gunicorn_serves_concurrently_and_sigterm_stops_the_redis_it_started(serve) -> None:  # type: ignore[no-untyped-def]
    served = serve("--workers", "2", "--threads", "2")
    assert embedded_redis.is_alive(served.instance), "ae serve starts the embedded redis-server"
    redis_pid = _redis_pid(served.instance)

    status, headers, _ = served.get("/api/health")
    assert status == 200 and headers["Server"].startswith("gunicorn")
    paths = ["/", "/login", "/api/health", "/api/artifacts", "/reset"] * 8
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(served.get, paths))
    assert [a[0] for a in answers] == [401 if p == "/api/artifacts" else 200 for p in paths]
    assert all(a[1]["Server"].startswith("gunicorn") for a in answers)
    assert _failed_sign_in(served.url) == 401
    with Redis(unix_socket_path=str(embedded_redis.socket_path(served.instance))) as redis:
        assert any(b"login" in key for key in redis.keys()), "rate limits are counted in the shared Redis"

    assert served.stop(signal.SIGTERM) == 0
    log = served.log()
    assert "Booting worker" in log and '"GET /login HTTP/1.1" 200' in log, "the access log is on stderr"
    assert _gone(redis_pid), "the redis-server ae serve started ends with it"
    assert not embedded_redis.is_alive(served.instance)


@pytest.mark.slow
def test_sigint_leaves_a_redis_it_did_not_start_alone(serve, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    instance = tmp_path / "instance"
    assert embedded_redis.ensure(instance)  # someone else (an `ae worker`) started it
    served = serve("--workers", "1")
    assert served.stop(signal.SIGINT) == 0
    assert embedded_redis.is_alive(instance), "a redis-server ae serve did not start is left running"


@pytest.mark.slow
def test_a_server_that_cannot_start_still_stops_its_redis(serve) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        served = serve("--workers", "1", port=taken.getsockname()[1], wait=False)
        assert served.process.wait(timeout=START_S) != 0
    assert "Connection in use" in served.log() or "Address already in use" in served.log()
    assert not embedded_redis.is_alive(served.instance)
    assert not (served.instance / "redis.pid").exists()


@pytest.mark.slow
def test_dev_uses_werkzeug_and_stops_its_redis(serve) -> None:  # type: ignore[no-untyped-def]
    served = serve("--dev")
    redis_pid = _redis_pid(served.instance)
    status, headers, body = served.get("/")
    assert status == 200 and headers["Server"].startswith("Werkzeug") and b"Artifacts" in body
    assert served.stop(signal.SIGTERM) == 0
    assert _gone(redis_pid) and not embedded_redis.is_alive(served.instance)


def test_access_log_hides_one_time_tokens() -> None:
    from ae.web.serving import redact

    line = ('"GET /invite/inv_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_ HTTP/1.1" 200 '
            '"/reset/rst_0123456789abcdefXYZ"')
    assert redact(line) == '"GET /invite/inv_… HTTP/1.1" 200 "/reset/rst_…"'
    assert redact("Bearer ae_0123456789abcdef0123") == "Bearer ae_…"
    assert redact("/artifacts/ae_short") == "/artifacts/ae_short"
