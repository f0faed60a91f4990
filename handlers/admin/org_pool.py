"""The organization's pool channel in /mentor settings, on an Enterprise Grid org-wide install.

Workspace settings stay per workspace; this one channel belongs to the org, so only an org
admin or owner (users.info's `enterprise_user.is_admin` / `is_owner`) or someone in
MENTORBOT_ADMINS may set it. A workspace admin who is not an org admin never sees the input.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings
from bot.slack_client import user_info
from handlers import ids
from handlers.blocks.settings import build_org_pool_input
from handlers.blocks.text import input_state
from storage.store import Store

log = logging.getLogger(__name__)

ORG_ADMINS_ONLY = "Only an admin or owner of the organization can set its pool channel."


@dataclass(frozen=True)
class OrgPoolChoice:
    """What the form asks for the org's pool channel (None clears it)."""

    enterprise_id: str
    channel_id: str | None


async def is_org_admin(client: AsyncWebClient, settings: Settings, user_id: str) -> bool:
    """MENTORBOT_ADMINS, or an admin or owner of the org; asked fresh (settings are rare)."""
    if user_id in settings.admins:
        return True
    try:
        user = await user_info(client, user_id)
    except SlackApiError as error:
        log.info("users.info failed user=%s error=%s", user_id, error.response.get("error"))
        return False
    org = (user or {}).get("enterprise_user")
    return isinstance(org, dict) and bool(org.get("is_admin") or org.get("is_owner"))


async def org_pool_input(
    client: AsyncWebClient, store: Store, settings: Settings, *, team_id: str, user_id: str
) -> dict[str, Any] | None:
    """The org's pool channel input, when this workspace is served by an org-wide install and
    the admin may change it; None otherwise."""
    if await store.org_of(team_id) is None:
        return None
    if not await is_org_admin(client, settings, user_id):
        return None
    current = await store.org_pool(team_id)
    return build_org_pool_input(current.channel_id if current else None)


def place_org_pool_input(view: dict[str, Any], block: dict[str, Any]) -> None:
    """Put the org's pool channel input under the workspace's."""
    blocks: list[dict[str, Any]] = view["blocks"]
    after = next(
        (i + 1 for i, b in enumerate(blocks) if b.get("block_id") == ids.SETTINGS_POOL_BLOCK),
        len(blocks),
    )
    blocks.insert(after, block)


def _has_input(view: dict[str, Any]) -> bool:
    blocks = view.get("blocks")
    return isinstance(blocks, list) and any(
        isinstance(b, dict) and b.get("block_id") == ids.SETTINGS_ORG_POOL_BLOCK for b in blocks
    )


async def read_org_pool(
    view: dict[str, Any],
    client: AsyncWebClient,
    store: Store,
    settings: Settings,
    *,
    team_id: str,
    user_id: str,
) -> tuple[OrgPoolChoice | None, str | None]:
    """(the choice, None), (None, None) when the form has no org input, or (None, why not)."""
    if not _has_input(view):
        return None, None
    enterprise_id = await store.org_of(team_id)
    if enterprise_id is None or not await is_org_admin(client, settings, user_id):
        log.warning("org pool change refused user=%s team=%s", user_id, team_id)
        return None, ORG_ADMINS_ONLY
    picked = input_state(view, ids.SETTINGS_ORG_POOL_BLOCK, ids.SETTINGS_ORG_POOL_ACTION)
    channel = picked.get("selected_conversation")
    return OrgPoolChoice(
        enterprise_id, channel if isinstance(channel, str) and channel else None
    ), None
