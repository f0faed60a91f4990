"""The one entry into logging notes, for every "Log notes" button.

CONTRACT (booking calls this; keep the signature): the notes helper fills in the body.
"""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.settings import Settings
from storage.store import Store


async def open_log_notes(
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
    settings: Settings,
    *,
    team_id: str,
    user_id: str,
    trigger_id: str,
    session_id: int | None = None,
    other_user_id: str | None = None,
) -> str | None:
    """Open the Log notes modal for `user_id` about a session (or, with no session, about
    `other_user_id`). Returns a refusal to show privately (not a participant, unknown
    session), or None when the modal was opened.
    """
    raise NotImplementedError("issue 7 in progress")
