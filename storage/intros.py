"""Warm introductions: the double opt-in, the request made for booking, and the follow-up.

Each move is one conditional UPDATE … RETURNING * naming the state it leaves and who may make
it, so a double click or a race has one winner and everyone else gets None.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import asdict, field
from datetime import datetime
from typing import Annotated, Any, Protocol

from storage.engine import Connection, Record, Sql
from storage.models import (
    Intro,
    IntroFollowup,
    IntroStatus,
    Request,
    RequestSource,
    SubjectType,
    Topic,
    Urgency,
)
from storage.outbox import CANCEL_OUTBOX, Effects, Planned, change_with, enqueue_on
from storage.requests import ACCEPT, INSERT_REQUEST, NewRequest, ensure_people
from storage.rows import Length, Row, RowError
from storage.timefmt import format_time

# Mirror the CHECKs on intros in 001-initial.sql (the rules in bot/intros.py are stricter).
WHY_MAX = 2000
NOTE_MAX = 2000


class NewIntro(Row, strip=True):
    """An introduction as submitted, before it is stored."""

    team_id: Annotated[str, Length(1)]
    introducer_id: Annotated[str, Length(1)]
    mentee_id: Annotated[str, Length(1)]
    expert_id: Annotated[str, Length(1)]
    why: Annotated[str, Length(1, WHY_MAX)] = field(repr=False)
    note: Annotated[str | None, Length(max=NOTE_MAX)] = field(default=None, repr=False)
    from_request_id: int | None = None
    # Made by a Workflow Builder step: the introducer was named by a workflow.
    via_workflow: bool = False

    def __post_init__(self) -> None:
        if self.mentee_id == self.expert_id:
            raise RowError("an introduction needs two different people")


# The timed messages an answer plans, from the answered intro and the request it passed on
# (when a yes referred one): enqueued in the answer's own transaction.
IntroPlan = Callable[[Intro, Request | None], Sequence[Planned]]


class _StoreCore(Protocol):
    """The Store plumbing these queries rely on (see storage.store.Store)."""

    async def _fetch(self, sql: Sql, params: Sequence[Any] = ...) -> list[Record]: ...

    def _transaction(self) -> AbstractAsyncContextManager[Connection]: ...


_INSERT_INTRO = """
INSERT INTO intros (
    team_id, introducer_id, mentee_id, expert_id, why, note, from_request_id, via_workflow,
    created_at
) VALUES (
    :team_id, :introducer_id, :mentee_id, :expert_id, :why, :note, :from_request_id,
    :via_workflow, :created_at
)
RETURNING *
"""

# ?1 intro id, ?2 team id, ?3 now, ?4 the expert, ?5 the new status.
_ANSWER = """
UPDATE intros SET status = ?5, answered_at = ?3
WHERE id = ?1 AND team_id = ?2 AND status = 'pending' AND expert_id = ?4
RETURNING *
"""

_EXPIRE = """
UPDATE intros SET status = 'expired'
WHERE id = ?1 AND team_id = ?2 AND status = 'pending'
RETURNING *
"""

# A "not yet" may still become a yes or a no; a yes or a no is final.
_FOLLOWUP = """
UPDATE intros SET followup_answer = ?5, followup_answered_at = ?3
WHERE id = ?1 AND team_id = ?2 AND status = 'accepted' AND mentee_id = ?4
    AND (followup_answer IS NULL OR followup_answer = 'not_yet')
RETURNING *
"""

# The mentor passed the request on with an introduction the expert accepted.
_REFER = """
UPDATE requests SET status = 'referred', first_response_at = coalesce(first_response_at, ?3),
    updated_at = ?3
WHERE id = ?1 AND team_id = ?2 AND status = 'open'
RETURNING *
"""

# ?5: only an intro this person was told of: its introducer and its expert, and the mentee
# once the expert said yes (a mentee never learns of a declined or unanswered intro).
_LAST_OF_PAIR = """
SELECT * FROM intros
WHERE team_id = ?1 AND mentee_id = ?2 AND expert_id = ?3 AND created_at >= ?4
    AND (?5 IN (introducer_id, expert_id) OR (?5 = mentee_id AND status = 'accepted'))
ORDER BY created_at DESC, id DESC LIMIT 1
"""


def _one_intro(rows: Iterable[Record]) -> Intro | None:
    return next((Intro.from_row(row) for row in rows), None)


async def insert_intro(conn: Connection, draft: NewIntro, now: datetime) -> Intro:
    """Insert a pending introduction inside the caller's transaction, with its people rows."""
    row = {**asdict(draft), "created_at": format_time(now)}
    row["via_workflow"] = int(draft.via_workflow)  # an INTEGER column on both engines
    who = (draft.introducer_id, draft.mentee_id, draft.expert_id)
    await ensure_people(conn, draft.team_id, who, now)
    rows = list(await conn.execute_fetchall(_INSERT_INTRO, row))
    return Intro.from_row(rows[0])


def _one_request(rows: Iterable[Record]) -> Request | None:
    return next((Request.from_row(row) for row in rows), None)


async def _answer(
    store: _StoreCore,
    team_id: str,
    intro_id: int,
    expert_id: str,
    yes: bool,
    now: datetime,
    then: IntroPlan | None,
) -> tuple[Intro, Request | None] | None:
    """The expert's answer, one transaction: a yes refers the request it passes on (if still
    open); the intro's unsent rows (and a referred request's) are cancelled, and `then`'s
    rows planned."""
    stamp = format_time(now)
    status = "accepted" if yes else "declined"
    async with store._transaction() as conn:
        rows = await conn.execute_fetchall(_ANSWER, (intro_id, team_id, stamp, expert_id, status))
        intro = _one_intro(rows)
        if intro is None:
            return None
        referred = None
        if yes and intro.from_request_id is not None:
            refer = (intro.from_request_id, team_id, stamp)
            referred = _one_request(await conn.execute_fetchall(_REFER, refer))
        await conn.execute(CANCEL_OUTBOX, (team_id, str(SubjectType.INTRO), intro.id))
        if referred is not None:
            # Passed on: its own reminders and escalation no longer apply.
            await conn.execute(CANCEL_OUTBOX, (team_id, str(SubjectType.REQUEST), referred.id))
        for row in then(intro, referred) if then is not None else ():
            await enqueue_on(conn, row, now)
        return intro, referred


class IntroQueries:
    """Store methods for introductions."""

    async def create_intro(self: _StoreCore, draft: NewIntro, now: datetime) -> Intro:
        """Store a pending introduction, creating the people rows it points at."""
        async with self._transaction() as conn:
            return await insert_intro(conn, draft, now)

    async def get_intro(self: _StoreCore, team_id: str, intro_id: int) -> Intro | None:
        """The introduction, or None if this workspace has no such introduction."""
        rows = await self._fetch(
            "SELECT * FROM intros WHERE id = ? AND team_id = ?", (intro_id, team_id)
        )
        return _one_intro(rows)

    async def last_intro_of_pair(
        self: _StoreCore,
        team_id: str,
        mentee_id: str,
        expert_id: str,
        since: datetime,
        known_to: str,
    ) -> Intro | None:
        """The latest introduction of this mentee to this expert made at or after `since`
        that `known_to` was told of (see _LAST_OF_PAIR)."""
        params = (team_id, mentee_id, expert_id, format_time(since), known_to)
        return _one_intro(await self._fetch(_LAST_OF_PAIR, params))

    async def drop_undelivered_intro(self: _StoreCore, team_id: str, intro_id: int) -> bool:
        """Delete a pending introduction whose DM never reached the expert."""
        rows = await self._fetch(
            "DELETE FROM intros WHERE id = ? AND team_id = ? AND status = 'pending' "
            "AND expert_dm_ts IS NULL RETURNING 1",
            (intro_id, team_id),
        )
        return bool(rows)

    async def set_intro_messages(
        self: _StoreCore,
        team_id: str,
        intro_id: int,
        *,
        expert_dm: tuple[str, str | None] | None = None,
        group_dm: str | None = None,
    ) -> None:
        """Record the expert's DM (channel, ts; the ts None when Slack's answer to the post was
        lost) or the group DM's channel; None keeps one."""
        channel, ts = expert_dm or (None, None)
        await self._fetch(
            "UPDATE intros SET expert_dm_channel_id = coalesce(?3, expert_dm_channel_id), "
            "expert_dm_ts = coalesce(?4, expert_dm_ts), "
            "group_dm_channel_id = coalesce(?5, group_dm_channel_id) "
            "WHERE id = ?1 AND team_id = ?2",
            (intro_id, team_id, channel, ts, group_dm),
        )

    async def answer_intro(
        self: _StoreCore,
        team_id: str,
        intro_id: int,
        expert_id: str,
        yes: bool,
        now: datetime,
        then: IntroPlan | None = None,
    ) -> Intro | None:
        """pending → accepted (yes) or declined, by the expert only, with the rows `then`
        plans; None if that didn't apply."""
        answered = await _answer(self, team_id, intro_id, expert_id, yes, now, then)
        return None if answered is None else answered[0]

    async def accept_intro(
        self: _StoreCore,
        team_id: str,
        intro_id: int,
        expert_id: str,
        now: datetime,
        then: IntroPlan | None = None,
    ) -> tuple[Intro, Request | None] | None:
        """pending → accepted, by the expert only, with the rows `then` plans: the intro and
        the request it passed on, referred with it (None if it had none or was no longer
        open); None if the answer didn't apply."""
        return await _answer(self, team_id, intro_id, expert_id, True, now, then)

    async def expire_intro(
        self: _StoreCore,
        team_id: str,
        intro_id: int,
        now: datetime,
        effects: Effects | None = None,
    ) -> Intro | None:
        """pending → expired; None if the expert answered in the meantime."""
        rows = await change_with(self, _EXPIRE, (intro_id, team_id), team_id, effects, now)
        return _one_intro(rows)

    async def answer_intro_followup(
        self: _StoreCore,
        team_id: str,
        intro_id: int,
        mentee_id: str,
        answer: IntroFollowup,
        now: datetime,
    ) -> Intro | None:
        """Store the mentee's "did you connect?" answer; None if not theirs or already final."""
        params = (intro_id, team_id, format_time(now), mentee_id, answer.value)
        return _one_intro(await self._fetch(_FOLLOWUP, params))

    async def intro_request(
        self: _StoreCore, team_id: str, intro_id: int, now: datetime
    ) -> Request | None:
        """The accepted request (source 'intro') the pair books on, made on first use.

        It takes its topic, duration and urgency from the request the intro came from, if any.
        None when the intro isn't accepted (or is gone).
        """
        async with self._transaction() as conn:
            intro = _one_intro(
                await conn.execute_fetchall(
                    "SELECT * FROM intros WHERE id = ? AND team_id = ?", (intro_id, team_id)
                )
            )
            if intro is None or intro.status is not IntroStatus.ACCEPTED:
                return None
            if intro.request_id is not None:
                return _one_request(
                    await conn.execute_fetchall(
                        "SELECT * FROM requests WHERE id = ? AND team_id = ?",
                        (intro.request_id, team_id),
                    )
                )
            origin = None
            if intro.from_request_id is not None:
                origin = _one_request(
                    await conn.execute_fetchall(
                        "SELECT * FROM requests WHERE id = ? AND team_id = ?",
                        (intro.from_request_id, team_id),
                    )
                )
            draft = NewRequest(
                team_id=team_id,
                mentee_id=intro.mentee_id,
                mentor_id=intro.expert_id,
                topic=origin.topic if origin else Topic.OTHER,
                details=intro.why,
                duration_minutes=origin.duration_minutes if origin else 30,
                urgency=origin.urgency if origin else Urgency.THIS_WEEK,
                source=RequestSource.INTRO,
                via_workflow=intro.via_workflow,  # its details are the workflow's reason
            )
            stamp = format_time(now)
            [made] = await conn.execute_fetchall(INSERT_REQUEST, draft.params(stamp))
            accepted = _one_request(
                await conn.execute_fetchall(ACCEPT, (made["id"], team_id, stamp, intro.expert_id))
            )
            await conn.execute_fetchall(
                "UPDATE intros SET request_id = ? WHERE id = ? AND team_id = ?",
                (made["id"], intro_id, team_id),
            )
            return accepted

    async def refer_request(
        self: _StoreCore, team_id: str, request_id: int, now: datetime
    ) -> Request | None:
        """open → referred: the request was passed on through an accepted introduction."""
        return _one_request(await self._fetch(_REFER, (request_id, team_id, format_time(now))))
