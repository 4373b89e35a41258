"""`ae conferences`: the conference edition files in use."""

from __future__ import annotations

import click

from ae.cli.app import with_app


@click.group()
def conferences() -> None:
    """Inspect conference edition files."""


@conferences.command("list")
@with_app
def list_conferences() -> None:
    """List loaded conferences with their badge scheme, badges and pools."""
    from ae.conferences import all_conferences

    for conf in all_conferences().values():
        click.echo(f"{conf.slug:<16} {conf.badge_scheme:<8} badges={','.join(conf.badges)} "
                   f"pools={','.join(conf.pool_names())}  {conf.name}  ({conf.path})")


@conferences.command("invite")
@click.argument("email")
@click.option("--conference", "slug", required=True, help="Conference slug.")
@click.option("--role", type=click.Choice(["author", "evaluator", "chair", "organizer"]), default="author",
              show_default=True)
@click.option("--days", default=14, show_default=True, help="Days the link stays valid.")
@with_app
def invite(email: str, slug: str, role: str, days: int) -> None:
    """Invite a person to a role: mail the link (AE_MAIL_URL) or print it for you to send."""
    from flask import url_for

    from ae import mail
    from ae.accounts import links
    from ae.cli.app import current, ready
    from ae.conferences import get
    from ae.storage.db import session_scope
    from ae.storage.states import Role

    app = current()
    ready(app)
    conference = get(slug)
    with session_scope() as session:
        token = links.invite(session=session, email=email, conference=conference.slug, role=Role(role),
                             days=days)
    with app.test_request_context(base_url=app.config["BASE_URL"]):
        link = url_for("auth.invite", token=token, _external=True)
    if mail.configured(app.config):
        mail.send(app.config, to=email, subject=f"Invitation: {role} of {conference.name}",
                  body=f"You are invited as {role} of {conference.name} on ae.\n\nAccept here (valid "
                       f"{days} days, once):\n\n{link}\n")
        click.echo(f"invitation mailed to {email}")
    else:
        click.echo(f"invitation for {email} as {role} of {conference.slug} (send it yourself; no "
                   f"AE_MAIL_URL is set):\n{link}")
