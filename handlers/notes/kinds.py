"""Timed messages of notes and plans, rendered from the current state when the outbox sends.

- action_item.due (quiet, nudge): the owner, on the due date in their time zone; nothing if
  the step is done, deleted, re-assigned or snoozed past now.
- checkin.ask (quiet, nudge): the mentee; nothing once answered.
- relationship.tick (quiet): both people; nothing once paused or ended. Whichever of the two
  rows goes first moves next_at on and plans the next tick (its `apply`), so the cadence keeps
  going whether or not anyone books. After an uninstall and a reinstall, `plan_ticks_again`
  plans the tick the uninstall cancelled.

Renderers only read; asking a check-in and moving a 1:1 on are changes, made once by the
kind's `apply` and recorded with the row, so a retried row still sends its message.
"""

from __future__ import annotations

from dataclasses import replace

from bot.delivery import Delivery
from bot.kinds import Kind, OutboxDeps
from bot.notes import next_tick
from handlers.blocks.plans import build_checkin_ask, build_item_due, build_tick
from handlers.notes.schedule import (
    CHECKIN_ASK,
    ITEM_DUE,
    TICK,
    local_today,
    tick_rows,
)
from handlers.notes.share import (
    PLAN_COPY,
    PLAN_SHARE,
    PLAN_UNDELIVERED,
    render_copy,
    render_share,
    render_undelivered,
    share_failed,
)
from storage.models import ActionItem, Checkin, OutboxMessage, Relationship, SubjectType
from storage.outbox import Effects
from storage.timefmt import parse_time


def _subject(row: OutboxMessage, kind: SubjectType) -> int | None:
    return row.subject_id if row.subject_type is kind else None


def other_of(item: ActionItem) -> str:
    """The person on the plan who doesn't own this step."""
    return item.mentee_id if item.owner_id == item.mentor_id else item.mentor_id


async def render_item_due(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The owner, if the step is still theirs, still open and not snoozed."""
    item_id = _subject(row, SubjectType.ACTION_ITEM)
    item = await deps.store.get_action_item(row.team_id, item_id) if item_id else None
    now = deps.clock.now()
    if item is None or item.done_at is not None or item.owner_id != row.recipient:
        return None
    if item.snoozed_until is not None and item.snoozed_until > now:
        return None
    client = await deps.slack(row.team_id)
    today = await local_today(client, deps.store, row.team_id, row.recipient, now)
    message = build_item_due(item, other_of(item), row.id, today)
    return Delivery(row.recipient, message["text"], message["blocks"])


async def checkin_items(deps: OutboxDeps, checkin: Checkin) -> list[ActionItem]:
    """The steps a check-in asks about: its note's, or (note deleted) the pair's."""
    if checkin.note_id is not None:
        return await deps.store.note_items(checkin.team_id, checkin.note_id)
    items, _ = await deps.store.items_between(
        checkin.team_id, checkin.mentor_id, checkin.mentee_id, limit=10
    )
    return items


async def _checkin(row: OutboxMessage, deps: OutboxDeps) -> Checkin | None:
    """The row's check-in, if it is still the mentee's to answer."""
    checkin_id = _subject(row, SubjectType.CHECKIN)
    checkin = await deps.store.get_checkin(row.team_id, checkin_id) if checkin_id else None
    if checkin is None or checkin.answer is not None or checkin.mentee_id != row.recipient:
        return None
    return checkin


async def apply_checkin(row: OutboxMessage, deps: OutboxDeps) -> bool:
    """Asking is a change: the check-in is marked asked once, with this row."""
    checkin = await _checkin(row, deps)
    if checkin is None:
        return False
    now = deps.clock.now()
    return await deps.store.ask_checkin(row.team_id, checkin.id, now, Effects(row.id)) is not None


async def render_checkin(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """The mentee, until they answer."""
    checkin = await _checkin(row, deps)
    if checkin is None:
        return None
    items = await checkin_items(deps, checkin)
    message = build_checkin_ask(checkin, items, row.id)
    return Delivery(row.recipient, message["text"], message["blocks"])


async def _relationship(row: OutboxMessage, deps: OutboxDeps) -> Relationship | None:
    """The row's 1:1, while it is on and the row is for one of its two people."""
    relationship_id = _subject(row, SubjectType.RELATIONSHIP)
    relationship = (
        await deps.store.get_relationship(row.team_id, relationship_id) if relationship_id else None
    )
    if relationship is None or relationship.next_at is None:
        return None  # gone, ended or paused
    if row.recipient not in (relationship.mentor_id, relationship.mentee_id):
        return None
    return relationship


async def apply_tick(row: OutboxMessage, deps: OutboxDeps) -> bool:
    """The first of the tick's two rows moves the 1:1 on past now (a long outage skips missed
    ticks rather than replay them) and plans the next tick, in one update; the other row finds
    it moved and just sends."""
    relationship = await _relationship(row, deps)
    raw = row.payload.get("at")
    if relationship is None or relationship.next_at is None or not isinstance(raw, str):
        return False
    at = parse_time(raw)
    if relationship.next_at < at:
        return False  # the cadence changed since this row was planned
    if relationship.next_at > at:
        return True  # the other person's row of this tick moved it on already
    now = deps.clock.now()
    upcoming = next_tick(at, relationship.cadence)
    while upcoming <= now:
        upcoming = next_tick(upcoming, relationship.cadence)
    after = replace(relationship, next_at=upcoming)
    effects = Effects(row.id, tick_rows(after))
    moved = await deps.store.advance_relationship(
        relationship.team_id, relationship.id, at, upcoming, now, effects
    )
    if moved is not None:
        return True
    current = await _relationship(row, deps)  # the other row moved it just now, or it ended
    return current is not None and current.next_at is not None and current.next_at > at


async def plan_ticks_again(team_id: str, deps: OutboxDeps) -> int:
    """After a reinstall: the next tick of each ongoing 1:1 the uninstall cut, at next_at as
    before (a tick missed meanwhile goes once, late, and its `apply` moves the 1:1 on)."""
    now = deps.clock.now()
    planned = 0
    for relationship in await deps.store.unticked_relationships(team_id, TICK):
        for row in tick_rows(relationship):
            planned += await deps.store.enqueue_again(row, now)
    return planned


async def render_tick(row: OutboxMessage, deps: OutboxDeps) -> Delivery | None:
    """Each person, while the relationship is on."""
    relationship = await _relationship(row, deps)
    if relationship is None:
        return None
    mentoring = row.recipient == relationship.mentor_id
    other = relationship.mentee_id if mentoring else relationship.mentor_id
    message = build_tick(relationship, other)
    return Delivery(row.recipient, message["text"], message["blocks"])


KINDS: dict[str, Kind] = {
    # Someone just saved the plan: it goes now, not at the next working hour.
    PLAN_SHARE: Kind(render_share, quiet=False, on_failed=share_failed),
    PLAN_COPY: Kind(render_copy, quiet=False),
    PLAN_UNDELIVERED: Kind(render_undelivered, quiet=False),
    ITEM_DUE: Kind(render_item_due, nudge=True),
    CHECKIN_ASK: Kind(render_checkin, apply=apply_checkin, nudge=True),
    TICK: Kind(render_tick, apply=apply_tick),
}
