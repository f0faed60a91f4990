"""Session feedback, thank-you notes, and who gets the weekly digest (issue 23).

- feedback: one "How was it?" per held session, to its mentee; the rating (NULL until
  answered) is private to the program: stats show it only in aggregate.
- thanks: a mentee's note to the mentor of a session, once per session; `kudos_ts` is set if
  it was also shared in the workspace's kudos channel.
- digest_subscribers: coordinators and admins who opted in to Monday's digest.
- workspace_settings gains the feature's switch and the kudos channel.

Revision ID: r0003
Revises: r0002
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "r0003"
down_revision = "r0002"
branch_labels = None
depends_on = None

STATEMENTS = (
    """
    CREATE TABLE feedback (
        team_id     TEXT NOT NULL,
        session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        mentee_id   TEXT NOT NULL,
        mentor_id   TEXT NOT NULL,
        rating      TEXT CHECK (rating IN ('helpful', 'somewhat', 'not_really')),
        prompted_at TEXT NOT NULL,
        rated_at    TEXT,
        PRIMARY KEY (team_id, session_id),
        CHECK ((rating IS NULL) = (rated_at IS NULL))
    )
    """,
    "CREATE INDEX feedback_by_mentor ON feedback (team_id, mentor_id)",
    "CREATE INDEX feedback_by_mentee ON feedback (team_id, mentee_id)",
    "CREATE INDEX feedback_by_rated ON feedback (team_id, rated_at)",
    """
    CREATE TABLE thanks (
        team_id     TEXT NOT NULL,
        session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        from_id     TEXT NOT NULL,
        to_id       TEXT NOT NULL,
        note        TEXT NOT NULL CHECK (length(note) <= 500),
        kudos_channel_id TEXT,
        kudos_ts    TEXT,
        created_at  TEXT NOT NULL,
        PRIMARY KEY (team_id, session_id, from_id)
    )
    """,
    "CREATE INDEX thanks_to ON thanks (team_id, to_id, created_at)",
    "CREATE INDEX thanks_from ON thanks (team_id, from_id)",
    """
    CREATE TABLE digest_subscribers (
        team_id       TEXT NOT NULL,
        user_id       TEXT NOT NULL,
        subscribed_at TEXT NOT NULL,
        PRIMARY KEY (team_id, user_id)
    )
    """,
    "ALTER TABLE workspace_settings ADD COLUMN feedback_enabled INTEGER NOT NULL DEFAULT 1 "
    "CHECK (feedback_enabled IN (0, 1))",
    "ALTER TABLE workspace_settings ADD COLUMN kudos_channel_id TEXT",
)


def upgrade() -> None:
    """The same SQL on both engines."""
    for statement in STATEMENTS:
        op.execute(statement)
