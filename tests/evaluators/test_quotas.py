"""The pipeline within the run's limits: bounded hashing of outputs, artifact trees of any depth."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ae.evaluators import sandbox
from ae.evaluators.pipeline import RunSpec, run_program
from ae.evaluators.record import RunRecord
from ae.files import trees


def _run(tmp_path: Path, program_repo: Callable[..., Path], run_time: dict[str, object],
         limits: sandbox.Limits | None = None, repetitions: int = 1) -> RunRecord:
    repo = program_repo(tmp_path / "repo", {"no_compile": "yes",
                                            "run_cmds": {"default": {"run_time": run_time}}})
    return run_program(RunSpec(repo_paths=[repo], program="prog", work_dir=tmp_path / "work",
                               cache_dir=tmp_path / "cache", repetitions=repetitions,
                               limits=limits))


def test_outputs_are_hashed_only_up_to_the_runs_disk_quota(tmp_path, program_repo) -> None:  # type: ignore[no-untyped-def]
    names = [f"o{n}.bin" for n in range(10)]
    limits = sandbox.Limits(file_size_bytes=16 << 20, disk_bytes=40 << 20)
    record = _run(tmp_path, program_repo, {
        "run_cmd_main": "for n in 0 1 2 3 4 5 6 7 8 9; do truncate -s 16M o$n.bin; done",
        "run_output_files": names}, limits)
    assert record.ok, record.message
    hashed = sorted(record.outputs)
    assert len(hashed) == 2  # 2 x 16 MiB of the 40 MiB; what is left is smaller than a file
    assert record.notes == [f"Output {name} was not hashed: it is larger than the 8388608 bytes "
                            "the worker reads back (16777216 bytes)."
                            for name in names if name not in hashed]


def test_a_tree_deeper_than_pythons_recursion_limit_is_handled(tmp_path, program_repo) -> None:  # type: ignore[no-untyped-def]
    deep = "python3 -c \"import os\nfor _ in range(1500):\n    os.mkdir('d'); os.chdir('d')\""
    record = _run(tmp_path, program_repo, {"run_cmd_main": "echo ran",
                                           "pre_process_cmds": [f"rm -rf d; {deep}"]},
                  repetitions=2)  # each command hands the tree over and counts it
    assert record.ok, record.message
    assert record.stdout_tail == "ran\n"
    trees.remove_tree(tmp_path / "work")  # what reproduce_run does before a retry
    assert not (tmp_path / "work").exists()
