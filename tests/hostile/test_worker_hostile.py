"""Hostile artifacts through the real worker path: submitted, run by `ae worker --burst`, contained.

Each hostile program replaces the sample's `pi.py`; a benign artifact queued after them must still
be served, which a hostile run that reached Redis (FLUSHALL) or hung the worker would prevent.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from ae.intake.git import init_repository
from ae.status import all_status
from ae.storage.db import session_scope
from ae.submission import submit

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "pi-python"
# Each case must end by the one limit it tests, on a machine at load 8 as on a quiet one: the
# wall clock is generous except in WALL_CONFERENCE, whose CPU limit can never be reached in 3 s.
CONFERENCE = "hostile-2026"
LIMITS = {"wall_s": 120, "cpu_s": 3, "processes": 48, "memory_bytes": 512 << 20,
          "output_bytes": 1 << 20, "file_size_bytes": 16 << 20}
WALL_CONFERENCE = "hostile-wall-2026"
WALL_LIMITS = {**LIMITS, "wall_s": 3, "cpu_s": 100_000}

FORK_BOMB = """import os
while True:
    try:
        os.fork()
    except OSError:
        pass
"""
DAEMON = """import os, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        time.sleep(120)
    os._exit(0)
print("daemon left behind")
"""
HUGE_STDOUT = """import sys
while True:
    sys.stdout.write("x" * 65536)
"""
REDIS_FLUSH = """import socket, sys
reached = []
for family, address in {targets!r}:
    try:
        with socket.socket(family) as conn:
            conn.settimeout(2)
            conn.connect(address)
            conn.sendall(b"FLUSHALL\\r\\n")
            reached.append(address)
    except OSError as exc:
        print(address, exc, file=sys.stderr)
print("reached", reached)
sys.exit(0 if reached else 1)
"""


@pytest.fixture
def config(config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """The test configuration with conferences of small limits and one repetition per run."""
    folder = tmp_path / "conferences"
    folder.mkdir()
    for slug, limits in ((CONFERENCE, LIMITS), (WALL_CONFERENCE, WALL_LIMITS)):
        text = (ROOT / "conferences" / "ppopp-2019.toml").read_text()
        text = text.replace('slug = "ppopp-2019"', f'slug = "{slug}"')
        text = re.sub(r"(?m)^(max_)?repetitions = \d+",
                      lambda m: f"{m.group(0).split('=')[0]}= 1", text)
        for key, value in limits.items():
            text, found = re.subn(rf"(?m)^{key} = \d+", f"{key} = {value}", text)
            assert found == 1, key
        (folder / f"{slug}.toml").write_text(text)
    return {**config, "CONFERENCES_DIR": str(folder)}


def _artifact(tmp_path: Path, name: str, program: str | None) -> str:
    """Make a git repository of the sample artifact, its program replaced by `program`."""
    dest = tmp_path / "repos" / name
    shutil.copytree(SAMPLE, dest)
    if program is not None:
        (dest / "program" / "pi-python" / "pi.py").write_text(program)
    init_repository(dest, message=name)
    return str(dest)


def _redis_targets(redis_url: str) -> list[tuple[int, Any]]:
    """Return where the worker's Redis listens, as (family, address) pairs for the artifact."""
    parsed = urlparse(redis_url)
    tcp = (int(socket.AF_INET), (parsed.hostname or "127.0.0.1", parsed.port or 6379))
    if parsed.scheme == "unix":
        return [(int(socket.AF_UNIX), parsed.path), (int(socket.AF_INET), ("127.0.0.1", 6379))]
    return [tcp]


def _leftovers(root: Path) -> list[str]:
    """Return live processes working under `root`, the data dir holding the runs' work dirs.

    Not the test's whole tmp dir: an embedded Redis server of the test runs there.
    """
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            cwd = os.readlink(f"/proc/{name}/cwd")
            with open(f"/proc/{name}/cmdline", "rb") as fh:
                cmdline = fh.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if cwd.startswith(str(root)) or (str(root) in cmdline and "pi.py" in cmdline):
            found.append(f"{name}: {cmdline}")
    return found


@pytest.mark.slow
def test_worker_contains_hostile_artifacts_and_serves_the_next_job(
    app, config, tmp_path, burst_worker
) -> None:  # type: ignore[no-untyped-def]
    programs = {
        "fork-bomb": FORK_BOMB,
        "daemon": DAEMON,
        "huge-stdout": HUGE_STDOUT,
        "redis-flush": REDIS_FLUSH.format(targets=_redis_targets(config["REDIS_URL"])),
        "benign": None,
    }
    ids = {name: submit(conference=WALL_CONFERENCE if name == "fork-bomb" else CONFERENCE,
                        title=name, source=_artifact(tmp_path, name, program)).artifact_id
           for name, program in programs.items()}
    burst_worker(timeout=300)
    with app.app_context(), session_scope() as session:
        status = {item["id"]: item for item in all_status(session=session)}
    runs = {name: status[ids[name]]["runs"] for name in programs}
    assert all(len(r) == 1 for r in runs.values()), status
    run = {name: r[0] for name, r in runs.items()}

    assert run["benign"]["status"] == "succeeded", run["benign"]
    assert status[ids["benign"]]["status"] == "done"

    bomb = run["fork-bomb"]  # held to 48 processes, it spins until the wall clock ends it
    assert (bomb["status"], bomb["failure_kind"]) == ("failed", "timeout"), bomb
    assert "killed after the 3 s wall-clock limit" in bomb["message"], bomb["message"]

    assert run["huge-stdout"]["status"] == "failed"
    assert run["huge-stdout"]["failure_kind"] == "output-limit"
    assert f"more than {LIMITS['output_bytes']} bytes" in run["huge-stdout"]["message"]

    assert run["redis-flush"]["status"] == "failed", run["redis-flush"]
    assert run["redis-flush"]["failure_kind"] == "sandbox-violation"
    assert "the sandbox denied an operation ('connection refused'" in run["redis-flush"]["message"]

    assert not _leftovers(Path(config["DATA_DIR"])), "artifact processes survived the runs"


ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def _hostile(name: str, *args: str) -> str:
    """Return a hostile artifact's source with its command-line arguments built in."""
    return f"import sys\nsys.argv[1:] = {list(args)!r}\n" + (ARTIFACTS / name).read_text()


@pytest.mark.slow
def test_worker_classifies_each_hostile_artifact(app, config, tmp_path, burst_worker, request) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import select

    from ae.storage.models import Artifact, ArtifactVersion, Run

    listener = socket.socket()
    request.addfinalizer(listener.close)
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.5)
    loopback = f"127.0.0.1:{listener.getsockname()[1]}"
    outside = tmp_path / "escaped.txt"
    instance = Path(config["INSTANCE_PATH"])
    instance.mkdir(parents=True, exist_ok=True)
    (instance / "secret-config.py").write_text("SECRET_KEY = 'do-not-leak'\n")
    other_run = Path(config["DATA_DIR"]) / "runs" / "another-artifact"
    other_run.mkdir(parents=True)
    (other_run / "result.txt").write_text("another artifact's result\n")
    cases = {
        "busy-loop": (_hostile("busy_loop.py"), {"cpu"}),
        "memory-hog": (_hostile("memory_hog.py"), {"memory"}),
        "disk-filler": (_hostile("disk_filler.py", "filler.bin"), {"output-limit"}),
        "connect": (_hostile("connect.py", "127.0.0.1:5432", "127.0.0.1:6379", loopback),
                    {"run-error", "sandbox-violation"}),
        "read-secrets": (_hostile("read_paths.py", str(instance / "secret-config.py"),
                                  str(other_run / "result.txt")), {"run-error", "sandbox-violation"}),
        "write-outside": (_hostile("write_paths.py", str(outside), "/etc/passwd"),
                          {"run-error", "sandbox-violation"}),
        "setuid": (_hostile("setuid.py"), {"run-error", "sandbox-violation"}),
    }
    ids = {name: submit(conference=CONFERENCE, title=name,
                        source=_artifact(tmp_path, name, program)).artifact_id
           for name, (program, _) in cases.items()}
    link_repo = tmp_path / "repos" / "symlink-out"
    shutil.copytree(SAMPLE, link_repo)
    (link_repo / "program" / "pi-python" / "shadow").symlink_to("/etc/shadow")
    init_repository(link_repo, message="a link out of the artifact")
    symlink_id = submit(conference=CONFERENCE, title="symlink-out", source=str(link_repo)).artifact_id
    burst_worker(timeout=300)

    with app.app_context(), session_scope() as session:
        runs = {session.exec(select(Artifact.title).where(Artifact.id == session.get(
                    ArtifactVersion, r.version_id).artifact_id)).one(): r
                for r in session.exec(select(Run))}
        link_version = session.exec(select(ArtifactVersion).where(
            ArtifactVersion.artifact_id == symlink_id)).one()
    assert set(runs) == set(ids), "every hostile artifact got exactly its run"
    for name, (_, kinds) in cases.items():
        run = runs[name]
        assert run.status == "failed" and run.failure_kind in kinds, (name, run.failure_kind, run.message)
    record = {name: run.record for name, run in runs.items()}
    assert "do-not-leak" not in record["read-secrets"]["stdout_tail"]
    assert "another artifact's result" not in record["read-secrets"]["stdout_tail"]
    assert "became root" not in record["setuid"]["stdout_tail"]
    assert not outside.exists() and "written by a hostile" not in Path("/etc/passwd").read_text()
    assert "connected" not in record["connect"]["stdout_tail"]
    with pytest.raises(TimeoutError):
        listener.accept()
    assert link_version.status == "failed"
    assert "symbolic link 'program/pi-python/shadow' points outside the tree" in link_version.error
    assert not _leftovers(Path(config["DATA_DIR"])), "artifact processes survived the runs"
