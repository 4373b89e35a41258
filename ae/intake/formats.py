"""Archive formats, told apart by content: tar (plain, gzip, xz, bzip2) and zip, listed and read safely.

Why the care: the archive is the submitter's. A compressed tar is read through `_Budget`, which
refuses any single read larger than a header may be (a pax header of gigabytes would otherwise be
read into memory) and any decompression past the caps; tar members are skipped by their declared
size, which the caps already bounded. A zip's central directory is counted before `zipfile` loads
it, and `zipfile` reads no member past its declared size; a member whose data does not end there
fails its CRC check.
"""

from __future__ import annotations

import bz2
import calendar
import gzip
import io
import lzma
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Generator, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

from ae.errors import SourceError
from ae.intake import members, tree
from ae.intake.members import Member
from ae.intake.snapshot import Caps

if TYPE_CHECKING:
    from _typeshed import SupportsRead

NAMES = ".tar, .tar.gz, .tar.xz, .tar.bz2 or .zip"
MAX_HEADER_BYTES = 1 << 20  # the largest single read a tar header (pax, GNU long name) may need
_HEADER_ALLOWANCE = 8 << 10  # per member: header, pax records and padding
_ZIP_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_KINDS = {tarfile.CHRTYPE: "character device", tarfile.BLKTYPE: "block device",
          tarfile.FIFOTYPE: "FIFO"}
BROKEN = (tarfile.TarError, zipfile.BadZipFile, EOFError, zlib.error, lzma.LZMAError, OSError,
          ValueError)  # what a truncated or corrupt archive raises while it is read


def detect(path: Path) -> str | None:
    """Return an archive's format from its first bytes (and a compressed tar's first block), or None."""
    with open(path, "rb") as handle:
        head = handle.read(512)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    kind = next((k for k, magic in (("tar.gz", b"\x1f\x8b"), ("tar.xz", b"\xfd7zXZ\x00"),
                                    ("tar.bz2", b"BZh")) if head.startswith(magic)), "tar")
    if kind != "tar":
        try:
            with _open(path, kind) as stream:
                head = stream.read(512)
        except BROKEN:
            return None
    return kind if head[257:262] == b"ustar" else None


def listing(path: Path, kind: str, where: str, caps: Caps) -> list[Member]:
    """List every member, refusing at the first one past a cap or of a kind no tree may hold."""
    if kind == "zip":
        return _zip_listing(path, where, caps)
    found: list[Member] = []
    total = 0
    with _tar(path, kind, where, caps) as (tar, budget):
        while (info := tar.next()) is not None:
            member = _tar_member(len(found), info, where)
            total += member.size if member.kind == members.FILE else 0
            members.admit(member, len(found) + 1, total, where, caps)
            found.append(member)
        budget.seek(tar.offset)
        end = budget.read(tarfile.BLOCKSIZE)
        if len(end) < tarfile.BLOCKSIZE or end.strip(b"\0"):
            raise tarfile.ReadError("no end-of-archive block where the members end")
        while budget.read(1 << 16):
            pass  # to the end of the compressed stream: its checksum is checked there
    return found


@contextmanager
def data(path: Path, kind: str, where: str,
         caps: Caps) -> Iterator[Iterator[tuple[int, SupportsRead[bytes]]]]:
    """Yield (index, data) for every regular file, in archive order (read once, front to back)."""
    if kind == "zip":
        with zipfile.ZipFile(path) as archive:
            files = _zip_data(archive, where)
            try:
                yield files
            finally:
                files.close()  # closes the member being read: the archive closes after its last one
        return
    with _tar(path, kind, where, caps) as (tar, _):
        yield _tar_data(tar)


def _tar_data(tar: tarfile.TarFile) -> Iterator[tuple[int, SupportsRead[bytes]]]:
    index = 0
    while (info := tar.next()) is not None:
        if info.isreg():
            handle = tar.extractfile(info)
            assert handle is not None
            yield index, handle
        index += 1


# -- tar --------------------------------------------------------------------------------------


def _open(path: Path, kind: str) -> io.BufferedIOBase:
    """Open the tar stream of an archive, decompressing it."""
    if kind == "tar.gz":
        return gzip.GzipFile(path, "rb")
    if kind == "tar.xz":
        return lzma.LZMAFile(path, "rb")
    if kind == "tar.bz2":
        return bz2.BZ2File(path, "rb")
    return open(path, "rb")


class _Budget:
    """A decompressed stream that refuses reads larger than a header and going past `limit` bytes."""

    def __init__(self, raw: io.BufferedIOBase, limit: int, where: str) -> None:
        self.raw, self.limit, self.where = raw, limit, where

    def tell(self) -> int:
        """Return the position in the decompressed stream."""
        return self.raw.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        """Move forward or back (tar skips data by its declared size)."""
        target = offset if whence == 0 else self.raw.tell() + offset
        if whence not in (0, 1):
            raise OSError("seek from the end of an archive stream")
        self._charge(target)
        return self.raw.seek(target)

    def read(self, size: int = -1) -> bytes:
        """Read at most `size` bytes, never more than a header may need."""
        if size < 0 or size > MAX_HEADER_BYTES:
            raise SourceError(f"{self.where}: a member header is larger than {MAX_HEADER_BYTES} bytes")
        self._charge(self.raw.tell() + size)
        return self.raw.read(size)

    def _charge(self, position: int) -> None:
        if position > self.limit:
            raise SourceError(f"{self.where}: it unpacks to more than {self.limit} bytes of files and "
                              "headers (AE_SNAPSHOT_MAX_BYTES, AE_SNAPSHOT_MAX_FILES)")


@contextmanager
def _tar(path: Path, kind: str, where: str, caps: Caps) -> Iterator[tuple[tarfile.TarFile, _Budget]]:
    limit = caps.max_bytes + (caps.max_files + 1) * _HEADER_ALLOWANCE
    with ExitStack() as stack:
        raw = stack.enter_context(_open(path, kind))
        budget = _Budget(raw, limit, where)
        # a reader only: the stub wants write/close too
        tar = stack.enter_context(tarfile.open(fileobj=budget, mode="r:"))  # type: ignore[call-overload]
        yield tar, budget


def _tar_member(index: int, info: tarfile.TarInfo, where: str) -> Member:
    name, mtime = info.name, _clamp(int(info.mtime))
    if info.isreg():
        return Member(index, name, members.FILE, size=info.size, executable=bool(info.mode & 0o111),
                      mtime=mtime)
    if info.isdir():
        return Member(index, name, members.DIRECTORY, mtime=mtime)
    if info.issym():
        return Member(index, name, members.SYMLINK, link=info.linkname, mtime=mtime)
    if info.islnk():
        return Member(index, name, members.HARDLINK, link=info.linkname, mtime=mtime)
    what = _KINDS.get(info.type, f"member of type {info.type!r}")
    raise SourceError(f"{where}: {tree.show(info.name.encode(errors='surrogateescape'))} is a {what}; "
                      "an archive may hold only files, directories and links")


def _clamp(mtime: int) -> int:
    return min(max(mtime, 0), 8 ** 11 - 1)


# -- zip --------------------------------------------------------------------------------------


def _zip_listing(path: Path, where: str, caps: Caps) -> list[Member]:
    with open(path, "rb") as handle:
        if _zip_entries(handle, caps.max_files + 1) > caps.max_files:
            raise SourceError(f"{where}: it holds more than {caps.max_files} files (AE_SNAPSHOT_MAX_FILES)")
    found: list[Member] = []
    total = 0
    with zipfile.ZipFile(path) as archive:
        for index, info in enumerate(archive.infolist()):
            member = _zip_member(archive, index, info, where)
            total += member.size if member.kind == members.FILE else 0
            members.admit(member, index + 1, total, where, caps)
            found.append(member)
    return found


def _zip_data(archive: zipfile.ZipFile,
              where: str) -> Generator[tuple[int, SupportsRead[bytes]], None, None]:
    for index, info in enumerate(archive.infolist()):
        if _zip_kind(info) == members.FILE:
            with archive.open(info) as handle:
                yield index, _ZipData(handle, where)


class _ZipData:
    """A zip member's bytes: data that does not end at its declared size with its CRC is refused.

    `zipfile` stops at the declared size, so a member whose data would unpack to more (a bomb
    whose header lies) fails its CRC check there; that is a refusal naming the member.
    """

    def __init__(self, handle: IO[bytes], where: str) -> None:
        self.handle, self.where = handle, where

    def read(self, size: int = -1) -> bytes:
        """Read up to `size` bytes of the member."""
        try:
            return self.handle.read(size)
        except (zipfile.BadZipFile, EOFError, zlib.error, lzma.LZMAError, OSError) as exc:
            shown = tree.show(self.handle.name.encode(errors="surrogateescape"))
            raise SourceError(f"{self.where}: {shown} does not unpack to the size and checksum its "
                              "header declares (a zip bomb, or a corrupt archive)") from exc


def _zip_kind(info: zipfile.ZipInfo) -> str:
    """Return what a zip entry is: its unix mode bits decide (links as tar links), else its name."""
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return members.SYMLINK
    if stat.S_ISDIR(mode) or info.filename.endswith("/"):
        return members.DIRECTORY
    if stat.S_IFMT(mode) in (0, stat.S_IFREG):
        return members.FILE
    return {stat.S_IFCHR: "character device", stat.S_IFBLK: "block device", stat.S_IFIFO: "FIFO",
            stat.S_IFSOCK: "socket"}.get(stat.S_IFMT(mode), "special file")


def _zip_member(archive: zipfile.ZipFile, index: int, info: zipfile.ZipInfo, where: str) -> Member:
    name, kind = info.filename, _zip_kind(info)
    shown = tree.show(name.encode(errors="surrogateescape"))
    if kind not in (members.FILE, members.DIRECTORY, members.SYMLINK):
        raise SourceError(f"{where}: {shown} is a {kind}; an archive may hold only files, directories "
                          "and links")
    if info.flag_bits & 0x1:
        raise SourceError(f"{where}: {shown} is encrypted")
    if info.compress_type not in _ZIP_METHODS:
        raise SourceError(f"{where}: {shown} uses compression method {info.compress_type}, which is "
                          "not supported (use deflate)")
    try:
        mtime = _clamp(calendar.timegm((*info.date_time, 0, 0, 0)))
    except (OverflowError, ValueError):
        mtime = 0
    if kind == members.DIRECTORY:
        return Member(index, name, kind, mtime=mtime)
    if kind == members.SYMLINK:
        if not 0 < info.file_size <= tree.MAX_LINK_BYTES:
            raise SourceError(f"{where}: symbolic link {shown} has a target of {info.file_size} bytes")
        target = archive.read(info).decode("utf-8", errors="surrogateescape")
        return Member(index, name, kind, link=target, mtime=mtime)
    return Member(index, name, kind, size=info.file_size,
                  executable=bool((info.external_attr >> 16) & 0o111), mtime=mtime)


def _zip_entries(handle: IO[bytes], limit: int) -> int:
    """Count a zip's central directory entries, stopping at `limit`, without loading them.

    The directory is found as `zipfile` finds it (end record, then the zip64 one before it); what
    cannot be read is left for `zipfile` to refuse.
    """
    handle.seek(0, 2)
    size = handle.tell()
    tail_size = min(size, 22 + 0xFFFF)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return 0
    end = size - tail_size + at
    directory_size = int.from_bytes(tail[at + 12:at + 16], "little")
    if at >= 20 and tail[at - 20:at - 16] == b"PK\x06\x07" and end >= 76:
        handle.seek(end - 76)
        record = handle.read(56)
        if record[:4] == b"PK\x06\x06":
            end, directory_size = end - 76, int.from_bytes(record[40:48], "little")
    position, count = end - directory_size, 0
    if position < 0:
        return 0
    handle.seek(position)
    while position < end and count < limit:
        header = handle.read(46)
        if len(header) < 46 or header[:4] != b"PK\x01\x02":
            break
        skip = sum(int.from_bytes(header[i:i + 2], "little") for i in (28, 30, 32))
        position += 46 + skip
        handle.seek(position)
        count += 1
    return count
