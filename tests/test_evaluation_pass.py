"""Evaluation passes in-process on the test database: verdicts, more repetitions, badges, report, diffs."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from ae import conferences
from ae.checklist.claims import Claim
from ae.evaluation import evaluate, recompute, version_diff
from ae.storage.db import session_scope
from ae.storage.models import Artifact, ArtifactVersion, Run
from ae.storage.queries import add_version, create_artifact, replace_claims, runs_of, verdicts_of

CONFERENCE = conferences.parse(Path("pass-2024.toml"), """
[conference]
slug = "pass-2024"
name = "Pass 2024"
badge_scheme = "usenix"
badges = ["available", "functional", "reproduced"]

[evaluation]
repetitions = 3
max_repetitions = 6
""")

TIME = Claim(id="t", text="pi in 2 s", metric="execution_time", expected=2.0, unit="s", program="pi")
OUTPUT = Claim(id="out", text="prints pi", metric="output", expected=None, relation="equal", program="pi")


def runs(version: ArtifactVersion, *rows: dict[str, Any]) -> list[Run]:
    """Return finished runs of a version, one per row of fields."""
    return [Run(version_id=version.id, **{"program": "pi", "cmd_key": "default", "status": "succeeded",
                                          **row}) for row in rows]


def times(*values: float) -> list[dict[str, float]]:
    """Return samples with one execution_time per repetition."""
    return [{"execution_time": v} for v in values]


def taken_in(version: ArtifactVersion) -> None:
    """Move a submitted version to running the way a worker does (transitions are checked)."""
    for state in ("intake", "queued", "running"):
        version.status = state


def stored(session: Any, claims: list[Claim], *rows: dict[str, Any],
           checklist: dict[str, Any] | None = None) -> tuple[Artifact, ArtifactVersion, list[Run]]:
    """Add an artifact, its version, its claims and its finished runs; flush them."""
    artifact, version = create_artifact(session=session, conference="pass-2024", title="Pi",
                                        source="https://git.example.org/pi.git", ref=None)
    version.commit, version.snapshot_digest = "c" * 40, "d" * 64
    taken_in(version)
    version.checklist = checklist or {"ok": True, "dois": [{"value": "10.5281/zenodo.7"}]}
    replace_claims(session=session, version_id=version.id, claims=[dataclasses.asdict(c) for c in claims])
    made = runs(version, *rows)
    session.add_all(made)
    session.flush()
    return artifact, version, made


def test_a_decided_pass_stores_verdicts_badges_and_the_report(app: Any, tmp_path: Path) -> None:
    rows = {"samples": times(2.0, 2.0, 2.0), "record": {"output_check": {"out.txt": {"ok": True}}}}
    with session_scope() as session:
        artifact, version, made = stored(session, [TIME, OUTPUT], rows)
        result = evaluate(session=session, version=version, artifact=artifact, runs=made,
                          claims=[TIME, OUTPUT], conference=CONFERENCE, data_dir=tmp_path)
        version_id = version.id
    out = tmp_path / "reports" / version_id
    assert [(v.claim_id, v.outcome) for v in result.verdicts] == [("t", "reproduced"), ("out", "reproduced")]
    assert result.new_runs == []
    assert result.report == {"md": out / "report.md", "html": out / "report.html", "pdf": out / "report.pdf"}
    with session_scope() as session:
        row = session.get(ArtifactVersion, version_id)
        assert row is not None
        assert (row.status, row.report_path) == ("done", str(out / "report.pdf"))
        assert row.recommended_badges["scheme"] == "usenix"
        assert [{k: b[k] for k in ("badge", "title", "status", "why")}
                for b in row.recommended_badges["badges"]] == [
            {"badge": "available", "title": "Artifact Available", "status": "recommended",
             "why": "DOI 10.5281/zenodo.7 and commit cccccccccccc are pinned"},
            {"badge": "functional", "title": "Artifact Functional", "status": "recommended",
             "why": "the program built and ran on our workers"},
            {"badge": "reproduced", "title": "Results Reproduced", "status": "recommended",
             "why": "all 2 claims reproduced on our workers"},
        ]
        reasons = {b["badge"]: b["reasons"][0]["support"] for b in row.recommended_badges["badges"]}
        assert reasons["available"] == [{"kind": "version", "ref": version_id},
                                        {"kind": "checklist", "ref": "doi"}]
        assert reasons["functional"] == [{"kind": "run", "ref": r.id} for r in made
                                         if r.status == "succeeded"]
        assert reasons["reproduced"] == [{"kind": "verdict", "ref": "t"}, {"kind": "verdict", "ref": "out"}]
        records = verdicts_of(session=session, version_id=version_id)
        assert sorted((v.claim_id, v.outcome) for v in records) == [
            ("out", "reproduced"), ("t", "reproduced")]
    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "- **Artifact Functional**: recommended — the program built and ran on our workers\n" in markdown
    assert "| t: pi in 2 s | `execution_time` | ≈ 2 s | 2 s | [1.000, 1.000] | **reproduced** |\n" in markdown


def test_a_failed_run_of_the_program_decides_without_more_repetitions(app: Any, tmp_path: Path) -> None:
    with session_scope() as session:
        artifact, version, made = stored(session, [TIME], {"samples": times(2.0)},
                                         {"cmd_key": "broken", "status": "failed"})
        result = evaluate(session=session, version=version, artifact=artifact, runs=made, claims=[TIME],
                          conference=CONFERENCE, data_dir=tmp_path)
    assert [(v.claim_id, v.outcome, v.more_repetitions) for v in result.verdicts] == [
        ("t", "not-reproduced", 0)]
    assert result.new_runs == []
    assert version.status == "done"
    assert [b["status"] for b in version.recommended_badges["badges"]] == [
        "recommended", "recommended", "not-recommended"]  # pi has a successful run: it is Functional


def test_an_inconclusive_claim_asks_for_more_repetitions_once_per_target(app: Any, tmp_path: Path) -> None:
    other = dataclasses.replace(TIME, id="t2", expected=2.1)
    with session_scope() as session:
        artifact, version, made = stored(
            session, [TIME, other], {"samples": times(2.0), "pool": "gpu"},
            {"cmd_key": "fast", "samples": times(2.0)}, {"program": "sort", "samples": times(9.0)})
        result = evaluate(session=session, version=version, artifact=artifact, runs=made,
                          claims=[TIME, other], conference=CONFERENCE, data_dir=tmp_path)
        version_id = version.id
    assert [(v.claim_id, v.outcome, v.more_repetitions) for v in result.verdicts] == [
        ("t", "inconclusive", 1), ("t2", "inconclusive", 1)]
    assert sorted((r.program, r.cmd_key, r.dataset, r.pool, r.repetitions, r.status)
                  for r in result.new_runs) == [
        ("pi", "default", None, "gpu", 1, "queued"), ("pi", "fast", None, "default", 1, "queued")]
    assert result.report == {}
    with session_scope() as session:
        row = session.get(ArtifactVersion, version_id)
        assert row is not None
        assert (row.status, row.recommended_badges, row.report_path) == ("running", {}, None)
        assert len(runs_of(session=session, version_id=version_id)) == 5
    assert not (tmp_path / "reports" / version_id).exists()


def test_recompute_pairs_each_stored_verdict_with_a_fresh_one(app: Any, tmp_path: Path) -> None:
    with session_scope() as session:
        artifact, version, made = stored(session, [TIME], {"samples": times(2.0, 2.1, 1.9, 2.0)})
        evaluate(session=session, version=version, artifact=artifact, runs=made, claims=[TIME],
                 conference=CONFERENCE, data_dir=tmp_path)
    with session_scope() as session:
        [(old, new)] = recompute(session=session, version=version, conference=CONFERENCE)
    assert old is not None
    assert (old["claim_id"], old["outcome"], old["reason"]) == (new.claim_id, new.outcome, new.reason)
    assert (new.outcome, new.n) == ("reproduced", 4)


def test_version_diff_compares_verdicts_and_targets(app: Any, tmp_path: Path) -> None:
    with session_scope() as session:
        artifact, first, made = stored(session, [TIME], {"samples": times(2.0, 2.0, 2.0)},
                                       {"program": "old", "samples": times(1.0)})
        evaluate(session=session, version=first, artifact=artifact, runs=made, claims=[TIME],
                 conference=CONFERENCE, data_dir=tmp_path)
        second = add_version(session=session, artifact=artifact, ref="v2")
        second.commit = "e" * 40
        taken_in(second)
        session.flush()
        made = runs(second, {"samples": times(3.0, 3.0, 3.0)}, {"program": "new", "samples": times(1.0)})
        session.add_all(made)
        replace_claims(session=session, version_id=second.id, claims=[dataclasses.asdict(TIME)])
        evaluate(session=session, version=second, artifact=artifact, runs=made, claims=[TIME],
                 conference=CONFERENCE, data_dir=tmp_path)
    with session_scope() as session:
        diff = version_diff(session=session, older=first, newer=second)
    assert diff["a"] == {"number": 1, "commit": "c" * 40, "status": "done"}
    assert diff["b"] == {"number": 2, "commit": "e" * 40, "status": "done"}
    assert diff["claims"] == [{"claim": "t", "a": "reproduced", "b": "not-reproduced", "changed": True}]
    assert [(t["program"], t["cmd_key"], t["dataset"], t["status"]) for t in diff["targets"]] == [
        ("new", "default", None, "added"), ("old", "default", None, "removed"),
        ("pi", "default", None, "compared")]
    [samples] = diff["targets"][2]["diff"]["samples"]
    assert (samples["metric"], samples["a"]["median"], samples["b"]["median"], samples["ratio"]) == (
        "execution_time", 2.0, 3.0, 1.5)
