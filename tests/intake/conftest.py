"""Intake fixtures: a private git configuration, real git daemons, HTTP servers and silent hosts."""

from __future__ import annotations

import ipaddress
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Answer the policy's name lookups from a table (git itself still sees the real resolver)."""
    from ae.intake import policy

    table: dict[str, list[str]] = {}
    real = policy.socket.getaddrinfo

    def lookup(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host in table:
            return [(None, None, None, "", (a, port)) for a in table[host]]
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise socket.gaierror(-2, "Name or service not known") from None
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(policy.socket, "getaddrinfo", lookup)
    return table


@pytest.fixture(autouse=True)
def gitconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty global git configuration of the test's own (the operator's insteadOf rules go here)."""
    path = tmp_path / "gitconfig"
    path.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return path


def _git(*args: str, cwd: Path | None = None, stdin: bytes | None = None) -> str:
    """Run git and return its stdout (the test fails on an error)."""
    result = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=True,
                            env={"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@ae.invalid",
                                 "GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@ae.invalid",
                                 "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
                                 "PATH": "/usr/local/bin:/usr/bin:/bin"})
    return result.stdout.decode(errors="surrogateescape").strip()


def _make_repo(path: Path, files: dict[str, bytes | str]) -> str:
    """Make a git repository holding `files` in one commit; return the commit SHA."""
    path.mkdir(parents=True, exist_ok=True)
    _git("init", "-q", "-b", "main", str(path))
    for name, content in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        (path / name).write_bytes(data)
    _git("add", "-A", cwd=path)
    _git("commit", "-qm", "c1", cwd=path)
    return _git("rev-parse", "HEAD", cwd=path)


def _free_port() -> int:
    """Return a loopback TCP port nothing listens on (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, f"server on port {port} exited: {process.returncode}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert time.monotonic() < deadline, f"nothing listens on port {port} after 60 s"
            time.sleep(0.1)


@pytest.fixture
def git() -> Callable[..., str]:
    """git(*args, cwd=None, stdin=None): run git with a neutral identity and config; its stdout."""
    return _git


@pytest.fixture
def make_repo() -> Callable[[Path, dict[str, bytes | str]], str]:
    """make_repo(path, {name: content}): a git repository with one commit; returns the commit SHA."""
    return _make_repo


@pytest.fixture
def free_port() -> Callable[[], int]:
    """free_port(): a loopback TCP port nothing listens on (now)."""
    return _free_port


@pytest.fixture
def served(tmp_path: Path) -> Callable[[str, Path], Path]:
    """Publish a repository as a bare one under the served directory: served("x.git", src)."""
    base = tmp_path / "served"
    base.mkdir()

    def publish(name: str, src: Path) -> Path:
        bare = base / name
        _git("clone", "-q", "--bare", str(src), str(bare))
        _git("update-server-info", cwd=bare)  # for the dumb HTTP server
        return bare

    return publish


@pytest.fixture
def git_daemon(tmp_path: Path, served: Callable[[str, Path], Path]) -> Iterator[str]:
    """A real `git daemon` on a free loopback port serving tmp_path/served; yields git://127.0.0.1:port/."""
    base, port = tmp_path / "served", _free_port()
    # `git daemon` runs git-daemon as a child: a session of its own lets the whole group be killed
    process = subprocess.Popen(["git", "daemon", "--export-all", "--reuseaddr", f"--base-path={base}",
                                "--listen=127.0.0.1", f"--port={port}", str(base)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait_for(port, process)
        yield f"git://127.0.0.1:{port}/"
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


@pytest.fixture
def http_server(tmp_path: Path, served: Callable[[str, Path], Path]) -> Iterator[str]:
    """A real HTTP server (python -m http.server: git's dumb protocol) on tmp_path/served."""
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port),
                                "--directory", str(tmp_path / "served")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(port, process)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.kill()
        process.wait(timeout=30)


@pytest.fixture
def listener() -> Iterator[Callable[[bytes | None], int]]:
    """Open loopback ports that accept and then stay silent (None) or answer bytes that are not git."""
    sockets: list[socket.socket] = []
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve(server: socket.socket, reply: bytes | None) -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            if reply is None:
                held.append(conn)  # accepted, never answered, kept open
            else:
                with conn:
                    conn.sendall(reply)

    def open_port(reply: bytes | None) -> int:
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        sockets.append(server)
        threading.Thread(target=serve, args=(server, reply), daemon=True).start()
        return int(server.getsockname()[1])

    yield open_port
    stop.set()
    for server in sockets:
        try:
            server.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        except OSError:
            pass
        server.close()
    for conn in held:
        conn.close()
