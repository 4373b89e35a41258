"""A worker that dies mid-run (SIGKILL of the worker and its work horse): its heartbeat expires,
the next worker marks it lost and runs the job again, up to AE_MAX_ATTEMPTS."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from ae.storage.db import session_scope
from ae.storage.models import Run, Worker
from ae.submission import submit
from ae.workers.heartbeat import list_workers

ROOT = Path(__file__).resolve().parents[2]
APPENDIX = "# Artifact Appendix\n\n## Evaluation and expected results\n\nThe program prints pi.\n"


def _slow_repo(tmp_path: Path) -> Path:
    """The pi example with a loop long enough (seconds) to kill its worker in the middle."""
    from ae.intake.git import init_repository

    dest = tmp_path / "slow-pi"
    shutil.copytree(ROOT / "examples" / "pi-python", dest)
    meta_path = dest / "program" / "pi-python" / ".cm" / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["run_vars"]["PI_TERMS"] = "12000000"
    meta_path.write_text(json.dumps(meta, indent=2))
    init_repository(dest, message="slow pi")
    return dest


def _run() -> Run | None:
    with session_scope() as session:
        return session.exec(select(Run)).first()


def _worker(name: str) -> Worker | None:
    with session_scope() as session:
        return session.get(Worker, name)


def _listed() -> list[dict[str, Any]]:
    with session_scope() as session:
        return list_workers(session=session)


def _start_and_kill(fleet: Any, wait_for: Any, name: str) -> None:
    process = fleet.start("cpu", name)
    wait_for(lambda: (r := _run()) and r.status == "running" and r.worker == name,
             what=f"the run to start on {name}")
    fleet.kill(process)


@pytest.mark.slow
def test_lost_worker_run_is_retried_on_another(app, tmp_path, fleet, wait_for) -> None:  # type: ignore[no-untyped-def]
    submit(conference="fleet-2026", title="slow", source=str(_slow_repo(tmp_path)),
           appendix_name="ARTIFACT-APPENDIX.md", appendix_text=APPENDIX)
    _start_and_kill(fleet, wait_for, "doomed")
    assert _run().status == "running", "nobody has noticed yet"
    wait_for(lambda: not _listed()[0]["alive"], timeout=10,
             what="the heartbeat of the killed worker to expire")
    [listed] = json.loads(fleet.ae("workers", "--json").stdout)
    assert listed["state"] == "expired" and listed["current_run"] == _run().id

    fleet.burst("cpu", "rescuer")
    run = _run()
    assert (run.status, run.attempt, run.worker) == ("succeeded", 2, "rescuer"), run.message
    assert run.samples and run.samples[0]
    assert _worker("doomed").state == "lost" and _worker("rescuer").state == "stopped"


@pytest.mark.slow
def test_lost_worker_run_fails_after_the_last_attempt(app, tmp_path, fleet, wait_for) -> None:  # type: ignore[no-untyped-def]
    ids = submit(conference="fleet-2026", title="slow", source=str(_slow_repo(tmp_path)),
                 appendix_name="ARTIFACT-APPENDIX.md", appendix_text=APPENDIX)
    _start_and_kill(fleet, wait_for, "doomed-1")
    wait_for(lambda: not _listed()[0]["alive"], timeout=10, what="the heartbeat of doomed-1 to expire")
    second = fleet.start("cpu", "doomed-2")
    wait_for(lambda: (r := _run()) and r.attempt == 2 and r.status == "running",
             what="the second attempt on doomed-2")
    fleet.kill(second)
    assert "doomed-1  lost" in fleet.ae("workers", "--all").stdout
    wait_for(lambda: not [w for w in _listed() if w["name"] == "doomed-2"][0]["alive"], timeout=10,
             what="the heartbeat of doomed-2 to expire")
    reaped = fleet.ae("workers", "reap")
    assert reaped.returncode == 0, reaped.stderr
    assert "lost workers: doomed-2" in reaped.stdout
    assert "runs failed after the last attempt: 1" in reaped.stdout
    run = _run()
    assert (run.status, run.failure_kind, run.attempt) == ("failed", "lost", 2)
    assert "gave up after 2 attempts" in run.message and "doomed-2" in run.message
    status = json.loads(fleet.ae("status", ids.artifact_id[:8], "--json").stdout)[0]
    assert status["status"] not in ("queued", "running"), "the version was evaluated"
