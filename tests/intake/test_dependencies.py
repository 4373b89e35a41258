"""CK dependency repositories (`repo_deps`): fetched by URL through git, pinned, searched in CK's order."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ae.intake.git import init_repository
from ae.status import all_status
from ae.storage.db import session_scope
from ae.submission import submit

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DATASETS_URL = "https://example.org/ae-examples/ae-example-crc32-datasets.git"


def _git(*args: str, cwd: Path) -> str:
    identity = ["-c", "user.name=ae test", "-c", "user.email=test@ae.invalid"]
    done = subprocess.run(["git", *identity, *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout.strip()


@pytest.fixture
def split_artifact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The crc32 example as two git repositories, the datasets one reached through an insteadOf mirror.

    The operator's git configuration (GIT_CONFIG_GLOBAL, as an operator would set it up for the
    service's user) maps the dependency's public URL to a local mirror, as on a machine without DNS.
    """
    programs, datasets = tmp_path / "repos" / "crc32-programs", tmp_path / "mirror" / "crc32-datasets"
    shutil.copytree(EXAMPLES / "crc32-programs", programs)
    shutil.copytree(EXAMPLES / "crc32-datasets", datasets)
    init_repository(programs, message="programs")
    first = init_repository(datasets, message="datasets v1")
    lorem = datasets / "dataset" / "text-lorem" / "lorem.txt"
    lorem.write_text(lorem.read_text() + "one more line\n")
    _git("commit", "-qam", "datasets v2", cwd=datasets)
    second = _git("rev-parse", "HEAD", cwd=datasets)
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text(f'[url "{datasets.as_uri()}"]\n\tinsteadOf = {DATASETS_URL}\n')
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    return {"programs": programs, "datasets": datasets, "first": first, "second": second}


def _only(app: Any) -> dict[str, Any]:
    with app.app_context(), session_scope() as session:
        [item] = all_status(session=session)
    return item


@pytest.mark.slow
def test_programs_only_artifact_is_reproduced_with_its_dataset_repository(  # type: ignore[no-untyped-def]
        app, split_artifact, burst_worker, client, people) -> None:
    submit(conference="ppopp-2019", title="crc32 split", source=str(split_artifact["programs"]))
    burst_worker()
    item = _only(app)
    assert item["status"] == "done", item["error"]
    [dep] = item["dependencies"]
    assert dep["repo"] == "ae-example-crc32-datasets" and dep["url"] == DATASETS_URL
    assert dep["commit"] == split_artifact["second"] and dep["pinned_by"] == "latest"
    assert dep["required_by"] == "ae-example-crc32-programs" and len(dep["digest"]) == 64
    [run] = item["runs"]
    assert (run["program"], run["status"], run["dataset"]) == ("crc32-c", "succeeded", "text-lorem")
    outcomes = {v["claim"]: v["outcome"] for v in item["verdicts"]}
    # the byte count sees the dependency's second commit (one more line), so the claim of the
    # first commit's size is not reproduced: the latest commit was used, as recorded
    assert outcomes == {"bytes": "not-reproduced", "crc": "not-reproduced"}
    people.sign_in(client, "chair")
    page = client.get(f"/artifacts/{item['id']}").get_data(as_text=True)
    assert "Dependency repositories" in page and split_artifact["second"] in page
    report = (Path(item["report"]).parent / "report.md").read_text()
    assert f"| ae-example-crc32-datasets | `{DATASETS_URL}` | `{split_artifact['second']}` |" in report


class TestConferencePin:
    """A conference file that pins the dependency repository to its first commit."""

    @pytest.fixture
    def config(self, config: dict[str, Any], tmp_path: Path, split_artifact: dict[str, Any],
               ) -> dict[str, Any]:
        text = (Path(config["CONFERENCES_DIR"]) / "ppopp-2019.toml").read_text()
        own = tmp_path / "conferences"
        own.mkdir()
        (own / "ppopp-2019.toml").write_text(text + (
            f'\n[[dependency]]\nrepo = "ae-example-crc32-datasets"\ncommit = "{split_artifact["first"]}"\n'))
        return {**config, "CONFERENCES_DIR": str(own)}

    @pytest.mark.slow
    def test_a_conference_pin_fixes_the_dependency_commit(  # type: ignore[no-untyped-def]
            self, app, split_artifact, burst_worker) -> None:
        submit(conference="ppopp-2019", title="crc32 pinned", source=str(split_artifact["programs"]))
        burst_worker()
        item = _only(app)
        assert item["status"] == "done", item["error"]
        [dep] = item["dependencies"]
        assert (dep["commit"], dep["pinned_by"]) == (split_artifact["first"], "conference")
        assert {v["claim"]: v["outcome"] for v in item["verdicts"]} == {
            "bytes": "reproduced", "crc": "reproduced"}


@pytest.mark.slow
def test_an_unreachable_dependency_fails_intake_naming_the_repository(  # type: ignore[no-untyped-def]
        app, tmp_path, burst_worker, monkeypatch) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-gitconfig"))
    programs = tmp_path / "crc32-programs"
    shutil.copytree(EXAMPLES / "crc32-programs", programs)
    descriptor = json.loads((programs / ".ckr.json").read_text())
    descriptor["dict"]["repo_deps"][0]["repo_url"] = (tmp_path / "nowhere").as_uri()
    (programs / ".ckr.json").write_text(json.dumps(descriptor))
    init_repository(programs, message="programs")
    submit(conference="ppopp-2019", title="crc32 broken", source=str(programs))
    burst_worker()
    item = _only(app)
    assert item["status"] == "failed" and item["runs"] == []
    assert item["error"].startswith("dependency repository 'ae-example-crc32-datasets' "
                                    "(repo_deps of 'ae-example-crc32-programs'): "), item["error"]
    assert "Traceback" not in item["error"]


def test_a_dependency_without_url_or_pin_is_named(tmp_path: Path) -> None:
    from ae.errors import SourceError
    from ae.intake.dependencies import resolve

    programs = tmp_path / "crc32-programs"
    shutil.copytree(EXAMPLES / "crc32-programs", programs)
    descriptor = json.loads((programs / ".ckr.json").read_text())
    del descriptor["dict"]["repo_deps"][0]["repo_url"]
    (programs / ".ckr.json").write_text(json.dumps(descriptor))

    def never(url: str, ref: str | None) -> Any:
        raise AssertionError("nothing may be fetched")

    with pytest.raises(SourceError, match="has no repo_url, and the conference file does not pin it"):
        resolve([programs], fetch=never)
    # a repository at hand (ae run --repo) satisfies it by alias, without fetching
    assert resolve([programs], fetch=never, available=[EXAMPLES / "crc32-datasets"]) == []


def test_ae_run_fetches_the_dependency_like_intake(split_artifact, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ae.cli.run import run_cmd

    result = CliRunner().invoke(run_cmd, [
        str(split_artifact["programs"]), "--repetitions", "1", "--json",
        "--cache-dir", str(tmp_path / "cache"), "--work-dir", str(tmp_path / "runs")])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout.splitlines()[-1])
    assert record["ok"] and record["dataset"] == "text-lorem"
    assert record["samples"][0]["run_time_state.bytes"] == 41486 + len("one more line\n")
    assert f"dependency ae-example-crc32-datasets: {DATASETS_URL} at {split_artifact['second'][:12]}" \
        in result.stderr


def test_ae_run_uses_a_local_repo_for_the_dependency(tmp_path: Path) -> None:
    from ae.cli.run import run_cmd

    result = CliRunner().invoke(run_cmd, [
        str(EXAMPLES / "crc32-programs"), "--repo", str(EXAMPLES / "crc32-datasets"),
        "--repetitions", "1", "--json",
        "--cache-dir", str(tmp_path / "cache"), "--work-dir", str(tmp_path / "runs")])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout.splitlines()[-1])
    assert record["samples"][0]["run_time_state.crc32_low16"] == 43043


@pytest.mark.slow
def test_several_ck_repositories_in_one_git_repository(  # type: ignore[no-untyped-def]
        app, tmp_path, burst_worker, monkeypatch) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-gitconfig"))
    both = tmp_path / "artifact"
    shutil.copytree(EXAMPLES / "crc32-programs", both / "programs")
    shutil.copytree(EXAMPLES / "crc32-datasets", both / "datasets")
    shutil.copy(EXAMPLES / "crc32-programs" / "ARTIFACT-APPENDIX.md", both / "ARTIFACT-APPENDIX.md")
    init_repository(both, message="two CK repositories, a folder each")
    submit(conference="ppopp-2019", title="crc32 in one repository", source=str(both))
    burst_worker()
    item = _only(app)
    assert item["status"] == "done", item["error"]
    assert item["dependencies"] == [], "the dependency is in the same git repository: nothing fetched"
    assert {v["claim"]: v["outcome"] for v in item["verdicts"]} == {
        "bytes": "reproduced", "crc": "reproduced"}
