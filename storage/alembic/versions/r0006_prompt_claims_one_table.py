"""An ask's prompt claim writes one table (issue 25).

The cooldown was a table of its own, filled by a trigger on prompted_messages: one claim
wrote six B-trees (two tables, their keys and two indexes). It is now read from
prompted_messages itself, by an index on (team, user, channel, time): the newest prompt of a
person in a channel is the cooldown's start. The rows live a day (bot/events.py), as long as
the longest cooldown, and releasing a claim deletes its one row, cooldown and all.

- prompt_cooldowns and its trigger go. Every cooldown it held has its prompted message, so
  nothing is lost.
- The retention job's index on prompted_at goes too: it deletes a day's prompts once an hour,
  and a scan of that small table there is cheaper than an index written on every ask.
- On SQLite the table is rebuilt WITHOUT ROWID: its key is the table, with no rowid B-tree
  beside it.

A claim dirties two B-trees where it dirtied six: about 8 fewer pwrite calls per claim, and
~30 µs less CPU (bench/findings.md, session 16).

Revision ID: r0006
Revises: r0005
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "r0006"
down_revision = "r0005"
branch_labels = None
depends_on = None

BY_USER = (
    "CREATE INDEX prompted_messages_by_user"
    " ON prompted_messages (team_id, user_id, channel_id, prompted_at)"
)

SQLITE = (
    """
    CREATE TABLE prompted_messages_new (
        team_id     TEXT NOT NULL,
        channel_id  TEXT NOT NULL,
        message_ts  TEXT NOT NULL,
        user_id     TEXT NOT NULL,
        prompted_at TEXT NOT NULL,
        PRIMARY KEY (team_id, channel_id, message_ts)
    ) WITHOUT ROWID
    """,
    "INSERT INTO prompted_messages_new (team_id, channel_id, message_ts, user_id, prompted_at)"
    " SELECT team_id, channel_id, message_ts, user_id, prompted_at FROM prompted_messages",
    # Takes its trigger and both indexes with it.
    "DROP TABLE prompted_messages",
    "ALTER TABLE prompted_messages_new RENAME TO prompted_messages",
    BY_USER,
    "DROP TABLE prompt_cooldowns",
)

POSTGRESQL = (
    "DROP TRIGGER prompted_message_starts_cooldown ON prompted_messages",
    "DROP FUNCTION prompted_message_starts_cooldown()",
    "DROP TABLE prompt_cooldowns",
    "DROP INDEX prompted_messages_by_time",
    "DROP INDEX prompted_messages_by_user",
    BY_USER,
)


def upgrade() -> None:
    """Rebuild on SQLite (WITHOUT ROWID needs a new table); drop and index on PostgreSQL."""
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL if postgresql else SQLITE:
        op.execute(statement)
