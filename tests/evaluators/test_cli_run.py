"""`ae run` on a local CK repository and on the shared real-CK fixtures."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from ae.ck.repository import find_repos
from ae.cli.run import run_cmd
from ae.evaluators.pipeline import Target, list_targets

REPO = Path(__file__).resolve().parent / "data" / "ck-pipeline"
FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "ck"


def test_run_one_program_prints_a_summary(tmp_path: Path) -> None:
    result = CliRunner().invoke(run_cmd, [
        str(REPO), "bit-count", "--cmd-key", "twice", "--repetitions", "2",
        "--cache-dir", str(tmp_path / "cache"), "--work-dir", str(tmp_path / "runs")])
    assert result.exit_code == 0, result.output
    header, rule, row = result.stdout.splitlines()[:3]
    assert header.split()[:5] == ["program", "cmd_key", "dataset", "result", "time"]
    assert row.split()[:4] == ["bit-count", "twice", "number-small", "ok"]
    assert (tmp_path / "runs" / "run-000" / "tmp" / "bits.out").is_file()


def test_failures_exit_non_zero_with_json_records(tmp_path: Path) -> None:
    result = CliRunner().invoke(run_cmd, [
        str(REPO), "wrong-output", "--repetitions", "1", "--json",
        "--cache-dir", str(tmp_path / "cache"), "--work-dir", str(tmp_path / "runs")])
    assert result.exit_code == 1
    record = json.loads(result.stdout.splitlines()[-1])
    assert record["failure_kind"] == "output-mismatch" and record["program"] == "wrong-output"


def test_artifact_with_several_repositories(tmp_path: Path) -> None:
    artifact = tmp_path / "artifact"
    shutil.copytree(REPO, artifact / "ck-repo")
    assert find_repos(artifact) == [artifact / "ck-repo"]
    result = CliRunner().invoke(run_cmd, [
        str(artifact), "--cmd-key", "plain", "--repetitions", "1",
        "--cache-dir", str(tmp_path / "cache"), "--work-dir", str(tmp_path / "runs")])
    assert result.exit_code == 0, result.output
    assert "hello-cpp" in result.output and "ok" in result.output


def test_real_ck_repositories_list_their_targets() -> None:
    programs, datasets = FIXTURES / "ctuning-programs", FIXTURES / "ctuning-datasets-min"
    if not programs.is_dir():
        pytest.skip("shared CK fixtures (/work/shared/fixtures/ck) are not available")
    targets = list_targets([programs, datasets])
    assert Target("cbench-automotive-susan", "corners", None) in targets
    assert Target("cbench-automotive-susan", "smoothing", None) in targets
    assert Target("cbench-telecom-crc32", "default", None) in targets
    assert len(targets) == 4


def test_git_url_is_cloned_pinned_and_run(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(REPO, source)
    git = ["git", "-c", "user.email=t@example.org", "-c", "user.name=t", "-C", str(source)]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "artifact"]):
        subprocess.run([*git, *args], check=True, capture_output=True)
    result = CliRunner().invoke(run_cmd, [
        f"file://{source}", "hello-python", "--repetitions", "1",
        "--cache-dir", str(tmp_path / "cache"), "--work-dir", str(tmp_path / "runs")])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[2].split()[:4] == ["hello-python", "default", "-", "ok"]
