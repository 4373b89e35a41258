"""Redis (the test's own server) killed and started again, empty, with jobs queued and running:
the database says what waits, reconcile queues it again, the running job records its result."""

from __future__ import annotations

from typing import Any

import pytest

from ae.storage.models import ArtifactVersion, Run
from ae.submission import submit
from tests.conftest import wait_for
from tests.faults.conftest import check_nothing_lost, rows, sleepy_repo


def _all_done(n: int) -> bool:
    versions = rows(ArtifactVersion)
    return len(versions) == n and all(v.status == "done" for v in versions)


@pytest.mark.slow
def test_redis_lost_with_jobs_queued(app, chaos, tmp_path, redis_server) -> None:  # type: ignore[no-untyped-def]
    ids = [submit(conference="fleet-2026", title=f"queued {n}",
                  source=str(sleepy_repo(tmp_path / str(n), sleep_s=0))).artifact_id for n in range(2)]
    redis_server.kill()
    chaos.fault("redis killed with intake jobs queued")
    redis_server.start()  # empty: the queued jobs are gone
    from ae.workers import queue

    assert queue.get_redis().dbsize() == 0
    chaos.start_cpu("worker")
    wait_for(lambda: _all_done(2), what="both artifacts, queued again from the database")
    check_nothing_lost(ids)


@pytest.mark.slow
def test_redis_lost_with_a_job_running_and_others_queued(app, chaos, tmp_path, redis_server) -> None:  # type: ignore[no-untyped-def]
    from ae.workers import queue

    ids = [submit(conference="fleet-2026", title=f"running {n}",
                  source=str(sleepy_repo(tmp_path / str(n), sleep_s=5))).artifact_id for n in range(2)]
    worker = chaos.start_cpu("worker")
    wait_for(lambda: chaos.marker_process(worker, "ae-fault-run-marker"), what="a run to be running")
    running = [r for r in rows(Run) if r.status == "running"]
    redis_server.kill()
    chaos.fault("redis killed with a run running and jobs queued")
    redis_server.start()
    queue.get_redis().connection_pool.disconnect()
    wait_for(lambda: _all_done(2), what="everything done after the restart")
    assert worker.poll() is None, "the worker rode out the outage"
    for run in rows(Run):
        if run.id in {r.id for r in running}:
            assert run.attempt == 1, "the running job finished and was recorded once"
    redis_server.kill()
    chaos.fault("redis killed while the worker is idle")
    redis_server.start()
    more = submit(conference="fleet-2026", title="after", source=str(sleepy_repo(tmp_path / "x", sleep_s=0)))
    wait_for(lambda: _all_done(3), what="a submission after the second restart")
    check_nothing_lost([*ids, more.artifact_id])


@pytest.mark.slow
def test_redis_down_at_submission_keeps_the_artifact(app, chaos, tmp_path, redis_server) -> None:  # type: ignore[no-untyped-def]
    from ae.workers import queue

    redis_server.kill()
    queue.get_redis().connection_pool.disconnect()
    chaos.fault("redis down at submission")
    ids = submit(conference="fleet-2026", title="while down", source=str(sleepy_repo(tmp_path, sleep_s=0)))
    assert rows(ArtifactVersion)[0].status == "submitted", "the row is stored; its job is not"
    redis_server.start()
    chaos.start_cpu("worker")
    wait_for(lambda: _all_done(1), what="reconcile to queue the intake the submission could not")
    check_nothing_lost([ids.artifact_id])


@pytest.mark.slow
def test_a_job_delivered_twice_runs_once(app, chaos, tmp_path, burst_worker: Any) -> None:  # type: ignore[no-untyped-def]
    from ae.workers import queue
    from ae.workers.jobs import reproduce_run

    ids = submit(conference="fleet-2026", title="twice", source=str(sleepy_repo(tmp_path, sleep_s=0)))
    chaos.burst("cpu", "first")
    [run] = rows(Run)
    queue.enqueue(reproduce_run, run.id, queue=queue.pool_queue(run.pool))
    chaos.fault("a run job delivered again after it finished")
    chaos.burst("cpu", "second")
    [again] = rows(Run)
    assert (again.status, again.attempt, again.worker, len(again.samples)) == (
        "succeeded", 1, "first", len(run.samples))
    check_nothing_lost([ids.artifact_id])
