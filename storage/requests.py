"""Requests and detection prompts: the queries behind the request lifecycle.

Each state transition is one conditional UPDATE … RETURNING * naming the states it may leave
and who may make it: a double click or two racing mentors yield exactly one winner, the others
get None and nothing changes. Parameters are numbered in one order (?1 request id, ?2 team id,
?3 now, ?4 the acting user), which maps one-to-one onto PostgreSQL's $1….
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import asdict, field
from datetime import datetime, timedelta
from typing import Annotated, Any, Protocol

from storage.engine import Connection, Record, Sql
from storage.models import Request, RequestSource, Topic, Urgency, UtcDatetime
from storage.outbox import Effects, Planned, Stop, change_with, enqueue_on, stop_on
from storage.rows import Check, Length, Row, RowError
from storage.timefmt import format_time

# Mirror the CHECKs on requests in 001-initial.sql.
REQUEST_DURATIONS = (15, 30, 45, 60)
DETAILS_MAX = 2000
DECLINE_REASON_MAX = 1000


def _allowed_duration(minutes: int) -> int:
    if minutes not in REQUEST_DURATIONS:
        raise ValueError(f"duration must be one of {REQUEST_DURATIONS} minutes")
    return minutes


# The details of the request Book time makes for an ongoing 1:1 (already accepted).
ONE_TO_ONE_DETAILS = "Our {cadence} 1:1"


class NewRequest(Row, strip=True):
    """What a mentee asked for, before it is stored; mentor_id None means the mentor pool."""

    team_id: Annotated[str, Length(1)]
    mentee_id: Annotated[str, Length(1)]
    mentor_id: str | None = None
    topic: Topic
    details: Annotated[str, Length(1, DETAILS_MAX)] = field(repr=False)
    duration_minutes: Annotated[int, Check(_allowed_duration)] = 30
    urgency: Urgency = Urgency.THIS_WEEK
    source: RequestSource
    origin_channel_id: str | None = None
    origin_ts: str | None = None
    origin_permalink: str | None = None
    # Asked without the mentee's name: the pool only, since a named mentor always sees it.
    anonymous: bool = False
    # Made by a Workflow Builder step, never anonymous: its messages say a workflow sent it.
    via_workflow: bool = False

    def __post_init__(self) -> None:
        if self.mentor_id is not None and self.mentor_id == self.mentee_id:
            raise RowError("a request can't name the mentee as its mentor")
        if self.anonymous and self.mentor_id is not None:
            raise RowError("only a pool request can leave out the mentee's name")
        if self.anonymous and self.via_workflow:
            raise RowError("a workflow's request always names the mentee")

    def params(self, stamp: str) -> dict[str, Any]:
        """INSERT_REQUEST's parameters, made at `stamp`: enums as their text, booleans as the
        0/1 of their INTEGER columns on both engines."""
        return {
            **asdict(self),
            "topic": self.topic.value,
            "urgency": self.urgency.value,
            "source": self.source.value,
            "anonymous": int(self.anonymous),
            "via_workflow": int(self.via_workflow),
            "created_at": stamp,
            "updated_at": stamp,
        }


class RequestInvite(Row):
    """A mentor invited to a pool request, with the DM to update once someone claims it."""

    request_id: int
    team_id: str
    user_id: str
    dm_channel_id: str | None = None
    dm_ts: str | None = None
    invited_at: UtcDatetime


class _StoreCore(Protocol):
    """The Store plumbing these queries rely on (see storage.store.Store)."""

    async def _fetch(self, sql: Sql, params: Sequence[Any] = ...) -> list[Record]: ...
    async def _fetch_in_turn(self, sql: Sql, params: Sequence[Any] = ...) -> list[Record]: ...
    async def _write(self, sql: Sql, params: Sequence[Any] = ...) -> int: ...

    def _transaction(self) -> AbstractAsyncContextManager[Connection]: ...


class _Refused(Exception):
    """Raised inside a transaction to roll back its side writes when the UPDATE didn't apply."""


_ENSURE_PERSON = """
INSERT INTO people (team_id, user_id, first_seen_at, updated_at) VALUES (?, ?, ?, ?)
ON CONFLICT (team_id, user_id) DO NOTHING
"""

INSERT_REQUEST = """
INSERT INTO requests (
    team_id, mentee_id, mentor_id, topic, details, duration_minutes, urgency, source,
    origin_channel_id, origin_ts, origin_permalink, anonymous, via_workflow, created_at,
    updated_at
) VALUES (
    :team_id, :mentee_id, :mentor_id, :topic, :details, :duration_minutes, :urgency, :source,
    :origin_channel_id, :origin_ts, :origin_permalink, :anonymous, :via_workflow, :created_at,
    :updated_at
)
RETURNING *
"""

# Also how storage/store.py records a Slack event id: True the first time only.
MARK_ONCE = (
    "INSERT INTO processed_events (team_id, event_id, processed_at) VALUES (?, ?, ?) "
    "ON CONFLICT (team_id, event_id) DO NOTHING RETURNING 1"
)

# Shared with storage/intros.py, which accepts the request it makes for an intro.
ACCEPT = """
UPDATE requests SET status = 'accepted', accepted_at = ?3,
    first_response_at = coalesce(first_response_at, ?3), updated_at = ?3
WHERE id = ?1 AND team_id = ?2 AND status = 'open' AND mentor_id = ?4
RETURNING *
"""

# ?5 reason, ?6 whether the mentee may see it.
_DECLINE = """
UPDATE requests SET status = 'declined', decline_reason = ?5, decline_reason_shared = ?6,
    first_response_at = coalesce(first_response_at, ?3), updated_at = ?3
WHERE id = ?1 AND team_id = ?2 AND status = 'open' AND mentor_id = ?4
RETURNING *
"""

# Claiming a pool request counts as accepting it. An anonymous one is offered instead.
_CLAIM = """
UPDATE requests SET status = 'claimed', claimed_by = ?4, claimed_at = ?3, accepted_at = ?3,
    first_response_at = coalesce(first_response_at, ?3), updated_at = ?3
WHERE id = ?1 AND team_id = ?2 AND status = 'open' AND mentor_id IS NULL AND mentee_id <> ?4
    AND anonymous = 0
RETURNING *
"""

# "I can help" on an anonymous ask: the mentor's offer waits for the mentee to reveal
# themself; one offer at a time. An offer is a first response.
_OFFER = """
UPDATE requests SET offered_by = ?4, first_response_at = coalesce(first_response_at, ?3),
    updated_at = ?3
WHERE id = ?1 AND team_id = ?2 AND status = 'open' AND mentor_id IS NULL AND mentee_id <> ?4
    AND anonymous = 1 AND offered_by IS NULL
RETURNING *
"""

# The mentee reveals themself to the mentor whose offer they were shown (?5): claimed by them.
_REVEAL = """
UPDATE requests SET status = 'claimed', claimed_by = offered_by, claimed_at = ?3,
    accepted_at = ?3, revealed_at = ?3, offered_by = NULL, offer_dm_channel_id = NULL,
    offer_dm_ts = NULL, updated_at = ?3
WHERE id = ?1 AND team_id = ?2 AND status = 'open' AND mentee_id = ?4 AND anonymous = 1
    AND offered_by = ?5
RETURNING *
"""

# No answer to the offer ?4 made at ?5 (the request untouched since): back in the pool.
_LAPSE = """
UPDATE requests SET offered_by = NULL, updated_at = ?3
WHERE id = ?1 AND team_id = ?2 AND status = 'open' AND offered_by = ?4 AND updated_at = ?5
RETURNING *
"""

# "Not them, keep waiting": the offer of ?5 is turned down and the request is back in the pool.
# An answer rewrites the offer's DM where it was clicked (REVEAL too): its place is forgotten,
# so the request's later rewrites leave that answer alone.
_TURN_DOWN = """
UPDATE requests SET offered_by = NULL, offer_dm_channel_id = NULL, offer_dm_ts = NULL,
    updated_at = ?3
WHERE id = ?1 AND team_id = ?2 AND status = 'open' AND mentee_id = ?4 AND offered_by = ?5
RETURNING *
"""

# An offer that was withdrawn (its mentor forgot themself) at ?4, the request untouched since:
# back in the pool, now, for the rewrites and the re-post that go with it.
_REOPEN_WITHDRAWN = """
UPDATE requests SET updated_at = ?3
WHERE id = ?1 AND team_id = ?2 AND status = 'open' AND anonymous = 1 AND offered_by IS NULL
    AND updated_at = ?4
RETURNING *
"""

# Back in the pool it is no longer accepted; first_response_at keeps the first answer.
# accepted_at stays: the request was taken once, which stats count ("ever accepted or taken").
_RELEASE = """
UPDATE requests SET status = 'open', claimed_by = NULL, claimed_at = NULL, updated_at = ?3
WHERE id = ?1 AND team_id = ?2 AND status = 'claimed' AND claimed_by = ?4
RETURNING *
"""

_CANCEL = """
UPDATE requests SET status = 'cancelled', updated_at = ?3
WHERE id = ?1 AND team_id = ?2 AND mentee_id = ?4
    AND status IN ('open', 'accepted', 'claimed', 'scheduled')
RETURNING *
"""

# The declining mentor's reason was for the mentee only: it doesn't travel to the pool.
_SEND_TO_POOL = """
UPDATE requests SET status = 'open', mentor_id = NULL, decline_reason = NULL,
    decline_reason_shared = 0, updated_at = ?3
WHERE id = ?1 AND team_id = ?2 AND mentee_id = ?4
    AND (status = 'declined' OR (status = 'open' AND mentor_id IS NOT NULL
        AND mentor_dm_ts IS NULL AND first_response_at IS NULL))
RETURNING *
"""

# Unanswered for too long: the named mentor's request goes to the pool (?4 that mentor).
_ESCALATE = """
UPDATE requests SET mentor_id = NULL, updated_at = ?3
WHERE id = ?1 AND team_id = ?2 AND status = 'open' AND mentor_id = ?4
    AND first_response_at IS NULL
RETURNING *
"""

# Nobody took it: only a request still waiting for its first yes expires.
_EXPIRE = """
UPDATE requests SET status = 'expired', updated_at = ?3
WHERE id = ?1 AND team_id = ?2 AND status = 'open'
RETURNING *
"""

# A None keeps what is recorded, so each message can be recorded as soon as it is sent.
_SET_MESSAGES = """
UPDATE requests SET
    mentor_dm_channel_id = coalesce(?3, mentor_dm_channel_id),
    mentor_dm_ts = coalesce(?4, mentor_dm_ts),
    pool_channel_id = coalesce(?5, pool_channel_id),
    pool_ts = coalesce(?6, pool_ts),
    mentee_dm_channel_id = coalesce(?7, mentee_dm_channel_id),
    mentee_dm_ts = coalesce(?8, mentee_dm_ts)
WHERE id = ?1 AND team_id = ?2
"""

# Where the mentee's DM about the offer of ?3 is, while that offer still waits.
_SET_OFFER_DM = """
UPDATE requests SET offer_dm_channel_id = ?4, offer_dm_ts = ?5
WHERE id = ?1 AND team_id = ?2 AND status = 'open' AND offered_by = ?3
"""

# INSERT … SELECT keeps an invite from pointing at another workspace's request.
_ADD_INVITE = """
INSERT INTO request_invites (request_id, team_id, user_id, dm_channel_id, dm_ts, invited_at)
SELECT id, team_id, ?3, ?4, ?5, ?6 FROM requests WHERE id = ?1 AND team_id = ?2
ON CONFLICT (request_id, user_id) DO NOTHING
RETURNING 1
"""

_COUNT_OPEN = """
SELECT count(*) FROM requests
WHERE team_id = ? AND mentee_id = ? AND status IN ('open', 'accepted', 'claimed', 'scheduled')
"""

# Returns a row only when it recorded the message: someone who hasn't opted out, no prompt for
# them in this channel since ?5 (the cooldown, read from the same table by its key's prefix:
# revisions r0006, r0009), the message (?6) not prompted yet. The key holds the author too (a
# message has one), so it still admits each message once.
_CLAIM_PROMPT = """
INSERT INTO prompted_messages (team_id, channel_id, message_ts, user_id, prompted_at)
SELECT ?1, ?3, ?6, ?2, ?4
WHERE NOT EXISTS (SELECT 1 FROM people WHERE team_id = ?1 AND user_id = ?2 AND opted_out = 1)
    AND NOT EXISTS (
        SELECT 1 FROM prompted_messages
        WHERE team_id = ?1 AND channel_id = ?3 AND user_id = ?2 AND prompted_at > ?5
    )
ON CONFLICT (team_id, channel_id, user_id, message_ts) DO NOTHING
RETURNING 1
"""


def _one_request(rows: Iterable[Record]) -> Request | None:
    return next((Request.from_row(row) for row in rows), None)


async def ensure_people(
    conn: Connection, team_id: str, user_ids: Iterable[str | None], now: datetime
) -> None:
    """Create the people rows a new record points at (inside the caller's transaction)."""
    stamp = format_time(now)
    await conn.executemany(
        _ENSURE_PERSON,
        [(team_id, user_id, stamp, stamp) for user_id in dict.fromkeys(user_ids) if user_id],
    )


# The timed messages a new request plans, made from the stored row (they need its id).
PlanNew = Callable[[Request], Sequence[Planned]]


async def insert_request(
    conn: Connection, draft: NewRequest, now: datetime, plan: PlanNew | None = None
) -> Request:
    """Insert the request inside the caller's transaction, with the people rows it needs and
    the outbox rows `plan` makes for it."""
    await ensure_people(conn, draft.team_id, (draft.mentee_id, draft.mentor_id), now)
    rows = list(await conn.execute_fetchall(INSERT_REQUEST, draft.params(format_time(now))))
    request = Request.from_row(rows[0])
    for row in plan(request) if plan else ():
        await enqueue_on(conn, row, now)
    return request


async def _transition(
    store: _StoreCore,
    sql: Sql,
    team_id: str,
    request_id: int,
    now: datetime,
    *who: str | int | None,
    new_people: Sequence[str] = (),
    effects: Effects | None = None,
    then: Sequence[Planned] = (),
    stop: Sequence[Stop] = (),
) -> Request | None:
    """Run one conditional UPDATE; people rows it needs are created only if it applies, and
    so are the effects an outbox row's change carries and the timed messages it plans (after
    cancelling the unsent rows `stop` names, which those replace)."""
    params = (request_id, team_id, format_time(now), *who)
    if effects is not None:
        return _one_request(await change_with(store, sql, params, team_id, effects, now))
    if not new_people and not then and not stop:
        return _one_request(await store._fetch(sql, params))
    try:
        async with store._transaction() as conn:
            await ensure_people(conn, team_id, new_people, now)
            request = _one_request(await conn.execute_fetchall(sql, params))
            if request is None:
                raise _Refused
            await stop_on(conn, team_id, stop)
            for row in then:
                await enqueue_on(conn, row, now)
            return request
    except _Refused:
        return None


class RequestQueries:
    """Store methods for requests, their invites and the detection prompts."""

    async def create_request(
        self: _StoreCore, draft: NewRequest, now: datetime, plan: PlanNew | None = None
    ) -> Request:
        """Store a new open request, creating the people rows it points at, with the timed
        messages `plan` makes for it (in the same transaction: a crash keeps both or neither)."""
        async with self._transaction() as conn:
            return await insert_request(conn, draft, now, plan)

    async def create_request_once(
        self: _StoreCore,
        draft: NewRequest,
        now: datetime,
        once_key: str,
        plan: PlanNew | None = None,
    ) -> Request | None:
        """Like create_request, but None if `once_key` (e.g. a submitted view's id) already
        made one: it is kept with Slack's processed event ids, in the same transaction."""
        async with self._transaction() as conn:
            first = await conn.execute_fetchall(
                MARK_ONCE, (draft.team_id, once_key, format_time(now))
            )
            if not list(first):
                return None
            return await insert_request(conn, draft, now, plan)

    async def set_request_permalink(
        self: _StoreCore, team_id: str, request_id: int, permalink: str
    ) -> None:
        """Record the link to the message a request came from, found after it was stored."""
        await self._fetch(
            "UPDATE requests SET origin_permalink = ? WHERE id = ? AND team_id = ?",
            (permalink, request_id, team_id),
        )

    async def get_request(self: _StoreCore, team_id: str, request_id: int) -> Request | None:
        """The request, or None if this workspace has no such request."""
        rows = await self._fetch(
            "SELECT * FROM requests WHERE id = ? AND team_id = ?", (request_id, team_id)
        )
        return _one_request(rows)

    async def count_open_requests(self: _StoreCore, team_id: str, mentee_id: str) -> int:
        """How many of the mentee's requests are unfinished (open, accepted, claimed, scheduled)."""
        rows = await self._fetch(_COUNT_OPEN, (team_id, mentee_id))
        return int(rows[0][0])

    async def count_requests_created_since(
        self: _StoreCore, team_id: str, mentee_id: str, since: datetime
    ) -> int:
        """How many requests the mentee created at or after since, whatever became of them."""
        rows = await self._fetch(
            "SELECT count(*) FROM requests WHERE team_id = ? AND mentee_id = ? AND created_at >= ?",
            (team_id, mentee_id, format_time(since)),
        )
        return int(rows[0][0])

    async def accept_request(
        self: _StoreCore,
        team_id: str,
        request_id: int,
        mentor_id: str,
        now: datetime,
        then: Sequence[Planned] = (),
    ) -> Request | None:
        """open → accepted, by the named mentor only (`then`: timed messages planned with it);
        None if that didn't apply."""
        return await _transition(self, ACCEPT, team_id, request_id, now, mentor_id, then=then)

    async def decline_request(
        self: _StoreCore,
        team_id: str,
        request_id: int,
        mentor_id: str,
        now: datetime,
        reason: str | None = None,
        share_reason: bool = False,
    ) -> Request | None:
        """open → declined, by the named mentor only; a blank reason is stored as none."""
        text = (reason or "").strip()[:DECLINE_REASON_MAX] or None
        shared = int(share_reason and text is not None)
        return await _transition(self, _DECLINE, team_id, request_id, now, mentor_id, text, shared)

    async def claim_request(
        self: _StoreCore,
        team_id: str,
        request_id: int,
        user_id: str,
        now: datetime,
        then: Sequence[Planned] = (),
    ) -> Request | None:
        """A pool request open → claimed by user_id (never its mentee; `then` as for
        accept_request); None if taken or gone."""
        return await _transition(
            self, _CLAIM, team_id, request_id, now, user_id, new_people=(user_id,), then=then
        )

    async def offer_help(
        self: _StoreCore,
        team_id: str,
        request_id: int,
        user_id: str,
        now: datetime,
        then: Sequence[Planned] = (),
    ) -> Request | None:
        """An anonymous pool request gets user_id's offer, to wait for the mentee's answer
        (`then`: timed messages planned with it, e.g. the offer's lapse); None if it isn't
        anonymous, is taken, or another offer is waiting."""
        return await _transition(
            self, _OFFER, team_id, request_id, now, user_id, new_people=(user_id,), then=then
        )

    async def lapse_offer(
        self: _StoreCore,
        team_id: str,
        request_id: int,
        mentor_id: str,
        offered_at: datetime,
        now: datetime,
        effects: Effects | None = None,
    ) -> Request | None:
        """The offer mentor_id made at `offered_at` had no answer in time: back in the pool.
        None if the mentee answered it, or anything else moved the request since."""
        stamp = format_time(offered_at)
        return await _transition(
            self, _LAPSE, team_id, request_id, now, mentor_id, stamp, effects=effects
        )

    async def reopen_withdrawn_offer(
        self: _StoreCore,
        team_id: str,
        request_id: int,
        withdrawn_at: datetime,
        now: datetime,
        effects: Effects | None = None,
    ) -> Request | None:
        """The offer forget withdrew at `withdrawn_at` left the request in the pool: it is
        marked changed now, with `effects`. None if anything moved the request since."""
        stamp = format_time(withdrawn_at)
        return await _transition(
            self, _REOPEN_WITHDRAWN, team_id, request_id, now, stamp, effects=effects
        )

    async def reveal_to(
        self: _StoreCore,
        team_id: str,
        request_id: int,
        mentee_id: str,
        mentor_id: str,
        now: datetime,
        then: Sequence[Planned] = (),
    ) -> Request | None:
        """The mentee reveals themself to the mentor whose offer waits: open → claimed by that
        mentor, with the timed messages `then` in the same transaction; None if it isn't
        theirs, or that offer no longer waits."""
        return await _transition(
            self, _REVEAL, team_id, request_id, now, mentee_id, mentor_id, then=then
        )

    async def turn_down_offer(
        self: _StoreCore,
        team_id: str,
        request_id: int,
        mentee_id: str,
        mentor_id: str,
        now: datetime,
        then: Sequence[Planned] = (),
        stop: Sequence[Stop] = (),
    ) -> Request | None:
        """The mentee keeps waiting: mentor_id's offer goes, the request stays open in the
        pool, with the timed messages `then` (after cancelling the rows `stop` names) in the
        same transaction; None if it isn't theirs, or that offer no longer waits."""
        return await _transition(
            self,
            _TURN_DOWN,
            team_id,
            request_id,
            now,
            mentee_id,
            mentor_id,
            then=then,
            stop=stop,
        )

    async def release_request(
        self: _StoreCore, team_id: str, request_id: int, user_id: str, now: datetime
    ) -> Request | None:
        """claimed → open, by the claimer only, so someone else can take it."""
        return await _transition(self, _RELEASE, team_id, request_id, now, user_id)

    async def cancel_request(
        self: _StoreCore, team_id: str, request_id: int, mentee_id: str, now: datetime
    ) -> Request | None:
        """Any unfinished state → cancelled, by the mentee only."""
        return await _transition(self, _CANCEL, team_id, request_id, now, mentee_id)

    async def send_request_to_pool(
        self: _StoreCore, team_id: str, request_id: int, mentee_id: str, now: datetime
    ) -> Request | None:
        """declined (or named to a mentor who never got it) → open with no mentor (the pool),
        by the mentee only."""
        return await _transition(self, _SEND_TO_POOL, team_id, request_id, now, mentee_id)

    async def escalate_request(
        self: _StoreCore,
        team_id: str,
        request_id: int,
        mentor_id: str,
        now: datetime,
        effects: Effects | None = None,
    ) -> Request | None:
        """A named mentor's request, still unanswered, opens to the pool; None if it moved on."""
        return await _transition(
            self, _ESCALATE, team_id, request_id, now, mentor_id, effects=effects
        )

    async def expire_request(
        self: _StoreCore,
        team_id: str,
        request_id: int,
        now: datetime,
        effects: Effects | None = None,
    ) -> Request | None:
        """open → expired; None if someone answered (or it ended) in the meantime."""
        return await _transition(self, _EXPIRE, team_id, request_id, now, effects=effects)

    async def set_request_messages(
        self: _StoreCore,
        team_id: str,
        request_id: int,
        *,
        mentor_dm: tuple[str, str] | None = None,
        pool_post: tuple[str, str] | None = None,
        mentee_dm: tuple[str, str] | None = None,
    ) -> None:
        """Record (channel_id, ts) of the request's Slack messages; None leaves one as it is."""
        mentor, pool, mentee = (pair or (None, None) for pair in (mentor_dm, pool_post, mentee_dm))
        await self._fetch(_SET_MESSAGES, (request_id, team_id, *mentor, *pool, *mentee))

    async def set_offer_dm(
        self: _StoreCore, team_id: str, request_id: int, mentor_id: str, dm: tuple[str, str]
    ) -> bool:
        """Record (channel_id, ts) of the mentee's DM about `mentor_id`'s offer; False if that
        offer no longer waits (then nothing will rewrite the DM)."""
        return await self._write(_SET_OFFER_DM, (request_id, team_id, mentor_id, *dm)) == 1

    async def add_request_invite(
        self: _StoreCore,
        team_id: str,
        request_id: int,
        user_id: str,
        now: datetime,
        dm: tuple[str, str] | None = None,
    ) -> bool:
        """Record a mentor invited to a pool request; False if already invited, or no request."""
        channel_id, ts = dm or (None, None)
        try:
            async with self._transaction() as conn:
                await ensure_people(conn, team_id, (user_id,), now)
                rows = await conn.execute_fetchall(
                    _ADD_INVITE, (request_id, team_id, user_id, channel_id, ts, format_time(now))
                )
                if not rows:
                    raise _Refused
        except _Refused:
            return False
        return True

    async def list_request_invites(
        self: _StoreCore, team_id: str, request_id: int
    ) -> list[RequestInvite]:
        """The mentors invited to a pool request, oldest invite first."""
        rows = await self._fetch(
            "SELECT * FROM request_invites WHERE request_id = ? AND team_id = ?"
            " ORDER BY invited_at, user_id",
            (request_id, team_id),
        )
        return [RequestInvite.from_row(row) for row in rows]

    async def claim_prompt(
        self: _StoreCore,
        team_id: str,
        user_id: str,
        channel_id: str,
        message_ts: str,
        cooldown: timedelta,
        now: datetime,
    ) -> bool:
        """Whether to prompt for this message: never twice for one message, nor within
        cooldown, nor for someone who opted out. One atomic statement, so two copies of one
        message (a retry, app_mention + message) can't both win, and a refused message leaves
        no trace."""
        params = (
            team_id,
            user_id,
            channel_id,
            format_time(now),
            format_time(now - cooldown),
            message_ts,
        )
        # Two claims at once must not both read "no cooldown yet" (two replicas on PostgreSQL).
        return bool(await self._fetch_in_turn(_CLAIM_PROMPT, params))

    async def was_prompted(
        self: _StoreCore, team_id: str, user_id: str, channel_id: str, message_ts: str
    ) -> bool:
        """Whether this message holds its prompt's claim."""
        rows = await self._fetch(
            "SELECT 1 FROM prompted_messages"
            " WHERE team_id = ? AND channel_id = ? AND user_id = ? AND message_ts = ?",
            (team_id, channel_id, user_id, message_ts),
        )
        return bool(list(rows))

    async def release_prompt(
        self: _StoreCore, team_id: str, user_id: str, channel_id: str, message_ts: str
    ) -> None:
        """Undo `claim_prompt` when the prompt never reached the asker, so a retry of the
        message or the next ask may prompt. Its row was the cooldown's start too: any prompt
        before it was older than the cooldown, or the claim would have been refused."""
        await self._write(
            "DELETE FROM prompted_messages"
            " WHERE team_id = ? AND channel_id = ? AND user_id = ? AND message_ts = ?",
            (team_id, channel_id, user_id, message_ts),
        )
