"""`kill -9` of a worker (and everything below it) at each stage of the pipeline: intake, build,
run, evaluation; and of the work horse alone. Another worker (or the same after a restart)
recovers the work from the database: nothing is lost, nothing is done twice."""

from __future__ import annotations

import http.server
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

from ae.storage.models import ArtifactVersion, Run
from ae.submission import submit
from tests.conftest import wait_for
from tests.faults.conftest import APPENDIX, check_nothing_lost, rows, sleepy_repo, slow_build_repo


def _one(model: Any) -> Any:
    found = rows(model)
    return found[0] if len(found) == 1 else None


def _run_on(name: str) -> Any:
    run = _one(Run)
    return run if run is not None and run.status == "running" and run.worker == name else None


class _GatedGit(http.server.SimpleHTTPRequestHandler):
    """Serves a bare repository over git's dumb HTTP protocol; holds requests while the gate is shut."""

    gate = threading.Event()
    asked = threading.Event()

    def do_GET(self) -> None:  # noqa: N802  # http.server's name
        type(self).asked.set()
        type(self).gate.wait(timeout=600)
        super().do_GET()

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def gated_git(tmp_path: Path) -> Any:
    """A repository served by a local HTTP server that holds the first clone until told."""
    bare = tmp_path / "served" / "sleepy.git"
    source = sleepy_repo(tmp_path / "src", sleep_s=0)
    subprocess.run(["git", "clone", "-q", "--bare", str(source), str(bare)], check=True)
    subprocess.run(["git", "update-server-info"], cwd=bare, check=True)
    handler = type("Gate", (_GatedGit,), {"gate": threading.Event(), "asked": threading.Event()})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a: handler(*a, directory=str(bare.parent)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield handler, f"http://127.0.0.1:{server.server_address[1]}/sleepy.git"
    handler.gate.set()
    server.shutdown()
    server.server_close()


@pytest.mark.slow
def test_kill_during_intake_takes_it_in_again(app, chaos, gated_git) -> None:  # type: ignore[no-untyped-def]
    gate, url = gated_git
    ids = submit(conference="fleet-2026", title="intake", source=url, appendix_name="A.md",
                 appendix_text=APPENDIX)
    doomed = chaos.start_cpu("doomed")
    wait_for(gate.asked.is_set, what="intake to ask the git server")
    assert _one(ArtifactVersion).status == "intake"
    chaos.kill(doomed)
    chaos.fault("kill -9 worker during intake")
    gate.gate.set()
    chaos.start_cpu("rescuer")
    version = wait_for(lambda: (v := _one(ArtifactVersion)) and v.status == "done" and v,
                       what="the version taken in again and evaluated")
    assert (version.attempt, version.worker) == (2, "rescuer")
    assert len(rows(Run)) == 1, "intake created its runs once"
    check_nothing_lost([ids.artifact_id])


@pytest.mark.slow
def test_kill_during_build_builds_again(app, chaos, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ids = submit(conference="fleet-2026", title="build", source=str(slow_build_repo(tmp_path)))
    doomed = chaos.start_cpu("doomed")
    wait_for(lambda: chaos.marker_process(doomed, "cc1"), what="the compiler to run")
    assert _run_on("doomed"), "the run is in its build stage on doomed"
    chaos.kill(doomed)
    chaos.fault("kill -9 worker during build")
    chaos.start_cpu("rescuer")
    wait_for(lambda: (v := _one(ArtifactVersion)) and v.status == "done", what="the rebuilt run")
    run = _one(Run)
    assert (run.status, run.attempt, run.worker) == ("succeeded", 2, "rescuer"), run.message
    check_nothing_lost([ids.artifact_id])


@pytest.mark.slow
def test_kill_during_run_and_of_the_horse_alone(app, chaos, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ids = submit(conference="fleet-2026", title="run", source=str(sleepy_repo(tmp_path, sleep_s=6)))
    doomed = chaos.start_cpu("doomed")
    wait_for(lambda: chaos.marker_process(doomed, "ae-fault-run-marker"), what="the program to run")
    chaos.kill(doomed)
    chaos.fault("kill -9 worker during run")
    survivor = chaos.start_cpu("survivor")
    wait_for(lambda: _run_on("survivor") and chaos.marker_process(survivor, "ae-fault-run-marker"),
             what="the second attempt on survivor")
    horse = chaos.horse(survivor)
    assert horse is not None
    import os
    import signal

    os.killpg(horse, signal.SIGKILL)  # the work horse and the program under it; the worker lives
    chaos.fault("kill -9 work horse during run")
    wait_for(lambda: (v := _one(ArtifactVersion)) and v.status == "done", what="the third attempt")
    run = _one(Run)
    assert (run.status, run.attempt) == ("succeeded", 3), run.message
    assert survivor.poll() is None, "the worker outlived its horse"
    check_nothing_lost([ids.artifact_id])


@pytest.mark.slow
def test_kill_during_evaluation_keeps_the_finished_run(app, chaos, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ae.workers import queue

    ids = submit(conference="fleet-2026", title="evaluation", source=str(sleepy_repo(tmp_path, sleep_s=0)))
    lock = queue.get_redis().lock(f"ae:lock:version:{ids.version_id}", timeout=600)
    assert lock.acquire(blocking=False)  # the evaluation will wait here
    doomed = chaos.start_cpu("doomed")
    wait_for(lambda: (r := _one(Run)) and r.status == "succeeded", what="the run to finish")
    assert _one(ArtifactVersion).status == "running", "its evaluation waits for the lock"
    chaos.kill(doomed)
    chaos.fault("kill -9 worker during evaluation")
    lock.release()
    chaos.start_cpu("rescuer")
    wait_for(lambda: (v := _one(ArtifactVersion)) and v.status == "done", what="the evaluation again")
    run = _one(Run)
    assert (run.status, run.attempt, run.worker) == ("succeeded", 1, "doomed"), "the finished run kept"
    assert Path(_one(ArtifactVersion).report_path).is_file()
    check_nothing_lost([ids.artifact_id])


@pytest.mark.slow
def test_killed_every_attempt_gives_up_with_a_reason(app, chaos, tmp_path, config) -> None:  # type: ignore[no-untyped-def]
    ids = submit(conference="fleet-2026", title="doomed", source=str(sleepy_repo(tmp_path, sleep_s=30)))
    for n in (1, 2):
        worker = chaos.start_cpu(f"doomed-{n}", MAX_ATTEMPTS=2)
        wait_for(lambda w=worker: chaos.marker_process(w, "ae-fault-run-marker"),
                 what=f"attempt {n} to run")
        chaos.kill(worker)
        chaos.fault("kill -9 worker during run")
    wait_for(lambda: "failed after the last attempt: 1" in chaos.ae("reconcile", MAX_ATTEMPTS=2).stdout,
             what="the last attempt to be reaped and the version evaluated")
    run = _one(Run)
    assert (run.status, run.failure_kind, run.attempt) == ("failed", "lost", 2)
    assert "gave up after 2 attempts" in run.message and "doomed-2" in run.message
    assert _one(ArtifactVersion).status == "done", "`ae reconcile` evaluated what it had"
    check_nothing_lost([ids.artifact_id])


@pytest.mark.slow
def test_stale_temp_files_are_cleaned_at_start(app, chaos, config) -> None:  # type: ignore[no-untyped-def]
    data = Path(config["DATA_DIR"])
    dead = 2**22 - 7  # above the default pid_max: no process has it
    left = [data / "reports" / "v1" / f".report.md.{dead}.tmp", data / "snapshots" / f"abc.partial-{dead}",
            data / "incoming" / f"clone-{dead}-x1y2"]
    for path in left:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir() if "clone" in path.name or "partial" in path.name else path.write_text("half")
    kept = data / "reports" / "v1" / "report.md"
    kept.write_text("whole")
    chaos.fault("stale temp files of a killed writer")
    chaos.burst("cpu", "cleaner")
    assert not any(p.exists() for p in left) and kept.read_text() == "whole"
    shutil.rmtree(data / "reports")
