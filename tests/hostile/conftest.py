"""Fixtures for running the hostile artifacts in tests/hostile/artifacts through the sandbox.

Every run carries a unique token in its environment; after each test no process carrying it may
remain on the machine (a daemon that escaped the sandbox's PID namespace would).
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from ae.evaluators import sandbox

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PYTHON = "/usr/bin/python3"


@dataclass
class Outcome:
    """A finished sandboxed run: the result and what it wrote."""

    result: sandbox.SandboxResult
    stdout: str
    stderr: str
    work_dir: Path


def survivors(token: str) -> list[int]:
    """Return the pids of live processes whose environment carries `token`."""
    needle = f"AE_HOSTILE_TOKEN={token}".encode()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as fh:
                environ = fh.read()
            with open(f"/proc/{name}/stat", "rb") as fh:
                state = fh.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in environ.split(b"\0") and state != b"Z":
            found.append(int(name))
    return found


@pytest.fixture(name="survivors")
def survivors_fixture() -> Callable[[str], list[int]]:
    """Return `survivors` for tests that watch a run from outside."""
    return survivors


@pytest.fixture
def token() -> Iterator[str]:
    """Yield the run token and check that no process of the run survives the test."""
    value = uuid.uuid4().hex
    yield value
    left = survivors(value)
    deadline = time.monotonic() + 2.0
    while left and time.monotonic() < deadline:  # the kernel may still be tearing down
        time.sleep(0.05)
        left = survivors(value)
    assert not left, f"processes of the artifact survived the run: {left}"


@pytest.fixture
def work_dir(tmp_path: Path) -> Path:
    """Return an empty work dir for one run."""
    path = tmp_path / "work"
    path.mkdir()
    return path


@pytest.fixture
def run_artifact(
    work_dir: Path, token: str, tmp_path: Path
) -> Callable[..., Outcome]:
    """Return a function that runs a command in the sandbox with the artifacts dir read-only."""
    if not os.access(PYTHON, os.X_OK):
        pytest.skip(f"{PYTHON} is needed inside the sandbox to run the hostile artifacts")

    def run_it(
        argv: list[str], *, limits: sandbox.Limits | None = None, mode: str = "auto",
        ro_binds: tuple[Path, ...] = (), network: bool = False, **limit_values: float,
    ) -> Outcome:
        chosen = replace(limits or sandbox.Limits(wall_s=20.0), **limit_values)
        out, err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
        result = sandbox.run(
            argv, work_dir=work_dir, ro_binds=(ARTIFACTS, *ro_binds),
            env={"PATH": "/usr/bin:/bin", "HOME": str(work_dir), "AE_HOSTILE_TOKEN": token},
            stdout_path=out, stderr_path=err, limits=chosen, network=network, mode=mode,
        )
        return Outcome(result, out.read_text(errors="replace"), err.read_text(errors="replace"),
                       work_dir)

    return run_it


@pytest.fixture
def cc() -> str:
    """Return the C compiler, or skip."""
    found = shutil.which("cc") or shutil.which("gcc")
    if found is None or not found.startswith("/usr/"):
        pytest.skip("no C compiler under /usr to build the hostile C artifacts")
    return found


def artifact(name: str) -> str:
    """Return the path of a hostile artifact (the same inside and outside the sandbox)."""
    return str(ARTIFACTS / name)
