"""Archive uploads: stored by sha256 when submitted, taken in by the intake job like a pinned commit.

An upload is streamed into `<data dir>/archives/<sha256>` (capped by AE_MAX_UPLOAD_BYTES while it
streams, its format told by content) before any row is written, so nothing is lost if intake fails;
the artifact's source is then `archive:<sha256>`. Intake checks every member against git intake's
caps and rules (`ae.intake.members`) before anything is written, then writes the tree as our own
normalised tar (modes 644/755, one time stamp, no owners) and stores it with `snapshot.store`, so
workers see a snapshot like any git export.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO

from ae.errors import SourceError, UploadTooLarge
from ae.files.trees import remove_tree
from ae.intake import formats, members, snapshot, tree
from ae.intake.dependencies import Fetched
from ae.intake.members import Planned
from ae.intake.policy import archive_digest, archive_source
from ae.intake.snapshot import Caps

if TYPE_CHECKING:
    from _typeshed import SupportsRead

log = logging.getLogger(__name__)

_CHUNK = 1 << 20


def archives_dir(store_root: Path) -> Path:
    """Return where uploaded archives are kept, by digest."""
    return store_root / "archives"


def store_upload(upload: BinaryIO | Path, name: str, store_root: Path, *, max_bytes: int) -> str:
    """Store an uploaded archive by its sha256 (streamed, capped); return its source `archive:<sha256>`."""
    shown = tree.show(os.fsencode(Path(name).name or "upload"))
    if isinstance(upload, Path):
        if not upload.is_file():
            raise SourceError(f"{shown}: no such file")
        if upload.stat().st_size > max_bytes:
            raise _too_large(shown, max_bytes)
        with open(upload, "rb") as handle:
            return store_upload(handle, name, store_root, max_bytes=max_bytes)
    directory = archives_dir(store_root)
    directory.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(prefix=".upload-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            digest = _copy(upload, out, max_bytes, shown)
        if formats.detect(Path(partial)) is None:
            raise SourceError(f"{shown} is not a {formats.NAMES} archive (its content decides, not "
                              "its name)")
        os.chmod(partial, 0o444)
        final = directory / digest
        if final.exists():
            os.unlink(partial)
        else:
            os.rename(partial, final)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(partial)
        raise
    return archive_source(digest)


def _copy(upload: BinaryIO, out: IO[bytes], max_bytes: int, shown: str) -> str:
    """Copy an upload, refusing it as soon as it passes `max_bytes`; return its sha256."""
    sha, size = hashlib.sha256(), 0
    while block := upload.read(_CHUNK):
        size += len(block)
        if size > max_bytes:
            raise _too_large(shown, max_bytes)
        sha.update(block)
        out.write(block)
    return sha.hexdigest()


def _too_large(shown: str, max_bytes: int) -> UploadTooLarge:
    return UploadTooLarge(f"{shown} is larger than the upload cap of {max_bytes} bytes "
                          "(AE_MAX_UPLOAD_BYTES)")


def fetch_archive(source: str, *, store_root: Path, caps: Caps) -> Fetched:
    """Check a stored archive's members, write them as a normalised tar and store it as a snapshot."""
    digest = archive_digest(source)
    if digest is None:
        raise SourceError(f"source refused: {source!r} does not name an uploaded archive")
    where = f"source refused: archive {digest[:12]}"
    path = archives_dir(store_root) / digest
    if not path.is_file():
        raise SourceError(f"{where} is not in the store (submit the archive again)")
    if snapshot.digest_of(path) != digest:
        raise SourceError(f"{where}: the stored copy does not match its digest (submit it again)")
    kind = formats.detect(path)
    if kind is None:
        raise SourceError(f"{where}: it is not a {formats.NAMES} archive")
    incoming = store_root / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"archive-{os.getpid()}-", dir=incoming))
    try:
        try:
            listed = formats.listing(path, kind, where, caps)
            planned = members.plan(listed, where, caps)
            partial = work / "export.tar"
            mtime = max((m.mtime for m in listed), default=0)
            with formats.data(path, kind, where, caps) as files:
                _write(partial, planned, files, mtime)
        except formats.BROKEN as exc:
            if isinstance(exc, OSError) and exc.errno is not None:
                raise  # the machine's trouble (a full disk), not the archive's
            log.info("archive %s cannot be read: %s", digest, exc)
            raise SourceError(f"{where}: the {kind} archive is truncated or corrupt") from exc
        tar_path = incoming / f"{digest}-{work.name}.tar"
        partial.rename(tar_path)
    finally:
        remove_tree(work)
    snap = snapshot.store(tar_path, store_root / "snapshots", caps=caps)
    return Fetched(commit="", digest=snap.digest, tree=snap.tree)


def _write(partial: Path, planned: list[Planned], files: Iterator[tuple[int, SupportsRead[bytes]]],
           mtime: int) -> None:
    """Write the planned tree in archive order: file bytes stream from the archive, hard links copy."""
    copies: dict[bytes, int] = {}  # a hard link's file -> where its bytes start in our tar
    made: set[bytes] = set()
    with open(partial, "w+b") as handle, tarfile.open(
            fileobj=handle, mode="w", format=tarfile.PAX_FORMAT, encoding="utf-8",
            errors="surrogateescape") as out:
        for item in planned:
            _directories(out, item.path if item.kind == members.DIRECTORY else
                         item.path.rpartition(b"/")[0], made, mtime)
            if item.kind == members.DIRECTORY:
                continue
            if item.kind == members.SYMLINK:
                info = _info(item.path, tarfile.SYMTYPE, 0o777, mtime)
                info.linkname = os.fsdecode(item.link)
                out.addfile(info)
                continue
            info = _info(item.path, tarfile.REGTYPE, 0o755 if item.executable else 0o644, mtime)
            info.size = item.size
            if item.kind == members.HARDLINK:
                handle.flush()
                with open(partial, "rb") as again:
                    again.seek(copies[item.link])
                    out.addfile(info, again)
                continue
            index, source = next(files, (None, None))
            if index != item.index or source is None:
                raise tarfile.ReadError(f"member {index} read where member {item.index} was listed")
            out.addfile(info, source)
            copies[item.path] = handle.tell() - _padded(item.size)


def _directories(out: tarfile.TarFile, path: bytes, made: set[bytes], mtime: int) -> None:
    """Add `path` and each parent not added yet, outermost first."""
    parts = path.split(b"/") if path else []
    for depth in range(1, len(parts) + 1):
        directory = b"/".join(parts[:depth])
        if directory not in made:
            made.add(directory)
            out.addfile(_info(directory, tarfile.DIRTYPE, 0o755, mtime))


def _padded(size: int) -> int:
    return -(-size // tarfile.BLOCKSIZE) * tarfile.BLOCKSIZE


def _info(path: bytes, kind: bytes, mode: int, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(os.fsdecode(path))
    info.type, info.mode, info.mtime = kind, mode, mtime
    return info
