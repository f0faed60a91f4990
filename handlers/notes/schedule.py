"""What the outbox should send later about a plan: due steps, check-ins and 1:1 ticks.

Dedupe keys name the subject and the moment, so planning twice never sends twice; renderers
in kinds.py re-read the subject at send time and drop what is no longer warranted.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from slack_sdk.web.async_client import AsyncWebClient

from bot.quiet_hours import zone
from handlers.booking.common import user_tz
from storage.models import ActionItem, Checkin, Relationship, SubjectType
from storage.store import Store
from storage.timefmt import format_time

ITEM_DUE = "action_item.due"  # to the owner, on the due date
CHECKIN_ASK = "checkin.ask"  # to the mentee: how is the plan going?
TICK = "relationship.tick"  # to both: time for your 1:1


def _stamp(moment: datetime) -> int:
    return int(moment.timestamp())


async def start_of_day(
    client: AsyncWebClient, store: Store, team_id: str, user_id: str, day: date, now: datetime
) -> datetime:
    """Midnight of `day` in the person's time zone; quiet hours then hold it until 9:00."""
    tz = await user_tz(client, store, team_id, user_id, now)
    return datetime.combine(day, time(0, 0), tzinfo=zone(tz))


async def local_today(
    client: AsyncWebClient, store: Store, team_id: str, user_id: str, now: datetime
) -> date:
    """Today's date where the person is."""
    tz = await user_tz(client, store, team_id, user_id, now)
    return now.astimezone(zone(tz)).date()


async def schedule_item_due(
    client: AsyncWebClient, store: Store, item: ActionItem, now: datetime
) -> bool:
    """A nudge to the owner on the due date (or when a snooze ends)."""
    if item.done_at is not None:
        return False
    if item.snoozed_until is not None and item.snoozed_until > now:
        due, key = item.snoozed_until, f"snooze:{_stamp(item.snoozed_until)}"
    elif item.due_date is not None:
        day = item.due_date
        due = await start_of_day(client, store, item.team_id, item.owner_id, day, now)
        # The edit's time too: a date changed and then changed back needs a fresh row, since
        # the first one was cancelled and a cancelled key would swallow the new one.
        key = f"due:{day.isoformat()}:{item.owner_id}:{_stamp(item.updated_at)}"
    else:
        return False
    return await store.enqueue(
        item.team_id,
        ITEM_DUE,
        item.owner_id,
        max(due, now),
        dedupe_key=f"action_item:{item.id}:{key}",
        subject_type=SubjectType.ACTION_ITEM,
        subject_id=item.id,
        now=now,
    )


async def schedule_checkin(store: Store, checkin: Checkin, now: datetime) -> bool:
    """The check-in question to the mentee at its due time (working hours hold it)."""
    return await store.enqueue(
        checkin.team_id,
        CHECKIN_ASK,
        checkin.mentee_id,
        checkin.due_at,
        dedupe_key=f"checkin:{checkin.id}:ask",
        subject_type=SubjectType.CHECKIN,
        subject_id=checkin.id,
        now=now,
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
) -> Checkin:
    """Store the next check-in of a chain and plan its message."""
    due = now + timedelta(weeks=weeks)
    checkin = await store.add_checkin(team_id, note_id, pair, sequence, due, now)
    await schedule_checkin(store, checkin, now)
    return checkin


async def schedule_ticks(store: Store, relationship: Relationship, now: datetime) -> None:
    """ "Time for your 1:1" to both people at the relationship's next tick."""
    if relationship.ended_at is not None or relationship.next_at is None:
        return
    at = relationship.next_at
    for person in (relationship.mentor_id, relationship.mentee_id):
        await store.enqueue(
            relationship.team_id,
            TICK,
            person,
            at,
            dedupe_key=f"relationship:{relationship.id}:tick:{_stamp(at)}:{person}",
            subject_type=SubjectType.RELATIONSHIP,
            subject_id=relationship.id,
            payload={"at": format_time(at)},
            now=now,
        )
