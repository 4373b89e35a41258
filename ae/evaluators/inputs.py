"""Digests of what a build can read: the repository trees bound into its sandbox, compiler binaries.

Why: the build cache is shared by every artifact on a worker, so its key must change whenever
anything the compile could read changes — not only the declared sources and headers (a source may
`#include "impl.c"`, or any other file of the repositories). A tree's digest covers every path,
type, executable bit, link target and file content below it. File contents are hashed once and
remembered by (device, inode, size, mtime, ctime) in `<cache>/digests/`, so a later run on the same
tree (a snapshot, or an author's directory under `ae run`) only walks it.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from ae.files.trees import walk

CHUNK = 1 << 20
Stamp = list[Any]  # [dev, ino, size, mtime_ns, ctime_ns, sha256]


def _stamp(info: os.stat_result) -> list[int]:
    return [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]


def _hash_fd(fd: int) -> str:
    digest = hashlib.sha256()
    while chunk := os.read(fd, CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


class DigestCache:
    """Content digests of files, remembered per tree (or file) in one JSON file each."""

    def __init__(self, cache_dir: Path | None) -> None:
        self.dir = cache_dir / "digests" if cache_dir is not None else None

    def _file(self, root: str) -> Path | None:
        if self.dir is None:
            return None
        return self.dir / (hashlib.sha256(root.encode()).hexdigest()[:32] + ".json")

    def _load(self, root: str) -> dict[str, Stamp]:
        path = self._file(root)
        try:
            data = json.loads(path.read_bytes()) if path is not None else {}
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("root") != root:
            return {}
        files = data.get("files")
        return files if isinstance(files, dict) else {}

    def _save(self, root: str, files: dict[str, Stamp]) -> None:
        """Write the stamps atomically; a cache that cannot be written only costs time later."""
        path = self._file(root)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps({"root": root, "files": files}))
            os.replace(tmp, path)
        except OSError:
            pass

    def tree_digest(self, root: Path) -> str:
        """Return the digest of everything below `root` (paths, types, modes, links, contents)."""
        key = os.path.realpath(root)
        known = self._load(key)
        seen: dict[str, Stamp] = {}
        lines = []
        for fd, here, entry in walk(Path(key)):
            rel = f"{here}/{entry.name}" if here else entry.name
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(info.st_mode):
                lines.append(f"d {rel}")
            elif stat.S_ISLNK(info.st_mode):
                lines.append(f"l {rel} -> {os.readlink(entry.name, dir_fd=fd)}")
            elif stat.S_ISREG(info.st_mode):
                stamp = _stamp(info)
                old = known.get(rel)
                if old is not None and old[:5] == stamp:
                    sha = str(old[5])
                else:
                    sha = self._hash_entry(fd, entry.name)
                seen[rel] = [*stamp, sha]
                lines.append(f"f {rel} {info.st_mode & 0o111:o} {sha}")
            else:
                lines.append(f"o {rel} {stat.S_IFMT(info.st_mode):o}")
        if seen != known:
            self._save(key, seen)
        lines.sort()
        return hashlib.sha256("\n".join(lines).encode("utf-8", "surrogateescape")).hexdigest()

    @staticmethod
    def _hash_entry(dir_fd: int, name: str) -> str:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                     dir_fd=dir_fd)
        try:
            return _hash_fd(fd)
        finally:
            os.close(fd)

    def file_digest(self, path: str) -> str:
        """Return the sha256 of the file `path` resolves to (a compiler binary, say)."""
        real = os.path.realpath(path)
        known = self._load(real).get("")
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        try:
            stamp = _stamp(os.fstat(fd))
            if known is not None and known[:5] == stamp:
                return str(known[5])
            sha = _hash_fd(fd)
        finally:
            os.close(fd)
        self._save(real, {"": [*stamp, sha]})
        return sha
