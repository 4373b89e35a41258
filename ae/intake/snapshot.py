"""Content-addressed snapshots: a tar stored by sha256, unpacked safely and read-only."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tarfile
from dataclasses import dataclass
from pathlib import Path

from ae.errors import SourceError

MAX_FILES = 100_000
MAX_BYTES = 2 << 30


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


def store(tar_path: Path, store_dir: Path) -> Snapshot:
    """Move a tar into the store under its digest (kept once) and unpack it."""
    digest = digest_of(tar_path)
    store_dir.mkdir(parents=True, exist_ok=True)
    final = store_dir / f"{digest}.tar"
    if final.exists():
        tar_path.unlink()
    else:
        tar_path.rename(final)
    return Snapshot(digest=digest, tar_path=final, tree=unpack(final, store_dir / digest))


def unpack(tar_path: Path, tree: Path) -> Path:
    """Unpack a snapshot tar once, rejecting unsafe members, and make the tree read-only."""
    if tree.is_dir():
        return tree
    partial = tree.with_name(f"{tree.name}.partial-{os.getpid()}")  # per process: unpacks may race
    _remove(partial)
    partial.mkdir(parents=True)
    try:
        with tarfile.open(tar_path) as archive:
            members = archive.getmembers()
            if len(members) > MAX_FILES:
                raise SourceError(f"{tar_path.name}: {len(members)} files exceed the cap of {MAX_FILES}")
            total = sum(m.size for m in members if m.isfile())
            if total > MAX_BYTES:
                raise SourceError(f"{tar_path.name}: {total} bytes exceed the cap of {MAX_BYTES}")
            try:
                archive.extractall(partial, filter="data")
            except tarfile.FilterError as exc:
                raise SourceError(f"{tar_path.name}: unsafe member rejected: {exc}") from exc
    except tarfile.TarError as exc:
        _remove(partial)
        raise SourceError(f"{tar_path.name}: not a valid tar archive: {exc}") from exc
    except SourceError:
        _remove(partial)
        raise
    _make_read_only(partial)
    try:
        os.rename(partial, tree)
    except OSError:
        if not tree.is_dir():
            raise
        _remove(partial)  # another process unpacked the same snapshot first
    return tree


def _remove(path: Path) -> None:
    """Delete an unpacked tree, read-only directories included."""
    if path.exists():
        for dirpath, _, _ in os.walk(path):
            os.chmod(dirpath, 0o755)
        shutil.rmtree(path, ignore_errors=True)


def _make_read_only(root: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                mode = os.stat(path).st_mode
                os.chmod(path, mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        for name in dirnames:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                os.chmod(path, 0o555)
    os.chmod(root, 0o555)
