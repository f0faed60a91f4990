"""What the outbox should send later about a plan: due steps, check-ins and 1:1 ticks.

Dedupe keys name the subject and the moment, so planning twice never sends twice; renderers
in kinds.py re-read the subject at send time and drop what is no longer warranted.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from slack_sdk.web.async_client import AsyncWebClient

from bot.time_zones import user_tz
from bot.working_hours import zone
from storage.models import ActionItem, Checkin, Relationship, SubjectType
from storage.outbox import Planned
from storage.store import Store
from storage.timefmt import format_time

ITEM_DUE = "action_item.due"  # to the owner, on the due date
CHECKIN_ASK = "checkin.ask"  # to the mentee: how is the plan going?
TICK = "relationship.tick"  # to both: time for your 1:1


def _stamp(moment: datetime) -> int:
    return int(moment.timestamp())


async def local_today(
    client: AsyncWebClient, store: Store, team_id: str, user_id: str, now: datetime
) -> date:
    """Today's date where the person is."""
    tz = await user_tz(client, store, team_id, user_id, now)
    return now.astimezone(zone(tz)).date()


def day_start(day: date, tz: str | None) -> datetime:
    """Midnight of `day` in a time zone (UTC if unknown)."""
    return datetime.combine(day, time(0, 0), tzinfo=zone(tz))


def item_due_row(item: ActionItem, tz: str | None, now: datetime) -> Planned | None:
    """The owner's nudge on the due date (or when a snooze ends); None if nothing is due."""
    if item.done_at is not None:
        return None
    if item.snoozed_until is not None and item.snoozed_until > now:
        due, key = item.snoozed_until, f"snooze:{_stamp(item.snoozed_until)}"
    elif item.due_date is not None:
        day = item.due_date
        due = day_start(day, tz)
        # The edit's time too: a date changed and then changed back needs a fresh row, since
        # the first one was cancelled and a cancelled key would swallow the new one.
        key = f"due:{day.isoformat()}:{item.owner_id}:{_stamp(item.updated_at)}"
    else:
        return None
    return Planned(
        item.team_id,
        ITEM_DUE,
        item.owner_id,
        max(due, now),
        dedupe_key=f"action_item:{item.id}:{key}",
        subject_type=SubjectType.ACTION_ITEM,
        subject_id=item.id,
    )


async def schedule_item_due(
    client: AsyncWebClient, store: Store, item: ActionItem, now: datetime
) -> bool:
    """A nudge to the owner on the due date (or when a snooze ends)."""
    tz = await user_tz(client, store, item.team_id, item.owner_id, now)
    row = item_due_row(item, tz, now)
    return row is not None and await store.enqueue_planned(row, now)


def checkin_row(checkin: Checkin) -> Planned:
    """The check-in question to the mentee at its due time (working hours hold it)."""
    return Planned(
        checkin.team_id,
        CHECKIN_ASK,
        checkin.mentee_id,
        checkin.due_at,
        # The due time too: a dropped (never asked) check-in's id can be reused by SQLite,
        # and its cancelled row's key must not swallow the new question.
        dedupe_key=f"checkin:{checkin.id}:ask:{_stamp(checkin.due_at)}",
        subject_type=SubjectType.CHECKIN,
        subject_id=checkin.id,
    )


async def new_checkin(
    store: Store,
    *,
    team_id: str,
    note_id: int | None,
    pair: tuple[str, str],
    sequence: int,
    weeks: int,
    now: datetime,
) -> Checkin | None:
    """Store the next check-in of a chain and plan its message, in one transaction; None if
    the pair's chain already has its next check-in (a newer plan took over)."""
    due = now + timedelta(weeks=weeks)
    return await store.add_checkin(team_id, note_id, pair, sequence, due, now, checkin_row)


def tick_rows(relationship: Relationship) -> list[Planned]:
    """ "Time for your 1:1" to both people at the relationship's next tick."""
    if relationship.ended_at is not None or relationship.next_at is None:
        return []
    at = relationship.next_at
    return [
        Planned(
            relationship.team_id,
            TICK,
            person,
            at,
            dedupe_key=f"relationship:{relationship.id}:tick:{_stamp(at)}:{person}",
            subject_type=SubjectType.RELATIONSHIP,
            subject_id=relationship.id,
            payload={"at": format_time(at)},
        )
        for person in (relationship.mentor_id, relationship.mentee_id)
    ]


async def schedule_ticks(store: Store, relationship: Relationship, now: datetime) -> None:
    """ "Time for your 1:1" to both people at the relationship's next tick."""
    for row in tick_rows(relationship):
        await store.enqueue_planned(row, now)
