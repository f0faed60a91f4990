"""The schema of the numbered SQL migrations 001 to 006, where Alembic's history begins.

On SQLite the numbered files (storage/migrations, storage/migrate.py) have already brought the
database here before Alembic runs, so this revision adds nothing: a database made by an earlier
release keeps every row and is only stamped. On PostgreSQL it creates the same schema from
storage/migrations/postgresql/006-baseline.sql.

Revision ID: r0001
Revises:
Create Date: 2026-12-06
"""

from __future__ import annotations

from importlib.resources import files

from alembic import op

revision = "r0001"
down_revision = None
branch_labels = None
depends_on = None

BASELINE = files("storage") / "migrations" / "postgresql" / "006-baseline.sql"


def upgrade() -> None:
    """Create the whole schema on PostgreSQL; on SQLite it is there already."""
    if op.get_bind().dialect.name != "postgresql":
        return
    # Our own trusted file, run as one script (it holds a PL/pgSQL function) on the driver's
    # cursor with no parameters, so its "%" signs are not taken for placeholders.
    dbapi = op.get_bind().connection.dbapi_connection
    if dbapi is None:  # pragma: no cover - a bound connection always has one
        raise RuntimeError("no database connection to migrate")
    cursor = dbapi.cursor()
    try:
        cursor.execute(BASELINE.read_text(encoding="utf-8"))
    finally:
        cursor.close()
