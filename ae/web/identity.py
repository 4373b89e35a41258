"""Who is asking: browser sessions (Flask-Login), API tokens, CSRF tokens and rate limits.

Sessions are signed cookies marked HttpOnly and SameSite=Lax (and Secure outside the embedded
default); the session is emptied and a new one started on every login; a user's `session_epoch`
is part of the id the cookie holds, so a password change or a reset ends every older session. API
calls authenticate with `Authorization: Bearer ae_…` (a token of the user, narrowed to its scopes);
a browser session may read the API but not change anything through it (no CSRF token there).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFProtect

from ae.accounts import tokens, users
from ae.accounts.principal import Principal
from ae.config import is_embedded
from ae.storage.db import session_scope
from ae.storage.models import User

_CACHE = "ae.principal"
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


class SessionUser(UserMixin):  # type: ignore[misc]  # Flask-Login ships no types: its mixin is Any
    """The signed-in user as Flask-Login keeps them: id and session epoch, nothing else."""

    def __init__(self, user_id: str, epoch: int) -> None:
        self.user_id, self.epoch = user_id, epoch

    def get_id(self) -> str:
        """Return what the session cookie holds: the user id and the session epoch."""
        return f"{self.user_id}:{self.epoch}"


def init_app(app: Flask) -> None:
    """Harden the session cookie and bind the login manager, CSRF protection and rate limits."""
    secure = app.config.get("SESSION_COOKIE_SECURE_FORCE")
    if secure is None:
        secure = not is_embedded(app.config) and not app.config.get("TESTING")
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=bool(secure),
        REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax", REMEMBER_COOKIE_SECURE=bool(secure),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
    )
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.teardown_request(_forget_request_state)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to see this page."
    login_manager.user_loader(_load_user)
    csrf.init_app(app)
    limiter.init_app(app)


def _forget_request_state(_exc: BaseException | None) -> None:
    """Drop what Flask-Login and Flask-WTF cached in `g` for this request (the signed-in user, the
    CSRF token): where an app context outlives a request (tests, CLI helpers), the next request
    must not inherit them."""
    for name in ("_login_user", "csrf_token"):
        g.pop(name, None)


def _load_user(cookie_id: str) -> SessionUser | None:
    user_id, _, epoch = cookie_id.partition(":")
    with session_scope() as db:
        user = db.get(User, user_id)
        if user is None or not user.active or str(user.session_epoch) != epoch:
            return None
        return SessionUser(user.id, user.session_epoch)


def sign_in(user: User, *, remember: bool = False) -> None:
    """Start a fresh session for `user` (whatever the old session held is dropped)."""
    session.clear()
    login_user(SessionUser(user.id, user.session_epoch), remember=remember)
    request.environ.pop(_CACHE, None)
    g.pop("csrf_token", None)  # the cleared session lost its CSRF secret: the next form makes a new one


def sign_out() -> None:
    """End the session."""
    logout_user()
    session.clear()
    request.environ.pop(_CACHE, None)
    g.pop("csrf_token", None)


def bearer_token() -> str | None:
    """Return the API token of the request's Authorization header, if it has one."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def current_principal() -> Principal | None:
    """Return who is asking (a token's user narrowed to its scopes, or the session's), else None."""
    cache = request.environ  # per request (g would outlive the request where an app context is reused)
    if _CACHE in cache:
        cached: Principal | None = cache[_CACHE]
        return cached
    found: Principal | None = None
    with session_scope() as db:
        token = bearer_token()
        if token is not None:
            resolved = tokens.resolve(session=db, token=token)
            if resolved is not None:
                user, row = resolved
                found = users.principal(session=db, user=user, token_scopes=frozenset(row.scopes))
        elif current_user.is_authenticated:
            signed_in = db.get(User, current_user.user_id)
            if signed_in is not None:
                found = users.principal(session=db, user=signed_in)
    cache[_CACHE] = found
    return found


def token_attempted() -> bool:
    """Tell whether the request presented an API token (valid or not)."""
    return bearer_token() is not None


def limit_key() -> str:
    """Rate-limit key: the signed-in user, else the client address."""
    who: Any = current_principal()
    return f"user:{who.user_id}" if who is not None else f"ip:{get_remote_address()}"
