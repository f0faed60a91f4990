"""App Home finds a mentor's waiting anonymous offers by index (issue 25).

`_MY_WAITING_OFFERS` (storage/home.py) read every open pool request of the workspace to find
the few a mentor had offered on: 3.9 ms for the bench's busiest person, a third of App Home's
queries, with 2,856 open pool requests and no offer at all. `offered_by` is set only while an
offer waits, so a partial index on it holds a handful of rows.

Revision ID: r0007
Revises: r0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "r0007"
down_revision = "r0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The same SQL on both engines."""
    op.execute(
        "CREATE INDEX requests_by_offer ON requests (team_id, offered_by, created_at)"
        " WHERE offered_by IS NOT NULL"
    )
