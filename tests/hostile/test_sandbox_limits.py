"""Hostile artifacts that exhaust a resource: each is stopped and classified."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from ae.evaluators import sandbox

ART = Path(__file__).resolve().parent / "artifacts"
PY = "/usr/bin/python3"


def _count_token_processes(token: str) -> int:
    needle = f"AE_HOSTILE_TOKEN={token}".encode()
    count = 0
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/environ", "rb") as fh:
                    count += needle in fh.read().split(b"\0")
            except OSError:
                pass
    return count


def test_fork_bomb_is_held_to_the_process_limit_and_killed_at_the_wall_clock(run_artifact, token):
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _count_token_processes(token))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        outcome = run_artifact([PY, str(ART / "fork_bomb.py")], wall_s=2.0, processes=32)
    finally:
        stop.set()
        sampler.join()
    assert outcome.result.termination == "timeout"
    assert "2 s wall-clock limit" in outcome.result.message
    assert 0 < peak <= 32
    assert outcome.result.wall_s < 10


def test_busy_loop_is_killed_at_the_cpu_limit(run_artifact):
    # the wall clock (60 s) cannot come first even when the loop gets a fraction of a core
    outcome = run_artifact([PY, str(ART / "busy_loop.py")], cpu_s=1.0, wall_s=60.0)
    assert outcome.result.termination == "cpu", outcome.result
    assert outcome.result.returncode is not None and outcome.result.returncode < 0
    # the kernel fired RLIMIT_CPU (the termination says so); the CPU time we read back from
    # rusage can lag the kernel's own count under load (0.78 s was seen), so no lower bound
    assert 0 < outcome.result.cpu_s < 5


def test_sleeper_is_killed_at_the_wall_clock(run_artifact):
    outcome = run_artifact([PY, str(ART / "sleeper.py")], wall_s=1.0)
    result = outcome.result
    assert (result.termination, result.returncode) == ("timeout", None)
    assert 1.0 <= result.wall_s < 6
    assert result.cpu_s < 0.5


def test_python_memory_hog_is_stopped_by_the_address_space_limit(run_artifact):
    outcome = run_artifact([PY, str(ART / "memory_hog.py")], memory_bytes=512 << 20, wall_s=120.0)
    assert outcome.result.termination == "memory", outcome.stderr
    assert "MemoryError" in outcome.stderr
    assert outcome.result.max_rss_kb < 600 * 1024


def test_c_memory_hog_compiled_in_the_sandbox_is_stopped(run_artifact, cc, work_dir):
    build = run_artifact([cc, "-O1", "-o", "hog", str(ART / "memory_hog.c")], wall_s=120.0)
    assert build.result.termination == "ok", build.stderr
    outcome = run_artifact([str(work_dir / "hog")], memory_bytes=256 << 20, wall_s=120.0)
    assert outcome.result.termination == "memory"
    assert "out of memory after" in outcome.stderr
    assert outcome.result.max_rss_kb < 300 * 1024


def test_python_disk_filler_stops_at_the_file_size_limit(run_artifact, work_dir):
    outcome = run_artifact([PY, str(ART / "disk_filler.py"), "fill.bin"], file_size_bytes=8 << 20)
    assert outcome.result.termination == "output-limit", outcome.stderr
    assert (work_dir / "fill.bin").stat().st_size <= 8 << 20


def test_c_disk_filler_is_killed_by_sigxfsz(run_artifact, cc, work_dir):
    build = run_artifact([cc, "-o", "filler", str(ART / "disk_filler.c")], wall_s=120.0)
    assert build.result.termination == "ok", build.stderr
    outcome = run_artifact([str(work_dir / "filler"), "fill.bin"], file_size_bytes=4 << 20)
    assert outcome.result.termination == "output-limit"
    assert outcome.result.returncode == -25  # SIGXFSZ
    assert (work_dir / "fill.bin").stat().st_size <= 4 << 20


def test_disk_filler_in_tmp_stops_at_the_runs_disk_quota(run_artifact, token):
    outcome = run_artifact([PY, str(ART / "disk_filler.py"), "/tmp/fill.bin"],
                           file_size_bytes=1 << 40, disk_bytes=32 << 20, wall_s=120.0)
    assert outcome.result.termination == "output-limit", outcome.stderr
    assert "(the run's disk quota)" in outcome.result.message
    assert not Path("/tmp/fill.bin").exists() or Path("/tmp/fill.bin").stat().st_size < 1 << 20


def test_huge_stdout_is_capped_with_a_visible_marker_and_killed(run_artifact, tmp_path):
    cap = 1 << 20
    outcome = run_artifact([PY, str(ART / "huge_stdout.py")], output_bytes=cap)
    result = outcome.result
    assert result.termination == "output-limit"
    assert result.stdout_truncated and not result.stderr_truncated
    marker = f"\n[ae: output truncated after {cap} bytes]\n"
    assert outcome.stdout.endswith(marker)
    assert (tmp_path / "stdout.txt").stat().st_size == cap + len(marker)
    assert result.wall_s < 10


def test_open_files_limit_applies(run_artifact):
    code = "import os\nfds=[]\ntry:\n    while True: fds.append(os.open('/dev/null', 0))\n" \
        "except OSError as e: print(len(fds), e.strerror)"
    outcome = run_artifact([PY, "-c", code], open_files=64)
    assert outcome.result.termination == "ok"
    opened, _, reason = outcome.stdout.strip().partition(" ")
    assert int(opened) <= 64 and reason == "Too many open files"


def test_limits_from_a_conference_table():
    limits = sandbox.Limits.from_mapping({"wall_s": 30, "memory_bytes": 2 << 30, "cpu_s": 1.5})
    assert (limits.wall_s, limits.memory_bytes, limits.cpu_s) == (30, 2 << 30, 1.5)
    assert limits.processes == sandbox.Limits().processes


def test_cpu_limit_holds_for_the_whole_process_tree(run_artifact):
    code = "import os\nfor _ in range(3):\n    if os.fork() == 0:\n        break\nwhile True:\n    pass"
    outcome = run_artifact([PY, "-c", code], cpu_s=2.0, wall_s=30.0)
    assert outcome.result.termination == "cpu", outcome.result
    assert "processes together" in outcome.result.message
    assert 2.5 <= outcome.result.cpu_s < 5.0


def test_many_files_filling_the_disk_are_stopped_before_it_is_full(run_artifact, monkeypatch):
    from ae.evaluators.sandbox import watch as sandbox_watch

    free = sandbox_watch.disk_free
    monkeypatch.setattr(sandbox_watch, "DISK_RESERVE_BYTES", 1 << 50)  # "the disk is full"
    assert free(Path("/")) < 1 << 50
    code = "import itertools\nfor i in itertools.count():\n" \
        "    open(f'part-{i}', 'wb').write(b'x' * 4096)"
    outcome = run_artifact([PY, "-c", code], wall_s=20.0)
    assert outcome.result.termination == "output-limit"
    assert "ran low on free space" in outcome.result.message
    assert outcome.result.wall_s < 5
