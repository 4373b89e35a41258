"""`ae db`: schema migrations."""

from __future__ import annotations

import click

from ae.cli.app import current, with_app


@click.group()
def db() -> None:
    """Manage the database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@with_app
def upgrade(revision: str) -> None:
    """Apply the Alembic migrations to the configured database."""
    from ae.storage import migrate
    from ae.storage.db import get_engine

    engine = get_engine()
    migrate.upgrade(engine, revision)
    click.echo(f"database {engine.url.render_as_string(hide_password=True)} is at "
               f"revision {migrate.current(engine)}")


@db.command("current")
@with_app
def show_current() -> None:
    """Print the schema revision of the configured database."""
    from ae.storage import migrate
    from ae.storage.db import get_engine

    click.echo(migrate.current(get_engine(current())) or "empty (never migrated)")
