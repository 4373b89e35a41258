"""Database engine per app, sessions and the transaction boundary."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlmodel import Session, create_engine

T = TypeVar("T")
log = logging.getLogger(__name__)


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


def is_dropped(exc: BaseException) -> bool:
    """Tell whether a database error is the connection's, not the statement's (worth a new try).

    A connection terminated by the server (PostgreSQL's `pg_terminate_backend`, a restart), a
    network error, or SQLite's "database is locked" past its busy timeout: the transaction was
    rolled back whole, so running it again on a fresh connection is safe.
    """
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OperationalError | InterfaceError)


def transaction(work: Callable[[Session], T], *, app: Flask | None = None, tries: int = 6,
                first_wait: float = 0.5) -> T:
    """Run `work(session)` in its own transaction; on a dropped connection, again on a new one.

    Waits 0.5, 1, 2, 4, 8 s between the tries (about 15 s in all) and then re-raises.
    """
    for attempt in range(1, tries + 1):
        try:
            with session_scope(app) as session:
                return work(session)
        except Exception as exc:
            if attempt == tries or not is_dropped(exc):
                raise
            wait = first_wait * 2 ** (attempt - 1)
            log.warning("database connection lost (%s); trying the transaction again in %.1f s",
                        str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__, wait)
            get_engine(app).dispose()
            time.sleep(wait)
    raise AssertionError("unreachable")
