"""Several real workers with different declared profiles on one Redis: each run goes only to a
worker that satisfies its pool, and a run whose pool has no live worker says so."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import select

from ae.storage.db import session_scope
from ae.storage.models import Run, Worker
from ae.submission import submit

APPENDIX = """# Artifact Appendix

## Evaluation and expected results

```claims
[[claim]]
id = "pi"
text = "The estimate agrees with pi within 0.01 %"
metric = "run_time_state.pi"
expected = 3.14159265
relation = "approx"
tolerance = "0.01%"
program = "pi-python"
hardware = "{hardware}"
```
"""


def _runs() -> dict[str, Run]:
    with session_scope() as session:
        return {r.pool: r for r in session.exec(select(Run))}


def _submit(source: Any, hardware: str) -> str:
    return submit(conference="fleet-2026", title=f"pi on {hardware}",
                  source=str(source), appendix_name="ARTIFACT-APPENDIX.md",
                  appendix_text=APPENDIX.format(hardware=hardware)).artifact_id


@pytest.mark.slow
def test_runs_go_only_to_workers_that_satisfy_their_pool(app, example_repo, fleet,  # type: ignore[no-untyped-def]
                                                        wait_for, client, people) -> None:
    cpu = fleet.start("cpu", "cpu-1")
    source = example_repo("pi-python")
    gpu_artifact = _submit(source, "gpu")
    wait_for(lambda: "gpu" in _runs(), what="intake of the gpu artifact by the cpu worker")
    _submit(source, "default")
    wait_for(lambda: _runs().get("default") and _runs()["default"].status == "succeeded",
             what="the default run on the cpu worker")
    assert _runs()["gpu"].status == "queued", "the cpu worker must not take the gpu run"

    status = fleet.ae("status", gpu_artifact[:8])
    assert "waiting: no live worker serves pool 'gpu'" in status.stdout, status.stdout
    assert client.get("/api/pools", headers=people.headers("author")).status_code == 403
    pools = {p["pool"]: p for p in client.get("/api/pools", headers=people.headers("chair")).get_json()}
    assert pools["gpu"]["waiting_runs"] == 1 and "no live worker" in pools["gpu"]["stuck"]
    assert pools["default"]["live_workers"] == 1 and pools["default"]["stuck"] is None
    # the people fixture's chair chairs ppopp-2019, not fleet-2026: the admin sees every conference
    item = client.get(f"/api/artifacts/{gpu_artifact}", headers=people.headers("admin")).get_json()
    assert "no live worker serves pool 'gpu'" in item["runs"][0]["waiting"]

    avx = fleet.start("avx512", "avx-1")
    gpu = fleet.start("gpu", "gpu-1")
    wait_for(lambda: _runs()["gpu"].status == "succeeded", what="the gpu run on the gpu worker")
    runs = _runs()
    assert runs["gpu"].worker == "gpu-1" and runs["default"].worker == "cpu-1"
    assert runs["gpu"].record["platform"]["arch"], "the run records the real platform"

    listing = json.loads(fleet.ae("workers", "--json").stdout)
    by_name = {w["name"]: w for w in listing}
    assert by_name["gpu-1"]["pools"] == ["gpu", "default"], "most specific pool first"
    assert by_name["avx-1"]["pools"] == ["avx512", "default"]
    assert by_name["cpu-1"]["pools"] == ["default"]
    assert "NVIDIA A100-SXM4-40GB" in by_name["gpu-1"]["profile"]
    assert all(w["alive"] for w in listing)
    assert by_name["gpu-1"]["queues"][0] == "ae:intake"

    for process in (cpu, avx, gpu):
        fleet.stop(process)
    with session_scope() as session:
        states = {w.name: w.state for w in session.exec(select(Worker))}
    assert states == {"cpu-1": "stopped", "avx-1": "stopped", "gpu-1": "stopped"}
    text = fleet.ae("workers", "--all").stdout
    assert "gpu-1  stopped" in text and "pools gpu,default" in text


@pytest.mark.slow
def test_worker_told_its_pools_and_a_profile_that_fits_none(app, fleet) -> None:  # type: ignore[no-untyped-def]
    out = fleet.ae("workers", "profile", WORKER_PROFILE=fleet.profile("cpu")).stdout
    assert "serves (most specific first): default" in out
    assert "not gpu" in out and "no GPU" in out and "not avx512" in out and "avx512f" in out
    bad = fleet.ae("worker", "--burst", "--pool", "tpu", WORKER_PROFILE=fleet.profile("cpu"))
    assert bad.returncode == 2 and "--pool 'tpu' is not a pool of any conference" in bad.stderr
    told = fleet.burst("cpu", "told-1", "--pool", "gpu")
    assert "ae:pool:gpu" in told
