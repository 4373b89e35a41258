"""The supervisor that runs first inside the sandbox, around the artifact command.

Why a separate program: the time a claim is compared with must be the command's own, measured
inside the sandbox after its setup, and the exact exit status (bubblewrap folds a death by signal
into 128 + signal). It is run as `python -I -S -c <this source>` so it must start fast: only
built-in modules (`posix` rather than `os`), no `signal`/`ctypes`/`json` (each import costs
milliseconds per command).

Protocol: argv[1] is a file descriptor to read the request from (NUL-separated: limits as
`cpu,as,nproc,fsize,nofile`, reaper flag, `uid,gid` to drop to or nothing, env count, env
items, command argv), argv[2] the descriptor to write the result to: `started\\n` before the fork, then
`<wait status> <wall s> <cpu s> <max rss KiB>\\n` after the command ends.
"""

import _ctypes
import _signal
import posix
import resource
import sys
import time

PR_CAPBSET_DROP = 24
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36


class _Int(_ctypes._SimpleCData):  # type: ignore[type-arg]  # generic in typeshed only, not at run time
    _type_ = "i"


class _Fn(_ctypes.CFuncPtr):
    _flags_ = _ctypes.FUNCFLAG_CDECL | _ctypes.FUNCFLAG_USE_ERRNO
    _restype_ = _Int


class _Libc:
    # typeshed wants a path, but dlopen(NULL), the running program with libc, is what we need
    _handle = _ctypes.dlopen(None)  # type: ignore[arg-type]


# typeshed wants a ctypes.CDLL; CFuncPtr only reads `_handle`, and importing ctypes is too slow here
_prctl = _Fn(("prctl", _Libc()))  # type: ignore[arg-type]


# Annotations here are evaluated (no __future__ import, to start fast) and a system Python 3.9 may
# run this program (`bwrap._can_supervise`): unions are written as strings.
def _read_request(
    fd: int,
) -> "tuple[list[int], bool, list[int] | None, dict[bytes, bytes], list[bytes]]":
    chunks = []
    while True:
        chunk = posix.read(fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    posix.close(fd)
    fields = b"".join(chunks).split(b"\0")
    limits = [int(x) for x in fields[0].split(b",")]
    reaper = fields[1] == b"1"
    identity = [int(x) for x in fields[2].split(b",")] if fields[2] else None
    n_env = int(fields[3])
    env: dict[bytes, bytes] = {}
    for item in fields[4 : 4 + n_env]:
        key, _, value = item.partition(b"=")
        env[key] = value
    return limits, reaper, identity, env, fields[4 + n_env :]


def _drop_privileges(uid: int, gid: int) -> None:
    """Become uid/gid with no groups and an empty capability bounding set (root callers)."""
    cap = 0
    while _prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0:
        cap += 1
    posix.setgroups([])
    posix.setresgid(gid, gid, gid)
    posix.setresuid(uid, uid, uid)


def _descendants() -> list[int]:
    """Return the pids whose parent is this process (orphans land here when we are a reaper).

    `watch.tree_usage` reads /proc the same way; this program cannot import `ae`.
    """
    me = str(posix.getpid())
    found = []
    for name in posix.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        if fields[1].decode() == me:
            found.append(int(name))
    return found


def _kill_descendants() -> None:
    """Kill and reap every process left below us until none remains (orphans keep arriving)."""
    while True:
        for pid in _descendants():
            try:
                posix.kill(pid, 9)
            except ProcessLookupError:
                pass
        try:
            reaped, _ = posix.waitpid(-1, posix.WNOHANG)
        except ChildProcessError:
            return
        if not reaped:
            time.sleep(0.001)


def _on_term(signum: int, frame: object) -> None:
    """Take the command's whole tree down with us when we are asked to stop."""
    _kill_descendants()
    posix._exit(143)


def _exec_on_path(argv: list[bytes], env: dict[bytes, bytes]) -> None:
    """Execute argv[0], looked up on the command's PATH when it has no slash (as execvp does)."""
    if b"/" in argv[0]:
        posix.execve(argv[0], argv, env)
    error: OSError = FileNotFoundError(2, "No such file or directory")
    for folder in env.get(b"PATH", b"/usr/bin:/bin").split(b":"):
        try:
            posix.execve((folder or b".") + b"/" + argv[0], argv, env)
        except (FileNotFoundError, NotADirectoryError):
            pass
        except PermissionError as exc:
            error = exc
    raise error


def _exec_child(limits: list[int], identity: "list[int] | None", env: dict[bytes, bytes],
                argv: list[bytes], result_fd: int) -> None:
    try:
        if identity:
            _drop_privileges(*identity)
        for signum in (_signal.SIGPIPE, _signal.SIGXFSZ, _signal.SIGXCPU, _signal.SIGTERM):
            _signal.signal(signum, _signal.SIG_DFL)
        cpu, address_space, nproc, fsize, nofile = limits
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
        posix.closerange(3, result_fd)
        posix.closerange(result_fd + 1, 65536)
        posix.close(result_fd)
        _exec_on_path(argv, env)
    except BaseException as exc:  # nothing may return into the parent's code after the fork
        name = argv[0].decode(errors="replace") if argv else "(empty command)"
        posix.write(2, f"ae: cannot run {name}: {exc}\n".encode())
    posix._exit(127)


def main() -> None:
    """Run the command under the limits and report its status, wall time, CPU time and RSS."""
    request_fd, result_fd = int(sys.argv[1]), int(sys.argv[2])
    limits, reaper, identity, env, argv = _read_request(request_fd)
    _prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)  # the command may not open /proc/<us>/fd nor ptrace us
    if reaper:
        _prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        _signal.signal(_signal.SIGTERM, _on_term)
    posix.write(result_fd, b"started\n")
    started = time.monotonic()
    pid = posix.fork()
    if pid == 0:
        _exec_child(limits, identity, env, argv, result_fd)
    _, status, usage = posix.wait4(pid, 0)
    wall = time.monotonic() - started
    if reaper:
        _kill_descendants()
    cpu = usage.ru_utime + usage.ru_stime
    posix.write(result_fd, f"{status} {wall:.6f} {cpu:.6f} {usage.ru_maxrss}\n".encode())
    code = posix.waitstatus_to_exitcode(status)
    posix._exit(code if code >= 0 else 128 - code)


main()
