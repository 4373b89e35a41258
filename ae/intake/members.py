"""An archive's listing judged by git intake's rules before anything is written, then planned as a tree.

Rules (DESIGN §3a), on top of the caps and path rules of `ae.intake.tree`: every member is a file, a
directory, a symbolic link or a hard link (devices, FIFOs and sockets are refused); no absolute path,
no `..`, no backslash, no `.git` part; each path named once, and no two paths that differ only in case;
symbolic links resolve inside the tree (through the tree's other links, like the kernel would); a
hard link names a file before it in the archive. A single top-level directory (as GitHub and Zenodo
archives have) is stripped. Archives count directories against AE_SNAPSHOT_MAX_FILES too.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ae.errors import SourceError
from ae.intake import tree
from ae.intake.snapshot import Caps

FILE, DIRECTORY, SYMLINK, HARDLINK = "file", "directory", "symbolic link", "hard link"


@dataclass(frozen=True, slots=True)
class Member:
    """One member as the archive lists it: its name, kind, declared size, link target and mode."""

    index: int
    name: str
    kind: str
    size: int = 0
    executable: bool = False
    link: str = ""
    mtime: int = 0


@dataclass(frozen=True, slots=True)
class Planned:
    """A member as the snapshot will hold it: a safe relative path (bytes) and what to write there."""

    index: int
    path: bytes
    kind: str
    size: int
    executable: bool
    link: bytes = b""


def admit(member: Member, count: int, total: int, where: str, caps: Caps) -> None:
    """Refuse a listing at the first member past a cap, while it is read (one level spare to strip)."""
    if count > caps.max_files:
        raise SourceError(f"{where}: it holds more than {caps.max_files} files (AE_SNAPSHOT_MAX_FILES)")
    if total > caps.max_bytes:
        raise SourceError(f"{where}: its files hold more than {caps.max_bytes} bytes "
                          "(AE_SNAPSHOT_MAX_BYTES)")
    depth = len([p for p in member.name.split("/") if p not in ("", ".")])
    if depth > caps.max_depth + 1:
        raise SourceError(f"{where}: {tree.show(os.fsencode(member.name))} is {depth} levels deep, past "
                          f"the cap of {caps.max_depth} (AE_SNAPSHOT_MAX_DEPTH)")


def plan(members: Sequence[Member], where: str, caps: Caps) -> list[Planned]:
    """Return what the snapshot holds, in archive order, or raise SourceError naming the rule."""
    planned = [p for p in (_normalise(m, where) for m in members) if p is not None]
    planned, prefix = _strip_top(planned)
    if not any(p.kind != DIRECTORY for p in planned):
        raise SourceError(f"{where}: it holds no files")
    planned = _resolve_hard_links(planned, {m.index: m.link for m in members}, prefix, where)
    total = 0
    for count, item in enumerate(planned, 1):
        total += item.size
        mode = "120000" if item.kind == SYMLINK else "100755" if item.executable else "100644"
        # directories pass the path rules as empty files: depth, length, count
        entry = tree.Entry(mode=mode, oid="", size=len(item.link) if item.kind == SYMLINK else item.size,
                           path=item.path)
        reason = tree.refusal(entry, count, total, caps)
        if reason:
            raise SourceError(f"{where}: {reason}")
    _check_names(planned, where)
    escaping = tree.escaping_link({p.path: p.link for p in planned if p.kind == SYMLINK})
    if escaping is not None:
        raise SourceError(f"{where}: symbolic link {tree.show(escaping)} points outside the tree "
                          "(or loops)")
    return planned


def _normalise(member: Member, where: str) -> Planned | None:
    """Return the member under a safe relative path (None for the archive's root itself)."""
    path = _safe_path(member.name, where)
    if not path:
        if member.kind != DIRECTORY:
            raise SourceError(f"{where}: {tree.show(os.fsencode(member.name))} is not a safe path")
        return None
    link = os.fsencode(member.link) if member.kind == SYMLINK else b""
    return Planned(index=member.index, path=path, kind=member.kind, size=member.size,
                   executable=member.executable, link=link)


def _safe_path(name: str, where: str) -> bytes:
    """Return a member name as relative path bytes, without empty or `.` parts; refuse unsafe ones."""
    raw = os.fsencode(name)
    shown = tree.show(raw)
    if raw.startswith(b"/"):
        raise SourceError(f"{where}: {shown} is an absolute path")
    if b"\\" in raw or b"\0" in raw:
        raise SourceError(f"{where}: {shown} holds a backslash or NUL, which is not a safe path")
    parts = [p for p in raw.split(b"/") if p not in (b"", b".")]
    if b".." in parts:
        raise SourceError(f"{where}: {shown} leads out of the archive (a '..' part)")
    if any(p.lower() == b".git" for p in parts):
        raise SourceError(f"{where}: {shown} is inside a .git directory (pack the files without it, "
                          "e.g. with `git archive`, or submit the git URL)")
    return b"/".join(parts)


def _strip_top(planned: list[Planned]) -> tuple[list[Planned], bytes]:
    """Drop a single top-level directory that holds everything (GitHub's `repo-<sha>/`).

    Returns the members and the prefix stripped from their paths (b"" when none was).
    """
    tops = {p.path.split(b"/", 1)[0] for p in planned}
    if len(tops) != 1:
        return planned, b""
    prefix = tops.pop() + b"/"
    if any(p.path + b"/" == prefix and p.kind != DIRECTORY for p in planned) or \
            not any(p.path.startswith(prefix) for p in planned):
        return planned, b""
    return [replace(p, path=p.path[len(prefix):]) for p in planned if p.path.startswith(prefix)], prefix


def _resolve_hard_links(planned: list[Planned], targets: dict[int, str], prefix: bytes,
                        where: str) -> list[Planned]:
    """Turn each hard link into a copy of the file it names, which must come before it."""
    files: dict[bytes, Planned] = {}
    result: list[Planned] = []
    for item in planned:
        if item.kind == HARDLINK:
            target = targets[item.index]
            try:
                full = _safe_path(target, where)
            except SourceError:
                full = b""
            found = files.get(full[len(prefix):]) if full.startswith(prefix) else None
            if found is None:
                raise SourceError(f"{where}: hard link {tree.show(item.path)} points to "
                                  f"{tree.show(os.fsencode(target))}, which is not a file before it in "
                                  "the archive")
            item = replace(item, size=found.size, executable=found.executable, link=found.path)
        elif item.kind == FILE:
            files.setdefault(item.path, item)
        result.append(item)
    return result


def _check_names(planned: list[Planned], where: str) -> None:
    """Refuse a path named twice, a file standing where a directory must be, or a case clash."""
    seen: set[bytes] = set()
    directories: set[bytes] = set()
    for item in planned:
        if item.path in seen:
            raise SourceError(f"{where}: {tree.show(item.path)} appears twice")
        seen.add(item.path)
        if item.kind == DIRECTORY:
            directories.add(item.path)
        parent = item.path.rpartition(b"/")[0]
        while parent and parent not in directories:
            directories.add(parent)
            parent = parent.rpartition(b"/")[0]
    clash = {p.path for p in planned if p.kind != DIRECTORY} & directories
    if clash:
        raise SourceError(f"{where}: {tree.show(min(clash))} is both a file and a directory")
    folded: dict[str, bytes] = {}
    for path in sorted(seen | directories):
        key = os.fsdecode(path).casefold()
        other = folded.setdefault(key, path)
        if other != path:
            raise SourceError(f"{where}: {tree.show(other)} and {tree.show(path)} differ only in case "
                              "(one file on macOS and Windows)")
