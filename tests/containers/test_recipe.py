"""Containerfiles and build contexts as plain files, and the host's Debian mirror (no podman)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ae.evaluators.container import base, recipe
from ae.evaluators.plan import Plan, target

ROOT = Path(__file__).resolve().parents[2]


def test_export_context_holds_ae_the_artifact_its_dependencies_and_the_plan(tmp_path: Path) -> None:
    artifact = ROOT / "examples" / "crc32-programs"
    deps = [("00-crc32-datasets", ROOT / "examples" / "crc32-datasets")]
    export = recipe.Export(artifact_root=artifact, own_repos=[artifact], dependencies=deps,
                           targets=[target("crc32", "default", None)], repetitions=2,
                           limits={"wall_s": 60}, network=False, header=["an example"])
    containerfile = recipe.write_export(tmp_path / "ctx", export, base="localhost/ae-base:test")
    text = containerfile.read_text()
    assert text.startswith("# an example\nFROM localhost/ae-base:test\nCOPY ae /opt/ae/lib/ae\n")
    assert 'CMD ["python3", "-m", "ae.evaluators.plan", "/ae/plan.json"]' in text
    assert "USER 65534:65534" in text
    plan = Plan.from_json((tmp_path / "ctx" / "plan.json").read_text())
    assert plan.repo_paths == ["/ae/artifact", "/ae/deps/00-crc32-datasets"]
    assert (plan.sandbox_mode, plan.repetitions, plan.work_root) == ("container", 2, "/ae/work")
    assert (tmp_path / "ctx" / "ae" / "evaluators" / "plan.py").is_file()
    assert not list((tmp_path / "ctx" / "ae").rglob("__pycache__"))
    assert (tmp_path / "ctx" / "deps" / "00-crc32-datasets" / ".ckr.json").is_file()
    with pytest.raises(FileExistsError):
        recipe.write_export(tmp_path / "ctx", export, base="x")


def test_plan_round_trips_and_rejects_what_is_not_a_plan() -> None:
    plan = Plan(repo_paths=["/r"], targets=[target("p", None, None)], work_root="/w")
    assert Plan.from_json(plan.to_json()) == plan
    assert json.loads(plan.to_json())["sandbox_mode"] == "auto"
    with pytest.raises(Exception, match="not a run plan"):
        Plan.from_json('{"programs": []}')


def test_host_mirror_reads_both_apt_formats(tmp_path: Path) -> None:
    (tmp_path / "a.sources").write_text("Types: deb\nURIs: http://mirror.test/debian-security\n\n"
                                        "Types: deb\nURIs: http://mirror.test/debian\nSuites: bookworm\n")
    assert base.host_mirror([tmp_path]) == "http://mirror.test/debian"
    (tmp_path / "a.sources").unlink()
    (tmp_path / "sources.list").write_text("# none\ndeb [arch=amd64] http://other.test/debian bookworm\n")
    assert base.host_mirror([tmp_path / "sources.list"]) == "http://other.test/debian"
    assert base.host_mirror([tmp_path / "missing"]) is None
