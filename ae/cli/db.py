"""`ae db`: schema migrations."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from ae.storage.db import get_engine


@click.group()
def db() -> None:
    """Manage the database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@with_appcontext
def upgrade(revision: str) -> None:
    """Apply the Alembic migrations to the configured database."""
    from ae.storage import migrate

    engine = get_engine()
    migrate.upgrade(engine, revision)
    click.echo(f"database {engine.url.render_as_string(hide_password=True)} is at "
               f"revision {migrate.current(engine)}")


@db.command("current")
@with_appcontext
def show_current() -> None:
    """Print the schema revision of the configured database."""
    from ae.storage import migrate

    click.echo(migrate.current(get_engine(current_app)) or "empty (never migrated)")
