"""Reading back what the sandbox wrote: real sandboxed programs replace the files the worker reads.

Each program swaps its stdout/stderr, timer, correctness output or a parent directory for a link
to `/proc/self/environ` or a host file, a FIFO, a directory or a huge sparse file. The worker must
follow no link, never block, and record exactly what it could not read.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ae.evaluators import sandbox
from ae.evaluators.pipeline import RunSpec, run_program
from ae.evaluators.record import RunRecord

HOST_TIMER = '{"execution_time": 987654321.0, "secret": "%s"}'  # no real run takes 31 years


@pytest.fixture
def host(tmp_path: Path, secret_env: str) -> Path:
    """A host directory the sandbox cannot see, holding files with the secret in them."""
    folder = tmp_path / "host"
    folder.mkdir()
    for name in ("secret.txt", "stdout.log", "out.txt", "timer.json"):
        (folder / name).write_text(HOST_TIMER % secret_env if name == "timer.json" else secret_env)
    return folder


@pytest.fixture
def run_prog(tmp_path: Path, program_repo: Callable[..., Path]) -> Callable[..., RunRecord]:
    """Return a function running a one-command program (no compilation) through the pipeline."""
    def run_it(run_time: dict[str, Any], *, repetitions: int = 1,
               limits: sandbox.Limits | None = None) -> RunRecord:
        repo = program_repo(tmp_path / "repo", {
            "no_compile": "yes", "run_cmds": {"default": {"run_time": run_time}}})
        return run_program(RunSpec(
            repo_paths=[repo], program="prog", work_dir=tmp_path / "work",
            cache_dir=tmp_path / "cache", references_dir=tmp_path / "refs",
            repetitions=repetitions, limits=limits))

    return run_it


def clean(record: RunRecord, secret: str) -> None:
    """Assert that nothing the worker must not have read reached the record."""
    text = json.dumps(record.to_dict())
    assert secret not in text and "987654321" not in text  # ("4242" once matched a run's 0.004242 s)


@pytest.mark.parametrize("target", ["/proc/self/environ", "HOST"])
def test_stdout_replaced_by_a_link_is_not_read(run_prog, tmp_path, host, secret_env, target) -> None:  # type: ignore[no-untyped-def]
    link = str(host / "out.txt") if target == "HOST" else target
    record = run_prog({"run_cmd_main": f"echo hello; rm -f out.txt; ln -s {link} out.txt",
                            "run_cmd_out1": "out.txt"})
    assert record.ok, record.message
    assert record.stdout_tail == "" and "out.txt" not in record.outputs
    assert "tmp/out.txt was not read back: it is a symbolic link (links are not followed)." \
        in record.notes
    assert "Output out.txt was not hashed: it is a symbolic link (links are not followed)." \
        in record.notes
    clean(record, secret_env)


def test_stderr_replaced_by_a_fifo_does_not_block(run_prog, tmp_path, secret_env, no_hang) -> None:  # type: ignore[no-untyped-def]
    no_hang(30)  # a failed command makes the sandbox classify it from its stderr too
    record = run_prog({"run_cmd_main": "echo oops >&2; rm -f err.txt; mkfifo err.txt; exit 3",
                       "run_cmd_out2": "err.txt"}, repetitions=2)
    assert (record.failure_kind, record.message) == (
        "run-error", "The command `echo oops >&2; rm -f err.txt; mkfifo err.txt; exit 3` failed: "
        "exited with code 3.")
    assert record.stderr_tail == ""
    assert "tmp/err.txt was not read back: it is a FIFO, not a regular file." in record.notes
    assert "Output err.txt was not hashed: it is a FIFO, not a regular file." in record.notes


def test_stdout_replaced_by_a_directory_is_reported_and_cleared(run_prog, tmp_path) -> None:  # type: ignore[no-untyped-def]
    record = run_prog({"run_cmd_main": "echo hi; rm -f out.txt; mkdir -p out.txt/deeper",
                            "run_cmd_out1": "out.txt"}, repetitions=2)
    assert record.ok, record.message  # the second repetition's stdout replaced the directory
    assert record.notes == ["Output out.txt was not hashed: it is a directory, not a regular file.",
                            "tmp/out.txt was not read back: it is a directory, not a regular file."]


def test_huge_sparse_stdout_is_read_back_only_to_the_caps(run_prog, tmp_path, no_hang) -> None:  # type: ignore[no-untyped-def]
    no_hang(30)
    limits = sandbox.Limits(file_size_bytes=64 << 20, disk_bytes=32 << 20, wall_s=60)
    record = run_prog({"run_cmd_main": "echo hi; rm out.txt; truncate -s 60M out.txt",
                            "run_cmd_out1": "out.txt"}, limits=limits)
    assert record.ok, record.message
    assert record.stdout_tail == "\0" * 4000  # the last 4,000 bytes only
    assert record.notes == ["Output out.txt was not hashed: it is larger than the 33554432 bytes "
                            "the worker reads back (62914560 bytes)."]


TIMER_CASES = {
    "link to environ": ("ln -s /proc/self/environ t.json",
                        "could not be read back: it is a symbolic link (links are not followed)"),
    "link to a host file": ("ln -s {host}/timer.json t.json",
                            "could not be read back: it is a symbolic link (links are not followed)"),
    "fifo": ("mkfifo t.json", "could not be read back: it is a FIFO, not a regular file"),
    "directory": ("mkdir t.json", "could not be read back: it is a directory, not a regular file"),
    "huge sparse file": ("truncate -s 60M t.json", "could not be read back: it is larger than the "
                         "4194304 bytes the worker reads back (62914560 bytes)"),
    "empty": (": > t.json", "is empty"),
    "missing": ("true", "was not written"),
}


@pytest.mark.parametrize("case", sorted(TIMER_CASES))
def test_timer_file_that_is_no_regular_file_fails_the_run(run_prog, tmp_path, host, secret_env, no_hang,
                                                          case) -> None:  # type: ignore[no-untyped-def]
    no_hang(30)
    command, why = TIMER_CASES[case]
    record = run_prog({"run_cmd_main": command.format(host=host),
                            "fine_grain_timer_file": "t.json"})
    assert record.failure_kind == "run-error"
    assert record.message == f"The timer file t.json declared by fine_grain_timer_file {why}."
    assert record.time_sources == ["none"] and "execution_time" not in record.samples[0]
    clean(record, secret_env)


def test_timer_below_a_linked_directory_is_not_followed(run_prog, tmp_path, host, secret_env) -> None:  # type: ignore[no-untyped-def]
    record = run_prog({"run_cmd_main": f"ln -s {host} sub",
                            "fine_grain_timer_file": "sub/timer.json"})
    assert record.failure_kind == "run-error"
    assert record.message.endswith("could not be read back: it lies below a symbolic link (links "
                                   "are not followed).")
    clean(record, secret_env)


def test_correctness_output_replaced_by_a_link_is_a_mismatch(run_prog, tmp_path, host, secret_env) -> None:  # type: ignore[no-untyped-def]
    record = run_prog({"run_cmd_main": f"ln -s {host}/secret.txt res.txt",
                            "run_correctness_output_files": ["res.txt"]})
    assert record.failure_kind == "output-mismatch"
    assert record.output_check["res.txt"] == {
        "ok": False, "reference": "none",
        "diff": "res.txt could not be read back: it is a symbolic link (links are not followed)."}
    assert not list((tmp_path / "refs").rglob("res.txt"))  # nothing recorded as a reference
    clean(record, secret_env)


def test_own_log_dir_replaced_by_a_link_is_neither_read_nor_written(run_prog, tmp_path, host,
                                                                     secret_env) -> None:  # type: ignore[no-untyped-def]
    record = run_prog({"run_cmd_main": f"echo hi; rm -rf ../.ae; ln -s {host} ../.ae"},
                 repetitions=2)
    assert (host / "stdout.log").read_text() == secret_env  # never truncated nor written
    assert record.failure_kind == "run-error"
    assert "lies behind a link out of the work dir" in record.message  # the 2nd repetition
    assert record.stdout_tail == ""
    assert ".ae/stdout.log was not read back: it lies below a symbolic link (links are not " \
        "followed)." in record.notes
    clean(record, secret_env)


def test_planted_fifo_for_the_next_commands_stdout_does_not_block(run_prog, tmp_path, no_hang) -> None:  # type: ignore[no-untyped-def]
    no_hang(30)
    record = run_prog({"run_cmd_main": "echo hi; rm -f ../.ae/post-0.out; "
                                            "mkfifo ../.ae/post-0.out",
                            "post_process_cmds": ["echo post"]})
    assert record.ok, record.message
