"""Alembic migrations on SQLite and on PostgreSQL match the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel

import ae.storage.models  # noqa: F401
from ae.storage import migrate


def _check(url: str) -> None:
    engine = create_engine(url)
    try:
        migrate.upgrade(engine)
        assert migrate.current(engine) == migrate.head()
        assert {"artifact", "artifactversion", "claim", "run", "verdict"} <= set(
            inspect(engine).get_table_names())
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        migrate.upgrade(engine)  # idempotent
        migrate.downgrade(engine, "base")
        assert "run" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_sqlite(tmp_path: Path) -> None:
    _check(f"sqlite:///{tmp_path / 'm.sqlite'}")


def test_postgresql(postgres_url: str | None) -> None:
    if postgres_url is None:
        pytest.skip("no PostgreSQL server reachable on 127.0.0.1:5432 (CI always has one)")
    _check(postgres_url)
    _check(postgres_url)  # again after downgrade to base


def test_outdated_schema_is_refused_outside_embedded_mode(tmp_path: Path) -> None:
    from ae.errors import ConfigError

    engine = create_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    with pytest.raises(ConfigError, match="run `ae db upgrade`"):
        migrate.ensure_schema(engine, auto=False)
    migrate.ensure_schema(engine, auto=True)
    migrate.ensure_schema(engine, auto=False)
    engine.dispose()
