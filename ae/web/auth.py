"""Signing in and out, accepting an invitation, resetting a password, and one's own API tokens."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from ae import mail
from ae.accounts import links, tokens, users
from ae.errors import AeError
from ae.storage.db import session_scope
from ae.storage.models import User
from ae.web.guard import require
from ae.web.identity import limiter, sign_in, sign_out
from ae.web.policy import Permission

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)


def _login_limit() -> str:
    return str(current_app.config["RATELIMIT_LOGIN"])


def _safe_next(target: str | None) -> str:
    """Return `target` if it is a path on this site, else the home page (no open redirects)."""
    parts = urlsplit(target or "")
    if not target or parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("pages.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Any:
    """Show the sign-in form; sign in with e-mail and password."""
    if request.method == "POST":
        with session_scope() as db:
            user = users.authenticate(session=db, email=request.form.get("email", ""),
                                      password=request.form.get("password", ""))
            if user is not None:
                sign_in(user)
                return redirect(_safe_next(request.form.get("next")))
        flash("E-mail address or password not recognised.", "error")
        return render_template("auth/login.html", next=request.form.get("next", "")), 401
    return render_template("auth/login.html", next=request.args.get("next", ""))


@bp.post("/logout")
def logout() -> Any:
    """Sign out."""
    sign_out()
    return redirect(url_for("auth.login"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def invite(token: str) -> Any:
    """Accept an invitation: create the account (name, password) or add the role to an existing one."""
    with session_scope() as db:
        invitation = links.pending_invitation(session=db, token=token)
        existing = users.find_user(session=db, email=invitation.email)
        details = {"email": invitation.email, "conference": invitation.conference,
                   "role": invitation.role, "existing": existing is not None}
        if request.method == "POST":
            if existing is not None and not users.authenticate(
                    session=db, email=invitation.email, password=request.form.get("password", "")):
                flash("That is not the password of this account.", "error")
                return render_template("auth/invite.html", token=token, **details), 401
            try:
                user = links.accept(session=db, token=token, name=request.form.get("name", ""),
                                    password=None if existing else request.form.get("password", ""))
            except AeError as exc:
                flash(str(exc), "error")
                return render_template("auth/invite.html", token=token, **details), 400
            db.flush()
            sign_in(user)
            return redirect(url_for("pages.index"))
    return render_template("auth/invite.html", token=token, **details)


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_request() -> Any:
    """Ask for a password-reset link (the answer is the same whether the account exists or not)."""
    if request.method == "POST":
        address = request.form.get("email", "")
        with session_scope() as db:
            token = links.request_reset(session=db, email=address)
        if token is not None:
            link = f"{current_app.config['BASE_URL'].rstrip('/')}{url_for('auth.reset', token=token)}"
            if mail.configured(current_app.config):
                mail.send(current_app.config, to=address.strip().lower(), subject="Your ae password",
                          body=f"Set a new password for ae here (valid 2 hours, once):\n\n{link}\n")
            else:  # the embedded default: the operator reads the service's log
                log.warning("password reset link for %s (no AE_MAIL_URL set): %s", address, link)
        flash("If an account has this address, a reset link is on its way.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html")


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset(token: str) -> Any:
    """Set a new password through a reset link."""
    if request.method == "POST":
        try:
            with session_scope() as db:
                user = links.reset(session=db, token=token, password=request.form.get("password", ""))
                sign_in(user)
        except AeError as exc:
            flash(str(exc), "error")
            return render_template("auth/reset.html", token=token), 400
        flash("Your password is changed; every other session of yours has ended.", "info")
        return redirect(url_for("pages.index"))
    return render_template("auth/reset.html", token=token)


@bp.get("/account")
def account() -> Any:
    """Show one's own account: roles and API tokens."""
    who = require(Permission.OWN_ACCOUNT).user_id
    with session_scope() as db:
        user = db.get(User, who)
        assert user is not None
        principal = users.principal(session=db, user=user)
        rows = tokens.of(session=db, user=user)
        listed = [{"id": t.id, "name": t.name, "prefix": t.prefix, "scopes": t.scopes,
                   "created_at": t.created_at, "last_used_at": t.last_used_at,
                   "revoked": t.revoked_at is not None} for t in rows]
    return render_template("auth/account.html", principal=principal, tokens=listed,
                           scopes=[s.value for s in tokens.Scope])


@bp.post("/account/tokens")
def create_token() -> Any:
    """Create an API token; it is shown once."""
    with session_scope() as db:
        user = db.get(User, require(Permission.OWN_ACCOUNT).user_id)
        assert user is not None
        try:
            _, token = tokens.create(session=db, user=user, name=request.form.get("name", ""),
                                     scopes=request.form.getlist("scopes"))
        except AeError as exc:
            flash(str(exc), "error")
            return redirect(url_for("auth.account"))
    flash(f"Your new token (shown once, copy it now): {token}", "token")
    return redirect(url_for("auth.account"))


@bp.post("/account/tokens/<token_id>/revoke")
def revoke_token(token_id: str) -> Any:
    """Revoke one of one's API tokens."""
    with session_scope() as db:
        user = db.get(User, require(Permission.OWN_ACCOUNT).user_id)
        assert user is not None
        tokens.revoke(session=db, user=user, token_id=token_id)
    flash("Token revoked.", "info")
    return redirect(url_for("auth.account"))
