"""Alembic environment: runs migrations on the connection or URL handed in by ae.storage.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import ae.storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from ae.errors import ConfigError

config = context.config
target_metadata = SQLModel.metadata


def run_migrations() -> None:
    """Run migrations online, on the given connection or a fresh engine for the URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise ConfigError("the migrations need a connection or sqlalchemy.url (run `ae db upgrade`)")
    engine = create_engine(url)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata,
                          render_as_batch=conn.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
