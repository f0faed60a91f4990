"""Installations by OAuth ("Add to Slack"), OAuth's one-time states, and uninstalled workspaces.

One row per installation: a workspace (keyed by its team id) or an Enterprise Grid org-wide
install (keyed by the enterprise id). A row whose bot_token is NULL was uninstalled or had its
tokens revoked at uninstalled_at; its workspace's data is kept until the retention job deletes
it, and a reinstall brings it back.

Revision ID: r0002
Revises: r0001
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "r0002"
down_revision = "r0001"
branch_labels = None
depends_on = None

STATEMENTS = (
    """
    CREATE TABLE installations (
        install_key           TEXT PRIMARY KEY,
        enterprise_id         TEXT,
        team_id               TEXT,
        is_enterprise_install INTEGER NOT NULL DEFAULT 0 CHECK (is_enterprise_install IN (0, 1)),
        app_id                TEXT,
        bot_token             TEXT,
        bot_id                TEXT,
        bot_user_id           TEXT,
        bot_scopes            TEXT NOT NULL DEFAULT '',
        installer_user_id     TEXT,
        installed_at          TEXT NOT NULL,
        uninstalled_at        TEXT,
        CHECK (team_id IS NOT NULL OR enterprise_id IS NOT NULL),
        CHECK (bot_token IS NOT NULL OR uninstalled_at IS NOT NULL)
    )
    """,
    "CREATE INDEX installations_uninstalled ON installations (uninstalled_at)",
    """
    CREATE TABLE oauth_states (
        state      TEXT PRIMARY KEY,
        expires_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX oauth_states_expiry ON oauth_states (expires_at)",
)


def upgrade() -> None:
    """The same SQL on both engines: plain TEXT and INTEGER columns."""
    for statement in STATEMENTS:
        op.execute(statement)
