"""What the outbox should send about a request later, enqueued when the request moves.

Rows are planned when a request is made (and when it goes to the pool); their renderers in
nudges.py decide at send time, from the current state, whether each is still warranted.
Dedupe keys name the request and the step, so planning twice never sends twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from bot.settings import Settings
from bot.workspace import workspace_settings
from storage.models import Request, RequestStatus, SubjectType, WorkspaceSettings
from storage.outbox import Planned, Stop
from storage.store import Store
from storage.timefmt import format_time

NUDGE = "request.nudge"  # to the named mentor: still unanswered
ESCALATE = "request.escalate"  # acts on the pool: the request goes wider
ESCALATED = "request.escalated"  # to the mentee: it went wider, and where
COORDINATOR = "request.coordinator"  # to each coordinator: nobody has taken it
REPOST = "request.pool_repost"  # acts on the pool: re-post an unclaimed request
EXPIRE = "request.expire"  # to the mentee: closed after too long, kindly
DELIVER = "request.deliver"  # to the mentor or the pool: a first delivery Slack refused
POOL_POST = "request.pool_post"  # to the pool channel: the request, with I can help
MENTIONS = "request.pool_mentions"  # in the pool post's thread: the matched mentors
INVITE = "request.invite"  # to one matched mentor (no pool channel): the request by DM
UPDATE = "request.update"  # rewrites one of the request's earlier messages (chat.update)
OFFER_LAPSE = "request.offer_lapse"  # acts on an anonymous ask: an unanswered offer lapses
OFFER_ANSWERED = "request.offer_answered"  # to the offering mentor: revealed to, or turned down
CONFIRM = "request.confirm"  # to the mentee: the confirmation Slack refused when it was made
BOOK_NUDGE = "request.book_nudge"  # to the helper: taken, and still no time offered or booked

# Recipient of rows that act on the pool rather than DM someone (never a Slack id, so quiet
# hours don't hold them back).
POOL = "pool"


def step_key(request_id: int, step: str) -> str:
    """A dedupe key that names the request and the step, so planning twice never sends twice."""
    return f"request:{request_id}:{step}"


def planned(
    request: Request,
    kind: str,
    recipient: str,
    due: datetime,
    key: str,
    payload: dict[str, str] | None = None,
) -> Planned:
    """A row about this request; its dedupe key names the request and the step."""
    return Planned(
        request.team_id,
        kind,
        recipient,
        due,
        step_key(request.id, key),
        SubjectType.REQUEST,
        request.id,
        payload,
    )


def unclaimed_in_pool(request: Request) -> bool:
    """Open, with no named mentor and nobody who offered to help yet (an anonymous ask's
    waiting offer counts: it is in the mentee's hands)."""
    return (
        request.status is RequestStatus.OPEN
        and request.mentor_id is None
        and request.claimed_by is None
        and request.offered_by is None
    )


def _hours(count: int) -> timedelta:
    return timedelta(hours=count)


def followup_rows(workspace: WorkspaceSettings, request: Request) -> list[Planned]:
    """Nudge and escalation for a named mentor, a re-post for the pool, and expiry for both."""
    start = request.created_at
    rows: list[Planned] = []
    if request.mentor_id is not None:
        mentor = request.mentor_id
        due = start + _hours(workspace.nudge_after_hours)
        rows.append(planned(request, NUDGE, mentor, due, nudge_key(mentor)))
        due = start + _hours(workspace.escalate_after_hours)
        payload = {"mentor": mentor}
        rows.append(planned(request, ESCALATE, POOL, due, f"escalate:{mentor}", payload))
    else:
        rows.append(repost_row(workspace, request, start))
    due = start + _hours(workspace.expire_after_hours)
    rows.append(planned(request, EXPIRE, request.mentee_id, due, "expire"))
    return rows


def new_request_rows(workspace: WorkspaceSettings, request: Request) -> list[Planned]:
    """What a new request plans, stored with it in one transaction: its follow-ups, and the
    first delivery's safety net (the delivery and the mentee's confirmation, each cancelled
    or skipped once it got there), so a process stopped mid-delivery leaves it to the outbox.
    The confirmation comes a minute after the delivery's row, to say whether it got there."""
    start = request.created_at
    later = start + REDELIVER_AFTER
    safety_net = [redelivery_row(request, start), confirmation_row(request, later, pending=True)]
    return followup_rows(workspace, request) + safety_net


async def plan_new_request(
    store: Store, settings: Settings, team_id: str
) -> Callable[[Request], list[Planned]]:
    """new_request_rows with the workspace's timings, for the transaction that stores it."""
    workspace = await workspace_settings(store, settings, team_id)
    return partial(new_request_rows, workspace)


async def schedule_new_request(
    store: Store, settings: Settings, request: Request, now: datetime
) -> None:
    """The follow-ups of a request stored without them (rows already planned stay)."""
    workspace = await workspace_settings(store, settings, request.team_id)
    for row in followup_rows(workspace, request):
        await store.enqueue_planned(row, now)


def book_nudge_row(
    workspace: WorkspaceSettings, team_id: str, request_id: int, helper_id: str, now: datetime
) -> Planned:
    """Planned with an accept or a claim: if no time is offered or booked by the nudge's
    usual delay, the helper hears so (its renderer decides, then)."""
    due = now + _hours(workspace.nudge_after_hours)
    key = step_key(request_id, f"book-nudge:{helper_id}")
    return Planned(team_id, BOOK_NUDGE, helper_id, due, key, SubjectType.REQUEST, request_id)


def nudge_key(mentor_id: str) -> str:
    """The step's name in the dedupe key of the named mentor's nudge."""
    return f"nudge:{mentor_id}"


def escalation_after_nudge(
    workspace: WorkspaceSettings, request: Request, mentor_id: str, nudged_at: datetime
) -> Planned:
    """The escalation again, as long after the mentor's nudge as the settings put it after the
    request: the nudge waited for the mentor's working hours, and so does the mentor's turn."""
    gap = _hours(max(workspace.escalate_after_hours - workspace.nudge_after_hours, 0))
    key = f"escalate:{mentor_id}:after:{format_time(nudged_at)}"
    return planned(request, ESCALATE, POOL, nudged_at + gap, key, {"mentor": mentor_id})


# Longer than the first delivery may take (FIRST_TRY_SECONDS in submit.py), so the outbox
# never sends while it is still under way; the outbox's backoff then spreads the tries.
REDELIVER_AFTER = timedelta(minutes=1)


def redelivery_row(request: Request, start: datetime) -> Planned:
    """The request's delivery from the outbox, which retries until Slack takes it (cancelled,
    or skipped by its renderer, once the first delivery got there)."""
    recipient = request.mentor_id or POOL
    return planned(request, DELIVER, recipient, start + REDELIVER_AFTER, "deliver")


def confirmation_row(request: Request, start: datetime, *, pending: bool) -> Planned:
    """The mentee's confirmation from the outbox (skipped once they have one); `pending`: the
    delivery may still be retried, and the DM says so while it is."""
    payload = {"pending": "yes" if pending else ""}
    due = start + REDELIVER_AFTER
    return planned(request, CONFIRM, request.mentee_id, due, "confirm", payload)


async def schedule_redelivery(store: Store, request: Request, now: datetime) -> None:
    """Plan redelivery_row from now, if it isn't planned yet."""
    await store.enqueue_planned(redelivery_row(request, now), now)


async def schedule_confirmation(
    store: Store, request: Request, now: datetime, *, pending: bool
) -> None:
    """Plan confirmation_row from now, if it isn't planned yet."""
    await store.enqueue_planned(confirmation_row(request, now, pending=pending), now)


def repost_row(workspace: WorkspaceSettings, request: Request, start: datetime) -> Planned:
    """One re-post (and a word to the coordinators) if the pool leaves it unclaimed."""
    due = start + _hours(workspace.pool_repost_after_hours)
    return planned(request, REPOST, POOL, due, "repost")


async def schedule_pool_repost(
    store: Store, workspace: WorkspaceSettings, request: Request, start: datetime, now: datetime
) -> None:
    """Enqueue the re-post planned by repost_row."""
    await store.enqueue_planned(repost_row(workspace, request, start), now)


def escalation_rows(
    workspace: WorkspaceSettings,
    request: Request,
    mentor_id: str,
    invited: list[str] | None,
    now: datetime,
    channel: str | None = None,
) -> list[Planned]:
    """After the escalation: tell the mentee and the coordinators, and plan the pool re-post.
    `invited` None means it had nowhere else to go and stayed with the mentor; `channel` is the
    pool channel it went to."""
    payload = {"mentor": mentor_id}
    if invited is not None:
        payload["invited"] = ",".join(invited)
    if channel:
        payload["channel"] = channel
    rows = [planned(request, ESCALATED, request.mentee_id, now, "escalated", payload)]
    rows += coordinator_rows(workspace, request, "escalated", now)
    if invited is not None:
        rows.append(repost_row(workspace, request, now))
    return rows


def coordinator_rows(
    workspace: WorkspaceSettings, request: Request, reason: str, now: datetime
) -> list[Planned]:
    """A DM to each coordinator (if any are set) saying nobody has taken the request."""
    return [
        planned(
            request, COORDINATOR, person, now, f"coordinator:{reason}:{person}", {"reason": reason}
        )
        for person in workspace.coordinators
        if person != request.mentee_id
    ]


def repost_after_offer_row(
    workspace: WorkspaceSettings, request: Request, now: datetime
) -> Planned:
    """An anonymous ask's offer ended unanswered or turned down: back in the pool, it may need
    a re-post again, counted from now (the one planned before may have passed meanwhile)."""
    due = now + _hours(workspace.pool_repost_after_hours)
    return planned(request, REPOST, POOL, due, f"repost:after-offer:{format_time(now)}")


def pending_reposts(request: Request) -> tuple[Stop]:
    """The request's unsent re-posts, which the one repost_after_offer_row plans replaces (or
    the pool would be re-posted once for each)."""
    return (Stop(SubjectType.REQUEST, request.id, REPOST),)


# How a row of OFFER_ANSWERED says the mentee answered.
REVEALED = "revealed"
KEPT_WAITING = "kept_waiting"


def offer_answered_row(request: Request, mentor_id: str, answer: str, now: datetime) -> Planned:
    """The mentor hears the mentee's answer to their offer (sent once the answer is stored)."""
    stamp = format_time(now)
    payload = {"answer": answer, "at": stamp}
    key = f"offer-answered:{mentor_id}:{stamp}"
    return planned(request, OFFER_ANSWERED, mentor_id, now, key, payload)


async def offer_lapse_row(
    store: Store, settings: Settings, request: Request, mentor_id: str, now: datetime
) -> Planned:
    """An offer on an anonymous ask waits for the mentee's answer as long as an unclaimed
    pool post waits for its re-post; then it lapses (the row names the offer it ends)."""
    workspace = await workspace_settings(store, settings, request.team_id)
    due = now + _hours(workspace.pool_repost_after_hours)
    stamp = format_time(now)
    payload = {"mentor": mentor_id, "offered_at": stamp}
    return planned(request, OFFER_LAPSE, POOL, due, f"offer-lapse:{mentor_id}:{stamp}", payload)


def closed_offer_row(request: Request, mentor_id: str, now: datetime) -> Planned:
    """The request closed while an offer waited: the offer's lapse, due now, tells the mentor
    (planned after the closing cancelled the request's unsent rows, the first lapse with them)."""
    payload = {"mentor": mentor_id, "offered_at": format_time(request.updated_at)}
    return planned(request, OFFER_LAPSE, POOL, now, f"offer-lapse:{mentor_id}:closed", payload)


async def schedule_sent_to_pool(
    store: Store, settings: Settings, request: Request, now: datetime
) -> None:
    """The mentee sent a declined request to the pool: it may need a re-post too."""
    workspace = await workspace_settings(store, settings, request.team_id)
    await schedule_pool_repost(store, workspace, request, now, now)
