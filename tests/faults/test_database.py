"""The database connection of a job dropped while it commits (PostgreSQL: `pg_terminate_backend`
of the job's own connection, waiting on a row lock the test holds): the job commits again."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from ae.storage.models import ArtifactVersion, Run
from ae.submission import submit
from tests.conftest import wait_for
from tests.faults.conftest import check_nothing_lost, rows, sleepy_repo


@pytest.mark.slow
def test_connection_dropped_during_the_commit_of_a_run(app, chaos, tmp_path, config) -> None:  # type: ignore[no-untyped-def]
    if not config["DATABASE_URL"].startswith("postgresql"):
        pytest.skip("needs PostgreSQL (pg_terminate_backend); CI has it")
    ids = submit(conference="fleet-2026", title="commit", source=str(sleepy_repo(tmp_path, sleep_s=3)))
    worker = chaos.start_cpu("worker")
    wait_for(lambda: chaos.marker_process(worker, "ae-fault-run-marker"), what="the program to run")
    [run] = rows(Run)
    engine = create_engine(config["DATABASE_URL"])
    holder = engine.connect()
    holder.begin()
    holder.execute(text("SELECT id FROM run WHERE id = :id FOR UPDATE"), {"id": run.id})

    def blocked() -> list[int]:
        with engine.connect() as probe:
            return [r[0] for r in probe.execute(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid() AND query ILIKE '%run%'"))]

    for _ in range(2):  # the job's commit blocks on the lock; its connection is cut, twice
        pids = wait_for(blocked, what="the job's commit to wait on the row lock")
        with engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pids[0]})
        chaos.fault("database connection terminated during a job's commit")
        wait_for(lambda p=pids[0]: p not in blocked(), what="the terminated backend to go")
    holder.rollback()
    holder.close()
    wait_for(lambda: (v := rows(ArtifactVersion)[0]) and v.status == "done", what="the run recorded")
    [run] = rows(Run)
    assert (run.status, run.attempt) == ("succeeded", 1), run.message
    engine.dispose()
    check_nothing_lost([ids.artifact_id])
