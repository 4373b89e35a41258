"""The exported container against the sandboxed worker: the same output digests and verdicts for an
example artifact; and a worker whose runs go into containers (AE_SANDBOX=podman), built from the
recipe an artifact ships."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from ae.status import all_status
from ae.storage.db import session_scope
from ae.submission import submit

#: Outputs that hold times (the CK timer file) differ between any two runs.
TIMED = {"tmp-ck-timer.json"}


def _done(app: Any, artifact_id: str) -> dict[str, Any]:
    with app.app_context(), session_scope() as session:
        [item] = [i for i in all_status(session=session) if i["id"] == artifact_id]
    assert item["status"] == "done", (item["error"], item["runs"])
    return item


def _records(app: Any, artifact_id: str) -> list[dict[str, Any]]:
    from ae.storage.models import Run

    with app.app_context(), session_scope() as session:
        runs = [session.get(Run, r["id"]) for r in _done(app, artifact_id)["runs"]]
        return [dict(r.record) for r in runs if r is not None]


@pytest.mark.slow
def test_exported_container_gives_the_worker_s_digests_and_verdicts(  # type: ignore[no-untyped-def]
        app, example_repo, burst_worker, ae_process, base_image, tmp_path) -> None:
    with app.app_context():
        ids = submit(conference="ppopp-2019", title="Matmul", source=str(example_repo("matmul-c")))
    burst_worker()
    item = _done(app, ids.artifact_id)
    worker_verdicts = {v["claim"]: v["outcome"] for v in item["verdicts"]}
    [worker_record] = _records(app, ids.artifact_id)

    done = ae_process("export", "container", ids.artifact_id, "--output", str(tmp_path / "ctx"),
                      "--base", base_image, "--run", "--json", timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    exported = json.loads(done.stdout.strip().splitlines()[-1])
    [record] = exported["records"]
    assert record["ok"] and record["platform"]["os"] == worker_record["platform"]["os"]
    same = {k: v for k, v in worker_record["outputs"].items() if k not in TIMED}
    assert same and {k: v for k, v in record["outputs"].items() if k not in TIMED} == same
    assert {v["claim_id"]: v["outcome"] for v in exported["verdicts"]} == worker_verdicts
    assert worker_verdicts == {"output": "reproduced", "checksum": "reproduced", "time": "reproduced"}
    containerfile = (tmp_path / "ctx" / "Containerfile").read_text()
    assert f"FROM {base_image}" in containerfile and item["snapshot"] in containerfile


@pytest.mark.slow
def test_worker_runs_an_artifact_in_the_container_its_recipe_builds(  # type: ignore[no-untyped-def]
        app, config, example_repo, base_image, tmp_path) -> None:
    from tests.conftest import make_git_repo, run_ae

    source = tmp_path / "recipe-src"
    shutil.copytree(Path(example_repo("pi-python")), source, ignore=shutil.ignore_patterns(".git"))
    (source / "Containerfile").write_text(f"FROM {base_image}\nRUN echo from-the-recipe > /etc/ae-recipe\n")
    make_git_repo(source, tmp_path / "recipe")
    with app.app_context():
        ids = submit(conference="ppopp-2019", title="Pi in its own image", source=str(tmp_path / "recipe"))
    worker = run_ae({**config, "SANDBOX": "podman"}, "worker", "--burst", timeout=900)
    assert worker.returncode == 0, worker.stderr[-3000:]
    item = _done(app, ids.artifact_id)
    assert {v["claim"]: v["outcome"] for v in item["verdicts"]} == {
        "pi": "reproduced", "fast": "not-reproduced"}
    [record] = _records(app, ids.artifact_id)
    assert record["ok"] and "built from the artifact's Containerfile" in " ".join(record["notes"])
    assert not any("UNSANDBOXED" in note for note in record["notes"])
    assert record["outputs"]["stdout.log"] and record["logs"]["stdout"] == "tmp/stdout.log"
