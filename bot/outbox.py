"""The outbox dispatcher: claim due timed messages, render them from current state, send once.

Retries live in the database (a row goes back to pending with a later due time), so a restart
loses nothing; a claim is a lease, so a crashed worker's rows come back. Rows that merely wait
(quiet hours, channel pacing, a method paused by a 429) are deferred without spending an attempt.

Exactly once across a crash: each post carries its row id as message metadata, and a row whose
earlier claim ended with no outcome (crash, lapsed lease, lost answer) is looked up in Slack
before it is posted again. A tick leases only what pacing lets it send before the next tick, so
a crash strands little, and a restarted worker takes its own leases back at once (lifecycle).

Once across replicas (PostgreSQL): only the holder of the leader's lock posts, and it checks that
it still holds it right before each post; a new leader may claim another worker's rows only
after TAKEOVER_GRACE, by when every post the old one checked before has ended (docs/outbox.md).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.delivery import (
    PERMANENT_ERRORS,
    POST_MESSAGE,
    READ_HISTORY,
    READ_THREAD,
    USERS_INFO,
    WORKSPACE_GONE,
    Apply,
    Delivery,
    LookupUnsure,
    OnFailed,
    Renderers,
    Send,
    SlackSend,
    TokenBucket,
    is_user,
    methods_for,
    slack_failure,
)
from bot.installs import WorkspaceGone, Workspaces
from bot.quiet_hours import next_allowed
from bot.slack_client import CALL_SECONDS
from bot.time_zones import cached_tz
from bot.working_hours import WorkingHours, working_hours
from storage.engine import LEAD_CHECK_SECONDS
from storage.models import OutboxMessage, Person
from storage.outbox import UNINSTALLED
from storage.store import Store

log = logging.getLogger(__name__)

BATCH_SIZE = 100
LEASE = timedelta(minutes=5)
DEFAULT_TICK = timedelta(seconds=10)
# A lookup Slack refuses this way can never succeed (the bot may not read that conversation):
# the row is posted rather than held forever.
UNREADABLE = frozenset({"missing_scope", "not_allowed_token_type"})
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
# A leader that lost its lock posts nothing it hadn't checked the lock for, and a post starts
# within LEAD_CHECK_SECONDS of its check and ends within CALL_SECONDS: so a new leader claims
# the rows other workers held only this long after taking the lead, twice that for margin.
TAKEOVER_GRACE = 2 * timedelta(seconds=LEAD_CHECK_SECONDS + CALL_SECONDS)


class LeadLost(Exception):
    """This replica no longer holds the leader's lock: it must not post."""


@dataclass(frozen=True)
class Pacing:
    """How fast the outbox may talk to Slack."""

    channel_interval: timedelta = timedelta(seconds=1)  # Slack: ~1 message/s per channel
    workspace_per_second: float = 20.0
    workspace_burst: float = 5.0
    concurrency: int = 16  # recipients sent to at once
    max_batches_per_tick: int = 10


@dataclass
class TickReport:
    """What one tick did, by outcome (row counts)."""

    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    deferred: int = 0
    retried: int = 0
    failed: int = 0
    found: int = 0  # of `sent`: already in Slack from an earlier claim, so not posted again

    def add(self, other: TickReport) -> None:
        """Fold another report into this one."""
        for name in ("claimed", "sent", "skipped", "deferred", "retried", "failed", "found"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class _RecipientState:
    """Per-recipient facts looked up once per group of rows."""

    tz: str | None = None
    looked_up: bool = False
    person: Person | None = None
    person_loaded: bool = False
    muted: frozenset[str] | None = None
    windows: dict[str, WorkingHours] = field(default_factory=dict)
    # The workspace's client and send, found once per group (one team and recipient).
    client: AsyncWebClient | None = None
    send: Send | None = None


def backoff(attempts: int, rng: random.Random) -> timedelta:
    """Exponential backoff with equal jitter: half the step fixed, half random, capped."""
    step: timedelta = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(0, attempts - 1)))
    return step / 2 + step / 2 * rng.random()


# The least of a tick kept free after the last turn: one post's usual time and a new leader's
# one-second pause.
TURN_ROOM = timedelta(seconds=2)


class Dispatcher:
    """Sends due outbox rows; `tick()` is what the scheduler runs every few seconds."""

    def __init__(
        self,
        store: Store,
        client: AsyncWebClient,
        renderers: Renderers,
        clock: Clock,
        *,
        max_attempts: int = 8,
        quiet_kinds: Collection[str] = frozenset(),
        nudge_kinds: Collection[str] = frozenset(),
        pacing: Pacing | None = None,
        rng: random.Random | None = None,
        send: Send | None = None,
        on_failed: Mapping[str, OnFailed] | None = None,
        appliers: Mapping[str, Apply] | None = None,
        worker_id: str = "local",
        tick: timedelta = DEFAULT_TICK,
        workspaces: Workspaces | None = None,
        takeover_grace: timedelta = TAKEOVER_GRACE,
    ) -> None:
        self._store = store
        self._client = client
        self._renderers = renderers
        self._clock = clock
        self._max_attempts = max_attempts
        self._quiet_kinds = frozenset(quiet_kinds)
        self._nudge_kinds = frozenset(nudge_kinds)
        self._pacing = pacing or Pacing()
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security
        self._send = send or SlackSend(client)
        # With installs by OAuth, each workspace's rows go out with its own token.
        self._workspaces = workspaces
        self._injected_send = send
        self._sends: dict[str, tuple[AsyncWebClient, Send]] = {}
        self._on_failed = on_failed or {}
        self._appliers = appliers or {}
        self._worker_id = worker_id
        self._tick = tick
        self._bucket = TokenBucket(self._pacing.workspace_per_second, self._pacing.workspace_burst)
        self._not_before: dict[str, datetime] = {}  # per Web API method, after a 429
        self._channel_next: dict[str, datetime] = {}  # per channel, for pacing
        self._leading = False
        self._tick_end = clock.now()
        self._takeover_grace = takeover_grace
        self._lead_lost = False  # found out mid-batch: the rest of the batch is put back
        self._put_back = 0
        # Rows of the batch whose outcome the database didn't take (it restarted, say): still
        # leased to this worker, taken back at the next tick rather than after the lease.
        self._unrecorded: list[str] = []

    @property
    def leading(self) -> bool:
        """Whether this dispatcher led at its last tick (always, on SQLite)."""
        return self._leading

    @property
    def clock(self) -> Clock:
        """The clock the dispatcher judges due times by."""
        return self._clock

    async def tick(self) -> TickReport:
        """Claim what this tick can send (see claim_bounds) and handle it."""
        report = TickReport()
        try:
            rows = await self._claim()
        except self._store.errors as error:
            # The database is away (restarting, failing over): one line, and the next tick.
            log.warning("outbox tick skipped: database unavailable error=%s", error)
            return report
        if rows:
            self._lead_lost, self._put_back = False, 0
            report.add(await self._run_batch(rows))
            if self._lead_lost:
                self._leading = False
                log.warning(
                    "outbox lost the lead mid-batch worker=%s; stopped, %d row(s) put back",
                    self._worker_id,
                    self._put_back,
                )
            if self._unrecorded:
                # One line for the batch: a database that went away fails every row alike.
                log.warning(
                    "outbox could not record %d row(s) worker=%s error=%s; each is taken back "
                    "and looked up in Slack before a repost",
                    len(self._unrecorded),
                    self._worker_id,
                    self._unrecorded[0],
                )
            log.info(
                "outbox tick claimed=%d sent=%d skipped=%d deferred=%d retried=%d failed=%d "
                "found=%d",
                report.claimed,
                report.sent,
                report.skipped,
                report.deferred,
                report.retried,
                report.failed,
                report.found,
            )
        return report

    async def _claim(self) -> list[OutboxMessage]:
        """Lead (or find another replica leads: nothing) and claim this tick's rows."""
        # One dispatcher per deployment, so pacing holds in total, not per replica.
        now = self._clock.now()
        if not await self._store.lead_outbox(self._worker_id, now, self._takeover_grace):
            self._leading = False
            return []
        if not self._leading:
            self._leading = True
            if self._store.engine != "sqlite":
                # The replica that led before (killed, say) may have posted a moment ago, and
                # this one knows nothing of its pacing: wait one channel interval before the
                # first post, so no conversation, nor the workspace, gets both at once; and
                # start the workspace's bucket empty, so no burst lands on Slack's bucket that
                # the old leader may have left near empty.
                await asyncio.sleep(self._pacing.channel_interval.total_seconds())
                self._bucket.empty()
        if self._unrecorded:
            # The batch that left them is over: nothing of this process is posting them.
            await self._store.take_back_leases(self._worker_id, now)
            self._unrecorded = []
        self._forget_past(self._clock.now())
        # A recipient's rows go a channel interval apart within the tick (claim_bounds takes as
        # many as fit), so a row waits for its turn until then, and is deferred past it.
        self._tick_end = self._clock.now() + self._turns()
        limit, per_recipient = self.claim_bounds()
        return await self._store.claim_due(
            self._clock.now(),
            LEASE,
            limit,
            worker=self._worker_id,
            per_recipient=per_recipient,
        )

    def claim_bounds(self) -> tuple[int, int]:
        """How many rows one tick leases, and how many of one recipient's: what pacing lets it
        send before the next tick (the workspace rate, and one post per channel interval).
        Rows past the bound stay pending and due, free for the next tick or another worker."""
        seconds = self._tick.total_seconds()
        cap = self._pacing.max_batches_per_tick * BATCH_SIZE
        limit = max(1, min(cap, int(self._pacing.workspace_per_second * seconds)))
        interval = self._pacing.channel_interval.total_seconds()
        turns = self._turns().total_seconds()
        per_recipient = max(1, int(turns / interval) + 1) if interval > 0 else limit
        return limit, per_recipient

    def _turns(self) -> timedelta:
        """How far into a tick a row may wait for its turn: the tick less room for the last
        post itself (and a new leader's pause), so that a busy recipient's tick is over
        before the next begins; one that overran would make the scheduler skip a tick."""
        room = max(TURN_ROOM, self._tick / 5)
        return max(self._tick - room, timedelta(0))

    def _forget_past(self, now: datetime) -> None:
        """Drop pacing and pause entries already over, so the maps stay small."""
        for times in (self._not_before, self._channel_next):
            for key in [key for key, moment in times.items() if moment <= now]:
                del times[key]

    async def _run_batch(self, rows: list[OutboxMessage]) -> TickReport:
        groups: dict[tuple[str, str], list[OutboxMessage]] = defaultdict(list)
        for row in rows:
            groups[(row.team_id, row.recipient)].append(row)
        gate = asyncio.Semaphore(self._pacing.concurrency)
        reports = await asyncio.gather(*(self._run_group(group, gate) for group in groups.values()))
        total = TickReport(claimed=len(rows))
        for one in reports:
            total.add(one)
        return total

    async def _run_group(
        self, rows: Iterable[OutboxMessage], gate: asyncio.Semaphore
    ) -> TickReport:
        """One recipient's rows, in due order; a failure here never stops other recipients."""
        report = TickReport()
        state = _RecipientState()
        async with gate:
            for row in rows:
                try:
                    await self._handle(row, state, report, gate)
                except self._store.errors as error:
                    self._unrecorded.append(f"{type(error).__name__}: {error}"[:200])
                except Exception:
                    # The row stays leased and is retried when the lease runs out.
                    log.exception("outbox row crashed id=%d kind=%s", row.id, row.kind)
        return report

    async def _handle(
        self,
        row: OutboxMessage,
        state: _RecipientState,
        report: TickReport,
        gate: asyncio.Semaphore,
    ) -> None:
        now = self._clock.now()
        if self._lead_lost:
            await self._give_back(row, report)
            return
        if state.send is None:
            try:
                state.client, state.send = await self._for_team(row.team_id)
            except WorkspaceGone:
                await self._gone(row, report)
                return
        renderer = self._renderers.get(row.kind)
        if renderer is None:
            await self._fail(row, f"unknown outbox kind {row.kind!r}", report)
            return
        if row.kind in self._nudge_kinds and is_user(row.recipient):
            if row.kind in await self._muted(row, state):
                await self._store.cancel_claimed(row, "muted by the recipient (Stop these)")
                report.skipped += 1
                return
            person = await self._person(row, state)
            snoozed = person.snoozed_until if person is not None else None
            if snoozed is not None and snoozed > now:
                await self._defer(row, snoozed, report)
                return
        if row.kind in self._quiet_kinds and is_user(row.recipient):
            allowed = next_allowed(now, await self._tz(row, state), await self._window(row, state))
            if allowed > now:
                await self._defer(row, allowed, report)
                return
        apply = self._appliers.get(row.kind)
        if apply is not None and row.applied_at is None:
            # The change this row stands for: made once, recorded on the row with it, so
            # every later try of this row skips straight to its message.
            try:
                wanted = await apply(row)
            except Exception:
                log.exception("outbox change raised id=%d kind=%s", row.id, row.kind)
                await self._retry(row, "change raised", report)
                return
            if not wanted:
                await self._skip(row, now, report)
                return
        try:
            delivery = await renderer(row)
        except WorkspaceGone:
            await self._gone(row, report)
            return
        except SlackApiError as error:
            # A refusal met while rendering is judged like one met while sending: a permanent
            # error (an archived channel) fails the row now instead of after every retry.
            log.warning("outbox renderer refused by Slack id=%d kind=%s", row.id, row.kind)
            await self._slack_refused(row, error, report)
            return
        except Exception:
            log.exception("outbox renderer raised id=%d kind=%s", row.id, row.kind)
            await self._retry(row, "renderer raised", report)
            return
        if delivery is None:
            await self._skip(row, now, report)
            return
        wait_until = self._blocked_until(delivery, now)
        in_tick = wait_until is not None and wait_until <= self._tick_end
        if wait_until is not None and in_tick and self._paused_until(delivery, now) is None:
            # Only the conversation's pace (one post a second): its turn comes within this
            # tick, so wait for it rather than for the next tick, without holding a slot.
            await self._wait_turn((wait_until - now).total_seconds(), gate)
            wait_until = self._paused_until(delivery, self._clock.now())
        if wait_until is not None:
            await self._defer(row, wait_until, report)
            return
        await self._deliver(row, delivery, report, state)

    async def _wait_turn(self, seconds: float, gate: asyncio.Semaphore) -> None:
        """Sleep while other recipients use this group's slot of the concurrency bound."""
        gate.release()
        try:
            await asyncio.sleep(seconds)
        finally:
            await gate.acquire()

    async def _for_team(self, team_id: str) -> tuple[AsyncWebClient, Send]:
        """The client and send for a workspace's rows (its own token with OAuth installs)."""
        if self._workspaces is None:
            return self._client, self._send
        client = await self._workspaces.outbox_client(team_id)
        known = self._sends.get(team_id)
        if known is not None and known[0] is client:
            return known
        found = (client, self._injected_send or SlackSend(client))
        self._sends[team_id] = found
        return found

    async def _gone(self, row: OutboxMessage, report: TickReport) -> None:
        """The workspace uninstalled mentorbot: cancelled, never retried into errors."""
        await self._store.cancel_claimed(row, UNINSTALLED)
        log.info("outbox row cancelled: workspace gone id=%d team=%s", row.id, row.team_id)
        report.skipped += 1

    async def _skip(self, row: OutboxMessage, now: datetime, report: TickReport) -> None:
        """The row's message is no longer warranted: done, with nothing sent."""
        await self._store.mark_sent(row, now)
        report.skipped += 1

    def _blocked_until(self, delivery: Delivery, now: datetime) -> datetime | None:
        """When this delivery may go, if not now: a method paused by 429, or channel pacing."""
        paused = self._paused_until(delivery, now)
        turn = self._channel_next.get(delivery.channel_or_user)
        later = [moment for moment in (paused, turn) if moment is not None and moment > now]
        return max(later) if later else None

    def _paused_until(self, delivery: Delivery, now: datetime) -> datetime | None:
        """When the methods this delivery calls may be called again after a 429, if not now."""
        times = [self._not_before.get(method) for method in methods_for(delivery)]
        later = [moment for moment in times if moment is not None and moment > now]
        return max(later) if later else None

    async def _deliver(
        self, row: OutboxMessage, delivery: Delivery, report: TickReport, state: _RecipientState
    ) -> None:
        send = state.send or self._send
        if row.maybe_posted_since is not None:
            # An earlier claim ended with no outcome: its post may be in Slack already.
            decided, posted = await self._look_up(
                row, delivery, row.maybe_posted_since, report, send
            )
            if not decided:
                return
            if posted is not None:
                await self._sent(row, delivery, *posted, report, already=True)
                return

        async def paced() -> None:
            # Right before the post leaves (after a DM is opened, say): a token taken before a
            # round trip let the posts behind it arrive bunched onto Slack's bucket. And the
            # conversation's pace is stamped from here: stamped when the row was judged, a post
            # that waited late in one tick and one sent early in the next came too close.
            await self._bucket.take()
            # The last moment before the post: a leader that lost its lock since the tick
            # began (a dropped connection, a failover) must not post what another now claims.
            if not await self._store.holds_outbox_lead():
                raise LeadLost
            self._channel_next[delivery.channel_or_user] = (
                self._clock.now() + self._pacing.channel_interval
            )

        try:
            channel, ts = await send.post(delivery, row.id, paced)
        except LeadLost:
            self._lead_lost = True
            await self._give_back(row, report)
            return
        except SlackApiError as error:
            failure = slack_failure(error)
            if failure.method == POST_MESSAGE and failure.status >= 500:
                # Slack may have posted it before failing: the next try looks first.
                await self._retry(row, failure.summary, report, failure.error, unsure=True)
                return
            await self._slack_refused(row, error, report)
            return
        except (aiohttp.ClientError, TimeoutError) as error:
            # The post may have reached Slack with only its answer lost: look first next time.
            await self._retry(row, f"network {type(error).__name__}", report, unsure=True)
            return
        await self._sent(row, delivery, channel, ts, report)

    async def _look_up(
        self,
        row: OutboxMessage,
        delivery: Delivery,
        since: datetime,
        report: TickReport,
        send: Send,
    ) -> tuple[bool, tuple[str, str] | None]:
        """Find the row's earlier post in Slack: (True, its channel and ts), (True, None) when
        Slack has none, or (False, None) when the lookup failed and the row was put back to
        try again later: a failed lookup never posts blind."""
        method = READ_THREAD if delivery.thread_ts else READ_HISTORY
        now = self._clock.now()
        paused = self._not_before.get(method)
        if paused is not None and paused > now:
            await self._defer(row, paused, report)
            return False, None
        try:
            return True, await send.find(delivery, row.id, since)
        except SlackApiError as error:
            failure = slack_failure(error)
            if failure.status == 200 and failure.error in UNREADABLE:
                log.warning(
                    "outbox lookup impossible id=%d error=%s; posting", row.id, failure.summary
                )
                return True, None
            log.warning("outbox lookup failed id=%d error=%s", row.id, failure.summary)
            await self._slack_refused(row, error, report)
        except (aiohttp.ClientError, TimeoutError, LookupUnsure) as error:
            log.warning("outbox lookup failed id=%d error=%s", row.id, type(error).__name__)
            await self._retry(row, f"lookup {type(error).__name__}", report)
        return False, None

    async def _sent(
        self,
        row: OutboxMessage,
        delivery: Delivery,
        channel: str,
        ts: str,
        report: TickReport,
        *,
        already: bool = False,
    ) -> None:
        await self._store.mark_sent(row, self._clock.now())
        report.sent += 1
        if already:
            report.found += 1
            log.info(
                "outbox row already in Slack id=%d kind=%s; not posted again", row.id, row.kind
            )
        if delivery.on_sent is not None:
            try:
                await delivery.on_sent(channel, ts)
            except Exception:
                # Sent is sent: retrying would post it twice.
                log.exception("outbox on_sent failed id=%d kind=%s", row.id, row.kind)

    async def _slack_refused(
        self, row: OutboxMessage, error: SlackApiError, report: TickReport
    ) -> None:
        failure = slack_failure(error)
        if failure.status == 200 and failure.error in WORKSPACE_GONE:
            # Uninstalled (or revoked) before this process heard of it.
            await self._gone(row, report)
        elif failure.status == 429:
            # Honour Retry-After for the whole method, and don't count it as an attempt.
            resume = self._clock.now() + timedelta(seconds=failure.retry_after or 1.0)
            current = self._not_before.get(failure.method)
            self._not_before[failure.method] = max(resume, current) if current else resume
            log.warning(
                "outbox rate limited method=%s retry_after=%s id=%d",
                failure.method,
                failure.retry_after,
                row.id,
            )
            await self._defer(row, resume, report, failure.summary)
        elif failure.status == 200 and failure.error in PERMANENT_ERRORS:
            await self._fail(row, failure.summary, report, failure.error)
        else:
            await self._retry(row, failure.summary, report, failure.error)

    async def _retry(
        self,
        row: OutboxMessage,
        error: str,
        report: TickReport,
        slack_error: str | None = None,
        *,
        unsure: bool = False,
    ) -> None:
        """Back off and try again later, or give up after max_attempts. `unsure`: the post's
        outcome is unknown, so the next try looks for it in Slack first."""
        if row.attempts >= self._max_attempts:
            await self._fail(row, error, report, slack_error)
            return
        due = self._clock.now() + backoff(row.attempts, self._rng)
        if unsure:
            await self._store.reschedule_unsure(row, due, error)
        else:
            await self._store.reschedule(row, due, error)
        report.retried += 1

    async def _give_back(self, row: OutboxMessage, report: TickReport) -> None:
        """The lead was lost before this row was posted: pending again as it was, so the new
        leader sends it without waiting out a lease (the row was not posted by this claim)."""
        await self._defer(row, row.due_at, report)
        self._put_back += 1

    async def _defer(
        self, row: OutboxMessage, due: datetime, report: TickReport, error: str | None = None
    ) -> None:
        await self._store.defer(row, due, error)
        report.deferred += 1

    async def _fail(
        self, row: OutboxMessage, error: str, report: TickReport, slack_error: str | None = None
    ) -> None:
        await self._store.mark_failed(row, error)
        log.error("outbox row failed id=%d kind=%s error=%s", row.id, row.kind, error)
        report.failed += 1
        hook = self._on_failed.get(row.kind)
        if hook is not None:
            try:
                await hook(row, slack_error)
            except Exception:
                # The row is failed either way; the hook only tells people about it.
                log.exception("outbox on_failed hook raised id=%d kind=%s", row.id, row.kind)

    # -- the recipient: snooze, "Stop these", quiet hours ------------------------------------

    async def _person(self, row: OutboxMessage, state: _RecipientState) -> Person | None:
        if not state.person_loaded:
            state.person = await self._store.get_person(row.team_id, row.recipient)
            state.person_loaded = True
        return state.person

    async def _muted(self, row: OutboxMessage, state: _RecipientState) -> frozenset[str]:
        if state.muted is None:
            state.muted = await self._store.muted_kinds(row.team_id, row.recipient)
        return state.muted

    async def _tz(self, row: OutboxMessage, state: _RecipientState) -> str | None:
        """The recipient's time zone, by bot.time_zones' one cache policy."""
        if state.looked_up:
            return state.tz
        state.looked_up = True
        now = self._clock.now()
        person = await self._person(row, state)
        state.tz = await cached_tz(person, now, lambda: self._lookup_tz(row, now, state))
        return state.tz

    async def _lookup_tz(
        self, row: OutboxMessage, now: datetime, state: _RecipientState
    ) -> str | None:
        paused = self._not_before.get(USERS_INFO)
        if paused is not None and paused > now:
            return None
        try:
            answer = await (state.client or self._client).users_info(user=row.recipient)
        except SlackApiError as error:
            failure = slack_failure(error)
            if failure.status == 429:
                self._not_before[USERS_INFO] = now + timedelta(seconds=failure.retry_after or 1)
            log.warning("users.info failed id=%d error=%s; using UTC", row.id, failure.summary)
            return None
        except (aiohttp.ClientError, TimeoutError) as error:
            log.warning("users.info failed id=%d error=%s; using UTC", row.id, type(error).__name__)
            return None
        user = answer.get("user")
        tz = user.get("tz") if isinstance(user, dict) else None
        if isinstance(tz, str) and tz:
            await self._store.upsert_person(row.team_id, row.recipient, tz=tz, now=now)
            return tz
        return None

    async def _window(self, row: OutboxMessage, state: _RecipientState) -> WorkingHours:
        """The recipient's working hours by the one rule (bot.working_hours)."""
        if row.team_id not in state.windows:
            profile = await self._store.get_profile(row.team_id, row.recipient)
            workspace = await self._store.get_workspace_settings(row.team_id)
            state.windows[row.team_id] = working_hours(profile, workspace)
        return state.windows[row.team_id]
