"""Content-addressed snapshots: a tar stored by sha256, unpacked safely and read-only.

Trees come from artifacts, so their depth is the artifact's choice: every walk here is iterative
(Python 3.11's `os.walk` and `shutil.rmtree` recurse once per level).
"""

from __future__ import annotations

import hashlib
import os
import stat
import tarfile
from dataclasses import dataclass
from pathlib import Path

from ae.errors import SourceError
from ae.files.trees import remove_tree


@dataclass(frozen=True)
class Caps:
    """How much of a source intake takes in: entries, bytes of file content, directory depth."""

    max_files: int = 100_000
    max_bytes: int = 2 << 30
    max_depth: int = 64


@dataclass(frozen=True)
class Snapshot:
    """A stored snapshot: its digest, tar file and unpacked read-only tree."""

    digest: str
    tar_path: Path
    tree: Path


def digest_of(path: Path) -> str:
    """Return the sha256 hex digest of a file."""
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def store(tar_path: Path, store_dir: Path, *, caps: Caps | None = None) -> Snapshot:
    """Move a tar into the store under its digest (kept once) and unpack it."""
    digest = digest_of(tar_path)
    store_dir.mkdir(parents=True, exist_ok=True)
    final = store_dir / f"{digest}.tar"
    if final.exists():
        tar_path.unlink()
    else:
        tar_path.rename(final)
    return Snapshot(digest=digest, tar_path=final, tree=unpack(final, store_dir / digest, caps=caps))


def unpack(tar_path: Path, tree: Path, *, caps: Caps | None = None) -> Path:
    """Unpack a snapshot tar once, rejecting unsafe members, and make the tree read-only."""
    if tree.is_dir():
        return tree
    caps = caps or Caps()
    partial = tree.with_name(f"{tree.name}.partial-{os.getpid()}")  # per process: unpacks may race
    remove_tree(partial)
    partial.mkdir(parents=True)
    try:
        with tarfile.open(tar_path) as archive:
            members = archive.getmembers()
            _check_members(tar_path.name, members, caps)
            try:
                archive.extractall(partial, filter="data")
            except tarfile.FilterError as exc:
                raise SourceError(f"{tar_path.name}: unsafe member rejected: {exc}") from exc
    except tarfile.TarError as exc:
        remove_tree(partial)
        raise SourceError(f"{tar_path.name}: not a valid tar archive: {exc}") from exc
    except BaseException:
        remove_tree(partial)
        raise
    _make_read_only(partial)
    try:
        os.rename(partial, tree)
    except OSError:
        if not tree.is_dir():
            raise
        remove_tree(partial)  # another process unpacked the same snapshot first
    return tree


def _check_members(name: str, members: list[tarfile.TarInfo], caps: Caps) -> None:
    files = sum(1 for m in members if not m.isdir())
    if files > caps.max_files:
        raise SourceError(f"{name}: {files} files exceed the cap of {caps.max_files} "
                          "(AE_SNAPSHOT_MAX_FILES)")
    total = sum(m.size for m in members if m.isfile())
    if total > caps.max_bytes:
        raise SourceError(f"{name}: {total} bytes exceed the cap of {caps.max_bytes} (AE_SNAPSHOT_MAX_BYTES)")
    deepest = max((m.name.strip("/").count("/") + 1 for m in members), default=0)
    if deepest > caps.max_depth:
        raise SourceError(f"{name}: paths {deepest} levels deep exceed the cap of {caps.max_depth} "
                          "(AE_SNAPSHOT_MAX_DEPTH)")


def _make_read_only(root: Path) -> None:
    """Drop write permission on every file and directory of a tree (links left alone)."""
    pending = [os.fspath(root)]
    while pending:
        directory = pending.pop()
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_symlink():
                    continue
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                else:
                    mode = entry.stat(follow_symlinks=False).st_mode
                    os.chmod(entry.path, mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        os.chmod(directory, 0o555)
