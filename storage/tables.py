"""The tables that hold a workspace's data, each with a team_id column."""

from __future__ import annotations

# Parents before children (foreign keys): storage/copy.py copies in this order; deleting a
# workspace goes the other way.
TEAM_TABLES: tuple[str, ...] = (
    "people",
    "muted_nudges",
    "mentor_profiles",
    "mentor_tags",
    "requests",
    "request_invites",
    "offered_slots",
    "relationships",
    "sessions",
    "notes",
    "action_items",
    "checkins",
    "intros",
    "outbox",
    "processed_events",
    "workspace_settings",
    "settings_audit",
    "prompted_messages",
    "feedback",
    "thanks",
    "digest_subscribers",
    "profile_skills",
    "workflow_runs",
)
