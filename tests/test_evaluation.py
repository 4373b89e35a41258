"""Verdicts end to end: recorded CK experiments as claims, more repetitions when inconclusive,
verdicts recomputed from stored samples, and run-vs-run diffs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from ae.ck.experiment import write_point
from ae.intake.git import init_repository
from ae.status import all_status
from ae.storage.db import session_scope
from ae.storage.queries import runs_of
from ae.submission import submit

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _artifact_with(tmp_path: Path, claims: str, *, experiment: bool = False) -> Path:
    repo = tmp_path / "artifact"
    shutil.copytree(EXAMPLES / "pi-python", repo)
    text = (repo / "ARTIFACT-APPENDIX.md").read_text()
    head, _, _ = text.partition("```claims")
    (repo / "ARTIFACT-APPENDIX.md").write_text(
        head + "The maximum allowable variation of the kernel time is 5 %.\n\n```claims\n" + claims + "```\n")
    if experiment:
        (repo / ".cm" / "alias-a-experiment").write_text("bc0409fb61f0aa82\n")
        (repo / ".cm" / "alias-u-bc0409fb61f0aa82").write_text("experiment\n")
        entry = repo / "experiment" / "recorded-pi"
        (entry / ".cm").mkdir(parents=True)
        (entry / ".cm" / "meta.json").write_text(json.dumps({"tags": ["experiment", "pi"]}))
        (repo / "experiment" / ".cm").mkdir()
        (repo / "experiment" / ".cm" / "alias-a-recorded-pi").write_text("0123456789abcdef\n")
        (repo / "experiment" / ".cm" / "alias-u-0123456789abcdef").write_text("recorded-pi\n")
        write_point(entry, choices={"data_uoa": "pi-python", "cmd_key": "default"}, features={},
                    characteristics_list=[{"run": {"execution_time": 100.0}}] * 3)
    init_repository(repo, message="artifact")
    return repo


def _only(app: Any) -> dict[str, Any]:
    with app.app_context(), session_scope() as session:
        [item] = all_status(session=session)
    return item


def test_recorded_experiment_becomes_a_claim_with_the_appendix_tolerance(app, tmp_path, burst_worker) -> None:  # type: ignore[no-untyped-def]
    repo = _artifact_with(tmp_path, (
        "[[claim]]\nid = \"pi\"\ntext = \"pi\"\nmetric = \"run_time_state.pi\"\n"
        "expected = 3.14159265\ntolerance = \"0.01%\"\n"), experiment=True)
    submit(conference="ppopp-2019", title="recorded", source=str(repo))
    burst_worker()
    item = _only(app)
    assert item["status"] == "done", item["error"]
    outcomes = {v["claim"]: v for v in item["verdicts"]}
    [recorded] = [k for k in outcomes if k.startswith("recorded-pi:")]
    assert outcomes["pi"]["outcome"] == "reproduced"
    assert outcomes[recorded]["outcome"] == "not-reproduced"
    assert "±5 %" in outcomes[recorded]["reason"], "tolerance from the appendix's allowable variation"


@pytest.mark.slow
def test_inconclusive_claim_gets_more_repetitions_then_a_verdict(app, tmp_path, burst_worker, runner) -> None:  # type: ignore[no-untyped-def]
    repo = _artifact_with(tmp_path, (
        "[[claim]]\nid = \"pi\"\ntext = \"pi\"\nmetric = \"run_time_state.pi\"\n"
        "expected = 3.14159265\ntolerance = \"0.01%\"\nmin_repetitions = 5\n"))
    submit(conference="ppopp-2019", title="more", source=str(repo))
    burst_worker()
    item = _only(app)
    assert item["status"] == "done", item["error"]
    assert [r["repetitions"] for r in item["runs"]] == [3, 2], "3 first, then 2 more to reach 5"
    assert item["verdicts"] == [{"claim": "pi", "outcome": "reproduced",
                                 "reason": item["verdicts"][0]["reason"]}]
    assert "median of 5 runs" in item["verdicts"][0]["reason"]

    result = runner.invoke(["verdicts", item["id"][:8]])
    assert result.exit_code == 0, result.output
    assert "pi: reproduced (same as stored)" in result.output
    assert "1 identical to the stored ones" in result.output

    with app.app_context(), session_scope() as session:
        first, second = runs_of(session=session, version_id=_version_id(app))
    result = runner.invoke(["diff", first.id, second.id, "--json"])
    assert result.exit_code == 0, result.output
    diff = json.loads(result.output)
    pi = next(row for row in diff["samples"] if row["metric"] == "run_time_state.pi")
    assert pi["status"] == "same" and pi["a"]["n"] == 3 and pi["b"]["n"] == 2
    assert diff["command"]["changed"] is False


def _version_id(app: Any) -> str:
    from sqlmodel import select

    from ae.storage.models import ArtifactVersion

    with app.app_context(), session_scope() as session:
        return session.exec(select(ArtifactVersion.id)).one()


@pytest.mark.slow
def test_resubmission_is_a_new_version_and_versions_can_be_compared(  # type: ignore[no-untyped-def]
        app, tmp_path, burst_worker, runner) -> None:
    import git

    repo = _artifact_with(tmp_path, (
        "[[claim]]\nid = \"pi\"\ntext = \"pi\"\nmetric = \"run_time_state.pi\"\n"
        "expected = 3.14159265\ntolerance = \"0.01%\"\n"))
    ids = submit(conference="ppopp-2019", title="versions", source=str(repo))
    burst_worker()
    # the author fixes the program: 20 terms only, so the estimate is now far from pi
    meta = repo / "program" / "pi-python" / ".cm" / "meta.json"
    meta.write_text(meta.read_text().replace('"PI_TERMS": "200000"', '"PI_TERMS": "20"'))
    with git.Repo(repo) as handle:
        handle.git.add(A=True)
        handle.index.commit("fewer terms")
    result = runner.invoke(["resubmit", ids.artifact_id[:10]])
    assert result.exit_code == 0, result.output
    burst_worker()
    item = _only(app)
    assert item["version"] == 2 and item["status"] == "done"
    assert item["verdicts"][0]["outcome"] == "not-reproduced"

    result = runner.invoke(["diff-versions", ids.artifact_id[:10]])
    assert result.exit_code == 0, result.output
    assert "version 1" in result.output and "-> 2" in result.output
    assert "claim pi: reproduced -> not-reproduced  (changed)" in result.output
    assert "run pi-python:default run_time_state.terms: changed" in result.output
    missing = runner.invoke(["diff-versions", ids.artifact_id[:10], "1", "7"])
    assert missing.exit_code == 2 and "has versions [1, 2]" in missing.output
