"""Paths an artifact names or writes, confined to the directory the pipeline gave it.

Why: the worker reads outputs, logs and timer files outside the sandbox, with its own rights. A
meta file can name `../../etc/x`, and the sandboxed program can replace an output by a symlink to
a host file between the run and our read, so every such path is checked here: names must stay
inside their root, files are read only when their real location is inside it, and files the
sandbox will (re)write are removed first so a planted symlink is never followed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from ae.errors import PipelineError


def _within(path: str, root: str) -> bool:
    return os.path.commonpath([path, root]) == root


def contained(root: Path, name: str, where: str) -> Path:
    """Return `root/name`, refusing absolute names and `..` steps that leave `root`."""
    candidate = os.path.normpath(os.path.join(root, name))
    if os.path.isabs(name) or not _within(candidate, os.path.normpath(root)):
        raise PipelineError(f"{where} names {name!r}, which is outside the run directory.",
                            kind="meta-error")
    return Path(candidate)


def readable(path: Path, root: Path) -> bool:
    """Tell whether `path` is a regular file whose real location is inside `root`."""
    real = os.path.realpath(path)
    return os.path.isfile(real) and _within(real, os.path.realpath(root))


def read_bytes(path: Path, root: Path, limit: int | None = None) -> bytes | None:
    """Read a file produced by the artifact (its last `limit` bytes), or None if it may not be read."""
    if not readable(path, root):
        return None
    with open(os.path.realpath(path), "rb") as fh:
        if limit is not None:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - limit))
        return fh.read()


def sha256(path: Path, root: Path) -> str | None:
    """Hash a file produced by the artifact in chunks, or None if it may not be read."""
    if not readable(path, root):
        return None
    digest = hashlib.sha256()
    with open(os.path.realpath(path), "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fresh(*paths: Path) -> None:
    """Remove files (or planted links) the sandbox is about to create, so it never follows a link."""
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.is_symlink() or path.exists():
            path.unlink()
