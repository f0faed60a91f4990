"""Snooze and "Stop these" on every nudge, and `/mentor snooze [days|off]`.

A snooze holds all of a person's nudges (the dispatcher defers them) and brings the snoozed
nudge back when it ends; "Stop these" mutes that kind of nudge for good. Session reminders are
not nudges, so they always come.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.clock import Clock
from handlers.blocks.nudges import STOP_CONFIRM, build_snoozed
from handlers.blocks.text import section
from handlers.kit import NOT_YOURS, BadArguments, SubcommandCall, parse_id, submitter, tell
from storage.models import OutboxMessage
from storage.store import Store

log = logging.getLogger(__name__)

SNOOZE_DAYS_MAX = 90
DEFAULT_SNOOZE_DAYS = 7
# Shorter than the kit's BROKEN: a nudge's controls have no /mentor command to point to.
BROKEN_NUDGE = "That button is broken, so I didn't change anything."


async def _clicked_nudge(
    body: dict[str, Any], respond: AsyncRespond, store: Store
) -> OutboxMessage | None:
    """The nudge (outbox row) the button belongs to, if the clicker is its recipient in its
    workspace."""
    user_id, team_id = submitter(body)
    actions = body.get("actions") or [{}]
    row_id = parse_id(actions[0].get("value") if isinstance(actions[0], dict) else None)
    if row_id is None:
        log.warning("broken nudge button user=%s", user_id)
        await tell(respond, BROKEN_NUDGE)
        return None
    row = await store.get_outbox_message(team_id, row_id)
    if row is None or row.recipient != user_id:
        await tell(respond, NOT_YOURS)
        return None
    return row


async def _snooze(
    days: int,
    ack: AsyncAck,
    body: dict[str, Any],
    respond: AsyncRespond,
    store: Store,
    clock: Clock,
) -> None:
    await ack()
    row = await _clicked_nudge(body, respond, store)
    if row is None:
        return
    now = clock.now()
    until = now + timedelta(days=days)
    await store.set_snoozed_until(row.team_id, row.recipient, until, now)
    # The same nudge comes back when the snooze ends; its renderer drops it if it's moot by then.
    # It comes back once however often it is snoozed (a double click, a stale copy), and the
    # change its first send made (a check-in marked asked) is not made again.
    await store.enqueue(
        row.team_id,
        row.kind,
        row.recipient,
        until,
        dedupe_key=f"{row.dedupe_key}:snoozed",
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        payload=row.payload,
        applied_at=row.applied_at,
        now=now,
    )
    log.info("nudges snoozed user=%s days=%d", row.recipient, days)
    text = build_snoozed(until)
    await respond(replace_original=True, text=text, blocks=[section(text)])


async def snooze_day(
    ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, store: Store, clock: Clock
) -> None:
    """Snooze 1 day."""
    await _snooze(1, ack, body, respond, store, clock)


async def snooze_week(
    ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, store: Store, clock: Clock
) -> None:
    """Snooze 1 week."""
    await _snooze(7, ack, body, respond, store, clock)


async def stop(
    ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, store: Store, clock: Clock
) -> None:
    """Stop these: never this kind of nudge again (until `/mentor snooze off`)."""
    await ack()
    row = await _clicked_nudge(body, respond, store)
    if row is None:
        return
    await store.mute_kind(row.team_id, row.recipient, row.kind, clock.now())
    log.info("nudge kind stopped user=%s kind=%s", row.recipient, row.kind)
    await respond(replace_original=True, text=STOP_CONFIRM, blocks=[section(STOP_CONFIRM)])


async def snooze_command(call: SubcommandCall) -> None:
    """`/mentor snooze [days|off]`: hold nudges (a week by default), or turn them back on."""
    arg = call.args.strip().lower()
    now = call.clock.now()
    if arg in ("off", "0"):
        await call.store.set_snoozed_until(call.team_id, call.user_id, None, now)
        unmuted = await call.store.unmute_kinds(call.team_id, call.user_id)
        extra = " and the kinds you stopped are back on" if unmuted else ""
        await call.ack(text=f":bell: Reminders are on again{extra}.")
        return
    if arg and (not arg.isdigit() or not 1 <= int(arg) <= SNOOZE_DAYS_MAX):
        raise BadArguments(
            f"`/mentor snooze` takes a number of days from 1 to {SNOOZE_DAYS_MAX}, or `off`."
        )
    until = now + timedelta(days=int(arg) if arg else DEFAULT_SNOOZE_DAYS)
    await call.store.set_snoozed_until(call.team_id, call.user_id, until, now)
    await call.ack(text=build_snoozed(until))
