"""Alembic's environment: run on the connection storage/schema.py hands over, inside the
transaction it already holds (so a whole upgrade commits or rolls back as one)."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

connection = context.config.attributes["connection"]
if not isinstance(connection, Connection):  # pragma: no cover - storage/schema.py passes one
    raise TypeError("run Alembic through storage.schema, which passes a connection")
context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
