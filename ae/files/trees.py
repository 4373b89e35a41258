"""Directory trees an artifact wrote: walked, counted and removed without recursion or links.

Why: a work dir is the artifact's playground. It may be 5,000 levels deep (Python 3.11's
`shutil.rmtree` and `os.walk` recurse and fail), hold a million entries, or link to host files.
Every walk here is iterative: it goes down with `openat(name, O_NOFOLLOW)` from a directory
descriptor (so no path grows past PATH_MAX and no link is followed) and back up through `..`,
checking that it lands on the directory it came from (else `TreeChanged`).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_GONE = (errno.ENOENT, errno.ENOTDIR, errno.ELOOP)


class TreeChanged(OSError):
    """A directory moved while it was walked (only an artifact still running can do that)."""


def _ident(fd: int) -> tuple[int, int]:
    info = os.fstat(fd)
    return info.st_dev, info.st_ino


def _up(fd: int, expected: tuple[int, int]) -> int:
    """Return a descriptor of the parent of `fd`, checking that it is the directory `expected`."""
    parent = os.open("..", DIR_FLAGS, dir_fd=fd)
    if _ident(parent) != expected:
        os.close(parent)
        raise TreeChanged(errno.ESTALE, "a directory moved during the walk")
    return parent


def _enter(parent: int, name: str, *, open_up: bool = False) -> int | None:
    """Open the sub-directory `name` of `parent`; None when it is gone, no directory, or (unless
    `open_up`) closed to us.

    `open_up` (for removal only) first opens up a directory the artifact made unreadable or
    unwritable when we own it (the unprivileged path: the sandbox's files are the worker's uid
    on the host). Walks never change the tree they look at.
    """
    try:
        fd = os.open(name, DIR_FLAGS, dir_fd=parent)
    except PermissionError:
        if not open_up:
            return None
        try:
            info = os.stat(name, dir_fd=parent, follow_symlinks=False)
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
                raise
            os.chmod(name, 0o700, dir_fd=parent)
            fd = os.open(name, DIR_FLAGS, dir_fd=parent)
        except OSError as exc:
            if exc.errno in _GONE:
                return None
            raise
    except OSError as exc:
        if exc.errno in _GONE:
            return None
        raise
    if open_up:
        info = os.fstat(fd)
        if info.st_mode & 0o700 != 0o700 and info.st_uid == os.geteuid() != 0:
            os.fchmod(fd, 0o700)
    return fd


def walk(root: Path) -> Iterator[tuple[int, str, os.DirEntry[str]]]:
    """Yield `(directory fd, its path below root, entry)` for everything below `root`.

    Parents come before their children; the descriptor is valid only until the next item; the
    path is `""` for `root` itself and `a/b` below it. Entries that vanish meanwhile are skipped.
    """
    fd = os.open(root, DIR_FLAGS)
    levels: list[tuple[list[str], tuple[int, int], str]] = []
    ident, here = _ident(fd), ""
    pending: list[str] = []
    try:
        while True:
            with os.scandir(fd) as entries:
                for entry in entries:
                    yield fd, here, entry
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(entry.name)
            while True:
                if pending:
                    name = pending.pop()
                    child = _enter(fd, name)
                    if child is None:
                        continue
                    levels.append((pending, ident, here))
                    os.close(fd)
                    fd, ident, pending = child, _ident(child), []
                    here = f"{here}/{name}" if here else name
                    break
                if not levels:
                    return
                pending, ident, here = levels.pop()
                parent = _up(fd, ident)
                os.close(fd)
                fd = parent
    finally:
        os.close(fd)


def usage(root: Path, max_entries: int, max_bytes: int) -> tuple[int, int]:
    """Return the entries and bytes (allocated blocks) below `root`, stopping past either cap."""
    entries = used = 0
    for _, _, entry in walk(root):
        entries += 1
        try:
            used += entry.stat(follow_symlinks=False).st_blocks * 512
        except FileNotFoundError:
            continue
        if entries > max_entries or used > max_bytes:
            break
    return entries, used


def chown_tree(root: Path, uid: int, gid: int) -> None:
    """Give `root` and everything below it to uid/gid (links themselves, never their targets)."""
    info = os.lstat(root)
    if (info.st_uid, info.st_gid) != (uid, gid):
        os.lchown(root, uid, gid)
    for fd, _, entry in walk(root):
        try:
            info = entry.stat(follow_symlinks=False)
            if (info.st_uid, info.st_gid) != (uid, gid):
                os.chown(entry.name, uid, gid, dir_fd=fd, follow_symlinks=False)
        except FileNotFoundError:
            continue


def _clear_files(fd: int) -> list[str]:
    """Unlink every non-directory in `fd`; return the names of its sub-directories."""
    subdirs = []
    with os.scandir(fd) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                subdirs.append(entry.name)
                continue
            try:
                os.unlink(entry.name, dir_fd=fd)
            except FileNotFoundError:
                pass
    return subdirs


def remove_tree(path: Path) -> None:
    """Delete `path` and everything below it (a file or a link: just it); missing is fine."""
    path = Path(os.path.abspath(path))
    try:
        parent = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except FileNotFoundError:
        return
    try:
        remove_entry(parent, path.name)
    finally:
        os.close(parent)


def remove_entry(parent: int, name: str) -> None:
    """Delete the entry `name` of the directory `parent` and, if a directory, all below it."""
    try:
        info = os.stat(name, dir_fd=parent, follow_symlinks=False)
        if not stat.S_ISDIR(info.st_mode):
            os.unlink(name, dir_fd=parent)
            return
        _empty(parent, name)
        os.rmdir(name, dir_fd=parent)
    except FileNotFoundError:
        return


def _empty(parent: int, name: str) -> None:
    """Remove everything inside the directory `name` of `parent`, depth first, iteratively."""
    fd = _enter(parent, name, open_up=True)
    if fd is None:
        return
    levels: list[tuple[list[str], tuple[int, int], str]] = []
    ident = _ident(fd)
    pending = _clear_files(fd)
    try:
        while True:
            if pending:
                sub = pending.pop()
                child = _enter(fd, sub, open_up=True)
                if child is None:
                    continue
                levels.append((pending, ident, sub))
                os.close(fd)
                fd, ident = child, _ident(child)
                pending = _clear_files(fd)
                continue
            if not levels:
                return
            pending, ident, done = levels.pop()
            parent = _up(fd, ident)
            os.close(fd)
            fd = parent
            os.rmdir(done, dir_fd=fd)
    finally:
        os.close(fd)
