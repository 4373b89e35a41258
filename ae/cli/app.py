"""The app behind the commands that need the service: built when such a command runs, never at import."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import click

if TYPE_CHECKING:
    from flask import Flask

P = ParamSpec("P")
R = TypeVar("R")


def _create_app() -> Flask:
    from ae.app import create_app

    return create_app()


def with_app(f: Callable[P, R]) -> Callable[P, R]:
    """Run the command inside an app context: the app of the caller's ScriptInfo (tests), else a new one."""

    @functools.wraps(f)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from flask.cli import ScriptInfo

        info = click.get_current_context().find_object(ScriptInfo) or ScriptInfo(create_app=_create_app)
        with info.load_app().app_context():
            return f(*args, **kwargs)

    return wrapper


def current() -> Flask:
    """Return the app of the active context."""
    from flask import current_app

    # Flask types `current_app` as a Flask; it is a LocalProxy, and the app itself outlives the context.
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    return app


def ready(app: Flask) -> None:
    """Migrate the embedded SQLite database automatically; require `ae db upgrade` otherwise."""
    ext = app.extensions["ae"]
    if not ext.get("schema_checked"):
        from ae.config import is_embedded
        from ae.storage import migrate  # Alembic is heavy: only commands that touch the DB load it
        from ae.storage.db import get_engine

        migrate.ensure_schema(get_engine(app), auto=is_embedded(app.config))
        ext["schema_checked"] = True
