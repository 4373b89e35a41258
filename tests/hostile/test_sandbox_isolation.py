"""Hostile artifacts that reach for things outside their run: each finds nothing or is refused."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from ae.errors import PipelineError
from ae.evaluators import sandbox
from ae.evaluators.sandbox import bwrap as sandbox_bwrap

ART = Path(__file__).resolve().parent / "artifacts"
PY = "/usr/bin/python3"
SECRET = "s3cret-of-the-host"


def inside_uid() -> int:
    """Return the uid the artifact runs as: 65534, or a root caller's per-process uid."""
    identity = sandbox_bwrap.sandbox_identity()
    return identity[0] if identity else sandbox_bwrap.SANDBOX_ID


@pytest.fixture
def listener():
    """Listen on a loopback port of the host; yield (port, the socket)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(0.2)
        yield server.getsockname()[1], server


def test_loopback_services_are_unreachable(run_artifact, listener):
    port, server = listener
    targets = ["127.0.0.1:6379", "127.0.0.1:5432", f"127.0.0.1:{port}", "localhost:6379"]
    outcome = run_artifact([PY, str(ART / "connect.py"), *targets])
    assert outcome.result.termination == "sandbox-violation", outcome.stderr
    assert "connected" not in outcome.stdout
    assert outcome.stderr.count("Connection refused") == len(targets)
    with pytest.raises(TimeoutError):
        server.accept()


def test_network_parameter_shares_the_host_network(run_artifact, listener):
    port, server = listener
    outcome = run_artifact([PY, str(ART / "connect.py"), f"127.0.0.1:{port}"], network=True)
    assert outcome.result.termination == "ok", outcome.stderr
    conn, _ = server.accept()
    conn.close()


def test_etc_shadow_is_an_unreadable_stand_in(run_artifact):
    outcome = run_artifact([PY, str(ART / "read_paths.py"), "/etc/shadow", "/etc/gshadow"])
    assert outcome.result.termination == "sandbox-violation"
    assert "/etc/shadow: [Errno 13] Permission denied" in outcome.stderr
    assert "/etc/gshadow: [Errno 2] No such file or directory" in outcome.stderr
    assert outcome.stdout == ""


def test_instance_dir_redis_socket_and_other_runs_are_invisible(run_artifact, tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text(f"SECRET_KEY = {SECRET!r}\n")
    other_run = tmp_path / "runs" / "other"
    other_run.mkdir(parents=True)
    (other_run / "result.txt").write_text(SECRET)
    with socket.socket(socket.AF_UNIX) as redis:
        redis.bind(str(instance / "redis.sock"))
        redis.listen()
        where = str(instance / "redis.sock")
        code = f"import socket; socket.socket(socket.AF_UNIX).connect({where!r})"
        connect = run_artifact([PY, "-c", code])
    repo_instance = Path(__file__).resolve().parents[2] / "instance"  # the checkout's own
    paths = [str(instance), str(instance / "config.py"), str(other_run / "result.txt"),
             str(repo_instance)]
    outcome = run_artifact([PY, str(ART / "read_paths.py"), *paths])
    assert connect.result.termination == "exit-code"
    assert "FileNotFoundError" in connect.stderr
    assert outcome.result.termination == "exit-code"
    assert SECRET not in outcome.stdout + outcome.stderr
    assert outcome.stderr.count("No such file or directory") == len(paths)


def test_writes_outside_the_work_dir_are_refused(run_artifact, work_dir):
    targets = [str(ART / "planted.txt"), "/usr/planted", "/etc/planted", "/planted",
               "/proc/sys/kernel/hostname", str(work_dir / "allowed.txt")]
    outcome = run_artifact([PY, str(ART / "write_paths.py"), *targets])
    assert outcome.result.termination == "sandbox-violation"
    assert outcome.stdout == f"{work_dir / 'allowed.txt'}: written\n"
    refusals = outcome.stderr.count("Read-only file system")
    refusals += outcome.stderr.count("Permission denied")  # /proc/sys when the caller is root
    assert refusals == len(targets) - 1
    assert not (ART / "planted.txt").exists()
    assert (work_dir / "allowed.txt").read_text().startswith("written")


def test_symlink_in_the_snapshot_pointing_outside_reads_nothing_of_the_host(
    run_artifact, tmp_path
):
    secret = tmp_path / "host-secret.txt"
    secret.write_text(SECRET)
    snapshot = tmp_path / "snapshot"
    snapshot.mkdir()
    (snapshot / "data.txt").symlink_to(secret)
    (snapshot / "passwd").symlink_to("/etc/passwd")
    (snapshot / "up").symlink_to("../../..")
    outcome = run_artifact(
        [PY, str(ART / "read_paths.py"), str(snapshot / "data.txt"), str(snapshot / "passwd"),
         str(snapshot / "up")],
        ro_binds=(snapshot,),
    )
    assert SECRET not in outcome.stdout + outcome.stderr
    assert f"{snapshot / 'data.txt'}: [Errno 2] No such file or directory" in outcome.stderr
    assert "root:x:0:0" in outcome.stdout and ":/nonexistent:" in outcome.stdout  # stand-in
    assert "bash" not in outcome.stdout.split("passwd", 1)[1].split("\n")[0]
    writes = run_artifact([PY, str(ART / "write_paths.py"), str(snapshot / "data.txt")],
                          ro_binds=(snapshot,))
    assert writes.result.termination == "sandbox-violation"
    assert secret.read_text() == SECRET


def test_setuid_attempt_fails(run_artifact):
    outcome = run_artifact([PY, str(ART / "setuid.py")])
    assert outcome.result.termination == "sandbox-violation"
    uid = inside_uid()
    assert f"uid={uid} euid={uid}" in outcome.stdout
    assert "became root" not in outcome.stdout
    assert "Operation not permitted" in outcome.stderr


def test_setuid_binary_gives_no_privileges(run_artifact, work_dir):
    su = Path("/usr/bin/su")
    if not su.exists() or not su.stat().st_mode & 0o4000:
        pytest.skip("no setuid-root su on this machine")
    outcome = run_artifact(["sh", "-c", "grep NoNewPrivs /proc/self/status; su -c id root"])
    assert "NoNewPrivs:\t1" in outcome.stdout
    assert "uid=0" not in outcome.stdout
    assert outcome.result.termination in ("sandbox-violation", "exit-code")


def test_artifact_sees_only_its_env_its_processes_and_no_host_identity(run_artifact, work_dir):
    outcome = run_artifact([PY, str(ART / "probe.py")])
    assert outcome.result.termination == "ok", outcome.stderr
    seen = json.loads(outcome.stdout)
    seen["env"].pop("LC_CTYPE", None)  # Python's own C-locale coercion (PEP 538) adds it
    assert set(seen["env"]) == {"PATH", "HOME", "AE_HOSTILE_TOKEN"}
    assert len(seen["pids"]) <= 4 and seen["init"].endswith("bwrap")
    assert seen["uid"] == inside_uid() and seen["hostname"] == "ae-sandbox"
    assert seen["uid"] >= 65534
    assert seen["cwd"] == str(work_dir)
    assert os.getpid() not in seen["pids"] or os.getpid() < 5


def test_killing_the_supervisor_is_a_violation_and_leaves_nothing(run_artifact):
    outcome = run_artifact(["sh", str(ART / "kill_supervisor.sh")], wall_s=2.0)
    assert outcome.result.termination in ("sandbox-violation", "timeout")
    assert outcome.result.termination == "sandbox-violation" or os.geteuid() == 0


def test_nested_user_namespaces_are_refused(run_artifact):
    if not Path("/usr/bin/unshare").exists():
        pytest.skip("no unshare(1) on this machine")
    outcome = run_artifact(["unshare", "-U", "-r", "-m", "sh", "-c", "mount -t tmpfs x /tmp"])
    assert outcome.result.termination == "sandbox-violation"
    assert "unshare failed" in outcome.stderr


def test_multiprocessing_works_with_the_private_dev_shm(run_artifact):
    code = "import multiprocessing as m\nwith m.Pool(2) as p: print(p.map(abs, [-1, -2]))"
    outcome = run_artifact([PY, "-c", code])
    assert outcome.result.termination == "ok", outcome.stderr
    assert outcome.stdout == "[1, 2]\n"


def test_output_links_planted_by_an_earlier_command_are_not_followed(tmp_path, work_dir):
    host_file = tmp_path / "host-database.sqlite"
    host_file.write_text(SECRET)
    plant = f"ln -s {host_file} stdout.log; mkdir -p d; ln -s {tmp_path} out; ln -s {host_file} in"
    env = {"PATH": "/usr/bin:/bin"}
    sandbox.run(["sh", "-c", plant], work_dir=work_dir, env=env, stdout_path=tmp_path / "o",
                stderr_path=tmp_path / "e")
    assert (work_dir / "stdout.log").is_symlink()
    result = sandbox.run(["echo", "artifact output"], work_dir=work_dir, env=env,
                         stdout_path=work_dir / "stdout.log", stderr_path=work_dir / "d" / "e")
    assert result.termination == "ok"
    assert host_file.read_text() == SECRET
    assert not (work_dir / "stdout.log").is_symlink()
    assert (work_dir / "stdout.log").read_text() == "artifact output\n"
    with pytest.raises(PipelineError, match="behind a link out of the work dir"):
        sandbox.run(["true"], work_dir=work_dir, env=env, stdout_path=work_dir / "out" / "x",
                    stderr_path=work_dir / "e")
    with pytest.raises(PipelineError, match="is a link out of the work dir"):
        sandbox.run(["cat"], work_dir=work_dir, env=env, stdin_path=work_dir / "in",
                    stdout_path=work_dir / "o", stderr_path=work_dir / "e")
    assert host_file.read_text() == SECRET
