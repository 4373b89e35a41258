"""Database engine per app, sessions and the transaction boundary."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and foreign keys for several processes."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    path = url.removeprefix("sqlite:///")
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def init_app(app: Flask) -> None:
    """Attach a lazily created engine to the app."""
    app.extensions.setdefault("ae", {})["engine"] = None


def get_engine(app: Flask | None = None) -> Engine:
    """Return the app's engine, creating it on first use."""
    app = app or current_app
    ext = app.extensions["ae"]
    if ext["engine"] is None:
        ext["engine"] = make_engine(app.config["DATABASE_URL"])
    engine: Engine = ext["engine"]
    return engine


def dispose_after_fork(app: Flask | None = None) -> None:
    """Drop inherited pooled connections in a forked child without closing the parent's."""
    ext = (app or current_app).extensions["ae"]
    if ext.get("engine") is not None:
        ext["engine"].dispose(close=False)


@contextmanager
def session_scope(app: Flask | None = None) -> Iterator[Session]:
    """Yield a session that commits on success and rolls back (and re-raises) on error."""
    with Session(get_engine(app), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
