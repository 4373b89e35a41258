"""Reading back what the sandbox wrote, and names an artifact gives, confined to their directory.

Why: the worker reads outputs, logs, timer and correctness files with its own rights (root, on CI
and in containers), from directories the artifact could write. Between its command and our read
the artifact may have replaced a file by a link to `/proc/self/environ` or a host file, by a FIFO
(an open that never returns), a directory, a device or a huge sparse file, or replaced a parent
directory by a link. So every such file is opened from the directory the worker made, one path
component at a time with `O_NOFOLLOW` (no link is followed anywhere in the path), non-blocking,
checked to be a regular file after the open (`fstat`, no race), and read up to a cap. Anything
else raises `UnreadableFile` with one sentence saying why; a missing file raises
`FileNotFoundError`. Repository files (the snapshot, read-only to the sandbox) are read by
`ae.ck.files`, whose rule allows links that stay inside the repository.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path

from ae.ck.files import UnreadableFile
from ae.errors import PipelineError
from ae.files.trees import DIR_FLAGS, remove_entry

FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY
CHUNK = 1 << 20
KINDS = {stat.S_IFDIR: "a directory", stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a device",
         stat.S_IFBLK: "a device", stat.S_IFSOCK: "a socket", stat.S_IFLNK: "a symbolic link"}

__all__ = ["UnreadableFile", "contained", "copy_file", "digest_file", "fresh", "open_file",
           "read_file", "read_tail"]


def _within(path: str, root: str) -> bool:
    return os.path.commonpath([path, root]) == root


def contained(root: Path, name: str, where: str) -> Path:
    """Return `root/name`, refusing absolute names and `..` steps that leave `root`."""
    candidate = os.path.normpath(os.path.join(root, name))
    if os.path.isabs(name) or not _within(candidate, os.path.normpath(root)):
        raise PipelineError(f"{where} names {name!r}, which is outside the run directory.",
                            kind="meta-error")
    return Path(candidate)


def _parts(path: Path, root: Path) -> list[str]:
    """Return the components of `path` below `root` (lexically; `..` never leaves it)."""
    rel = os.path.relpath(os.path.normpath(path), os.path.normpath(root))
    parts = [p for p in rel.split(os.sep) if p not in ("", ".")]
    if not parts or parts[0] == "..":
        raise UnreadableFile("is not inside the directory it is read from")
    return parts


def _why(exc: OSError, fd: int, part: str, last: bool) -> UnreadableFile:
    """Say why `part` of a path could not be opened from the directory `fd`."""
    try:
        link = stat.S_ISLNK(os.stat(part, dir_fd=fd, follow_symlinks=False).st_mode)
    except OSError:
        link = False
    if link:
        return UnreadableFile("is a symbolic link (links are not followed)" if last else
                              "lies below a symbolic link (links are not followed)")
    if exc.errno == errno.ENOTDIR:
        return UnreadableFile("lies below something that is not a directory")
    return UnreadableFile(f"cannot be opened ({exc.strerror})")


def open_file(path: Path, root: Path) -> int:
    """Open `path` (below `root`) for reading: a regular file reached without following a link."""
    parts = _parts(path, root)
    try:
        fd = os.open(root, DIR_FLAGS)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise UnreadableFile(f"lies in a directory that cannot be opened ({exc.strerror})") from exc
    last = len(parts) - 1
    n = 0
    try:
        for n, part in enumerate(parts):
            if n == last:
                found = os.open(part, FILE_FLAGS, dir_fd=fd)
            else:
                inner = os.open(part, DIR_FLAGS, dir_fd=fd)
                os.close(fd)
                fd = inner
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise _why(exc, fd, parts[n], n == last) from exc
    finally:
        os.close(fd)
    kind = stat.S_IFMT(os.fstat(found).st_mode)
    if kind != stat.S_IFREG:
        os.close(found)
        raise UnreadableFile(f"is {KINDS.get(kind, 'not a regular file')}, not a regular file")
    return found


def _size(fd: int, cap: int) -> int:
    size = os.fstat(fd).st_size
    if size > cap:
        raise UnreadableFile(f"is larger than the {cap} bytes the worker reads back "
                             f"({size} bytes)")
    return size


def _chunks(fd: int, cap: int) -> list[bytes]:
    """Read `fd` to its end, at most `cap` bytes (a file still growing is cut there)."""
    chunks, total = [], 0
    while total < cap:
        chunk = os.read(fd, min(CHUNK, cap - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return chunks


def read_file(path: Path, root: Path, cap: int) -> bytes:
    """Return the bytes of a file the sandbox wrote; larger than `cap` is `UnreadableFile`."""
    fd = open_file(path, root)
    try:
        _size(fd, cap)
        return b"".join(_chunks(fd, cap))
    finally:
        os.close(fd)


def read_tail(path: Path, root: Path, size: int) -> bytes:
    """Return the last `size` bytes of a file the sandbox wrote."""
    fd = open_file(path, root)
    try:
        os.lseek(fd, max(0, os.fstat(fd).st_size - size), os.SEEK_SET)
        return b"".join(_chunks(fd, size))
    finally:
        os.close(fd)


def digest_file(path: Path, root: Path, cap: int) -> tuple[str, int]:
    """Return the sha256 and size of a file the sandbox wrote, hashing at most `cap` bytes."""
    fd = open_file(path, root)
    try:
        _size(fd, cap)
        digest, total = hashlib.sha256(), 0
        while total <= cap:
            chunk = os.read(fd, CHUNK)
            if not chunk:
                return digest.hexdigest(), total
            digest.update(chunk)
            total += len(chunk)
        raise UnreadableFile(f"grew past the {cap} bytes the worker reads back")
    finally:
        os.close(fd)


def copy_file(path: Path, root: Path, dest: Path, cap: int, mode: int) -> int:
    """Copy a file the sandbox wrote to a new worker file `dest` (mode `mode`); return its size."""
    fd = open_file(path, root)
    try:
        _size(fd, cap)
        out = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                      mode)
        try:
            os.fchmod(out, mode)  # whatever the umask
            total = 0
            while chunk := os.read(fd, CHUNK):
                total += len(chunk)
                if total > cap:
                    raise UnreadableFile(f"grew past the {cap} bytes the worker reads back")
                os.write(out, chunk)
            return total
        finally:
            os.close(out)
    finally:
        os.close(fd)


def fresh(root: Path, *paths: Path) -> None:
    """Remove files (or planted links, FIFOs, trees) below `root` that a command will write anew.

    The parents are reached without following links: when one is a link the path cannot be
    written through either (the sandbox's output files refuse it), so there is nothing to do.
    """
    for path in paths:
        parts = _parts(path, root)
        try:
            fd = os.open(root, DIR_FLAGS)
        except FileNotFoundError:
            return
        try:
            for part in parts[:-1]:
                inner = os.open(part, DIR_FLAGS, dir_fd=fd)
                os.close(fd)
                fd = inner
            remove_entry(fd, parts[-1])
        except OSError as exc:
            if exc.errno not in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP):
                raise
        finally:
            os.close(fd)
