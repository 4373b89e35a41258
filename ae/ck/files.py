"""Reading the small files of a CK repository safely: size cap, no symlinks out, clear errors."""

from __future__ import annotations

import enum
import errno
import json
import os
from collections.abc import Callable
from typing import Any, Final

META_CAP = 4 * 1024 * 1024
_CHUNK = 65536
# O_NONBLOCK: a FIFO planted where a meta file should be must not hang the indexer.
_FLAGS = (os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
          | getattr(os, "O_NONBLOCK", 0))


class UnreadableFile(Exception):
    """A repository file cannot be used; the message is one sentence without the path."""


def inside(path: str, root: str) -> bool:
    """Tell whether `path` (after resolving symlinks) lies inside the resolved `root`."""
    real = os.path.realpath(path)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def read_bytes(path: str, root: str, cap: int = META_CAP) -> bytes:
    """Read a file of at most `cap` bytes; a symlink is followed only when it stays inside `root`.

    Raises FileNotFoundError when the file does not exist and UnreadableFile for everything else
    (too big, a link out of the repository, not a regular file, I/O error).
    """
    try:
        fd = os.open(path, _FLAGS)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise FileNotFoundError(path) from exc
        if exc.errno != errno.ELOOP:
            raise UnreadableFile(f"cannot be opened ({exc.strerror})") from exc
        if not inside(path, root):
            raise UnreadableFile("is a symbolic link that leaves the repository") from exc
        return read_bytes(os.path.realpath(path), root, cap)
    try:
        chunks = []
        size = 0
        while True:
            chunk = os.read(fd, _CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > cap:
                raise UnreadableFile(f"is larger than the {cap // (1024 * 1024)} MiB limit")
            chunks.append(chunk)
    except IsADirectoryError as exc:
        raise UnreadableFile("is a directory, not a file") from exc
    except OSError as exc:
        raise UnreadableFile(f"cannot be read ({exc.strerror})") from exc
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


class _Absent(enum.Enum):
    """What `_one_read` returns for a file that does not exist."""

    ABSENT = enum.auto()


_ABSENT: Final = _Absent.ABSENT


def _one_read(path: str) -> bytes | _Absent | None:
    """Read a small regular file with one open and one read.

    Return its bytes, `_ABSENT` when it does not exist, or None when the slow, checking path must
    decide (an error, or a file too big for one read).
    """
    try:
        fd = os.open(path, _FLAGS)
    except FileNotFoundError:
        return _ABSENT
    except OSError:
        return None
    try:
        data = os.read(fd, _CHUNK)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data if len(data) < _CHUNK else None


def read_small(path: str, root: str, cap: int = META_CAP) -> bytes | None:
    """Read a file like `read_bytes` but return None when it does not exist.

    Fast path for the common case (a small regular file: one open, one read); anything unusual
    goes through `read_bytes` for its checks and messages.
    """
    data = _one_read(path)
    if data is _ABSENT:
        return None
    if data is not None:
        return data
    try:
        return read_bytes(path, root, cap)
    except FileNotFoundError:
        return None


MISSING = object()
# The decoder's C scanner (set in JSONDecoder.__init__; typeshed leaves the attribute out).
_SCAN: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_SPACE = " \t\n\r"


def _quick_loads(text: str) -> Any:
    """Decode one JSON document with the C scanner; raise on anything unusual (caller retries)."""
    start = len(text) - len(text.lstrip(_SPACE)) if text[:1] in _SPACE else 0
    value, end = _SCAN(text, start)
    if end != len(text) and text[end:].strip(_SPACE):
        raise ValueError("extra data")
    return value


def load_json(path: str, root: str, cap: int = META_CAP) -> Any:
    """Read and decode a JSON file; return MISSING when it does not exist.

    The fast path (small regular file, valid JSON) costs one open and one read; everything else
    is retried through `read_small`/`parse_json` for their checks and precise messages.
    """
    data = _one_read(path)
    if data is _ABSENT:
        return MISSING
    if data is not None:
        try:
            return _quick_loads(data.decode("utf-8"))
        except (ValueError, StopIteration, RecursionError):
            pass
    slow = read_small(path, root, cap)
    return MISSING if slow is None else parse_json(slow)


def parse_json(data: bytes) -> Any:
    """Decode JSON bytes; raise UnreadableFile naming the line and column of a syntax error."""
    try:
        # Like CK (text mode, UTF-8): a byte-order mark is an error, not skipped.
        return json.loads(data.decode("utf-8"))
    except json.JSONDecodeError as exc:
        raise UnreadableFile(f"is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                             f"{exc.msg})") from exc
    except UnicodeDecodeError as exc:
        raise UnreadableFile("is not UTF-8 text") from exc
    except RecursionError as exc:
        raise UnreadableFile("nests arrays or objects too deeply to be read") from exc


def read_json(path: str, root: str, cap: int = META_CAP) -> Any:
    """Read and decode one JSON file (see `read_bytes` for the errors)."""
    return parse_json(read_bytes(path, root, cap))


def read_first_line(path: str, root: str) -> str | None:
    """Return the stripped first line of an alias file, or None when it is missing or unreadable.

    CK reads alias files with `readline().strip()` and treats any failure as "no alias file".
    """
    try:
        data = read_bytes(path, root, 4096)
    except (FileNotFoundError, UnreadableFile):
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text.split("\n", 1)[0].strip()
