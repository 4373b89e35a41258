"""Slurm pools: settings and job sizes (plain data), then the whole path on a real single-node
cluster: an example artifact reproduced through the Slurm pool, a job Slurm loses (node down)
submitted again, a cancelled job and a failed job, each ending in the same run rows a worker writes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ae import clusters
from ae.errors import ConferenceError
from ae.pools import split_requirement
from ae.workers import slurm
from tests.conftest import wait_for

ROOT = Path(__file__).resolve().parents[2]


def test_settings_are_validated_with_the_pool_named() -> None:
    found = clusters.settings_from_mapping("cluster", {"partition": "debug", "nodes": 2, "mem": "4G",
                                                    "time": "1:00:00", "extra": ["--qos=ae"]},
                                        source="c.toml")
    assert found.sbatch_options() == ["--partition=debug", "--qos=ae"]
    assert found.resources.options() == ["--nodes=2", "--mem=4G", "--time=1:00:00"]
    for bad, said in [({"mem": "lots"}, "mem = 'lots'"), ({"nodes": 0}, "nodes = 0"),
                      ({"queue": "x"}, "unknown key 'queue'"), ({"extra": ["qos"]}, "extra")]:
        with pytest.raises(ConferenceError, match=said):
            clusters.settings_from_mapping("cluster", bad, source="c.toml")


def test_job_size_from_the_appendix_and_the_claims() -> None:
    items = [{"key": "experiments_time", "value": "about 2 hours"},
             {"key": "hardware", "value": "4 nodes, 32 MPI ranks, 64 GB of RAM each"}]
    assert clusters.from_checklist(items) == {"time": "240", "nodes": "4", "ntasks": "32", "mem": "64G"}
    assert clusters.from_checklist([{"key": "experiments_time", "value": "under a minute"}]) == {"time": "2"}
    assert clusters.from_checklist([{"key": "hardware", "value": "any"}]) == {}
    pool, wanted = split_requirement("cluster nodes=2 time=30", source="claim")
    assert (pool, wanted) == ("cluster", {"nodes": "2", "time": "30"})
    size = clusters.Resources(nodes="1", mem="1G").over(clusters.from_checklist(items)).over(wanted)
    assert size.options() == ["--nodes=2", "--ntasks=32", "--mem=64G", "--time=30"]
    with pytest.raises(ConferenceError, match="job resource 'mem=much'"):
        split_requirement("cluster mem=much", source="claim")


def _sleepy(tmp_path: Path) -> Path:
    """pi-python whose program sleeps first (a job that runs long enough to lose its node) and
    whose claim asks for more memory than the pool's default."""
    from tests.conftest import make_git_repo

    source = tmp_path / "sleepy-src"
    shutil.copytree(ROOT / "examples" / "pi-python", source)
    program = source / "program" / "pi-python" / "pi.py"
    program.write_text("import time\ntime.sleep(4)\n" + program.read_text())
    appendix = source / "ARTIFACT-APPENDIX.md"
    appendix.write_text(appendix.read_text().replace(
        'tolerance = "0.01%"\nprogram = "pi-python"', 'tolerance = "0.01%"\nprogram = "pi-python"\n'
        'hardware = "cluster-lost mem=400M"'))
    make_git_repo(source, tmp_path / "sleepy")
    return tmp_path / "sleepy"


def _runs(app: Any, artifact_id: str) -> list[dict[str, Any]]:
    from ae.status import all_status
    from ae.storage.db import session_scope

    with app.app_context(), session_scope() as session:
        [item] = [i for i in all_status(session=session) if i["id"] == artifact_id]
    return list(item["runs"])


def _record(app: Any, run_id: str) -> dict[str, Any]:
    from ae.storage.db import session_scope
    from ae.storage.models import Run

    with app.app_context(), session_scope() as session:
        run = session.get(Run, run_id)
        assert run is not None
        return {"status": run.status, "failure_kind": run.failure_kind, "message": run.message,
                "record": dict(run.record), "attempt": run.attempt}


def _finished(app: Any, artifact_id: str) -> list[dict[str, Any]] | None:
    runs = _runs(app, artifact_id)
    return runs if runs and all(r["status"] in ("succeeded", "failed") for r in runs) else None


@pytest.mark.slow
def test_runs_of_slurm_pools_reproduce_recover_cancel_and_fail(  # type: ignore[no-untyped-def]
        app, config, ae_env, example_repo, slurm_cluster, tmp_path, monkeypatch) -> None:
    from ae.submission import submit

    monkeypatch.setenv("SLURM_CONF", str(slurm_cluster.conf))
    env = {**ae_env, "SLURM_CONF": str(slurm_cluster.conf), "AE_HEARTBEAT_INTERVAL": "1",
           "AE_CONFERENCES_DIR": config["CONFERENCES_DIR"]}
    worker = subprocess.Popen(
        [sys.executable, "-c", "from ae.cli import cli; cli()", "worker", "--name", "login-node",
         *(a for p in ("cluster", "cluster-lost", "cluster-held", "cluster-broken") for a in ("--pool", p))],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True)
    try:
        with app.app_context():
            ok = submit(conference="slurm-2026", title="Matmul on Slurm",
                        source=str(example_repo("matmul-c")), badges=["reproduced"]).artifact_id
        [run] = wait_for(lambda: _finished(app, ok), what="the matmul-c run through Slurm")
        got = _record(app, run["id"])
        assert got["status"] == "succeeded", got
        notes = " ".join(got["record"]["notes"])
        assert "ran as Slurm job" in notes and "mem=300M" in notes and "time=2" in notes, notes
        assert got["record"]["output_check"]["tmp-output.tmp"]["ok"]

        with app.app_context():
            lost = submit(conference="slurm-lost-2026", title="Sleepy",
                          source=str(_sleepy(tmp_path))).artifact_id
        running = wait_for(lambda: [j for j in slurm.jobs() if j["state"] == "RUNNING"], what="a running job")
        assert slurm_cluster.run("scontrol", "update", "nodename=localhost", "state=down",
                                 "reason=ae-test").returncode == 0
        wait_for(lambda: slurm.state(running[0]["job"]).state == "NODE_FAIL", what="NODE_FAIL")
        slurm_cluster.run("scontrol", "update", "nodename=localhost", "state=resume")
        [run] = wait_for(lambda: _finished(app, lost), what="the sleepy run after its node failed")
        got = _record(app, run["id"])
        assert got["status"] == "succeeded", got
        notes = " ".join(got["record"]["notes"])
        assert "was lost (NODE_FAIL" in notes and "submitted again" in notes and "mem=400M" in notes, notes

        pi = str(example_repo("pi-python"))
        with app.app_context():
            held = submit(conference="slurm-held-2026", title="Held", source=pi).artifact_id
        wait_for(lambda: [j for j in slurm.jobs() if j["reason"] == "JobHeldUser"], what="the held job")
        [run] = _runs(app, held)
        cancelled = subprocess.run([sys.executable, "-c", "from ae.cli import cli; cli()", "slurm",
                                    "cancel", run["id"]], env=env, capture_output=True, text=True,
                                   timeout=60)
        assert cancelled.returncode == 0, cancelled.stderr
        wait_for(lambda: _finished(app, held), what="the cancelled run")
        got = _record(app, run["id"])
        assert (got["status"], got["failure_kind"]) == ("failed", "cancelled"), got
        assert "was cancelled" in got["message"]

        with app.app_context():
            broken = submit(conference="slurm-broken-2026", title="Broken node", source=pi).artifact_id
        [run] = wait_for(lambda: _finished(app, broken), what="the failed job")
        got = _record(app, run["id"])
        assert (got["status"], got["failure_kind"]) == ("failed", "job-failed"), got
        assert "without a record" in got["message"] and "nonexistent" in got["message"], got["message"]
        assert slurm.jobs() == []
    finally:
        worker.terminate()
        out, _ = worker.communicate(timeout=120)
    assert worker.returncode is not None, out[-3000:]
