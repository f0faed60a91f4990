"""Where the mentee's DM about an anonymous ask's offer is, so it can be rewritten.

The DM carries Reveal / Keep waiting. When the offer ends without an answer (it lapses, its
mentor is forgotten, the request expires or is cancelled), the DM is rewritten without them,
as the request's other messages are; an answer replaces it in place and forgets where it is.

Revision ID: r0008
Revises: r0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "r0008"
down_revision = "r0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The same SQL on both engines."""
    op.execute("ALTER TABLE requests ADD COLUMN offer_dm_channel_id TEXT")
    op.execute("ALTER TABLE requests ADD COLUMN offer_dm_ts TEXT")
