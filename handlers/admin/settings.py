"""`/mentor settings`: the workspace-settings modal, for admins, validated inline and audited."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import replace
from typing import TypeVar

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.profile_reads import UNREADABLE, FieldList, list_profile_fields, read_workspace_skills
from bot.slack_client import LOOKUP_SECONDS
from bot.workspace import workspace_settings
from handlers import ids
from handlers.admin.access import NOT_CONFIRMED, admin_or_told, admin_status
from handlers.admin.digest import set_digest
from handlers.admin.org_pool import (
    OrgPoolChoice,
    org_pool_input,
    place_org_pool_input,
    read_org_pool,
)
from handlers.blocks.digest import build_digest_checkbox
from handlers.blocks.settings import build_settings_modal, parse_settings_submission
from handlers.blocks.settings_skills import parse_skill_fields, skill_field_blocks
from handlers.blocks.text import input_state
from handlers.kit import SubcommandCall, Submission, on_submit, try_dm

log = logging.getLogger(__name__)

T = TypeVar("T")

NOT_A_MEMBER = (
    "I'm not in that channel yet. Open it, type /invite @mentorbot, then save again "
    "(or pick another channel)."
)
ARCHIVED = "That channel is archived. Pick another one."
# Before views.open (its trigger_id lives 3 s) or the form's answer (Slack's 3 s), the lookups
# run side by side, each capped at LOOKUP_SECONDS; none may run past this budget, which leaves
# room for the modal to open.
LOOKUPS_BUDGET = LOOKUP_SECONDS + 0.2
FIELDS_SLOW = UNREADABLE.format(reason="Slack was slow to answer")
UNCHECKED = (
    "I couldn't check that channel just now ({reason}), so nothing is saved yet. Save again."
)
SLOW = UNCHECKED.format(reason="Slack was slow to answer")
# A private channel the bot isn't in answers channel_not_found.
_NOT_IN_IT = frozenset({"channel_not_found", "not_in_channel"})
SAVED = (
    ":gear: Workspace settings saved. They apply from now on: to new requests, and to every "
    "nudge, reminder and prompt still to come."
)


async def _by(deadline: float, work: Awaitable[T], fallback: T) -> T:
    """What `work` gives, or `fallback` if it hasn't finished by `deadline` (loop time)."""
    try:
        async with asyncio.timeout_at(deadline):
            return await work
    except TimeoutError:
        return fallback


def _deadline() -> float:
    return asyncio.get_running_loop().time() + LOOKUPS_BUDGET


async def settings_command(call: SubcommandCall) -> None:
    """`/mentor settings`: open the modal with the settings in effect now (admins only)."""
    await call.ack()
    deadline = _deadline()
    # Side by side, within one budget: the trigger_id lives 3 s. The fields are Slack's
    # (team.profile.get); the org pool input needs an org admin (users.info, asked fresh).
    allowed, listed, org_input = await asyncio.gather(
        _by(
            deadline,
            admin_status(
                call.client,
                call.store,
                call.settings,
                call.clock,
                team_id=call.team_id,
                user_id=call.user_id,
            ),
            None,
        ),
        _by(deadline, list_profile_fields(call.client), FieldList(problem=FIELDS_SLOW)),
        _by(
            deadline,
            org_pool_input(
                call.client, call.store, call.settings, team_id=call.team_id, user_id=call.user_id
            ),
            None,
        ),
    )
    if not await admin_or_told(call, "settings", allowed):
        return
    current = await workspace_settings(call.store, call.settings, call.team_id)
    view = build_settings_modal(current)
    view["blocks"][-1:-1] = skill_field_blocks(
        listed.fields, current.profile_skill_fields, listed.problem
    )
    # The admin's own digest choice, in a block of its own.
    subscribed = await call.store.digest_subscription(call.team_id, call.user_id) is not None
    view["blocks"].append(build_digest_checkbox(subscribed))
    if org_input is not None:
        place_org_pool_input(view, org_input)
    try:
        await call.client.views_open(
            trigger_id=str(call.command.get("trigger_id") or ""), view=view
        )
    except SlackApiError as error:
        await call.respond(
            text=f"I couldn't open the settings ({error.response.get('error')}). Please try again.",
            response_type="ephemeral",
        )


async def _pool_problem(client: AsyncWebClient, channel_id: str) -> str | None:
    """Why the bot can't post in the pool channel, or None if it can."""
    try:
        # Before the answer to the form: Slack's 3 s, and the client's patient 429 retries.
        async with asyncio.timeout(LOOKUP_SECONDS):
            info = await client.conversations_info(channel=channel_id)
    except TimeoutError:
        log.warning("pool channel check timed out channel=%s", channel_id)
        return UNCHECKED.format(reason="Slack was slow to answer")
    except SlackApiError as error:
        reason = str(error.response.get("error") or error.response.status_code)
        log.info("pool channel check failed error=%s", reason)
        return NOT_A_MEMBER if reason in _NOT_IN_IT else UNCHECKED.format(reason=reason)
    channel = info.get("channel") or {}
    if channel.get("is_archived"):
        return ARCHIVED
    return None if channel.get("is_member") else NOT_A_MEMBER


async def _channel_problem(client: AsyncWebClient, channel_id: str | None) -> str | None:
    return None if not channel_id else await _pool_problem(client, channel_id)


async def _org_pool_choice(
    sub: Submission,
) -> tuple[OrgPoolChoice | None, str | None]:
    """The org pool channel the form sets, checked like the workspace's; or why not."""
    choice, refused = await read_org_pool(
        sub.view, sub.client, sub.store, sub.settings, team_id=sub.team_id, user_id=sub.user_id
    )
    if refused is None and choice is not None and choice.channel_id:
        refused = await _pool_problem(sub.client, choice.channel_id)
    return choice, refused


@on_submit
async def settings_submitted(sub: Submission) -> None:
    """Check the submitter is an admin, validate inline, then save (audited) and confirm."""
    user_id, team_id = sub.user_id, sub.team_id
    current = await workspace_settings(sub.store, sub.settings, team_id)
    chosen, errors = parse_settings_submission(sub.view, current)
    deadline = _deadline()
    # The admin check and the channel checks side by side, all answered within one budget:
    # the form's answer has Slack's 3 s.
    allowed, pool, kudos, (org_pool, refused) = await asyncio.gather(
        _by(
            deadline,
            admin_status(
                sub.client, sub.store, sub.settings, sub.clock, team_id=team_id, user_id=user_id
            ),
            None,
        ),
        _by(
            deadline, _channel_problem(sub.client, chosen.pool_channel_id if chosen else None), SLOW
        ),
        # The kudos channel is checked like the pool's: the bot must be able to post there.
        _by(
            deadline,
            _channel_problem(sub.client, chosen.kudos_channel_id if chosen else None),
            SLOW,
        ),
        _by(deadline, _org_pool_choice(sub), (None, SLOW)),
    )
    if not allowed:
        log.warning("settings submission refused user=%s", user_id)
        refusal = (
            NOT_CONFIRMED if allowed is None else "Only workspace admins can change these settings."
        )
        await sub.ack(response_action="errors", errors={ids.SETTINGS_POOL_BLOCK: refusal})
        return
    if chosen is not None and pool:
        errors = {ids.SETTINGS_POOL_BLOCK: pool}
    if chosen is not None and kudos:
        errors = {**errors, ids.SETTINGS_KUDOS_BLOCK: kudos}
    if refused:
        errors = {**errors, ids.SETTINGS_ORG_POOL_BLOCK: refused}
    if chosen is None or errors:
        await sub.ack(response_action="errors", errors=errors)
        return
    fields = parse_skill_fields(sub.view, current.profile_skill_fields)
    chosen = replace(chosen, profile_skill_fields=fields)
    await sub.store.save_workspace_settings(chosen, user_id, sub.clock.now())
    if org_pool is not None:
        await sub.store.save_org_pool(
            org_pool.enterprise_id, org_pool.channel_id, team_id, user_id, sub.clock.now()
        )
        log.info("org pool channel saved org=%s by=%s", org_pool.enterprise_id, user_id)
    await sub.ack()
    await _save_digest_choice(sub)
    if fields != current.profile_skill_fields:
        # What other fields said is no answer for these.
        await sub.store.clear_profile_skills(team_id)
    # One read per workspace at a time (in this process): a save during one leaves it running,
    # and it starts over if the fields changed meanwhile.
    reading = f"profile-skills-{team_id}"
    if fields and not sub.background.running(reading):
        sub.background.spawn(_read_skills(sub), name=reading)
    log.info("workspace settings saved team=%s by=%s", team_id, user_id)
    # After the answer: the modal closes at once even if chat.postMessage is rate limited.
    sub.background.spawn(_confirm_saved(sub.client, user_id), name=f"settings-saved-{team_id}")


async def _read_skills(sub: Submission) -> None:
    """Fill the profile-skills cache for the workspace, paced (bot.profile_reads), with the
    fields saved last, again if they changed during the read."""
    fields = (await sub.store.get_workspace_settings(sub.team_id)).profile_skill_fields
    while fields:
        await read_workspace_skills(
            sub.client, sub.store, sub.clock, team_id=sub.team_id, field_ids=fields
        )
        now = (await sub.store.get_workspace_settings(sub.team_id)).profile_skill_fields
        if now == fields:
            return
        fields = now


async def _confirm_saved(client: AsyncWebClient, user_id: str) -> None:
    """The admin's DM that the settings were saved (a lost DM is logged by try_dm)."""
    await try_dm(client, user_id, {"text": SAVED})


async def _save_digest_choice(sub: Submission) -> None:
    """Opt the admin in or out of the weekly digest, if the checkbox changed."""
    state = input_state(sub.view, ids.SETTINGS_DIGEST_BLOCK, ids.SETTINGS_DIGEST_ACTION)
    if "selected_options" not in state:
        return  # an older modal without the block
    wanted = bool(state.get("selected_options"))
    subscribed = await sub.store.digest_subscription(sub.team_id, sub.user_id) is not None
    if wanted != subscribed:
        await set_digest(
            sub.client,
            sub.store,
            sub.settings,
            sub.clock,
            team_id=sub.team_id,
            user_id=sub.user_id,
            on=wanted,
        )
