"""A fleet of real `ae worker` processes with declared hardware profiles (AE_WORKER_PROFILE),
one conference with three pools, fast heartbeats, and helpers to watch and kill workers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import wait_for as shared_wait_for

ROOT = Path(__file__).resolve().parents[2]
GIB = 2**30

FLEET_POOLS = """
[[pool]]
name = "default"

[[pool]]
name = "avx512"
arch = "x86_64"
cpu_flags = ["avx512f"]

[[pool]]
name = "gpu"
gpu_vendor = "nvidia"
min_gpu_memory_bytes = 17179869184
min_compute_capability = "7.0"
"""

#: Declared profiles: a plain CPU box, an AVX-512 box and a box with one NVIDIA A100.
PROFILES: dict[str, dict[str, Any]] = {
    "cpu": {"arch": "x86_64", "os": "linux", "cores": 2, "memory_bytes": 4 * GIB,
            "cpu_flags": ["sse2", "avx2"], "cpu_model": "Test CPU"},
    "avx512": {"arch": "x86_64", "os": "linux", "cores": 8, "memory_bytes": 32 * GIB,
               "cpu_flags": ["sse2", "avx2", "avx512f"], "cpu_model": "Test Xeon"},
    "gpu": {"arch": "x86_64", "os": "linux", "cores": 16, "memory_bytes": 128 * GIB,
            "cpu_flags": ["sse2", "avx2"], "cpu_model": "Test EPYC",
            "gpus": [{"name": "NVIDIA A100-SXM4-40GB", "memory_bytes": 40 * GIB,
                      "compute_capability": "8.0"}]},
}


def fleet_conference(directory: Path, *, repetitions: int = 1) -> Path:
    """Write conference `fleet-2026` (the PPoPP file with its own slug, pools and repetitions)."""
    text = (ROOT / "conferences" / "ppopp-2019.toml").read_text()
    text = text.replace('slug = "ppopp-2019"', 'slug = "fleet-2026"')
    text = text.replace("repetitions = 3 ", f"repetitions = {repetitions} ")
    text = text.replace("max_repetitions = 15", f"max_repetitions = {repetitions}")
    text = text.replace('[[pool]]\nname = "default"\n', FLEET_POOLS)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "fleet-2026.toml").write_text(text)
    return directory


@pytest.fixture
def config(config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """The shared test configuration plus the fleet conference and one-second heartbeats."""
    return {**config, "CONFERENCES_DIR": str(fleet_conference(tmp_path / "conferences")),
            "CONFERENCE": "fleet-2026", "HEARTBEAT_INTERVAL": 1, "HEARTBEAT_TTL": 3,
            "MAX_ATTEMPTS": 2}


def ae_env(config: dict[str, Any], **extra: Any) -> dict[str, str]:
    """Return an environment that points an `ae` subprocess at the test configuration."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AE_")}
    for key, value in {**config, **extra}.items():
        if key != "TESTING" and value is not None:
            env[f"AE_{key}"] = str(value)
    env.setdefault("AE_SECRET_KEY", "test-secret-not-for-production")
    return env


def descendants(pid: int) -> list[int]:
    """Return every process below `pid` (the forked work horse and its sandbox), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class Fleet:
    """Real `ae worker` processes of one test, each with its declared profile."""

    def __init__(self, config: dict[str, Any], profile_dir: Path) -> None:
        self.config, self.profile_dir = config, profile_dir
        self.processes: list[subprocess.Popen[str]] = []

    def profile(self, kind: str) -> Path:
        """Write and return the profile file of a kind in PROFILES."""
        path = self.profile_dir / f"{kind}.json"
        path.write_text(json.dumps(PROFILES[kind]))
        return path

    def env(self, kind: str, **extra: Any) -> dict[str, str]:
        """Return the environment of a worker with profile `kind`."""
        return ae_env(self.config, WORKER_PROFILE=self.profile(kind), **extra)

    def start(self, kind: str, name: str, *args: str, **extra: Any) -> subprocess.Popen[str]:
        """Start `ae worker --name NAME` in the background with profile `kind`."""
        process = subprocess.Popen(
            [sys.executable, "-c", "from ae.cli import cli; cli()", "worker", "--name", name, *args],
            env=self.env(kind, **extra), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            stdin=subprocess.DEVNULL)
        self.processes.append(process)
        return process

    def burst(self, kind: str, name: str, *args: str, **extra: Any) -> str:
        """Run `ae worker --burst` with profile `kind` to the end; return its output."""
        process = self.start(kind, name, "--burst", *args, **extra)
        out, _ = process.communicate(timeout=300)
        assert process.returncode == 0, out[-3000:]
        return out

    def ae(self, *args: str, **extra: Any) -> subprocess.CompletedProcess[str]:
        """Run another `ae` command against the test configuration."""
        return subprocess.run([sys.executable, "-c", "from ae.cli import cli; cli()", *args],
                              env=ae_env(self.config, **extra), capture_output=True, text=True,
                              timeout=120)

    def kill(self, process: subprocess.Popen[str]) -> None:
        """SIGKILL a worker and everything below it, as a machine that dies would."""
        for pid in [process.pid, *descendants(process.pid)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.communicate(timeout=30)

    def stop(self, process: subprocess.Popen[str]) -> str:
        """Stop a worker gently (SIGTERM: warm shutdown) and return its output."""
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=60)
        return out


@pytest.fixture
def fleet(config: dict[str, Any], tmp_path: Path) -> Iterator[Fleet]:
    """Start workers with fleet.start/burst; every one still running is killed afterwards."""
    profile_dir = tmp_path / "profiles"
    profile_dir.mkdir()
    fleet = Fleet(config, profile_dir)
    yield fleet
    for process in fleet.processes:
        if process.poll() is None:
            fleet.kill(process)


@pytest.fixture
def wait_for() -> Callable[..., Any]:
    """Poll until predicate() is truthy: wait_for(predicate, timeout=240, what="...")."""
    return shared_wait_for
