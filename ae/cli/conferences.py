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
