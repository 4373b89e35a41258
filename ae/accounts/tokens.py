"""API tokens for the CLI and scripts: shown once, stored hashed, scoped and revocable."""

from __future__ import annotations

from enum import StrEnum

from sqlmodel import Session, col, select

from ae.accounts.secrets import hash_token, new_token
from ae.errors import AeError, NotFound
from ae.storage.models import ApiToken, User, utcnow

PREFIX = "ae_"


class Scope(StrEnum):
    """What a token may do; a browser session may do everything its user may."""

    READ = "read"        # read what the user may see
    SUBMIT = "submit"    # submit and resubmit artifacts
    REVIEW = "review"    # evaluators' and chairs' actions


def create(*, session: Session, user: User, name: str, scopes: list[str]) -> tuple[ApiToken, str]:
    """Create a token; return the row and the token itself (shown once)."""
    unknown = [s for s in scopes if s not in set(Scope)]
    if unknown or not scopes:
        raise AeError(f"scopes must be some of {', '.join(Scope)} (got {', '.join(scopes) or 'none'})")
    token, digest = new_token(PREFIX)
    row = ApiToken(user_id=user.id, name=name.strip()[:100] or "token", token_hash=digest,
                   prefix=token[:10], scopes=sorted(set(scopes)))
    session.add(row)
    return row, token


def resolve(*, session: Session, token: str) -> tuple[User, ApiToken] | None:
    """Return the active user and token row a presented token belongs to, or None."""
    if not token.startswith(PREFIX):
        return None
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    row.last_used_at = utcnow()
    return user, row


def revoke(*, session: Session, user: User, token_id: str) -> ApiToken:
    """Revoke one of the user's tokens (kept, marked revoked)."""
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound(f"no token {token_id!r} of yours")
    row.revoked_at = row.revoked_at or utcnow()
    return row


def of(*, session: Session, user: User) -> list[ApiToken]:
    """Return the user's tokens, newest first."""
    return list(session.exec(select(ApiToken).where(ApiToken.user_id == user.id)
                             .order_by(col(ApiToken.created_at).desc())))
