"""Per-run quotas on the work dir (entries and bytes) and trees deeper than Python recurses."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ae.evaluators.sandbox import watch as sandbox_watch
from ae.files import trees

PY = "/usr/bin/python3"
MILLION_FILES = "import os\nfor i in range(1_000_000):\n" \
    "    os.close(os.open(f'f{i}', os.O_CREAT | os.O_WRONLY, 0o644))\nprint('all made')"
DEEP = "import os\nfor _ in range({depth}):\n    os.mkdir('d')\n    os.chdir('d')\n" \
    "open('bottom.txt', 'w').write('deep')\nprint('made')"


def test_a_million_empty_files_are_stopped_at_the_inode_quota(run_artifact, work_dir) -> None:  # type: ignore[no-untyped-def]
    outcome = run_artifact([PY, "-c", MILLION_FILES], inodes=2_000, wall_s=300.0)
    result = outcome.result
    assert (result.termination, result.message) == (
        "output-limit", "stopped when its work dir and /tmp held more than 2000 files and "
                        "directories (the run's inode quota)"), outcome.stderr
    assert "all made" not in outcome.stdout
    assert 2_000 < len(os.listdir(work_dir)) < 1_000_000


def test_files_spread_over_directories_count_too(run_artifact, work_dir) -> None:  # type: ignore[no-untyped-def]
    code = "import os\nfor d in range(1000):\n    os.mkdir(f'd{d}')\n    for f in range(1000):\n" \
        "        open(f'd{d}/f{f}', 'w').close()"
    outcome = run_artifact([PY, "-c", code], inodes=1_000, wall_s=300.0)
    assert outcome.result.termination == "output-limit"
    assert "inode quota" in outcome.result.message


def test_bytes_past_the_disk_quota_are_stopped(run_artifact, work_dir) -> None:  # type: ignore[no-untyped-def]
    code = "import time\nwith open('big.bin', 'wb') as out:\n    out.write(b'x' * (48 << 20))\n" \
        "    out.flush()\n    time.sleep(60)"
    outcome = run_artifact([PY, "-c", code], disk_bytes=16 << 20, wall_s=120.0)
    result = outcome.result
    assert (result.termination, result.message) == (
        "output-limit", "stopped when its work dir and /tmp held more than 16777216 bytes (the "
                        "run's disk quota)"), outcome.stderr
    assert result.wall_s < 60  # killed, not left to sleep


def _scratch_dirs(work_dir: Path) -> list[Path]:
    return [p for p in work_dir.parent.iterdir()
            if p.name.startswith(f".{work_dir.name}.") and p.name.endswith(".tmp")]


@pytest.mark.parametrize("tmp", ["/tmp", "/var/tmp", "/dev/shm"])
def test_empty_files_in_the_private_tmps_count_against_the_inode_quota(run_artifact, work_dir,
                                                                       tmp) -> None:  # type: ignore[no-untyped-def]
    code = MILLION_FILES.replace("f'f{i}'", f"f'{tmp}/f{{i}}'")
    outcome = run_artifact([PY, "-c", code], inodes=2_000, wall_s=300.0)
    assert (outcome.result.termination, outcome.result.message) == (
        "output-limit", "stopped when its work dir and /tmp held more than 2000 files and "
                        "directories (the run's inode quota)"), outcome.stderr
    assert "all made" not in outcome.stdout
    assert os.listdir(work_dir) == [], "the files went to the private tmp, not the work dir"
    assert _scratch_dirs(work_dir) == [], "the scratch dir is removed with its files"


def test_bytes_in_dev_shm_count_against_the_disk_quota(run_artifact, work_dir) -> None:  # type: ignore[no-untyped-def]
    code = "import time\nwith open('/dev/shm/big.bin', 'wb') as out:\n" \
        "    out.write(b'x' * (48 << 20))\n    out.flush()\n    time.sleep(60)"
    outcome = run_artifact([PY, "-c", code], disk_bytes=16 << 20, wall_s=120.0)
    assert (outcome.result.termination, outcome.result.message) == (
        "output-limit", "stopped when its work dir and /tmp held more than 16777216 bytes (the "
                        "run's disk quota)"), outcome.stderr
    assert outcome.result.wall_s < 60  # killed, not left to sleep
    assert _scratch_dirs(work_dir) == []


def test_each_run_gets_an_empty_private_tmp_of_its_own(run_artifact, work_dir) -> None:  # type: ignore[no-untyped-def]
    marker = f"/tmp/ae-marker-{os.getpid()}"
    first = run_artifact(["sh", "-c", f"echo secret > {marker} && ls -A /tmp /var/tmp /dev/shm"])
    assert first.result.termination == "ok", first.stderr
    second = run_artifact(["sh", "-c", f"cat {marker}; ls -A /tmp /var/tmp /dev/shm"])
    assert "secret" not in second.stdout and "No such file" in second.stderr
    assert not os.path.exists(marker), "the host's /tmp is not the sandbox's"
    # the work dir (under the host's /tmp here) stays reachable inside, below the private /tmp
    assert str(work_dir).startswith("/tmp/") and second.result.termination == "ok"
    assert second.stdout == f"/dev/shm:\n\n/tmp:\n{work_dir.parts[2]}\n\n/var/tmp:\n"
    assert _scratch_dirs(work_dir) == []


def test_a_quota_exceeded_by_a_command_that_exits_at_once_is_still_caught(run_artifact,
                                                                           monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(sandbox_watch.Watch, "_check_quota", lambda self, now: None)  # no polls
    code = "for i in range(300):\n    open(f'f{i}', 'w').close()"
    outcome = run_artifact([PY, "-c", code], inodes=100)
    assert outcome.result.returncode == 0  # it ended by itself
    assert outcome.result.termination == "output-limit"
    assert "more than 100 files and directories" in outcome.result.message


@pytest.mark.slow  # 5,000 mkdirs and rmdirs: 10-20 s on a slow disk
def test_a_5000_level_tree_is_walked_and_removed_without_recursion(run_artifact, work_dir) -> None:  # type: ignore[no-untyped-def]
    made = run_artifact([PY, "-c", DEEP.format(depth=5000)])
    assert made.result.termination == "ok", made.stderr
    again = run_artifact(["/bin/true"])  # hands the tree over and counts it again
    assert again.result.termination == "ok"
    assert trees.usage(work_dir, 10**6, 1 << 40)[0] == 5001
    trees.remove_tree(work_dir)
    assert not work_dir.exists()


def test_remove_tree_takes_a_link_never_its_target(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.mkdir()
    (target / "keep.txt").write_text("keep")
    victim = tmp_path / "victim"
    (victim / "a").mkdir(parents=True)
    (victim / "a" / "link").symlink_to(target)
    (victim / "a" / "locked").mkdir(mode=0)
    trees.remove_tree(victim)
    assert not victim.exists() and (target / "keep.txt").read_text() == "keep"


def test_a_scratch_dir_a_killed_worker_left_is_a_stale_temp(work_dir) -> None:  # type: ignore[no-untyped-def]
    from ae.evaluators.sandbox import bwrap
    from ae.files.atomic import is_stale

    scratch = bwrap.scratch_dir(work_dir)
    assert sorted(os.listdir(scratch)) == ["shm", "tmp", "var-tmp"]
    assert all(os.stat(scratch / name).st_mode & 0o7777 == 0o1777 for name in os.listdir(scratch))
    dead = 2**22 - 7  # above the default pid_max: no process has it
    left = scratch.name.replace(f".{os.getpid()}.tmp", f".{dead}.tmp")
    assert is_stale(left, 0.0, 1e9) and not is_stale(scratch.name, 0.0, 1e9)
    trees.remove_tree(scratch)


def test_no_room_for_the_scratch_dir_is_the_services_fault(run_artifact, work_dir, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import errno
    import tempfile

    from ae.errors import PipelineError

    def full(**_: object) -> str:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(tempfile, "mkdtemp", full)  # a full disk cannot be had on demand here
    with pytest.raises(PipelineError) as raised:
        run_artifact(["true"])
    assert raised.value.kind == "internal-error"
    assert str(raised.value) == (f"The worker could not create the sandbox's scratch dir beside "
                                 f"{work_dir}: No space left on device.")
