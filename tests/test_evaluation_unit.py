"""Evaluation helpers on plain rows: matching runs, judging claims, evidence, report data, run views."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ae import conferences
from ae.checklist.claims import Claim
from ae.evaluation import build_report, evidence, judge, matches, policy_for, run_view
from ae.storage.models import Artifact, ArtifactVersion, Run
from ae.verdicts.rule import VerdictPolicy

POLICY = VerdictPolicy()


def run(program: str = "pi", cmd_key: str = "default", *, status: str = "succeeded",
        times: tuple[float, ...] = (2.0, 2.0, 2.0), **fields: Any) -> Run:
    """Return a run row (not stored) with one execution_time sample per repetition."""
    fields.setdefault("samples", [{"execution_time": t} for t in times])
    return Run(version_id="v1", program=program, cmd_key=cmd_key, status=status, **fields)


def claim(claim_id: str = "t", **fields: Any) -> Claim:
    """Return a claim that pi runs in 2 s."""
    base: dict[str, Any] = {"text": "pi in 2 s", "metric": "execution_time", "expected": 2.0, "unit": "s"}
    return Claim(id=claim_id, **{**base, **fields})


OUTPUT = Claim(id="out", text="prints pi", metric="output", expected=None, relation="equal")


@pytest.mark.parametrize(("fields", "program", "cmd_key", "dataset", "record", "expected"), [
    ({}, "pi", "default", None, {}, True),
    ({"program": "pi"}, "pi", "fast", "d1", {}, True),
    ({"program": "sort"}, "pi", "default", None, {}, False),
    ({"cmd_key": "fast"}, "pi", "default", None, {}, False),
    ({"cmd_key": "fast"}, "pi", "fast", None, {}, True),
    ({"dataset": "d1"}, "pi", "default", "d1", {}, True),
    ({"dataset": "d1"}, "pi", "default", "d2", {}, False),
    ({"dataset": "d1"}, "pi", "default", None, {}, False),
    ({"dataset": "d1"}, "pi", "default", None, {"dataset": "d1"}, True),    # chosen by tags, recorded
    ({"dataset": "d1"}, "pi", "default", None, {"dataset": "d2"}, False),
    ({"program": "pi", "cmd_key": "default", "dataset": "d1"}, "pi", "default", "d1", {}, True),
])
def test_matches_compares_only_the_fields_a_claim_sets(fields: dict[str, str], program: str, cmd_key: str,
                                                      dataset: str | None, record: dict[str, str],
                                                      expected: bool) -> None:
    assert matches(claim(**fields), run(program, cmd_key, dataset=dataset, record=record)) is expected


def test_a_claim_no_run_measures_is_not_reproduced_and_says_why() -> None:
    verdict = judge(claim(program="sort"), [run("pi")], POLICY)
    assert (verdict.claim_id, verdict.outcome, verdict.n, verdict.measured_median, verdict.ratio_ci,
            verdict.more_repetitions) == ("t", "not-reproduced", 0, None, None, 0)
    assert verdict.reason == "no run measures this claim (check its program, cmd_key and dataset)"


def test_samples_are_pooled_over_every_run_that_measures_the_claim() -> None:
    runs = [run(times=(2.0, 2.0)), run("pi", "fast", times=(2.0, 2.0)), run("sort", times=(9.0, 9.0, 9.0))]
    verdict = judge(claim(program="pi"), runs, POLICY)
    assert (verdict.outcome, verdict.n, verdict.measured_median, verdict.ratio_ci) == (
        "reproduced", 4, 2.0, (1.0, 1.0))


@pytest.mark.parametrize(("times", "outcome", "median", "more"), [
    ((2.0, 2.0, 2.0), "reproduced", 2.0, 0),
    ((3.0, 3.0, 3.0), "not-reproduced", 3.0, 0),
    ((2.0,), "inconclusive", 2.0, 2),   # fewer repetitions than the policy's minimum: ask for more
])
def test_a_claim_is_judged_from_the_stored_samples(times: tuple[float, ...], outcome: str, median: float,
                                                  more: int) -> None:
    verdict = judge(claim(), [run(times=times)], POLICY)
    assert (verdict.outcome, verdict.n, verdict.measured_median, verdict.more_repetitions) == (
        outcome, len(times), median, more)


def test_a_failed_run_is_never_reproduced_even_with_good_samples_beside_it() -> None:
    verdict = judge(claim(), [run(), run(status="failed", failure_kind="timeout", samples=[])], POLICY)
    assert (verdict.outcome, verdict.n, verdict.measured_median) == ("not-reproduced", 0, None)


def test_a_metric_missing_from_every_sample_is_not_reproduced_naming_the_keys() -> None:
    verdict = judge(claim("x", metric="energy"), [run(times=(2.0, 2.0))], POLICY)
    assert (verdict.outcome, verdict.n) == ("not-reproduced", 0)
    assert verdict.reason == ('Claim "x": metric "energy" is in none of the 2 run records '
                              "(keys of the first: execution_time).")


@pytest.mark.parametrize(("runs", "outcome"), [
    ([run(record={"output_check": {"out.txt": {"ok": True}, "log.txt": {"ok": True}}})], "reproduced"),
    ([run(record={"output_check": {"out.txt": {"ok": True}}}),
      run("pi", "fast", record={"output_check": {"out.txt": {"ok": False}}})], "not-reproduced"),
    ([run(status="failed", failure_kind="output-mismatch",
          record={"output_check": {"out.txt": {"ok": False}}})], "not-reproduced"),
    ([run(record={})], "inconclusive"),            # nothing compared: equality is never assumed
])
def test_an_output_claim_is_judged_from_the_output_checks(runs: list[Run], outcome: str) -> None:
    assert judge(OUTPUT, runs, POLICY).outcome == outcome


def test_policy_for_takes_the_conference_repetitions() -> None:
    text = ('[conference]\nslug = "unit-2024"\nname = "Unit"\nbadge_scheme = "usenix"\nbadges = []\n'
            "[evaluation]\nrepetitions = 5\nmax_repetitions = 9\n")
    policy = policy_for(conferences.parse(Path("unit-2024.toml"), text))
    assert (policy.min_repetitions, policy.max_repetitions) == (5, 9)


def version(**fields: Any) -> ArtifactVersion:
    """Return a version row (not stored)."""
    return ArtifactVersion(id="v1", artifact_id="a1", **fields)


def test_evidence_counts_programs_verdicts_and_takes_the_first_real_doi() -> None:
    checklist = {"ok": False, "dois": [{"value": "10.1234/placeholder", "placeholder": True},
                                       {"value": "10.5281/zenodo.42"}, {"value": "10.5281/zenodo.43"}]}
    runs = [run("sort"), run("pi", status="failed"), run("pi", "fast"), run("bench", status="failed")]
    verdicts = [judge(claim("a"), [run()], POLICY), judge(claim("b", expected=1.0), [run()], POLICY),
                judge(claim("c"), [run(times=(2.0,))], POLICY), judge(claim("d", program="x"), runs, POLICY)]
    got = evidence(version(commit="f" * 40, checklist=checklist), runs, verdicts)
    assert got.pinned_commit == "f" * 40
    assert got.doi == "10.5281/zenodo.42"
    assert got.programs == ("bench", "pi", "sort")
    assert got.programs_ok == ("pi", "sort")
    assert (got.claims, got.reproduced, got.not_reproduced, got.inconclusive) == (4, 1, 2, 1)
    assert got.checklist_ok is False


def test_evidence_of_a_bare_version() -> None:
    got = evidence(version(), [], [])
    assert (got.pinned_commit, got.doi, got.programs, got.programs_ok, got.claims, got.checklist_ok) == (
        None, None, (), (), 0, None)


def test_build_report_turns_rows_into_report_data() -> None:
    artifact = Artifact(id="a1", conference="ppopp-2019", title="Pi <fast>",
                        source="https://alice:s3cret@git.example.org/pi.git")
    ver = version(number=3, commit="c" * 40, snapshot_digest="d" * 64, checklist={"ok": True, "findings": []},
                  dependencies=[{"repo": "ck-env", "url": "https://git.example.org/ck-env", "commit": "abc"}],
                  recommended_badges={"scheme": "acm-1.1", "badges": [{"badge": "available", "title": "A",
                                                                       "status": "recommended", "why": "w"}]})
    platform = {"arch": "x86_64", "cores": 2, "gpus": [{"name": "A100"}], "os": "linux",
                "software": {"gcc": "12"}}
    runs = [
        run(times=(1.0, 3.0, 2.0), record={"time_sources": ["timer"] * 3, "platform": platform}),
        run("pi", "fast", dataset=None, times=(), samples=[{"pi": 3.14}], status="failed",
            failure_kind="exit-code", message="exit status 1",
            record={"dataset": "digits-10", "time_sources": ["wall", "timer"]}),
    ]
    claims = [claim(relation="at_most", cmd_key="default"), OUTPUT,
              claim("z", metric="energy", expected=12345.678, unit=None, relation="at_least")]
    verdicts = [judge(c, runs, POLICY) for c in claims]
    report = build_report(artifact, ver, runs, claims, verdicts)
    assert (report.title, report.conference, report.source, report.version, report.commit,
            report.snapshot_digest, report.status) == (
        "Pi <fast>", "ppopp-2019", "https://alice:***@git.example.org/pi.git", 3, "c" * 40, "d" * 64, "done")
    assert [{k: row[k] for k in ("id", "text", "metric", "claimed", "measured", "ci", "outcome")}
            for row in report.claims] == [
        {"id": "t", "text": "pi in 2 s", "metric": "execution_time", "claimed": "≤ 2 s", "measured": "2 s",
         "ci": "[0.500, 1.500]", "outcome": "inconclusive"},
        {"id": "out", "text": "prints pi", "metric": "output", "claimed": "reference output", "measured": "—",
         "ci": "—", "outcome": "not-reproduced"},
        {"id": "z", "text": "pi in 2 s", "metric": "energy", "claimed": "≥ 1.235e+04", "measured": "—",
         "ci": "—", "outcome": "not-reproduced"},
    ]
    assert [row["reason"] for row in report.claims] == [v.reason for v in verdicts]
    assert report.runs == [
        {"program": "pi", "cmd_key": "default", "dataset": "—", "repetitions": 3, "status": "succeeded",
         "median_time": "2", "time_source": "program timer", "failure": ""},
        {"program": "pi", "cmd_key": "fast", "dataset": "digits-10", "repetitions": 3, "status": "failed",
         "median_time": "—", "time_source": "wall clock ×1, program timer ×1",
         "failure": "exit-code: exit status 1"},
    ]
    assert report.platform == {"arch": "x86_64", "cores": 2, "os": "linux"}
    assert report.badges == [{"badge": "available", "title": "A", "status": "recommended", "why": "w"}]
    assert report.checklist == {"ok": True, "findings": []}
    assert report.dependencies == [
        {"repo": "ck-env", "url": "https://git.example.org/ck-env", "commit": "abc"}]


def test_build_report_of_a_version_without_runs_or_badges() -> None:
    report = build_report(Artifact(id="a1", conference="c", title="t", source="/srv/t.tar"), version(), [],
                          [], [])
    assert (report.source, report.claims, report.runs, report.badges, report.platform,
            report.dependencies) == ("/srv/t.tar", [], [], [], {}, [])


def test_run_view_pools_numeric_samples_and_takes_the_latest_record() -> None:
    first = run(samples=[{"execution_time": 1.0, "ok": True, "label": "a", "count": 3}],
                record={"outputs": {"out.txt": "sha-1"}, "platform": {"arch": "x86_64"}})
    later = run(samples=[{"execution_time": 2.5}, {"execution_time": 3.0, "count": 4}],
                record={"outputs": {"out.txt": "sha-2"}, "deps": {"gcc": "12"}, "env": {"CC": "gcc"},
                        "commands": ["./pi"]})
    assert run_view(first, later) == {
        "samples": {"execution_time": [1.0, 2.5, 3.0], "count": [3.0, 4.0]},
        "outputs": {"out.txt": "sha-2"}, "deps": {"gcc": "12"}, "platform": {}, "env": {"CC": "gcc"},
        "command": ["./pi"],
    }
    assert run_view(first) == {"samples": {"execution_time": [1.0], "count": [3.0]},
                               "outputs": {"out.txt": "sha-1"}, "deps": {}, "platform": {"arch": "x86_64"},
                               "env": {}, "command": []}
