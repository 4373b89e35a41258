"""Password hashing with argon2 (argon2-cffi), and the rules a new password must meet."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ae.errors import AeError

MIN_LENGTH = 10
MAX_LENGTH = 1024
_HASHER = PasswordHasher()
#: Verified when the account does not exist, so that a login takes as long either way.
_DUMMY = _HASHER.hash("not a password anyone has")


def check_new(password: str) -> None:
    """Refuse a password that is too short or absurdly long."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        raise AeError(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise AeError(f"a password may have at most {MAX_LENGTH} characters")


def hash_password(password: str) -> str:
    """Return the argon2 hash of a new password."""
    check_new(password)
    return _HASHER.hash(password)


def verify(stored: str | None, password: str) -> bool:
    """Tell whether `password` matches `stored` (None: no password set; the time spent is the same)."""
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Tell whether a stored hash uses weaker parameters than today's."""
    return _HASHER.check_needs_rehash(stored)
