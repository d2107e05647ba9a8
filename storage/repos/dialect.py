"""Dialect-aware statements that SQLAlchemy spells differently for SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert


def insert_ignoring_duplicates(
    session: AsyncSession, model: Any, key: str, **values: Any
) -> Insert:
    """INSERT … ON CONFLICT (key) DO NOTHING, for the session's database."""
    name = session.get_bind().dialect.name
    builder = postgresql.insert if name == "postgresql" else sqlite.insert
    return builder(model).values(**values).on_conflict_do_nothing(index_elements=[key])


def greatest(session: AsyncSession, column: Any, value: Any) -> Any:
    """The larger of a column and a value or scalar subquery: GREATEST on PostgreSQL,
    two-argument MAX on SQLite."""
    name = session.get_bind().dialect.name
    return func.greatest(column, value) if name == "postgresql" else func.max(column, value)
