"""The build cache: keyed by everything a build can read, written by the worker only.

Real sandboxed builds with gcc. A hostile build runs its own "compiler" (a script named by the
program's `compiler_env`) that plants links, FIFOs and extra files in its stage, or replaces its
log or binary by a link; none of it may reach the cache or the record.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ae.evaluators.pipeline import RunSpec, run_program
from ae.evaluators.record import RunRecord

MAIN = '#include <stdio.h>\n#include "impl.c"\nint main(void) { puts(who()); return 0; }\n'
IMPL = 'static const char *who(void) { return "artifact %s"; }\n'
EVIL_CC = """#!/bin/sh
gcc "$@" || exit 1
ln -sf /proc/self/environ planted-environ
ln -sf /etc/passwd planted-link
[ -p planted-fifo ] || mkfifo planted-fifo
mkdir -p planted-dir/inner && echo extra > extra.txt
case " $* " in *" -o a.out "*) %s ;; esac
"""


@pytest.fixture
def c_program(tmp_path: Path, program_repo: Callable[..., Path]) -> Callable[..., Path]:
    """Return a function writing a C program repository at `tmp_path/<where>`."""
    if shutil.which("gcc") is None:
        pytest.skip("gcc is needed for real builds")

    def write(where: str, who: str = "A", on_link: str | None = None) -> Path:
        root = tmp_path / where
        meta: dict[str, Any] = {
            "source_files": ["main.c"], "target_file": "a",
            "compile_deps": {"compiler": {"local": "yes", "tags": "compiler,lang-c", "sort": 10}},
            "run_cmds": {"default": {"run_time": {"run_cmd_main": "$#BIN_FILE#$",
                                                  "run_cmd_out1": "out.txt"}}}}
        files = {"main.c": MAIN, "impl.c": IMPL % who}
        if on_link is not None:
            script = root / "program" / "prog" / "evil-cc.sh"
            meta.update(compiler_env="EVIL_CC", compile_vars={"EVIL_CC": f"/bin/sh {script}"})
            files["evil-cc.sh"] = EVIL_CC % on_link
        return program_repo(root, meta, files)

    return write


@pytest.fixture
def build_run(tmp_path: Path) -> Callable[..., RunRecord]:
    """Return a function running the program of a repository with one shared cache."""
    count = iter(range(1000))

    def run(repo: Path) -> RunRecord:
        return run_program(RunSpec(repo_paths=[repo], program="prog", repetitions=1,
                                   work_dir=tmp_path / f"work-{next(count)}",
                                   cache_dir=tmp_path / "cache"))

    return run


def entries(cache: Path) -> list[Path]:
    """Return the build cache's entries."""
    builds = cache / "builds"
    return sorted(p for p in builds.iterdir() if not p.name.startswith(".")) if builds.exists() else []


def test_a_change_in_an_included_non_header_file_is_a_new_build(tmp_path, c_program, build_run) -> None:  # type: ignore[no-untyped-def]
    first = build_run(c_program("artifact", "A"))
    (tmp_path / "artifact" / "program" / "prog" / "impl.c").write_text(IMPL % "B")
    second = build_run(tmp_path / "artifact")  # same path, as a re-used directory would be
    other = build_run(c_program("other", "C"))
    assert (first.stdout_tail, second.stdout_tail, other.stdout_tail) == (
        "artifact A\n", "artifact B\n", "artifact C\n")
    assert first.build["digest"] != second.build["digest"] and second.build["cached"] is False
    again = build_run(tmp_path / "artifact")
    assert again.build["cached"] is True and again.stdout_tail == "artifact B\n"


def test_files_planted_in_the_stage_never_reach_the_cache(tmp_path, c_program, build_run,
                                                           secret_env) -> None:  # type: ignore[no-untyped-def]
    record = build_run(c_program("evil", on_link="true"))
    assert record.ok, record.message + record.compile_log
    assert record.stdout_tail == "artifact A\n"
    [entry] = entries(tmp_path / "cache")
    assert sorted(os.listdir(entry)) == ["a.out", "compile.log"]
    for name, mode in (("a.out", 0o755), ("compile.log", 0o644), (".", 0o755)):
        info = os.lstat(entry / name)
        assert stat.S_ISREG(info.st_mode) or name == "."
        assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (os.geteuid(), mode)
    assert not list((tmp_path / "cache" / "stage").iterdir())  # the stage is gone
    assert secret_env not in json.dumps(record.to_dict())


@pytest.mark.parametrize("replace, why", [
    ("rm -f compile.log; ln -s /proc/self/environ compile.log",
     "The compile log compile.log was replaced during the build (it is a symbolic link (links are "
     "not followed)); the build is not used."),
    ("rm -f compile.log; mkfifo compile.log",
     "The compile log compile.log was replaced during the build (it is a FIFO, not a regular "
     "file); the build is not used."),
    ("rm -f a.out; ln -s /proc/self/environ a.out",
     "The build did not produce a usable a.out (it is a symbolic link (links are not followed))."),
    ("rm -f a.out; mkdir a.out",
     "The build did not produce a usable a.out (it is a directory, not a regular file)."),
    ("rm -f a.out", "The build did not produce a usable a.out (it does not exist)."),
])
def test_a_log_or_binary_replaced_by_the_build_is_refused(tmp_path, c_program, build_run,
                                                          secret_env, no_hang, replace,
                                                          why) -> None:  # type: ignore[no-untyped-def]
    no_hang(60)
    repo = c_program("evil", on_link=replace)
    for _ in range(2):  # nothing was cached: the second run builds (and fails) again
        record = build_run(repo)
        assert (record.failure_kind, record.message) == (
            "compile-error", f"{why} See the compile log of prog.")
        assert record.build["cached"] is False
        assert secret_env not in json.dumps(record.to_dict())
        assert entries(tmp_path / "cache") == []


def _tamper_log(entry: Path, secret: Path) -> None:
    (entry / "compile.log").unlink()
    (entry / "compile.log").symlink_to(secret)


def _tamper_mode(entry: Path, secret: Path) -> None:
    os.chmod(entry, 0o777)


def _tamper_owner(entry: Path, secret: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can give a file to another uid")
    os.chown(entry / "a.out", 12345, 12345)


@pytest.mark.parametrize("tamper", [_tamper_log, _tamper_mode, _tamper_owner])
def test_a_cache_hit_reads_only_worker_written_files(tmp_path, c_program, build_run, secret_env,
                                                     tamper) -> None:  # type: ignore[no-untyped-def]
    repo = c_program("artifact")
    assert build_run(repo).build["cached"] is False
    [entry] = entries(tmp_path / "cache")
    secret = tmp_path / "secret.txt"
    secret.write_text(secret_env)
    tamper(entry, secret)
    record = build_run(repo)
    assert record.ok and record.build["cached"] is False  # rebuilt, not used
    assert secret_env not in json.dumps(record.to_dict())
    assert build_run(repo).build["cached"] is True  # the new entry is the worker's again
