"""The settings a workspace runs with: what it saved in /mentor settings, else the env defaults."""

from __future__ import annotations

from datetime import timedelta

from bot.settings import Settings
from storage.models import WorkspaceSettings
from storage.store import Store


def _hours(span: timedelta) -> int:
    return max(1, round(span.total_seconds() / 3600))


def default_workspace_settings(settings: Settings, team_id: str) -> WorkspaceSettings:
    """A workspace's settings before any admin saved them: the MENTORBOT_* defaults."""
    return WorkspaceSettings(
        team_id=team_id,
        pool_channel_id=settings.pool_channel,
        nudge_after_hours=_hours(settings.nudge_after),
        escalate_after_hours=_hours(settings.escalate_after),
        pool_repost_after_hours=_hours(settings.pool_repost_after),
        expire_after_hours=_hours(settings.expire_after),
        reminder_minutes=settings.reminder_minutes,
    )


async def workspace_settings(store: Store, settings: Settings, team_id: str) -> WorkspaceSettings:
    """The saved settings (an admin saved them: updated_at is set), else the env defaults."""
    saved = await store.get_workspace_settings(team_id)
    if saved.updated_at is not None:
        return saved
    return default_workspace_settings(settings, team_id)
