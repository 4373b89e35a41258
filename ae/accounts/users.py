"""Accounts: create, find, authenticate, change a password, and the principal of a user."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from ae.accounts import passwords
from ae.accounts.principal import Principal, roles_from
from ae.errors import AeError, NotFound
from ae.storage.models import Membership, User, utcnow
from ae.storage.states import Role

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}$")


def normalize_email(email: str) -> str:
    """Return the e-mail address lower-cased and stripped, or raise naming the problem."""
    cleaned = (email or "").strip().lower()
    if not _EMAIL.match(cleaned):
        raise AeError(f"{email!r} is not an e-mail address")
    return cleaned


def find_user(*, session: Session, email: str) -> User | None:
    """Return the user with this e-mail address, if any."""
    return session.exec(select(User).where(User.email == normalize_email(email))).first()


def get_user(*, session: Session, user_id: str) -> User:
    """Return a user by id or raise NotFound."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id!r}")
    return user


def create_user(*, session: Session, email: str, name: str, password: str | None = None,
                is_admin: bool = False) -> User:
    """Add a user (password optional: an invited person sets it); the caller commits."""
    address = normalize_email(email)
    if find_user(session=session, email=address) is not None:
        raise AeError(f"an account for {address} exists already")
    if not name.strip():
        raise AeError("a name is required")
    user = User(email=address, name=name.strip()[:200], is_admin=is_admin,
                password_hash=passwords.hash_password(password) if password is not None else None)
    session.add(user)
    return user


def authenticate(*, session: Session, email: str, password: str) -> User | None:
    """Return the active user with these credentials, else None (as slow for unknown addresses)."""
    try:
        user = find_user(session=session, email=email)
    except AeError:
        user = None
    ok = passwords.verify(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        return None
    if user.password_hash and passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    return user


def set_password(*, session: Session, user: User, password: str) -> None:
    """Set a new password and end every session of the user's (their epoch moves on)."""
    user.password_hash = passwords.hash_password(password)
    user.session_epoch += 1
    session.add(user)


def grant(*, session: Session, user: User, conference: str, role: Role) -> None:
    """Give the user a role in a conference (once)."""
    found = session.exec(select(Membership).where(
        Membership.user_id == user.id, Membership.conference == conference, Membership.role == role)).first()
    if found is None:
        session.add(Membership(user_id=user.id, conference=conference, role=role))


def principal(*, session: Session, user: User, token_scopes: frozenset[str] | None = None) -> Principal:
    """Return the user as the permission policy sees them."""
    pairs = session.exec(select(Membership.conference, Membership.role)
                         .where(Membership.user_id == user.id)).all()
    return Principal(user_id=user.id, name=user.name, email=user.email, is_admin=user.is_admin,
                     roles=roles_from(pairs), token_scopes=token_scopes)
