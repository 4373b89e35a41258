"""Files written whole or not at all: a temp name beside the target, fsync, then rename.

Rule (DESIGN §11): a crash, a full disk or a kill -9 leaves the old file or the new one, never a
half-written one. Every temp name carries the writer's pid (`.<name>.<pid>.tmp`, `<x>.partial-<pid>`,
`clone-<pid>-…`), so that a worker starting up removes what dead processes of this machine left
(`clean_stale`); entries without a pid are removed once older than any job may run.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ae.files.trees import remove_tree

log = logging.getLogger(__name__)

#: Temp names written by `ae` (with the writer's pid where the name carries one).
_TEMP = re.compile(r"^(?:\.?.+\.(?P<pid1>\d+)\.(?:tmp|partial)|.+\.partial-(?P<pid2>\d+)"
                   r"|(?:.+-)?(?:clone|archive)-(?P<pid3>\d+)-.+|.+\.tmp)$")


def temp_name(path: Path) -> Path:
    """Return the temp path a process writes `path` through."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Yield a temp path to write; on success it replaces `path` (fsynced), on error it is removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name(path)
    try:
        yield tmp
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes(path: Path, data: bytes) -> Path:
    """Write `data` to `path` atomically."""
    with replacing(path) as tmp:
        tmp.write_bytes(data)
    return path


def write_text(path: Path, text: str) -> Path:
    """Write UTF-8 `text` to `path` atomically."""
    return write_bytes(path, text.encode("utf-8"))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_stale(name: str, age_s: float, max_age_s: float, alive: Callable[[int], bool] = _pid_alive) -> bool:
    """Tell whether a temp entry named `name`, `age_s` old, was left by a dead writer."""
    found = _TEMP.match(name)
    if found is None:
        return False
    pid = next((found.group(g) for g in ("pid1", "pid2", "pid3") if found.group(g)), None)
    if pid is not None and int(pid) != os.getpid():
        return not alive(int(pid))
    return age_s > max_age_s


def clean_stale(data_dir: Path, *, max_age_s: float) -> list[Path]:
    """Remove the temp files and directories dead writers left in the store; return them."""
    removed = []
    now = time.time()
    for folder in ("incoming", "snapshots", "reports", "archives", "cache"):
        root = data_dir / folder
        if not root.is_dir():
            continue
        for path in [root, *(p for p in root.iterdir() if p.is_dir() and not p.is_symlink())]:
            if folder == "snapshots" and path != root:
                continue  # unpacked trees are read-only and hold no temp names of ours
            for entry in list(path.iterdir()) if path.is_dir() else []:
                try:
                    age = now - entry.lstat().st_mtime
                except FileNotFoundError:
                    continue
                if not is_stale(entry.name, age, max_age_s):
                    continue
                try:
                    if entry.is_dir() and not entry.is_symlink():
                        remove_tree(entry)
                    else:
                        entry.unlink(missing_ok=True)
                except OSError as exc:
                    log.warning("could not remove stale temp %s: %s", entry, exc)
                    continue
                removed.append(entry)
    if removed:
        log.info("removed %d stale temp file(s) under %s", len(removed), data_dir)
    return removed
