"""The rules the fault tests rely on, checked directly: one transition table, one line per user
error, atomic writes, retry arithmetic."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ae.errors import AppendixError, IllegalTransition
from ae.files import atomic
from ae.storage.models import Run
from ae.storage.states import RunState, VersionState, check, sources
from ae.workers import faults
from ae.workers.faults import Policy


def test_a_finished_run_never_runs_again() -> None:
    with pytest.raises(IllegalTransition, match="from 'succeeded' to 'running'"):
        check("run", RunState.SUCCEEDED, RunState.RUNNING)
    run = Run(version_id="v", program="p", cmd_key="k")
    run.status = RunState.RUNNING
    run.status = RunState.SUCCEEDED
    with pytest.raises(IllegalTransition, match="'succeeded'.*'running'"):
        run.status = RunState.RUNNING
    assert run.status == RunState.SUCCEEDED


def test_transition_table_drives_the_conditional_updates() -> None:
    assert sources("run", RunState.RUNNING) == ["lost", "queued"]
    assert sources("version", VersionState.INTAKE) == ["submitted"]
    with pytest.raises(IllegalTransition, match="does not exist"):
        check("run", RunState.QUEUED, "exploded")
    with pytest.raises(IllegalTransition, match="from 'done' to 'running'"):
        check("version", VersionState.DONE, VersionState.RUNNING)


def test_a_user_error_is_one_line_and_final() -> None:
    exc = AppendixError("appendix.md line 3: the claims block is not TOML")
    assert faults.is_user_error(exc) and not faults.is_transient(exc)
    assert faults.describe(exc) == "appendix.md line 3: the claims block is not TOML"
    full = OSError(28, "No space left on device", "/data/runs/x/stdout.log")
    assert faults.is_transient(full) and faults.kind_of(full) == "disk-full"
    assert faults.describe(full) == "the worker's disk is full (No space left on device writing " \
                                    "/data/runs/x/stdout.log)"


def test_backoff_doubles_up_to_its_cap() -> None:
    policy = Policy(max_attempts=5, backoff_s=10, backoff_cap_s=60)
    assert [policy.wait_after(n) for n in (1, 2, 3, 4)] == [10, 20, 40, 60]


def test_atomic_write_leaves_old_or_new(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    atomic.write_text(target, "old")
    with pytest.raises(RuntimeError), atomic.replacing(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed")
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["report.md"]


def test_user_error_in_the_worker_log_is_one_line(app, tmp_path, burst_worker, caplog) -> None:  # type: ignore[no-untyped-def]
    from tests.faults.conftest import rows, sleepy_repo

    repo = sleepy_repo(tmp_path, sleep_s=0)
    (repo / "claims.toml").write_text("[[claim]\nbroken")
    from ae.intake.git import init_repository

    init_repository(repo, message="broken claims")
    from ae.storage.models import ArtifactVersion
    from ae.submission import submit

    submit(conference="fleet-2026", title="broken", source=str(repo))
    result = burst_worker()
    version = rows(ArtifactVersion)[0]
    assert version.status == "failed" and "claims.toml" in version.error
    log = result.stdout + result.stderr
    assert "Traceback" not in log, log[-3000:]
    assert sum("claims.toml" in line for line in log.splitlines()) == 1, log[-3000:]
    del caplog
