"""Make sure the database is usable before a command touches it."""

from __future__ import annotations

from flask import Flask

from ae.config import is_embedded
from ae.storage.db import get_engine


def ready(app: Flask) -> None:
    """Migrate the embedded SQLite database automatically; require `ae db upgrade` otherwise."""
    ext = app.extensions["ae"]
    if not ext.get("schema_checked"):
        from ae.storage import migrate  # Alembic is heavy: only commands that touch the DB load it

        migrate.ensure_schema(get_engine(app), auto=is_embedded(app.config))
        ext["schema_checked"] = True
