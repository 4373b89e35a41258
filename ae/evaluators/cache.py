"""Cache entries shared by every run of a worker: written by the worker only, checked on each hit.

Why: the package and build caches serve every artifact and every process (an RQ work horse per
job; a root worker gives each process its own sandbox uid). So an entry is never a directory the
sandbox wrote or owns. After a sandboxed build the worker copies out what it needs (the binary,
the library, the log) with the safe reader into a directory it creates itself, with modes every
sandbox uid can read (directories 0755, files 0644 or 0755), and renames that into place. A hit
is used only while the entry is still that — owned by the worker, writable by nobody else,
regular files only — otherwise it is removed and rebuilt. Failing to write an entry is the
service's fault: `internal-error`, never the artifact's.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from ae.errors import PipelineError
from ae.evaluators.paths import UnreadableFile, open_file
from ae.files.trees import remove_tree

DIR_MODE = 0o755


def make_dir(path: Path) -> Path:
    """Create `path` (and parents) readable by every sandbox uid; fix the mode of our own dir."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        info = os.stat(path)
        if info.st_uid == os.geteuid() and stat.S_IMODE(info.st_mode) != DIR_MODE:
            os.chmod(path, DIR_MODE)
    except OSError as exc:
        raise PipelineError(f"The worker could not create its cache directory {path}: "
                            f"{exc.strerror}.", kind="internal-error") from exc
    return path


def stage_dir(cache: Path, name: str) -> Path:
    """Return a new, empty directory for a sandboxed build (never itself a cache entry)."""
    parent = make_dir(cache / "stage")
    try:
        return Path(tempfile.mkdtemp(dir=parent, prefix=f"{name}-"))
    except OSError as exc:
        raise PipelineError(f"The worker could not create a build directory: {exc.strerror}.",
                            kind="internal-error") from exc


def _ours(info: os.stat_result) -> bool:
    """Tell whether an entry's part is the worker's, writable by nobody else, readable by all."""
    mode = stat.S_IMODE(info.st_mode)
    return info.st_uid == os.geteuid() and not mode & 0o022 and mode & 0o444 == 0o444


def usable(entry: Path, files: Sequence[str]) -> bool:
    """Tell whether `entry` is a complete, worker-written cache entry holding `files`."""
    try:
        info = os.lstat(entry)
        if not stat.S_ISDIR(info.st_mode) or not _ours(info) or info.st_mode & 0o111 != 0o111:
            return False
        for name in files:
            for parent in Path(name).parents:
                if str(parent) != "." and not _ours(os.lstat(entry / parent)):
                    return False
            fd = open_file(entry / name, entry)
            try:
                if not _ours(os.fstat(fd)):
                    return False
            finally:
                os.close(fd)
    except (OSError, UnreadableFile):
        return False
    return True


def publish(entry: Path, files: Sequence[str], fill: Callable[[Path], None]) -> None:
    """Create `entry` from a fresh worker directory that `fill` writes `files` into.

    What `fill` raises about the sandbox's output (`FileNotFoundError`, `UnreadableFile`) reaches
    the caller as it is; failing to create, chmod or rename the entry is an `internal-error`.
    When another process published the same entry first, its copy is kept; an entry that is no
    longer usable (see `usable`) is replaced.
    """
    make_dir(entry.parent)
    try:
        new = Path(tempfile.mkdtemp(dir=entry.parent, prefix=f".new-{entry.name}-"))
    except OSError as exc:
        raise _internal(entry, exc) from exc
    try:
        fill(new)
        os.chmod(new, DIR_MODE)
        _rename(new, entry, files)
    finally:
        remove_tree(new)  # gone already when the rename succeeded


def _rename(new: Path, entry: Path, files: Sequence[str]) -> None:
    """Move `new` into place as `entry`, replacing an unusable entry there."""
    try:
        try:
            os.rename(new, entry)
        except OSError as exc:
            if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
            if usable(entry, files):
                return
            remove_tree(entry)
            os.rename(new, entry)
    except OSError as exc:
        raise _internal(entry, exc) from exc


def _internal(entry: Path, exc: OSError) -> PipelineError:
    return PipelineError(f"The worker could not write its cache entry {entry.name}: "
                         f"{exc.strerror or exc}.", kind="internal-error")
