"""`ae users` and `ae tokens`: the operator's account commands (on the machine holding the instance)."""

from __future__ import annotations

import sys

import click

from ae.cli.app import current, ready, with_app


def _password(password_stdin: bool) -> str:
    if password_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@click.group()
def users() -> None:
    """Manage accounts (the first site administrator starts here)."""


@users.command("add")
@click.argument("email")
@click.option("--name", required=True, help="The person's name.")
@click.option("--admin", is_flag=True, help="Make the account a site administrator.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_app
def add_user(email: str, name: str, admin: bool, password_stdin: bool) -> None:
    """Create an account with a password."""
    from ae.accounts.users import create_user
    from ae.storage.db import session_scope

    ready(current())
    password = _password(password_stdin)
    with session_scope() as session:
        user = create_user(session=session, email=email, name=name, password=password, is_admin=admin)
        session.flush()
        click.echo(f"created {user.email}{' (site administrator)' if admin else ''}: {user.id}")


@users.command("list")
@with_app
def list_users() -> None:
    """List accounts with their roles."""
    from sqlmodel import select

    from ae.accounts.users import principal
    from ae.storage.db import session_scope
    from ae.storage.models import User

    ready(current())
    with session_scope() as session:
        for user in session.exec(select(User).order_by(User.email)):
            roles = principal(session=session, user=user).roles
            shown = "; ".join(f"{c}: {', '.join(sorted(r))}" for c, r in sorted(roles.items())) or "no roles"
            click.echo(f"{user.email:<32} {user.name:<24} {'admin ' if user.is_admin else ''}{shown}")


@click.group()
def tokens() -> None:
    """Make and revoke API tokens for the CLI and scripts."""


@tokens.command("create")
@click.option("--user", "email", required=True, help="E-mail address of the token's user.")
@click.option("--name", required=True, help="What the token is for.")
@click.option("--scope", "scopes", multiple=True, default=("read",), show_default=True,
              help="read, submit and/or review (repeatable).")
@with_app
def create_token(email: str, name: str, scopes: tuple[str, ...]) -> None:
    """Make a token and print it (once)."""
    from ae.accounts import tokens as api_tokens
    from ae.accounts.users import find_user
    from ae.errors import NotFound
    from ae.storage.db import session_scope

    ready(current())
    with session_scope() as session:
        user = find_user(session=session, email=email)
        if user is None:
            raise NotFound(f"no account {email!r}")
        row, token = api_tokens.create(session=session, user=user, name=name, scopes=list(scopes))
        click.echo(f"token {row.id} ({', '.join(row.scopes)}) for {user.email}:\n{token}")


@tokens.command("revoke")
@click.argument("token_id")
@with_app
def revoke_token(token_id: str) -> None:
    """Revoke a token by its id."""
    from ae.errors import NotFound
    from ae.storage.db import session_scope
    from ae.storage.models import ApiToken, utcnow

    ready(current())
    with session_scope() as session:
        row = session.get(ApiToken, token_id)
        if row is None:
            raise NotFound(f"no token {token_id!r}")
        row.revoked_at = row.revoked_at or utcnow()
    click.echo(f"token {token_id} revoked")
