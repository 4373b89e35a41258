"""The smoke gate on the test database: more repetitions held beyond the budget, approvals that find
nothing to approve, and budget use per pool, artifact and phase of the AE calendar."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from ae import conferences
from ae.errors import BudgetError
from ae.review.phases import Phase
from ae.storage.db import session_scope
from ae.storage.models import Run
from ae.storage.queries import create_artifact
from ae.workers import smoke as gate

CONFERENCE = conferences.parse(Path("gate-2026.toml"), """
[conference]
slug = "gate-2026"
name = "Gate 2026"
badge_scheme = "usenix"
badges = ["available"]

[[pool]]
name = "default"

[[pool]]
name = "gpu"
gpu_vendor = "nvidia"

[[budget]]
pool = "gpu"
gpu_hours_per_artifact = 0.001
""")
DAY = dt.datetime(2026, 5, 10, 12, tzinfo=dt.UTC)


def stored(session: Any, pool: str, seconds: float, finished: dt.datetime = DAY) -> tuple[Any, Run]:
    """Add an artifact with one finished run on `pool` that recorded `seconds` in each of 2 repetitions."""
    artifact, version = create_artifact(session=session, conference="gate-2026", title=f"On {pool}",
                                        source="https://git.example.org/a.git", ref=None)
    run = Run(version_id=version.id, program="p", cmd_key="k", pool=pool, repetitions=2, status="succeeded",
              samples=[{"wall_time": seconds, "cpu_time": seconds}] * 2, finished_at=finished)
    session.add(run)
    session.flush()
    return artifact, run


def test_more_repetitions_beyond_the_budget_wait(app: Any) -> None:
    with app.app_context(), session_scope() as session:
        artifact, run = stored(session, "gpu", 1.0)  # 2 GPU-s used of 3.6
        few = Run(version_id=run.version_id, program="p", cmd_key="k", pool="gpu", repetitions=1)
        many = Run(version_id=run.version_id, program="p", cmd_key="k", pool="gpu", repetitions=3)
        assert gate.hold_more(session=session, artifact=artifact, runs=[run], new_runs=[few],
                              conference=CONFERENCE) == [few]
        assert gate.hold_more(session=session, artifact=artifact, runs=[run], new_runs=[many],
                              conference=CONFERENCE) == []
        assert many.status == "held" and many.held_reason == (
            "waiting for approval: needs ~0.00083 GPU-h, artifact budget left 0.00044 GPU-h of 0.001 "
            "on pool gpu")
        session.add(many)
        session.flush()
        assert gate.approve(session=session, version_id=run.version_id, by="chair-id") == [(many.id, "gpu")]
        assert (many.status, many.approved_by, many.held_reason) == ("queued", "chair-id", None)


def test_approving_what_does_not_wait_is_refused(app: Any) -> None:
    with app.app_context(), session_scope() as session:
        artifact, run = stored(session, "default", 1.0)
        with pytest.raises(BudgetError, match="nothing of this artifact waits for approval"):
            gate.approve_artifact(session=session, conference="gate-2026", artifact_id=artifact.id, by="x")
        with pytest.raises(BudgetError, match="ppopp-2019 has no artifact"):
            gate.approve_artifact(session=session, conference="ppopp-2019", artifact_id=artifact.id, by="x")
        assert run.status == "succeeded"


def test_use_per_pool_artifact_and_phase(app: Any) -> None:
    phases = [Phase("kick-the-tires", dt.date(2026, 5, 1)), Phase("full-evaluation", dt.date(2026, 5, 15))]
    with app.app_context(), session_scope() as session:
        stored(session, "gpu", 10.0)
        stored(session, "default", 1800.0, finished=DAY + dt.timedelta(days=10))
        use = gate.usage(session=session, conference=CONFERENCE, phases=phases, today=dt.date(2026, 5, 20))
    pools = {p["pool"]: p for p in use["pools"]}
    assert pools["gpu"]["used"] == {"cpu_s": 20.0, "gpu_s": 20.0, "wall_s": 20.0}
    assert pools["gpu"]["limits"]["gpu/artifact"] == 3.6
    assert pools["default"]["limits"]["cpu/artifact"] is None
    assert pools["gpu"]["committed"]["gpu/artifact"] == 7.2  # two artifacts
    assert pools["default"]["used"]["cpu_s"] == 3600.0 and pools["default"]["used"]["gpu_s"] == 0.0
    calendar = {c["phase"]: c for c in use["calendar"]}
    assert calendar["kick-the-tires"]["used"] == {"gpu": {"cpu_s": 20.0, "gpu_s": 20.0, "wall_s": 20.0}}
    assert calendar["full-evaluation"]["used"]["default"]["cpu_s"] == 3600.0
    assert calendar["full-evaluation"]["current"] and not calendar["kick-the-tires"]["current"]


def test_reconcile_ends_a_smoke_stage_the_gate_never_saw(app: Any) -> None:
    from ae.workers.reconcile import reconcile

    ago = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    with app.app_context(), session_scope() as session:
        artifact, version = create_artifact(session=session, conference="ppopp-2019", title="Crashed",
                                            source="https://git.example.org/a.git", ref=None)
        for state in ("intake", "queued", "running"):
            version.status = state
        version.smoke = {"stage": "running", "sizes": {}}
        smoke = Run(version_id=version.id, program="p", cmd_key="k", repetitions=1, stage="smoke",
                    status="succeeded", samples=[{"wall_time": 0.5, "cpu_time": 0.5}], finished_at=ago,
                    created_at=ago)
        full = Run(version_id=version.id, program="p", cmd_key="k", repetitions=2, status="held",
                   held_reason="waiting for the smoke stage", created_at=ago)
        session.add_all([smoke, full])
        ids = version.id, full.id
    done = reconcile(app, inline=True)
    assert ids[0] in done.evaluations
    with app.app_context(), session_scope() as session:
        version = session.get(type(version), ids[0])
        run = session.get(Run, ids[1])
        assert version is not None and run is not None
        assert version.smoke["stage"] == "done" and version.smoke["ok"]
        assert version.smoke["total"]["cpu_s"] == 1.0 and (run.status, run.held_reason) == ("queued", None)


def test_the_chair_is_told_why_nothing_was_approved(app: Any, client: Any, people: Any) -> None:
    import re

    people.sign_in(client, "chair")
    page = client.get("/conferences/ppopp-2019/budgets").get_data(as_text=True)
    assert "No evaluator has asked for a re-run." in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    answer = client.post("/conferences/ppopp-2019/budgets/approve",
                         data={"artifact": "nope", "csrf_token": token}, follow_redirects=True)
    assert answer.status_code == 200
    assert "Nothing approved: ppopp-2019 has no artifact &#39;nope&#39;" in answer.get_data(as_text=True)
    assert "<td>10 h / no limit</td>" in answer.get_data(as_text=True)  # 10 CPU-h per artifact, no GPU limit


def test_a_smoke_run_the_service_lost_does_not_fail_the_full_runs(app: Any) -> None:
    with app.app_context(), session_scope() as session:
        artifact, version = create_artifact(session=session, conference="gate-2026", title="Lost",
                                            source="https://git.example.org/a.git", ref=None)
        version.smoke = {"stage": "running", "sizes": {}}
        lost = Run(version_id=version.id, program="p", cmd_key="k", repetitions=1, stage="smoke",
                   status="failed", failure_kind="lost", message="worker w stopped heartbeating")
        broken = Run(version_id=version.id, program="p", cmd_key="c", repetitions=1, stage="smoke",
                     status="failed", failure_kind="compile-error", message="matmul.c:3: error")
        full = [Run(version_id=version.id, program="p", cmd_key=k, repetitions=2, status="held",
                    held_reason="waiting for the smoke stage") for k in ("k", "c")]
        session.add_all([lost, broken, *full])
        session.flush()
        queued = gate.finish_smoke(session=session, version=version, artifact=artifact,
                                   runs=[lost, broken, *full], claims=[], conference=CONFERENCE)
        assert queued == [(full[0].id, "default")] and full[0].status == "queued"
        assert (full[1].status, full[1].failure_kind) == ("failed", "compile-error")
        assert full[1].message == "not started: its smoke run failed (compile-error: matmul.c:3: error)"
        assert version.smoke["ok"] is False
        assert version.smoke["total"] == {"cpu_s": 0, "gpu_s": 0, "wall_s": 0}  # nothing ran to estimate from
