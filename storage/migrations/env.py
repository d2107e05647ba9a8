"""Alembic environment: runs on the connection `storage.migrate` hands over (async engines)."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `connectbot db upgrade` (storage.migrate)")
run_migrations(connection)
