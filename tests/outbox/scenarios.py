"""One scenario per outbox kind: how to make its row due, and how to find what it delivered.

Each setup uses the real Store and the feature's own schedule_* / planned() functions, with
subjects created in the past so the row is due at the frozen clock's now (or after a short
advance). `index` 0 or 1 makes a second, independent subject whose message goes to the same
person or channel, for the channel-pacing case. A scenario's `delivered` finds the Slack calls
(successful ones only) that carry the kind's message; `changed` asserts the change a kind
stands for was made once, at the time of the first try.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial

from bot.clock import FrozenClock
from bot.lifecycle import Runtime
from bot.notes import next_tick
from handlers.admin.digest import digest_row
from handlers.booking.confirm import CONFIRMATION, SLOTS, schedule_follow_ups, starts_key
from handlers.feedback.schedule import feedback_rows
from handlers.feedback.thanks import THANKS_UNDELIVERED, thanks_rows
from handlers.intros.answered import accept_rows, decline_rows
from handlers.intros.followups import schedule_followup, schedule_new_intro
from handlers.kit import send_dm
from handlers.notes.schedule import new_checkin, schedule_item_due, schedule_ticks
from handlers.notes.share import PLAN_UNDELIVERED, plan_rows
from handlers.requests.delivery import send_to_mentor
from handlers.requests.followups import (
    EXPIRE,
    KEPT_WAITING,
    REVEALED,
    book_nudge_row,
    offer_answered_row,
    offer_lapse_row,
    planned,
    schedule_confirmation,
    schedule_new_request,
    schedule_redelivery,
)
from handlers.requests.unreachable import mentor_unreachable, pool_unreachable
from playground.fakeslack import ALICE, BOB, CAROL, TEAM_ID, FakeSlack
from playground.fakeslack.server import Call
from storage.directory import ProfileDraft
from storage.intros import NewIntro
from storage.models import (
    Cadence,
    IntroStatus,
    Request,
    RequestSource,
    RequestStatus,
    SubjectType,
    Topic,
)
from storage.notes import FollowUps, ItemDraft, NoteDraft
from storage.requests import NewRequest
from storage.timefmt import parse_time
from tests.flows import configure

DAVE = "U4"
COORD = "U5"
POOL = "C0POOL"
KUDOS = "C0KUDOS"
DETAILS = "I'd like advice on my promotion case and career growth before the review."


@dataclass
class Harness:
    """The running bot, the fake, the clock, and the subjects a setup made."""

    bot: Runtime
    fake: FakeSlack
    clock: FrozenClock
    subjects: list[int] = field(default_factory=list)
    stamps: list[str] = field(default_factory=list)  # ts of messages a scenario rewrites

    @property
    def now(self) -> datetime:
        return self.clock.now()

    def ok(self, method: str) -> list[Call]:
        return [call for call in self.fake.calls if call.method == method and call.ok]

    def posts(
        self, target: str, words: str, *, thread: bool = False, unless: str = "\0"
    ) -> list[Call]:
        """Successful chat.postMessage calls to a user's DM or a channel, with these words."""
        channel = self.fake.dm_channel(target) if target.startswith("U") else target
        return [
            call
            for call in self.ok("chat.postMessage")
            if call.response.get("channel") == channel
            and bool(call.args.get("thread_ts")) == thread
            and words in str(call.args.get("text"))
            and unless not in str(call.args.get("text"))
        ]

    def updates(self) -> list[Call]:
        """Successful chat.update calls of the messages this scenario rewrites."""
        return [call for call in self.ok("chat.update") if call.args.get("ts") in self.stamps]

    def count(self, kind: str) -> int:
        """Every outbox row of `kind`, whenever due."""
        with sqlite3.connect(self.bot.settings.db_path) as conn:
            [(found,)] = conn.execute("SELECT count(*) FROM outbox WHERE kind = ?", (kind,))
            return int(found)

    def rows(self, kind: str) -> list[sqlite3.Row]:
        """The outbox rows of `kind` due by tomorrow (not the next 1:1 tick, a month away)."""
        with sqlite3.connect(self.bot.settings.db_path) as conn:
            conn.row_factory = sqlite3.Row
            found = conn.execute("SELECT * FROM outbox WHERE kind = ? ORDER BY id", (kind,))
            horizon = self.now + timedelta(days=1)
            return [row for row in found if parse_time(row["due_at"]) <= horizon]


Setup = Callable[[Harness, int], Awaitable[None]]
Delivered = Callable[[Harness], list[Call]]
Changed = Callable[[Harness, datetime], Awaitable[None]]


@dataclass(frozen=True)
class Scenario:
    """One kind's scenario; `silent` kinds say nothing themselves and are judged by the
    messages they caused; `pair` is how many messages two subjects make (dedupe may merge)."""

    kind: str
    setup: Setup
    delivered: Delivered
    changed: Changed | None = None
    silent: bool = False
    pair: int = 2
    advance: timedelta = timedelta(0)  # after setup, for rows planned a little ahead
    warmup: bool = False  # the row is planned by an earlier send: let that one go first
    variant: str = ""

    @property
    def name(self) -> str:
        return f"{self.kind}{'/' + self.variant if self.variant else ''}"


# -- making subjects -----------------------------------------------------------------------


async def prepare(bot: Runtime, fake: FakeSlack, clock: FrozenClock) -> None:
    """People, the pool channel, a coordinator, and two mentors who match DETAILS."""
    for user in (ALICE, BOB, CAROL, DAVE, COORD):
        await bot.store.upsert_person(TEAM_ID, user, tz=None, now=clock.now())
    fake.add_user(DAVE, "dave", tz="Europe/London")
    fake.add_user(COORD, "cora", tz="Europe/London")
    fake.add_channel(POOL, "mentor-pool")
    await configure(bot, clock, pool_channel_id=POOL, coordinators=(COORD,))
    for user in (DAVE, CAROL):
        draft = {"team_id": TEAM_ID, "user_id": user, "tags": ("promotion", "career")}
        await bot.store.save_profile(ProfileDraft(**draft), clock.now())


async def ask(
    h: Harness, mentor: str | None, ago: timedelta, mentee: str = ALICE, anonymous: bool = False
) -> Request:
    draft = NewRequest(
        team_id=TEAM_ID,
        mentee_id=mentee,
        mentor_id=mentor,
        topic=Topic.PROMOTION,
        details=DETAILS,
        source=RequestSource.COMMAND,
        anonymous=anonymous,
    )
    request = await h.bot.store.create_request(draft, h.now - ago)
    h.subjects.append(request.id)
    return request


async def request(h: Harness, request_id: int) -> Request:
    found = await h.bot.store.get_request(TEAM_ID, request_id)
    assert found is not None
    return found


async def ask_planned(h: Harness, mentor: str | None, ago: timedelta) -> Request:
    """A request made `ago`, with the rows a new request plans."""
    made = await ask(h, mentor, ago)
    await schedule_new_request(h.bot.store, h.bot.settings, made, h.now)
    return made


async def nudge_due(h: Harness, i: int) -> None:
    await ask_planned(h, BOB, timedelta(hours=24))


async def escalation_due(h: Harness, i: int) -> None:
    await ask_planned(h, BOB, timedelta(hours=48))


async def repost_due(h: Harness, i: int) -> None:
    await ask_planned(h, None, timedelta(hours=24))


async def expiry_due(h: Harness, i: int) -> None:
    made = await ask(h, BOB, timedelta(days=14))
    row = planned(made, EXPIRE, made.mentee_id, made.created_at + timedelta(days=14), "expire")
    await h.bot.store.enqueue_planned(row, h.now)


async def expiry_of_a_delivered_request(h: Harness, i: int) -> None:
    """The mentor got the DM; at expiry its rewrite is a request.update row."""
    made = await ask(h, BOB, timedelta(days=14))
    await send_to_mentor(h.bot.client, h.bot.store, made)
    h.stamps.append(str((await request(h, made.id)).mentor_dm_ts))
    row = planned(made, EXPIRE, made.mentee_id, h.now, "expire")
    await h.bot.store.enqueue_planned(row, h.now)


async def redelivery_to_mentor(h: Harness, i: int) -> None:
    made = await ask(h, BOB, timedelta(0))
    await schedule_redelivery(h.bot.store, made, h.now)  # due in a minute: `advance`


async def taken_a_day_ago(h: Harness, i: int) -> None:
    made = await ask(h, BOB, timedelta(days=1))
    workspace = await h.bot.store.get_workspace_settings(TEAM_ID)
    took = h.now - timedelta(days=1)
    row = book_nudge_row(workspace, TEAM_ID, made.id, BOB, took)
    assert await h.bot.store.accept_request(TEAM_ID, made.id, BOB, took, then=[row])


async def confirmation_again(h: Harness, i: int) -> None:
    made = await ask(h, BOB, timedelta(0))
    await schedule_confirmation(h.bot.store, made, h.now, pending=False)  # due in a minute


async def redelivery_to_pool(h: Harness, i: int) -> None:
    made = await ask(h, None, timedelta(0))
    await schedule_redelivery(h.bot.store, made, h.now)  # due in a minute: `advance`


async def redelivery_without_pool_channel(h: Harness, i: int) -> None:
    if i == 0:
        await configure(h.bot, h.clock, pool_channel_id=None)
    await redelivery_to_pool(h, i)


async def pool_unreachable_due(h: Harness, i: int) -> None:
    made = await ask(h, None, timedelta(0))
    await pool_unreachable(h.bot.store, h.bot.settings, made, None, h.now)


async def pool_channel_broken_due(h: Harness, i: int) -> None:
    made = await ask(h, None, timedelta(0))
    await pool_unreachable(h.bot.store, h.bot.settings, made, "is_archived", h.now)


async def mentor_unreachable_due(h: Harness, i: int) -> None:
    made = await ask(h, BOB, timedelta(0))
    await mentor_unreachable(h.bot.store, h.bot.settings, made, h.now)


async def offer_lapse_due(h: Harness, i: int) -> None:
    """An anonymous ask Bob offered to help with a day ago, unanswered: its lapse is due."""
    made = await ask(h, None, timedelta(hours=25), anonymous=True)
    offered_at = h.now - timedelta(hours=24)
    lapse = await offer_lapse_row(h.bot.store, h.bot.settings, made, BOB, offered_at)
    offered = await h.bot.store.offer_help(TEAM_ID, made.id, BOB, offered_at, (lapse,))
    assert offered is not None


async def offer_answered_due(h: Harness, i: int, answer: str = KEPT_WAITING) -> None:
    """Alice answered Bob's offer on her anonymous ask just now: his word is due."""
    made = await ask(h, None, timedelta(hours=2), anonymous=True)
    assert await h.bot.store.offer_help(TEAM_ID, made.id, BOB, h.now - timedelta(hours=1))
    word = (offer_answered_row(made, BOB, answer, h.now),)
    move = h.bot.store.reveal_to if answer == REVEALED else h.bot.store.turn_down_offer
    assert await move(TEAM_ID, made.id, ALICE, BOB, h.now, then=word) is not None


async def revealed_due(h: Harness, i: int) -> None:
    await offer_answered_due(h, i, REVEALED)


async def accepted(h: Harness, mentee: str) -> Request:
    made = await ask(h, BOB, timedelta(days=1), mentee=mentee)
    assert await h.bot.store.accept_request(TEAM_ID, made.id, BOB, h.now) is not None
    return made


async def did_you_meet_due(h: Harness, i: int) -> None:
    made = await accepted(h, (ALICE, DAVE)[i])
    booked = await h.bot.store.book_now(
        TEAM_ID, made.id, (BOB, made.mentee_id), 30, h.now - timedelta(hours=1)
    )
    assert booked is not None
    await schedule_follow_ups(h.bot.store, h.bot.settings, booked.session, h.now)


async def held_session_due(h: Harness, i: int) -> None:
    """A session with Alice that Bob says was held (i = 1: an earlier one): her "How was it?"
    is due now, one per session."""
    made = await accepted(h, ALICE)
    booked = await h.bot.store.book_now(
        TEAM_ID, made.id, (BOB, ALICE), 30, h.now - timedelta(hours=1 + 2 * i)
    )
    assert booked is not None
    prompt = await feedback_rows(h.bot.store, h.bot.settings, booked.session, h.now)
    closed = await h.bot.store.close_session(
        TEAM_ID, booked.session.id, BOB, True, h.now, if_held=prompt
    )
    assert closed is not None
    h.subjects.append(closed.id)


async def feedback_started_once(h: Harness, first_try: datetime) -> None:
    for session_id in h.subjects:
        found = await h.bot.store.get_feedback(TEAM_ID, session_id)
        assert found is not None
        assert found.prompted_at == first_try


async def thanked(h: Harness, i: int, *, shared: bool = False) -> int:
    """Alice thanks Bob for a held session (i = 1: an earlier one), shared in #kudos or not."""
    made = await accepted(h, ALICE)
    booked = await h.bot.store.book_now(
        TEAM_ID, made.id, (BOB, ALICE), 30, h.now - timedelta(hours=1 + 2 * i)
    )
    assert booked is not None
    closed = await h.bot.store.close_session(TEAM_ID, booked.session.id, BOB, True, h.now)
    assert closed is not None
    h.fake.add_channel(KUDOS, "kudos")
    rows = thanks_rows(TEAM_ID, closed.id, (ALICE, BOB), KUDOS if shared else None, h.now)
    note = f"Thank you for session {i}!"
    assert await h.bot.store.add_thanks(TEAM_ID, closed.id, ALICE, note, h.now, rows)
    return closed.id


async def thanks_due(h: Harness, i: int) -> None:
    await thanked(h, i)


async def kudos_due(h: Harness, i: int) -> None:
    await thanked(h, i, shared=True)


async def thanks_undelivered_due(h: Harness, i: int) -> None:
    """The kudos post Slack refused for good, as its failure hook plans the word to Alice."""
    session_id = await thanked(h, i)
    await h.bot.store.enqueue(
        TEAM_ID,
        THANKS_UNDELIVERED,
        ALICE,
        h.now,
        dedupe_key=f"test:thanks-undelivered:{session_id}",
        subject_type=SubjectType.SESSION,
        subject_id=session_id,
        payload={"from": ALICE, "channel": KUDOS, "error": "is_archived"},
        now=h.now,
    )


async def digest_due(h: Harness, i: int) -> None:
    """The coordinator opts in to the digest (again, for i = 1: one a week, by design); it is
    due next Monday 09:00 London, which `advance` reaches."""
    since = await h.bot.store.subscribe_digest(TEAM_ID, COORD, h.now)
    row = digest_row(TEAM_ID, COORD, "Europe/London", h.now, since)
    await h.bot.store.enqueue_planned(row, h.now)


async def booked_later(h: Harness, mentee: str, minutes: int) -> tuple[Request, int]:
    made = await accepted(h, mentee)
    start = h.now + timedelta(minutes=minutes)
    [slot] = await h.bot.store.offer_slots(TEAM_ID, made.id, "mentor", [start], 30, h.now)
    booked = await h.bot.store.pick_slot(TEAM_ID, slot.id, (BOB, mentee), h.now)
    assert booked is not None
    await schedule_follow_ups(h.bot.store, h.bot.settings, booked.session, h.now)
    return made, booked.session.id


async def reminder_due(h: Harness, i: int) -> None:
    """A session of Bob's in 16 minutes; its reminder is due in one: `advance`."""
    await booked_later(h, (ALICE, DAVE)[i], 16)


async def confirmation_due(h: Harness, i: int) -> None:
    """A confirmation Slack refused at booking time, queued as _confirm_one queues it."""
    _, session_id = await booked_later(h, (ALICE, DAVE)[i], 24 * 60)
    session = await h.bot.store.get_session(TEAM_ID, session_id)
    assert session is not None
    await h.bot.store.enqueue(
        TEAM_ID,
        CONFIRMATION,
        BOB,
        h.now,
        dedupe_key=f"{CONFIRMATION}:{session.id}:mentor:{starts_key(session)}",
        subject_type=SubjectType.SESSION,
        subject_id=session.id,
        payload={"role": "mentor", "starts": starts_key(session), "moved": None},
        now=h.now,
    )


async def slots_due(h: Harness, i: int) -> None:
    """Offered times Slack refused at first, queued as offer.py queues them."""
    made = await accepted(h, (ALICE, DAVE)[i])
    start = h.now + timedelta(days=1, hours=i)
    assert await h.bot.store.offer_slots(TEAM_ID, made.id, "mentee", [start], 30, h.now)
    await h.bot.store.enqueue(
        TEAM_ID,
        SLOTS,
        BOB,
        h.now,
        dedupe_key=f"{SLOTS}:{made.id}:mentee:{int(h.now.timestamp())}",
        subject_type=SubjectType.REQUEST,
        subject_id=made.id,
        payload={"request_id": made.id, "proposed_by": "mentee"},
        now=h.now,
    )


async def intro(h: Harness, ago: timedelta) -> int:
    draft = NewIntro(
        team_id=TEAM_ID, introducer_id=BOB, mentee_id=ALICE, expert_id=DAVE, why="Panels"
    )
    made = await h.bot.store.create_intro(draft, h.now - ago)
    h.subjects.append(made.id)
    return made.id


async def intro_nudge_due(h: Harness, i: int) -> None:
    made = await h.bot.store.get_intro(TEAM_ID, await intro(h, timedelta(days=3)))
    assert made is not None
    await schedule_new_intro(h.bot.store, made, h.now)


async def intro_expiry_due(h: Harness, i: int) -> None:
    intro_id = await intro(h, timedelta(days=7))
    channel, ts = await send_dm(h.bot.client, DAVE, {"text": "Would you meet Alice?"})
    await h.bot.store.set_intro_messages(TEAM_ID, intro_id, expert_dm=(channel, ts))
    h.stamps.append(ts)
    made = await h.bot.store.get_intro(TEAM_ID, intro_id)
    assert made is not None
    await schedule_new_intro(h.bot.store, made, h.now)


async def intro_followup_due(h: Harness, i: int) -> None:
    ago = timedelta(days=3)
    intro_id = await intro(h, ago)
    answered = await h.bot.store.answer_intro(TEAM_ID, intro_id, DAVE, True, h.now - ago)
    assert answered is not None
    await schedule_followup(h.bot.store, answered, h.now - ago)


async def intro_answered(h: Harness, yes: bool) -> None:
    """An intro Dave just answered, with the rows his answer plans."""
    intro_id = await intro(h, timedelta(hours=1))
    now = h.now
    if yes:
        plan = partial(accept_rows, now=now)
        assert await h.bot.store.accept_intro(TEAM_ID, intro_id, DAVE, now, plan) is not None
        return
    answered = await h.bot.store.answer_intro(
        TEAM_ID, intro_id, DAVE, False, now, lambda made, _: decline_rows(made, now)
    )
    assert answered is not None


async def intro_accepted(h: Harness, i: int) -> None:
    await intro_answered(h, yes=True)


async def intro_declined(h: Harness, i: int) -> None:
    await intro_answered(h, yes=False)


async def intro_withdrawn(h: Harness, i: int) -> None:
    """Bob's intro of Alice to Dave waits for Dave's answer; Alice forgets."""
    await intro(h, timedelta(hours=1))
    await h.bot.store.forget_person(TEAM_ID, ALICE, h.now)


def group_intro_posts(h: Harness) -> list[Call]:
    return h.posts(h.fake.dm_channel(BOB, ALICE, DAVE) or "-", "meet <@U4>")


async def item_due(h: Harness, i: int) -> None:
    item = ItemDraft(
        position=1, text=f"Draft the case {i}", owner_id=ALICE, due_date=date(2026, 3, 9)
    )
    draft = NoteDraft(team_id=TEAM_ID, author_id=BOB, subject_id=ALICE, items=(item,))
    saved = await h.bot.store.save_note(draft, h.now)
    assert saved is not None
    [stored] = saved.items
    h.subjects.append(stored.id)
    assert await schedule_item_due(h.bot.client, h.bot.store, stored, h.now)


async def plan_saved(h: Harness, i: int, *, share: bool = True) -> int:
    """Bob saves a plan for Alice; its DMs are planned with the save, as the form does."""
    item = ItemDraft(position=1, text=f"Write the abstract {i}", owner_id=ALICE)
    draft = NoteDraft(team_id=TEAM_ID, author_id=BOB, subject_id=ALICE, items=(item,))
    after = plan_rows((BOB, ALICE), h.now) if share else None
    saved = await h.bot.store.save_note(draft, h.now, lambda _saved: FollowUps(after=after))
    assert saved is not None
    h.subjects.append(saved.note.id)
    return saved.note.id


async def plan_due(h: Harness, i: int) -> None:
    await plan_saved(h, i)


async def undelivered_due(h: Harness, i: int) -> None:
    note_id = await plan_saved(h, i, share=False)
    await h.bot.store.enqueue(
        TEAM_ID,
        PLAN_UNDELIVERED,
        BOB,
        h.now,
        dedupe_key=f"test:undelivered:{note_id}",
        subject_type=SubjectType.NOTE,
        subject_id=note_id,
        payload={"author": BOB, "error": "user_disabled"},
        now=h.now,
    )


async def checkin_due(h: Harness, i: int) -> None:
    pair = ((BOB, DAVE)[i], ALICE)
    checkin = await new_checkin(
        h.bot.store, team_id=TEAM_ID, note_id=None, pair=pair, sequence=1, weeks=0, now=h.now
    )
    assert checkin is not None
    h.subjects.append(checkin.id)


async def tick_due(h: Harness, i: int) -> None:
    pair = ((BOB, DAVE)[i], ALICE)
    relationship, _ = await h.bot.store.start_relationship(
        TEAM_ID, pair, Cadence.MONTHLY, h.now, h.now - timedelta(days=30)
    )
    h.subjects.append(relationship.id)
    await schedule_ticks(h.bot.store, relationship, h.now)


def pool_posts(h: Harness) -> list[Call]:
    """The request's first post in the pool channel (not a re-post, not the thread)."""
    return h.posts(POOL, "is looking for someone", unless="Still looking")


# -- the changes, made once ----------------------------------------------------------------


async def escalated_once(h: Harness, first_try: datetime) -> None:
    for request_id in h.subjects:
        found = await request(h, request_id)
        assert found.mentor_id is None
        assert found.status is RequestStatus.OPEN
        assert found.updated_at == first_try
    count = len(h.subjects)
    assert len(h.rows("request.escalated")) == count
    assert len(h.rows("request.coordinator")) == count
    assert len(h.rows("request.pool_post")) == count


async def expired_once(h: Harness, first_try: datetime) -> None:
    for request_id in h.subjects:
        found = await request(h, request_id)
        assert found.status is RequestStatus.EXPIRED
        assert found.updated_at == first_try


async def reposted_once(h: Harness, first_try: datetime) -> None:
    assert len(h.rows("request.coordinator")) == len(h.subjects)


async def lapsed_once(h: Harness, first_try: datetime) -> None:
    for request_id in h.subjects:
        found = await request(h, request_id)
        assert (found.status, found.offered_by) == (RequestStatus.OPEN, None)
        assert found.updated_at == first_try
    # Its effects, planned once: a re-post each, and the rewrites of the pool post and DMs.
    assert h.count("request.pool_repost") == len(h.subjects)


async def pool_planned_once(h: Harness, first_try: datetime) -> None:
    assert len(h.rows("request.pool_post")) == len(h.subjects)


async def intro_expired_once(h: Harness, first_try: datetime) -> None:
    for intro_id in h.subjects:
        found = await h.bot.store.get_intro(TEAM_ID, intro_id)
        assert found is not None
        assert found.status is IntroStatus.EXPIRED
    assert len(h.rows("intro.update")) == len(h.subjects)


async def asked_once(h: Harness, first_try: datetime) -> None:
    for checkin_id in h.subjects:
        found = await h.bot.store.get_checkin(TEAM_ID, checkin_id)
        assert found is not None
        assert found.asked_at == first_try


async def ticked_once(h: Harness, first_try: datetime) -> None:
    for relationship_id in h.subjects:
        found = await h.bot.store.get_relationship(TEAM_ID, relationship_id)
        assert found is not None
        assert found.next_at == next_tick(first_try, Cadence.MONTHLY)
    assert h.count("relationship.tick") == 4 * len(h.subjects)  # this tick's 2, the next's 2


# The clock starts Tue 10 Mar 2026 15:00 UTC: Monday 16 March 09:00 London is 5 days 18 hours on.
UNTIL_MONDAY_9 = timedelta(days=5, hours=18)

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "feedback.ask",
        held_session_due,
        lambda h: [
            call for who in (ALICE, DAVE) for call in h.posts(who, "How was your mentoring")
        ],
        feedback_started_once,
    ),
    Scenario("thanks.note", thanks_due, lambda h: h.posts(BOB, "says thanks for your mentoring")),
    Scenario("thanks.kudos", kudos_due, lambda h: h.posts(KUDOS, "for a mentoring session")),
    Scenario(
        "thanks.undelivered",
        thanks_undelivered_due,
        lambda h: h.posts(ALICE, "couldn't post your thank-you note"),
    ),
    Scenario(
        "digest.weekly",
        digest_due,
        lambda h: h.posts(COORD, "Mentoring last week"),
        pair=1,
        advance=UNTIL_MONDAY_9,
    ),
    Scenario("request.nudge", nudge_due, lambda h: h.posts(BOB, "still waiting")),
    Scenario(
        "request.escalate",
        escalation_due,
        pool_posts,
        escalated_once,
        silent=True,
    ),
    Scenario(
        "request.escalated",
        escalation_due,
        lambda h: h.posts(ALICE, "hasn't answered your request"),
    ),
    Scenario(
        "request.coordinator",
        escalation_due,
        lambda h: h.posts(COORD, "Could you help find someone"),
    ),
    Scenario(
        "request.pool_repost", repost_due, lambda h: h.posts(POOL, "Still looking"), reposted_once
    ),
    Scenario(
        "request.expire",
        expiry_due,
        lambda h: h.posts(ALICE, "didn't find a mentor in time"),
        expired_once,
    ),
    Scenario(
        "request.deliver",
        redelivery_to_mentor,
        lambda h: h.posts(BOB, "would like some of your time"),
        advance=timedelta(minutes=1),
    ),
    Scenario(
        "request.deliver",
        redelivery_to_pool,
        pool_posts,
        pool_planned_once,
        silent=True,
        variant="pool",
        advance=timedelta(minutes=1),
    ),
    Scenario(
        "request.book_nudge", taken_a_day_ago, lambda h: h.posts(BOB, "no time is booked yet")
    ),
    Scenario(
        "request.confirm",
        confirmation_again,
        lambda h: h.posts(ALICE, "I sent your request"),
        advance=timedelta(minutes=1),
    ),
    Scenario("request.pool_post", redelivery_to_pool, pool_posts, advance=timedelta(minutes=1)),
    Scenario(
        "request.pool_mentions",
        redelivery_to_pool,
        lambda h: h.posts(POOL, "looks like something you know about", thread=True),
        advance=timedelta(minutes=1),
        warmup=True,  # planned when the pool post is sent, claimed by the next tick
    ),
    Scenario(
        "request.invite",
        redelivery_without_pool_channel,
        lambda h: h.posts(DAVE, "is looking for someone"),
        advance=timedelta(minutes=1),
    ),
    Scenario("request.update", expiry_of_a_delivered_request, lambda h: h.updates()),
    Scenario(
        "request.offer_lapse",
        offer_lapse_due,
        lambda h: h.posts(BOB, "hasn't answered yet"),
        lapsed_once,
    ),
    Scenario(
        "request.offer_answered",
        offer_answered_due,
        lambda h: h.posts(BOB, "would rather wait for someone else"),
    ),
    Scenario(
        "request.offer_answered",
        revealed_due,
        lambda h: h.posts(BOB, "revealed themselves"),
        variant="revealed",
    ),
    Scenario(
        "request.pool_unreachable",
        pool_unreachable_due,
        lambda h: h.posts(ALICE, "couldn't reach the mentor pool"),
    ),
    Scenario(
        "request.pool_channel_broken",
        pool_channel_broken_due,
        lambda h: h.posts(COORD, "can't post in the mentor pool"),
        pair=1,  # once a day per channel, by design
    ),
    Scenario(
        "request.mentor_unreachable",
        mentor_unreachable_due,
        lambda h: h.posts(ALICE, "couldn't reach <@U2>"),
    ),
    Scenario(
        "session.reminder",
        reminder_due,
        lambda h: h.posts(BOB, "In 15 minutes"),
        advance=timedelta(minutes=1),
    ),
    Scenario("session.did_you_meet", did_you_meet_due, lambda h: h.posts(BOB, "Did you meet")),
    Scenario("session.confirmation", confirmation_due, lambda h: h.posts(BOB, "You're booked")),
    Scenario("booking.slots", slots_due, lambda h: h.posts(BOB, "suggested some times")),
    Scenario(
        "intro.nudge",
        intro_nudge_due,
        lambda h: h.posts(DAVE, "A reminder about this introduction"),
    ),
    Scenario(
        "intro.expire",
        intro_expiry_due,
        lambda h: h.posts(BOB, "didn't answer within a week"),
        intro_expired_once,
    ),
    Scenario(
        "intro.followup", intro_followup_due, lambda h: h.posts(ALICE, "Did you connect with")
    ),
    Scenario("intro.update", intro_expiry_due, lambda h: h.updates()),
    Scenario("intro.introduce", intro_accepted, group_intro_posts),
    Scenario("intro.declined", intro_declined, lambda h: h.posts(BOB, "can't help")),
    Scenario("intro.withdrawn", intro_withdrawn, lambda h: h.posts(BOB, "was withdrawn")),
    Scenario("plan.share", plan_due, lambda h: h.posts(ALICE, "shared an action plan")),
    Scenario("plan.copy", plan_due, lambda h: h.posts(BOB, "Your action plan with")),
    Scenario(
        "plan.undelivered",
        undelivered_due,
        lambda h: h.posts(BOB, "couldn't deliver your action plan"),
    ),
    Scenario("action_item.due", item_due, lambda h: h.posts(ALICE, "A step from your action plan")),
    Scenario(
        "checkin.ask", checkin_due, lambda h: h.posts(ALICE, "How is your action plan"), asked_once
    ),
    Scenario(
        "relationship.tick",
        tick_due,
        lambda h: h.posts(ALICE, "Time for your monthly 1:1"),
        ticked_once,
    ),
)
