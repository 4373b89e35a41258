"""`ae ck ls|search|show|check` through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ae.errors import CkError

from .ckrepo import RepoWriter

ck_cli = pytest.importorskip("ae.cli.ck").ck


@pytest.fixture
def repo(tmp_path: Path) -> RepoWriter:
    w = RepoWriter(tmp_path / "r", "cli-repo")
    w.entry("program", "susan", {"tags": ["cbench", "lang-c"], "data_name": "susan"})
    w.entry("dataset", "pgm-1", {"tags": ["dataset", "image", "pgm"]})
    return w


def test_ls_prints_a_table(repo: RepoWriter) -> None:
    result = CliRunner().invoke(ck_cli, ["ls", "*:*", "--repo", str(repo.root)])
    assert result.exit_code == 0, result.output
    assert "cli-repo:program:susan" in result.output
    assert "cli-repo:dataset:pgm-1" in result.output
    assert "2 entries" in result.output


def test_search_json(repo: RepoWriter) -> None:
    result = CliRunner().invoke(ck_cli, ["search", "dataset", "--tags", "image, pgm", "--json",
                                         "--repo", str(repo.root)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [e["cid"] for e in data["entries"]] == ["cli-repo:dataset:pgm-1"]
    assert data["problems"] == []


def test_show_and_missing_entry(repo: RepoWriter) -> None:
    result = CliRunner().invoke(ck_cli, ["show", "program:susan", "--json",
                                         "--repo", str(repo.root)])
    assert json.loads(result.output)["meta"]["tags"] == ["cbench", "lang-c"]
    missing = CliRunner().invoke(ck_cli, ["show", "program:nope", "--repo", str(repo.root)])
    assert isinstance(missing.exception, CkError)  # the top-level CLI turns it into exit 2
    assert "'program:nope' was not found" in str(missing.exception)


def test_check_reports_problems_with_exit_status(repo: RepoWriter) -> None:
    ok = CliRunner().invoke(ck_cli, ["check", "--repo", str(repo.root)])
    assert ok.exit_code == 0 and "0 problem(s)" in ok.output
    repo.entry("program", "broken", raw_meta=b"{")
    bad = CliRunner().invoke(ck_cli, ["check", "--repo", str(repo.root)])
    assert bad.exit_code == 1
    assert "broken/.cm/meta.json: is not valid JSON" in bad.output
