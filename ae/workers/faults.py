"""What went wrong in a job, said in one line, and whether trying again can help.

Rule: a failure the author caused (an `AeError` below 500: a bad source, appendix, claim or
program) is final and told in one line, in the worker log as on the pages. A passing fault of the
machinery (a dropped database connection, Redis gone, a full disk, no sandbox on this machine)
is retried with backoff up to AE_MAX_ATTEMPTS, then fails with the reason. Anything else is a
bug: final, and its traceback goes to the worker log.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from ae.errors import AeError, SandboxUnavailable
from ae.storage.db import is_dropped

#: Below this many free bytes the file system of a run is full (a log write has failed or will).
DISK_FULL_BYTES = 1 << 20
_DISK_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


@dataclass(frozen=True)
class Policy:
    """How often and how patiently a faulted job is tried again."""

    max_attempts: int = 3
    backoff_s: float = 10.0
    backoff_cap_s: float = 600.0

    @classmethod
    def from_config(cls, config: Any) -> Policy:
        """Read AE_MAX_ATTEMPTS and AE_RETRY_BACKOFF."""
        return cls(max_attempts=int(config["MAX_ATTEMPTS"]), backoff_s=float(config["RETRY_BACKOFF"]))

    def wait_after(self, attempt: int) -> float:
        """Return the seconds to wait before the attempt after `attempt` (doubling, capped)."""
        return float(min(self.backoff_cap_s, self.backoff_s * 2.0 ** max(0, attempt - 1)))


def is_user_error(exc: BaseException) -> bool:
    """Tell whether the author caused this failure (retrying cannot help)."""
    return isinstance(exc, AeError) and exc.http_status < 500


def is_transient(exc: BaseException) -> bool:
    """Tell whether this is a passing fault of the machinery (retrying can help)."""
    if isinstance(exc, SandboxUnavailable | RedisConnectionError | RedisTimeoutError):
        return True
    if isinstance(exc, OSError) and exc.errno in _DISK_ERRORS:
        return True
    return is_dropped(exc)


def kind_of(exc: BaseException) -> str:
    """Return the run failure kind of an exception that ended a job."""
    if isinstance(exc, OSError) and exc.errno in _DISK_ERRORS:
        return "disk-full"
    if isinstance(exc, SandboxUnavailable):
        return "sandbox-unavailable"
    if is_transient(exc):
        return "service-unavailable"
    return str(getattr(exc, "kind", None) or ("user-error" if is_user_error(exc) else "internal-error"))


def describe(exc: BaseException) -> str:
    """Return one line that says what happened, for the pages and the worker log."""
    if is_user_error(exc):
        return first_line(str(exc)) or type(exc).__name__
    if isinstance(exc, OSError) and exc.errno in _DISK_ERRORS:
        where = f" writing {exc.filename}" if exc.filename else ""
        return f"the worker's disk is full ({os.strerror(exc.errno or 0)}{where})"
    if is_dropped(exc):
        return f"the database connection was lost ({first_line(str(getattr(exc, 'orig', exc)))})"
    if isinstance(exc, RedisConnectionError | RedisTimeoutError):
        return f"Redis could not be reached ({first_line(str(exc))})"
    text = first_line(str(exc))
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def first_line(text: str) -> str:
    """Return the first non-empty line of a message."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def disk_full(path: Path) -> str | None:
    """Say so when the file system holding `path` is (almost) full, else None."""
    try:
        stat = os.statvfs(path)
    except OSError:
        return None
    free = stat.f_bavail * stat.f_frsize
    if free >= DISK_FULL_BYTES:
        return None
    return f"the worker's disk is full ({free} bytes free on the file system of {path})"
