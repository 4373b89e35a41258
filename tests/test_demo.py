"""`ae demo` on the embedded defaults: SQLite file, private redis-server, real worker, real reports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.slow
def test_demo_on_embedded_defaults(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AE_")}
    env["AE_INSTANCE_PATH"] = str(tmp_path / "instance")
    result = subprocess.run([sys.executable, "-c", "from ae.cli import cli; cli()", "demo"],
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "Demo summary" in out and "artifacts: 5" in out
    assert "request-results: left out" in out and "ml-inference: left out" in out
    assert "mirrored https://example.org/ae-examples/ae-example-crc32-datasets.git" in out
    assert "claim fast: not-reproduced" in out and "claim pi: reproduced" in out
    assert "claim output: reproduced" in out and "claim checksum: reproduced" in out
    assert "claim bytes: reproduced" in out and "claim crc: reproduced" in out
    # ppopp-2019 follows ACM's v1.0 policy: re-running the author's artifact earns Results Replicated
    assert "badge Results Replicated: recommended" in out
    assert "badge Results Reproduced: recommended" not in out
    reports = [Path(line.split("report: ", 1)[1]) for line in out.splitlines() if "report: " in line]
    assert len(reports) == 5 and all(p.read_bytes().startswith(b"%PDF") for p in reports)
    instance = tmp_path / "instance"
    assert (instance / "ae.sqlite").is_file()
    assert not (instance / "redis.sock").exists(), "the demo stops the redis-server it started"
    assert not (instance / "redis.pid").exists()
