"""Hostile meta and hostile programs cannot make the worker read or write outside the work dir."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ae.evaluators.pipeline import RunSpec, run_program


def write_repo(root: Path, run_time: dict[str, Any]) -> Path:
    """Write a one-program CK repository whose command is `run_time` (no compilation)."""
    def dump(path: Path, data: Any) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data))

    dump(root / ".ckr.json", {"data_alias": "hostile", "data_uid": "0123456789abcdef",
                              "data_uoa": "hostile", "dict": {}})
    (root / ".cm").mkdir()
    (root / ".cm" / "alias-a-program").write_text("b0ac08fe1d3c2615\n")
    (root / ".cm" / "alias-u-b0ac08fe1d3c2615").write_text("program\n")
    entry = root / "program" / "evil"
    dump(entry / ".cm" / "meta.json", {"program": "yes", "tags": ["program"], "no_compile": "yes",
                                       "run_cmds": {"default": {"run_time": run_time}}})
    (root / "program" / ".cm").mkdir()
    (root / "program" / ".cm" / "alias-a-evil").write_text("00000000000e0001\n")
    (root / "program" / ".cm" / "alias-u-00000000000e0001").write_text("evil\n")
    return root


def test_planted_symlinks_are_neither_read_nor_written_through(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("worker secret\n")
    repo = write_repo(tmp_path / "repo", {
        "run_cmd_main": f"echo out; rm -f tmp-output1.tmp res.txt; ln -s {secret} tmp-output1.tmp; "
                        f"ln -s {secret} res.txt",
        "run_cmd_out1": "tmp-output1.tmp", "run_correctness_output_files": ["res.txt"]})
    record = run_program(RunSpec(repo_paths=[repo], program="evil", work_dir=tmp_path / "w",
                                 cache_dir=tmp_path / "cache", references_dir=tmp_path / "refs",
                                 repetitions=2))
    assert secret.read_text() == "worker secret\n"  # the 2nd repetition did not write through it
    assert "worker secret" not in json.dumps(record.to_dict())
    assert record.stdout_tail == "" and "tmp-output1.tmp" not in record.outputs
    assert record.failure_kind == "output-mismatch"
    assert record.output_check["res.txt"]["ok"] is False
    assert not (tmp_path / "refs").exists() or not any((tmp_path / "refs").rglob("res.txt"))


def test_names_leaving_the_run_dir_are_meta_errors(tmp_path: Path) -> None:
    for n, run_time in enumerate([
        {"run_cmd_main": "echo x", "run_cmd_out1": "../../../escape.txt"},
        {"run_cmd_main": "echo x", "run_correctness_output_files": ["/etc/passwd"]},
        {"run_cmd_main": "echo x", "fine_grain_timer_file": "../../t.json"},
    ]):
        repo = write_repo(tmp_path / f"repo{n}", run_time)
        record = run_program(RunSpec(repo_paths=[repo], program="evil",
                                     work_dir=tmp_path / f"w{n}", cache_dir=tmp_path / "cache"))
        assert record.failure_kind == "meta-error", record.message
        assert "outside the run directory" in record.message
    assert not (tmp_path / "escape.txt").exists()


def test_sources_outside_the_repositories_are_refused(tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "repo", {"run_cmd_main": "$#BIN_FILE#$"})
    meta_path = repo / "program" / "evil" / ".cm" / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta.pop("no_compile")
    meta.update(source_files=["../../../../../../../etc/hostname", "/dev/zero"],
                compile_deps={"c": {"tags": "compiler,lang-c"}})
    meta_path.write_text(json.dumps(meta))
    record = run_program(RunSpec(repo_paths=[repo], program="evil", work_dir=tmp_path / "w",
                                 cache_dir=tmp_path / "cache"))
    assert record.failure_kind == "compile-error"
    assert "not a file inside the artifact's repositories" in record.message


def test_target_file_must_be_a_plain_name(tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "repo", {"run_cmd_main": "$#BIN_FILE#$"})
    meta_path = repo / "program" / "evil" / ".cm" / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta.pop("no_compile")
    (repo / "program" / "evil" / "a.c").write_text("int main(void) { return 0; }\n")
    meta.update(source_files=["a.c"], target_file="../../../../../../etc/hostname#",
                compile_deps={"c": {"tags": "compiler,lang-c"}})
    meta_path.write_text(json.dumps(meta))
    record = run_program(RunSpec(repo_paths=[repo], program="evil", work_dir=tmp_path / "w",
                                 cache_dir=tmp_path / "cache"))
    assert record.failure_kind == "meta-error" and "plain file name" in record.message


def test_reference_names_cannot_leave_the_references_dir(tmp_path: Path) -> None:
    repo = write_repo(tmp_path / "repo", {
        "run_cmd_main": "echo x", "run_cmd_out1": "out.txt", "output_invariant_of_repeat": "yes",
        "run_correctness_output_files": ["out.txt"], "program_output_uoa": "../../../escaped"})
    record = run_program(RunSpec(repo_paths=[repo], program="evil", work_dir=tmp_path / "w",
                                 cache_dir=tmp_path / "cache", references_dir=tmp_path / "r" / "refs"))
    assert record.failure_kind == "meta-error" and "outside" in record.message
    assert not list(tmp_path.rglob("escaped"))
