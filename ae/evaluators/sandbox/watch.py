"""The outside half of a sandboxed run: capped output, the wall clock, kills and reaping.

Only `ae.evaluators.sandbox` uses this module; it is split out to keep each file small.
"""

from __future__ import annotations

import math
import os
import re
import selectors
import signal
import stat
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from ae.errors import PipelineError
from ae.files import trees

GRACE_S = 5.0
CPU_POLL_S = 0.5
DISK_RESERVE_BYTES = 512 << 20  # a run is killed rather than leave its disk with less free
QUOTA_COST = 10  # a quota walk that took t seconds waits 10 t (at least CPU_POLL_S) for the next


def open_output(path: Path, work_dir: Path) -> int:
    """Create or truncate an output file for writing, never through a link an artifact planted.

    Files in the work dir are the artifact's playground: an earlier command may have left
    `stdout.log -> /some/host/file`, a FIFO (an open for writing would wait for a reader for
    ever), a directory, or a linked directory on the way. A path that goes through the work dir
    must stay in it once resolved; whatever is not a regular file at its end is removed first, and
    it is opened with O_NOFOLLOW and O_NONBLOCK. No artifact process runs while this happens.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
    target = Path(os.path.abspath(path))
    parent = os.path.realpath(target.parent)
    if not _inside(parent, str(work_dir)):  # the worker's own file (a test's, say)
        if _enters(target.parent, work_dir):
            raise PipelineError(f"the output file {target} lies behind a link out of the work dir")
        return os.open(target, flags, 0o644)
    final = Path(parent) / target.name
    if final.is_symlink() or (final.exists() and not final.is_file()):
        trees.remove_tree(final)
    fd = os.open(final, flags | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644)
    return _regular(fd, target)


def open_input(path: Path, work_dir: Path) -> int:
    """Open an input file; one reached through the work dir must resolve inside it.

    Refused: a link out of the work dir, and anything but a regular file (a FIFO would block).
    """
    target = Path(os.path.abspath(path))
    if _enters(target, work_dir) and not _inside(os.path.realpath(target), str(work_dir)):
        raise PipelineError(f"the input file {target} is a link out of the work dir")
    fd = os.open(target, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
    return _regular(fd, target)


def _regular(fd: int, path: Path) -> int:
    """Return `fd` in blocking mode if it is a regular file; else close it and refuse."""
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise PipelineError(f"{path} is not a regular file")
    os.set_blocking(fd, True)
    return fd


def _enters(path: Path, work_dir: Path) -> bool:
    """Tell whether `path` or one of its ancestors is the (resolved) work dir."""
    return any(os.path.realpath(p) == str(work_dir) for p in (path, *path.parents))


def _inside(path: str, root: str) -> bool:
    return os.path.commonpath([path, root]) == root


class Capture:
    """One output stream written to a host file, capped, with a visible truncation marker.

    The first and last `KEEP` bytes are also kept in memory: the classification reads them
    there, never from the file, which the artifact may have replaced meanwhile.
    """

    KEEP = 8192

    def __init__(self, file: BinaryIO, cap: int) -> None:
        self.file, self.cap = file, cap
        self.written = 0
        self.truncated = False
        self.head = b""
        self.tail = b""

    @classmethod
    @contextmanager
    def open(cls, path: Path, cap: int, work_dir: Path) -> Iterator[Capture]:
        """Open `path` for the stream (safely when it lies in the work dir); close it at the end."""
        with os.fdopen(open_output(path, work_dir), "wb") as file:
            yield cls(file, cap)

    def feed(self, data: bytes) -> bool:
        """Write `data` up to the cap; return True the moment the cap is exceeded."""
        if self.truncated:
            return False
        if len(self.head) < self.KEEP:
            self.head += data[: self.KEEP - len(self.head)]
        self.tail = (self.tail + data)[-self.KEEP :]
        room = self.cap - self.written
        if len(data) <= room:
            self.file.write(data)
            self.file.flush()  # on disk as it comes: the service streams a running command's log
            self.written += len(data)
            return False
        self.file.write(data[:room])
        self.file.write(f"\n[ae: output truncated after {self.cap} bytes]\n".encode())
        self.file.flush()
        self.written, self.truncated = self.cap, True
        return True


class Watch:
    """The outside half of a run: pumps output, enforces the wall clock, kills, reaps."""

    def __init__(
        self, proc: subprocess.Popen[bytes], kind: str, deadline: float, cpu_s: float,
        work_dir: Path, quota: tuple[int, int], scratch: Path | None = None,
    ) -> None:
        self.proc, self.kind, self.deadline, self.cpu_s = proc, kind, deadline, cpu_s
        self.work_dir, self.quota = work_dir, quota
        self.counted = (work_dir,) if scratch is None else (work_dir, scratch)
        self.next_quota = 0.0
        self.killed: str | None = None
        self.init_pid: int | None = None
        self.init_pidfd: int | None = None
        self.status: int | None = None
        self.tree_cpu_s = 0.0
        self.tree_rss_kb = 0
        self.rusage_cpu_s = 0.0
        self.rusage_rss_kb = 0

    def pump(self, outputs: dict[int, Capture], status_r: int) -> None:
        """Copy output to the capture files until every writer is gone or the run is killed."""
        selector = selectors.DefaultSelector()
        for fd in (*outputs, status_r):
            selector.register(fd, selectors.EVENT_READ)
        status_text = b""
        give_up = math.inf
        next_poll = time.monotonic() + CPU_POLL_S
        with selector:
            while selector.get_map():
                now = time.monotonic()
                if self.killed is None and now >= self.deadline:
                    self.kill("timeout")
                if self.killed is None and now >= next_poll:
                    next_poll = now + CPU_POLL_S
                    self._check_cpu()
                    self._check_disk()
                    self._check_quota(now)
                if now >= give_up:
                    return
                if self.killed is not None or _exited(self.proc.pid):
                    give_up = min(give_up, now + GRACE_S)
                bound = give_up if self.killed is not None else min(self.deadline, next_poll)
                for key, _ in selector.select(max(0.0, bound - now)):
                    fd = int(key.fd)
                    data = os.read(fd, 65536)
                    if not data:
                        selector.unregister(fd)
                    elif fd == status_r:
                        status_text += data
                        self._note_init(status_text)
                    elif outputs[fd].feed(data) and self.killed is None:
                        self.kill("output-limit")

    def _check_cpu(self) -> None:
        """Kill the sandbox once all its processes together have used up the CPU-time limit.

        RLIMIT_CPU holds each process alone; this holds the tree (a `make -j` or a forking
        busy loop), live processes and the reaped ones their parents accounted for. It allows
        one poll interval more, so that a single process meets its exact RLIMIT_CPU first.
        """
        root = self.init_pid if self.kind == "bwrap" else self.proc.pid
        if root is not None and tree_usage(root)[0] > self.cpu_s + CPU_POLL_S:
            self.kill("cpu")

    def _check_disk(self) -> None:
        """Kill the sandbox before the files it writes (each under the size limit) fill the disk."""
        if self.killed is None and disk_free(self.work_dir) < DISK_RESERVE_BYTES:
            self.kill("disk")

    def _check_quota(self, now: float) -> None:
        """Kill the sandbox once its work and scratch dirs hold more entries or bytes than its quota.

        The walk stops just past the quota, so it costs at most that many entries; it is
        repeated at intervals that grow with its cost. A walk the artifact disturbs (it moves
        directories meanwhile) is skipped; `over_quota` checks again once nothing runs.
        """
        if self.killed is not None or now < self.next_quota:
            return
        try:
            reason = self.over_quota()
        except OSError:
            reason = None
        self.next_quota = time.monotonic() + max(CPU_POLL_S, QUOTA_COST * (time.monotonic() - now))
        if reason is not None:
            self.kill(reason)

    def over_quota(self) -> str | None:
        """Return "inodes" or "disk-quota" when the work dir and scratch dir together are past the
        run's quota, else None."""
        max_entries, max_bytes = self.quota
        entries = used = 0
        for root in self.counted:
            more, bytes_ = trees.usage(root, max_entries - entries, max_bytes - used)
            entries, used = entries + more, used + bytes_
            if entries > max_entries or used > max_bytes:
                break
        if entries > max_entries:
            return "inodes"
        return "disk-quota" if used > max_bytes else None

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
            self.tree_cpu_s, self.tree_rss_kb = tree_usage(root)
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
            if not _wait_readable(self.init_pidfd, GRACE_S):
                signal.pidfd_send_signal(self.init_pidfd, signal.SIGKILL)
                _wait_readable(self.init_pidfd, GRACE_S)
            os.close(self.init_pidfd)
            self.init_pidfd = None
        if self.kind == "none":  # before reaping, while the group id cannot be reused
            _signal_group_quietly(self.proc.pid, signal.SIGKILL)
        if self.proc.returncode is None:
            if not _exited(self.proc.pid) and self.killed is not None:
                time.sleep(0.01)
                if not _exited(self.proc.pid):
                    _signal_group_quietly(self.proc.pid, signal.SIGKILL)
            _, self.status, usage = os.wait4(self.proc.pid, 0)
            self.proc.returncode = os.waitstatus_to_exitcode(self.status)
            self.rusage_cpu_s = usage.ru_utime + usage.ru_stime
            self.rusage_rss_kb = usage.ru_maxrss


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


def tree_usage(root: int) -> tuple[float, int]:
    """Return the CPU seconds and largest RSS (KiB) of `root` and its descendants, from /proc."""
    children: dict[int, list[int]] = {}
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
        children.setdefault(int(rest[1]), []).append(int(name))
    tree, frontier = {root}, [root]
    while frontier:
        for pid in children.get(frontier.pop(), ()):
            if pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    ticks, page_kb = os.sysconf("SC_CLK_TCK"), os.sysconf("SC_PAGE_SIZE") // 1024
    cpu = sum(sum(int(x) for x in stats[p][11:15]) for p in tree if p in stats) / ticks
    rss = max((int(stats[p][21]) * page_kb for p in tree if p in stats), default=0)
    return cpu, rss


def disk_free(path: Path) -> int:
    """Return the bytes free for unprivileged users on the file system holding `path`."""
    info = os.statvfs(path)
    return info.f_bavail * info.f_frsize


def read_all(fd: int) -> str:
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


