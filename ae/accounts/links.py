"""One-time links: a chair's invitation to a role, and a password reset. Tokens are stored hashed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from ae.accounts.secrets import hash_token, new_token
from ae.accounts.users import create_user, find_user, get_user, grant, normalize_email, set_password
from ae.errors import AeError
from ae.storage.models import Invitation, PasswordReset, User, utcnow
from ae.storage.states import Role

INVITATION_DAYS = 14
RESET_HOURS = 2


def invite(*, session: Session, email: str, conference: str, role: Role, invited_by: str | None = None,
           days: int = INVITATION_DAYS) -> str:
    """Create an invitation and return its token (shown once, mailed or printed; stored hashed)."""
    token, digest = new_token("inv_")
    now = utcnow()
    session.add(Invitation(token_hash=digest, email=normalize_email(email), conference=conference,
                           role=Role(role), invited_by=invited_by, created_at=now,
                           expires_at=now + timedelta(days=days)))
    return token


def pending_invitation(*, session: Session, token: str) -> Invitation:
    """Return the unused, unexpired invitation of a token or raise one clear error."""
    found = session.get(Invitation, hash_token(token))
    if found is None or found.used_at is not None or _expired(found.expires_at):
        raise AeError("this invitation link is not valid (used, expired or mistyped): ask the chair "
                      "for a new one")
    return found


def accept(*, session: Session, token: str, name: str = "", password: str | None = None) -> User:
    """Accept an invitation: an existing account gets the role, a new one is created with `password`."""
    invitation = pending_invitation(session=session, token=token)
    user = find_user(session=session, email=invitation.email)
    if user is None:
        if password is None:
            raise AeError("choose a password to create your account")
        user = create_user(session=session, email=invitation.email, name=name, password=password)
        session.flush()
    grant(session=session, user=user, conference=invitation.conference, role=Role(invitation.role))
    invitation.used_at = utcnow()
    return user


def request_reset(*, session: Session, email: str, hours: int = RESET_HOURS) -> str | None:
    """Create a reset link for the account of `email`; None (said to nobody) when there is none."""
    try:
        user = find_user(session=session, email=email)
    except AeError:
        return None
    if user is None or not user.active:
        return None
    token, digest = new_token("rst_")
    now = utcnow()
    session.add(PasswordReset(token_hash=digest, user_id=user.id, created_at=now,
                              expires_at=now + timedelta(hours=hours)))
    return token


def reset(*, session: Session, token: str, password: str) -> User:
    """Set a new password through a reset link (once); every other session of the user ends."""
    found = session.get(PasswordReset, hash_token(token))
    if found is None or found.used_at is not None or _expired(found.expires_at):
        raise AeError("this reset link is not valid (used, expired or mistyped): ask for a new one")
    user = get_user(session=session, user_id=found.user_id)
    set_password(session=session, user=user, password=password)
    found.used_at = utcnow()
    return user


def _expired(moment: object) -> bool:
    """Tell whether a stored expiry has passed (SQLite hands timestamps back without a zone)."""
    if not isinstance(moment, datetime):
        return True
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware <= utcnow()
