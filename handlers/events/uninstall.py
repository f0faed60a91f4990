"""`app_uninstalled` and `tokens_revoked`: the workspace's token is gone, so stop at once.

The token is dropped and every timed message still pending for the workspace is cancelled
(never retried into errors); its data stays for MENTORBOT_UNINSTALL_RETENTION_DAYS, then the
daily job deletes it, and a reinstall before then brings everything back (docs/installing.md).
Bolt lets these two events through without authorizing them: their token no longer works.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext

from bot.clock import Clock
from bot.installs import Workspaces
from storage.store import Store

log = logging.getLogger(__name__)


async def app_uninstalled(
    context: AsyncBoltContext, store: Store, clock: Clock, workspaces: Workspaces
) -> None:
    """Someone removed mentorbot from the workspace (or, org-wide, from the org)."""
    await _remove(context, store, clock, workspaces, "uninstalled")


async def tokens_revoked(
    event: dict[str, Any],
    context: AsyncBoltContext,
    store: Store,
    clock: Clock,
    workspaces: Workspaces,
) -> None:
    """Tokens revoked: only the bot's matters (mentorbot keeps no user tokens)."""
    tokens = event.get("tokens")
    bots = tokens.get("bot") if isinstance(tokens, dict) else None
    if bots:
        await _remove(context, store, clock, workspaces, "bot token revoked")


async def _remove(
    context: AsyncBoltContext, store: Store, clock: Clock, workspaces: Workspaces, why: str
) -> None:
    # Which installation left, as Bolt reads it: an Events API envelope says whether it was
    # org-wide in `authorizations`, not at its top level.
    team_id, enterprise_id = context.team_id, context.enterprise_id
    org_wide = bool(context.is_enterprise_install)
    key = enterprise_id if org_wide else team_id
    if not key:
        log.warning("ignored an uninstall with no team or enterprise id")
        return
    cancelled = await store.remove_installation(
        key,
        clock.now(),
        team_id=None if org_wide else team_id,
        enterprise_id=enterprise_id,
        org_wide=org_wide,
    )
    workspaces.forget()
    log.info(
        "workspace removed (%s) team=%s enterprise=%s org_wide=%s cancelled_outbox=%d",
        why,
        team_id,
        enterprise_id,
        org_wide,
        cancelled,
    )
