"""Caches shared between processes work for every sandbox uid; our own failures are ours.

A root worker gives each process its own sandbox uid (see `sandbox.bwrap.sandbox_identity`), and
every RQ job is a new process: what one process built (the xOpenME library every cBench program
links, a program's binary) must serve the next one.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ae.evaluators import packages
from ae.evaluators.pipeline import RunSpec, run_program

REPO = Path(__file__).resolve().parent / "data" / "ck-pipeline"
ROOT = Path(__file__).resolve().parents[2]
ONE_PROCESS = """
import json, sys
from pathlib import Path
from ae.evaluators.sandbox import bwrap as sandbox_bwrap
from ae.evaluators.pipeline import RunSpec, run_program

cache, work, repo = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
out = {"identity": sandbox_bwrap.sandbox_identity(), "runs": []}
for n, flags in enumerate(sys.argv[4:]):
    record = run_program(RunSpec(repo_paths=[repo], program="sum-numbers", repetitions=1,
                                 work_dir=work / str(n), cache_dir=cache, optimization=flags))
    out["runs"].append({"ok": record.ok, "kind": record.failure_kind, "message": record.message,
                        "cached": record.build.get("cached"), "log": record.compile_log[-500:]})
print(json.dumps(out))
"""


def _process(tmp_path: Path, name: str, *flags: str) -> dict:  # type: ignore[type-arg]
    done = subprocess.run(
        [sys.executable, "-c", ONE_PROCESS, str(tmp_path / "cache"), str(tmp_path / name),
         str(REPO), *flags],
        capture_output=True, text=True, timeout=300, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def test_two_processes_build_and_run_against_one_cache(tmp_path: Path) -> None:
    first = _process(tmp_path, "first", "-O3")  # builds xOpenME and the program
    second = _process(tmp_path, "second", "-O2", "-O3")  # links the first's xOpenME; reuses -O3
    for run in first["runs"] + second["runs"]:
        assert run["ok"], run
    assert [r["cached"] for r in first["runs"] + second["runs"]] == [False, False, True]
    if os.geteuid() == 0:  # a root caller: each process runs its sandboxes as its own uid
        assert first["identity"] != second["identity"]
    for entry in [*(tmp_path / "cache" / "packages").iterdir(),
                  *(tmp_path / "cache" / "builds").iterdir()]:
        for path in [entry, *entry.rglob("*")]:
            info = path.lstat()
            assert info.st_uid == os.geteuid(), path  # written by the worker, not the sandbox
            assert stat.S_IMODE(info.st_mode) in (0o755, 0o644), path


def test_a_failing_built_in_package_is_an_internal_error(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "sources" / "xopenme"
    broken.mkdir(parents=True)
    (broken / "xopenme.c").write_text("this is not C\n")
    (broken / "xopenme.h").write_text("\n")
    monkeypatch.setattr(packages, "SOURCES", tmp_path / "sources")
    record = run_program(RunSpec(repo_paths=[REPO], program="sum-numbers", repetitions=1,
                                 work_dir=tmp_path / "work", cache_dir=tmp_path / "cache"))
    assert record.failure_kind == "internal-error"
    assert record.message.startswith("Built-in package xopenme failed to build (exited with code 1)")


def test_a_cache_the_worker_cannot_write_is_an_internal_error(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "builds").write_text("not a directory\n")
    record = run_program(RunSpec(repo_paths=[REPO], program="bit-count", repetitions=1,
                                 work_dir=tmp_path / "work", cache_dir=cache))
    assert record.failure_kind == "internal-error", record.message
    assert record.message.startswith("The worker could not create its cache directory")
