"""The `ae` command line: commands, one-line user errors with exit status 2."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_conferences_list(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(["conferences", "list"])
    assert result.exit_code == 0
    assert "ppopp-2019" in result.output and "acm-1.0" in result.output


def test_db_upgrade_and_current(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(["db", "upgrade"])
    assert result.exit_code == 0, result.output
    from ae.storage.migrate import head

    assert f"is at revision {head()}" in result.output
    assert runner.invoke(["db", "current"]).output.strip() == head()


def test_status_when_empty(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(["status"])
    assert result.exit_code == 0
    assert "no artifacts yet" in result.output


@pytest.mark.slow
def test_user_errors_are_one_line_exit_2(ae_process) -> None:  # type: ignore[no-untyped-def]
    result = ae_process("submit", "/no/such/artifact")
    assert result.returncode == 2
    assert result.stderr.strip() == "Error: /no/such/artifact: no such directory and not a git URL"
    result = ae_process("status", "0123456789")
    assert result.returncode == 2
    assert result.stderr.strip() == "Error: no artifact with id '0123456789'"


def test_bad_conference_file_is_one_line(ae_process, config: dict, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "confs").mkdir()
    (tmp_path / "confs" / "broken.toml").write_text("[conference]\nslug = 'broken'\n")
    result = ae_process("status", config=dict(config, CONFERENCES_DIR=str(tmp_path / "confs")))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "broken.toml: [conference] needs 'name'" in lines[0]


def test_submit_prints_ids_and_queues_intake(runner, app, example_repo) -> None:  # type: ignore[no-untyped-def]
    from ae.workers.queue import INTAKE_QUEUE, get_queue

    repo = example_repo("pi-python")
    result = runner.invoke(["submit", str(repo), "--title", "Pi", "--badge", "reproduced"])
    assert result.exit_code == 0, result.output
    assert "submitted artifact" in result.output
    jobs = get_queue(INTAKE_QUEUE).jobs
    assert len(jobs) == 1 and jobs[0].func_name == "ae.workers.jobs.intake_version"
    status = runner.invoke(["status"])
    assert "submitted" in status.output and "Pi" in status.output


def test_submit_rejects_badge_not_offered(runner, example_repo) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(["submit", str(example_repo("pi-python")), "--badge", "shiny"])
    assert result.exit_code == 2
    assert "badge 'shiny' is not offered by ppopp-2019" in result.output


def test_submit_with_appendix_lints_at_once(runner, example_repo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    appendix = tmp_path / "ae.md"
    appendix.write_text("# Artifact Appendix\n\n```claims\n[[claim]]\nid = 'c1'\nmetric = 'x'\n"
                        "expected = 1.0\nrelation = 'about'\n```\n")
    result = runner.invoke(["submit", str(example_repo("pi-python")), "--appendix", str(appendix),
                            "--badge", "reproduced"])
    assert result.exit_code == 0, result.output
    assert "check-list of" in result.output
    assert 'claim "c1": relation must be one of approx' in result.output



@pytest.mark.slow
def test_serve_answers_http(ae_server: str) -> None:
    import json
    import urllib.request

    with urllib.request.urlopen(f"{ae_server}/api/health", timeout=5) as response:
        assert json.load(response) == {"status": "ok"}
    with urllib.request.urlopen(f"{ae_server}/", timeout=5) as page:
        assert b"Artifacts" in page.read()
