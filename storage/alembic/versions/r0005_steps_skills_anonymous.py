"""Workflow steps, skills from Slack profiles, anonymous pool asks (issue 24), and an
Enterprise Grid organization's own pool channel (issue 22).

- requests gain `anonymous` (the pool post and everything after it leave the mentee's name
  out) and, while a mentor's offer waits for the mentee to reveal themself, `offered_by`;
  `revealed_at` is set when the mentee reveals.
- workspace_settings gain the anonymous-asks switch (on by default) and the custom profile
  fields (JSON list of field ids) that hold skills.
- profile_skills caches what a person's chosen profile fields say, for a day.
- workflow_runs makes a retried `function_executed` event create nothing twice; requests and
  intros gain `via_workflow`, so every message about one made by a step says a workflow sent it.
- org_settings holds an organization-level pool channel.

Revision ID: r0005
Revises: r0004
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "r0005"
down_revision = "r0004"
branch_labels = None
depends_on = None

STATEMENTS = (
    "ALTER TABLE requests ADD COLUMN anonymous INTEGER NOT NULL DEFAULT 0 "
    "CHECK (anonymous IN (0, 1))",
    "ALTER TABLE requests ADD COLUMN offered_by TEXT",
    "ALTER TABLE requests ADD COLUMN revealed_at TEXT",
    "ALTER TABLE requests ADD COLUMN via_workflow INTEGER NOT NULL DEFAULT 0 "
    "CHECK (via_workflow IN (0, 1))",
    "ALTER TABLE intros ADD COLUMN via_workflow INTEGER NOT NULL DEFAULT 0 "
    "CHECK (via_workflow IN (0, 1))",
    "ALTER TABLE workspace_settings ADD COLUMN anonymous_asks_enabled INTEGER NOT NULL "
    "DEFAULT 1 CHECK (anonymous_asks_enabled IN (0, 1))",
    "ALTER TABLE workspace_settings ADD COLUMN profile_skill_fields TEXT NOT NULL DEFAULT '[]'",
    """
    CREATE TABLE profile_skills (
        team_id    TEXT NOT NULL,
        user_id    TEXT NOT NULL,
        skills     TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        PRIMARY KEY (team_id, user_id)
    )
    """,
    """
    CREATE TABLE workflow_runs (
        team_id      TEXT NOT NULL,
        execution_id TEXT NOT NULL,
        step         TEXT NOT NULL,
        subject_id   INTEGER,
        outcome      TEXT,
        created_at   TEXT NOT NULL,
        PRIMARY KEY (team_id, execution_id)
    )
    """,
    """
    CREATE TABLE org_settings (
        enterprise_id   TEXT PRIMARY KEY,
        pool_channel_id TEXT,
        pool_team_id    TEXT,
        updated_by      TEXT,
        updated_at      TEXT NOT NULL
    )
    """,
)


def upgrade() -> None:
    """The same SQL on both engines."""
    for statement in STATEMENTS:
        op.execute(statement)
