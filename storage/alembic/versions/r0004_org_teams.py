"""Which Enterprise Grid org each workspace served by an org-wide install belongs to.

Requests say their team and enterprise; a timed message only knows its team. This table,
filled the first time an org-wide install serves a workspace, lets the outbox find that
install's token, and an org-wide uninstall reach every workspace it served.

Revision ID: r0004
Revises: r0003
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "r0004"
down_revision = "r0003"
branch_labels = None
depends_on = None

STATEMENTS = (
    """
    CREATE TABLE org_teams (
        team_id       TEXT PRIMARY KEY,
        enterprise_id TEXT NOT NULL,
        seen_at       TEXT NOT NULL
    )
    """,
    "CREATE INDEX org_teams_by_org ON org_teams (enterprise_id)",
)


def upgrade() -> None:
    """The same SQL on both engines."""
    for statement in STATEMENTS:
        op.execute(statement)
