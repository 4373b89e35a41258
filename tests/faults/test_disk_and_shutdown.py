"""A full disk while a run writes its log, and workers stopped with SIGTERM: the job finishes
within the grace, or is handed back without counting the attempt."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ae.storage.models import ArtifactVersion, Run
from ae.submission import submit
from tests.conftest import wait_for
from tests.faults.conftest import check_nothing_lost, rows, sleepy_repo


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 600 MiB tmpfs (CI runs as root; elsewhere the test is skipped with the reason): above the
    sandbox's 512 MiB reserve, so that only the test's filler makes it run low."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture
def config(config: dict[str, Any], request: pytest.FixtureRequest) -> dict[str, Any]:
    """The data dir on the small disk for the disk-full test."""
    if "small_disk" in request.fixturenames:
        return {**config, "DATA_DIR": str(request.getfixturevalue("small_disk") / "data")}
    return config


@pytest.mark.slow
def test_disk_full_while_writing_a_log_is_retried(app, chaos, tmp_path, small_disk) -> None:  # type: ignore[no-untyped-def]
    ids = submit(conference="fleet-2026", title="disk",
                 source=str(sleepy_repo(tmp_path, fill_mb=4, fill_wait_s=300)))
    worker = chaos.start_cpu("worker")
    wait_for(lambda: chaos.marker_process(worker, "ae-fault-run-marker"), what="the program to run")
    filler = small_disk / "filler"
    with open(filler, "wb") as handle:  # fill the disk in one call: the program's log write fails
        free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
        os.posix_fallocate(handle.fileno(), 0, max(0, free - (64 << 10)))
    chaos.fault("disk full while a run writes its log")
    run = wait_for(lambda: (r := rows(Run)[0]) and r.attempt == 1 and r.status != "running" and r,
                   what="the first attempt to end")
    assert run.status == "queued" and "disk is full" in run.message, (run.status, run.message)
    filler.unlink()
    wait_for(lambda: rows(Run)[0].attempt == 2 and chaos.marker_process(worker, "ae-fault-run-marker"),
             what="the second attempt to run")
    (small_disk / "data" / "runs" / run.id / "go").touch()
    wait_for(lambda: rows(ArtifactVersion)[0].status == "done", what="the retry on a disk with room")
    run = rows(Run)[0]
    assert (run.status, run.attempt) == ("succeeded", 2), run.message
    check_nothing_lost([ids.artifact_id])


@pytest.mark.slow
def test_sigterm_lets_the_job_finish(app, chaos, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ids = submit(conference="fleet-2026", title="finish", source=str(sleepy_repo(tmp_path, sleep_s=3)))
    worker = chaos.start_cpu("worker")
    wait_for(lambda: chaos.marker_process(worker, "ae-fault-run-marker"), what="the program to run")
    chaos.term(worker)
    chaos.fault("SIGTERM during a run (within the grace)")
    out, _ = worker.communicate(timeout=300)
    assert worker.returncode == 0, out[-2000:]
    run = rows(Run)[0]
    assert (run.status, run.attempt) == ("succeeded", 1), run.message
    check_nothing_lost([ids.artifact_id])


@pytest.mark.slow
def test_sigterm_past_the_grace_hands_the_job_back(app, chaos, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ids = submit(conference="fleet-2026", title="hand back", source=str(sleepy_repo(tmp_path, sleep_s=60)))
    worker = chaos.start_cpu("worker", SHUTDOWN_GRACE=1)
    wait_for(lambda: chaos.marker_process(worker, "ae-fault-run-marker"), what="the program to run")
    chaos.term(worker)
    chaos.fault("SIGTERM during a run (past the grace)")
    out, _ = worker.communicate(timeout=300)
    assert worker.returncode == 0, out[-2000:]
    run = rows(Run)[0]
    assert (run.status, run.attempt) == ("queued", 0), run.message
    assert "stopped (SIGTERM)" in run.message
    from ae.workers import queue

    assert queue.pending_jobs([run.id]) == {run.id}, "handed back to the queue"
    assert rows(ArtifactVersion)[0].status == "running" and ids.artifact_id
