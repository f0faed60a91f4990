"""An ask's prompt claim writes one B-tree (issue 25).

r0006 kept a claim to two B-trees on SQLite: the table's key (team, channel, message) and the
cooldown's index (team, user, channel, time). A message has one author, so the key can hold the
author too, (team, channel, user, message), and still admit each message once: the cooldown is
then that key's prefix, a person's prompts in a channel (a day's at most, the rows' lifetime),
and the index goes. Measured alone, on a WAL file as the bot opens it: ~39 → ~30 µs of CPU per
claim (bench/findings.md, session 17).

Revision ID: r0009
Revises: r0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "r0009"
down_revision = "r0008"
branch_labels = None
depends_on = None

SQLITE = (
    """
    CREATE TABLE prompted_messages_new (
        team_id     TEXT NOT NULL,
        channel_id  TEXT NOT NULL,
        message_ts  TEXT NOT NULL,
        user_id     TEXT NOT NULL,
        prompted_at TEXT NOT NULL,
        PRIMARY KEY (team_id, channel_id, user_id, message_ts)
    ) WITHOUT ROWID
    """,
    "INSERT INTO prompted_messages_new (team_id, channel_id, message_ts, user_id, prompted_at)"
    " SELECT team_id, channel_id, message_ts, user_id, prompted_at FROM prompted_messages",
    # Takes prompted_messages_by_user with it.
    "DROP TABLE prompted_messages",
    "ALTER TABLE prompted_messages_new RENAME TO prompted_messages",
)
POSTGRESQL = (
    "ALTER TABLE prompted_messages DROP CONSTRAINT prompted_messages_pkey,"
    " ADD PRIMARY KEY (team_id, channel_id, user_id, message_ts)",
    "DROP INDEX prompted_messages_by_user",
)


def upgrade() -> None:
    """Rebuild on SQLite (a table's key can't change in place); swap the key on PostgreSQL."""
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL if postgresql else SQLITE:
        op.execute(statement)
