"""Where each sample's execution time came from: the program's timer file or the wall clock."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ae.evaluators.pipeline import RunSpec, run_program
from ae.evaluators.record import RunRecord, describe_time_sources
from ae.reports.artifact import ArtifactReport, to_markdown

REPO = Path(__file__).resolve().parent / "data" / "ck-pipeline"


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One build cache for the module's runs."""
    return tmp_path_factory.mktemp("cache")


def _run(tmp_path: Path, cache: Path, program: str, repo: Path = REPO,
         repetitions: int = 2) -> RunRecord:
    return run_program(RunSpec(repo_paths=[repo], program=program, work_dir=tmp_path / "work",
                               cache_dir=cache, repetitions=repetitions))


def test_a_program_timer_is_the_source_of_each_sample(tmp_path: Path, cache: Path) -> None:
    record = _run(tmp_path, cache, "sum-numbers")
    assert record.ok, record.message
    assert record.time_sources == ["timer", "timer"]
    assert all(s["execution_time"] <= s["wall_time"] for s in record.samples)


def test_without_a_timer_file_the_wall_clock_is(tmp_path: Path, cache: Path) -> None:
    record = _run(tmp_path, cache, "bit-count")
    assert record.ok, record.message
    assert record.time_sources == ["wall", "wall"]
    assert all(s["execution_time"] == s["wall_time"] for s in record.samples)


def test_a_declared_timer_file_that_is_missing_fails_with_no_time(tmp_path: Path,
                                                                  cache: Path) -> None:
    record = _run(tmp_path, cache, "missing-timer")
    assert record.failure_kind == "run-error"
    assert record.message == ("The timer file tmp-ck-timer.json declared by fine_grain_timer_file "
                              "was not written.")
    assert record.time_sources == ["none"] and "execution_time" not in record.samples[0]


def test_a_timer_without_execution_time_falls_back_to_the_wall_clock(
        tmp_path: Path, cache: Path, program_repo: Callable[..., Path]) -> None:
    repo = program_repo(tmp_path / "repo", {"no_compile": "yes", "run_cmds": {"default": {
        "run_time": {"run_cmd_main": "echo '{\"execution_time_kernel_0\": 0.5}' > t.json",
                     "fine_grain_timer_file": "t.json"}}}})
    record = _run(tmp_path, cache, "prog", repo, repetitions=1)
    assert record.ok, record.message
    assert record.time_sources == ["wall"]
    assert record.samples[0]["execution_time_kernel_0"] == 0.5
    assert record.samples[0]["execution_time"] == record.samples[0]["wall_time"]


@pytest.mark.parametrize("sources, text", [
    (["timer", "timer"], "program timer"),
    (["wall"], "wall clock"),
    (["timer", "wall", "timer"], "program timer ×2, wall clock ×1"),
    (["none"], "not measured"),
    ([], "—"),
    (None, "—"),
])
def test_time_sources_in_words(sources: list[str] | None, text: str) -> None:
    assert describe_time_sources(sources) == text


def test_the_report_shows_each_runs_time_source() -> None:
    run = {"program": "p", "cmd_key": "default", "dataset": "—", "repetitions": 3,
           "status": "succeeded", "median_time": "0.5", "time_source": "wall clock", "failure": ""}
    text = to_markdown(ArtifactReport(title="t", conference="c", source="s", version=1, commit=None,
                                      snapshot_digest=None, status="done", runs=[run]))
    assert "| Median time (s) | Time from | Failure |" in text
    assert "| 0.5 | wall clock |  |" in text


def test_the_artifact_page_shows_each_runs_time_source(app, client, people) -> None:  # type: ignore[no-untyped-def]
    from ae.storage.db import session_scope
    from ae.storage.models import Run
    from ae.storage.queries import create_artifact

    with session_scope() as session:
        artifact, version = create_artifact(session=session, conference="ppopp-2019", title="t",
                                            source="https://example.org/t.git", ref=None)
        session.add(Run(version_id=version.id, program="p", cmd_key="default", status="succeeded",
                        record={"time_sources": ["timer", "timer", "timer"]}))
        artifact_id = artifact.id
    people.sign_in(client, "chair")
    html = client.get(f"/artifacts/{artifact_id}").get_data(as_text=True)
    assert "<th title=\"where each repetition's execution time came from\">Time from</th>" in html
    assert "<td>program timer</td>" in html
