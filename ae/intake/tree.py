"""A commit's tree listing (`git ls-tree -r -l -z`), checked against the caps before any export.

Rules: no more files, bytes or directory levels than the caps; paths of at most MAX_PATH_BYTES
without empty, `.`, `..` or `.git` parts, each named once, never both a file and a directory; no
submodules (they would not be fetched); symbolic links whose targets, resolved the way the kernel
would through the tree's other links, stay inside the tree and do not loop.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from ae.errors import SourceError
from ae.intake.snapshot import Caps

MAX_PATH_BYTES = 2048
MAX_LINK_BYTES = 4095
MAX_LINK_HOPS = 40
LINK_STEPS = 500_000  # work allowed to resolve every link of a tree
_READ = 1 << 16


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of a commit's tree: mode, blob id, size and path (bytes, as git stores it)."""

    mode: str
    oid: str
    size: int
    path: bytes


def records(stream: IO[bytes], where: str, caps: Caps) -> Iterator[bytes]:
    """Yield NUL-terminated records, refusing one longer than any allowed path."""
    buffer = b""
    while True:
        chunk = stream.read(_READ)
        if not chunk:
            return
        buffer += chunk
        *complete, buffer = buffer.split(b"\0")
        yield from complete
        if len(buffer) > MAX_PATH_BYTES + 128:
            depth = buffer.count(b"/") + 1
            if depth > caps.max_depth:
                raise SourceError(f"{where}: a path is {depth}+ levels deep, past the cap of "
                                  f"{caps.max_depth} (AE_SNAPSHOT_MAX_DEPTH)")
            raise SourceError(f"{where}: a path is longer than {MAX_PATH_BYTES} bytes")


def parse_entry(record: bytes, where: str) -> Entry:
    """Parse one `<mode> <type> <object> <size>\\t<path>` record."""
    meta, _, path = record.partition(b"\t")
    fields = meta.decode("ascii", errors="replace").split()
    if len(fields) != 4 or not path:
        raise SourceError(f"{where}: its tree cannot be read")
    mode, _, oid, size = fields
    return Entry(mode=mode, oid=oid, size=int(size) if size.isdigit() else 0, path=path)


def refusal(entry: Entry, count: int, total: int, caps: Caps) -> str | None:
    """Return why one more entry is refused (None: it passes), each reason naming its rule."""
    shown = show(entry.path)
    parts = entry.path.split(b"/")
    if entry.mode == "160000":
        return (f"it has a submodule at {shown}, and submodules are not fetched (add its files, or "
                "make it a CK repo_deps repository)")
    if entry.mode not in ("100644", "100755", "100664", "120000"):
        return f"{shown} has an unsupported mode {entry.mode}"
    if any(p in (b"", b".", b"..") or p.lower() == b".git" for p in parts):
        return f"{shown} is not a safe path"
    if len(parts) > caps.max_depth:
        return (f"{shown} is {len(parts)} levels deep, past the cap of {caps.max_depth} "
                "(AE_SNAPSHOT_MAX_DEPTH)")
    if len(entry.path) > MAX_PATH_BYTES:
        return f"{shown} is longer than {MAX_PATH_BYTES} bytes"
    if entry.mode == "120000" and not 0 < entry.size <= MAX_LINK_BYTES:
        return f"symbolic link {shown} has a target of {entry.size} bytes"
    if count > caps.max_files:
        return f"it holds more than {caps.max_files} files (AE_SNAPSHOT_MAX_FILES)"
    if total > caps.max_bytes:
        return f"its files hold more than {caps.max_bytes} bytes (AE_SNAPSHOT_MAX_BYTES)"
    return None


def show(path: bytes) -> str:
    """Return a path for a message: quoted, shortened in the middle past 80 characters."""
    text = os.fsdecode(path)
    return repr(text if len(text) <= 80 else text[:40] + "…" + text[-30:])


def check_paths(entries: list[Entry], where: str) -> None:
    """Refuse a tree where a path appears twice or a link stands where a directory must be."""
    paths = {e.path for e in entries}
    if len(paths) != len(entries):
        raise SourceError(f"{where}: its tree names a path twice")
    directories: set[bytes] = set()
    for entry in entries:
        parent = entry.path.rpartition(b"/")[0]
        while parent and parent not in directories:
            directories.add(parent)
            parent = parent.rpartition(b"/")[0]
    clash = paths & directories
    if clash:
        raise SourceError(f"{where}: {show(min(clash))} is both a file and a directory")


def escaping_link(links: dict[bytes, bytes]) -> bytes | None:
    """Return a link whose target leads out of the tree or loops (resolved like the kernel would)."""
    budget = LINK_STEPS
    for path, target in links.items():
        resolved = path.split(b"/")[:-1]
        pending = list(reversed(target.split(b"/")))
        hops = 0
        if not target or target.startswith(b"/") or b"\0" in target:
            return path
        while pending:
            budget -= 1
            if budget < 0:
                return path
            part = pending.pop()
            if part in (b"", b"."):
                continue
            if part == b"..":
                if not resolved:
                    return path
                resolved.pop()
                continue
            inner = links.get(b"/".join([*resolved, part]))
            if inner is None:
                resolved.append(part)
                continue
            hops += 1
            if hops > MAX_LINK_HOPS or inner.startswith(b"/"):
                return path
            pending.extend(reversed(inner.split(b"/")))
    return None


def commit_time(data: bytes) -> int:
    """Return a commit object's committer time (0 when it has none)."""
    for line in data.split(b"\n"):
        if line.startswith(b"committer "):
            fields = line.rsplit(b" ", 2)
            return int(fields[1]) if len(fields) == 3 and fields[1].isdigit() else 0
        if not line:
            break
    return 0
