"""What a kind of timed message is: how it renders, and which outbox rules apply to it.

Each feature in handlers/ declares its kinds in a `KINDS` dict; handlers/outbox.py merges
them into the registry the dispatcher uses.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.delivery import Delivery
from bot.settings import Settings
from storage.models import OutboxMessage
from storage.store import Store


@dataclass(frozen=True)
class OutboxDeps:
    """What a renderer may use: it reads current state, and may look things up in Slack."""

    store: Store
    settings: Settings
    clock: Clock
    client: AsyncWebClient  # the app's client, with slack_sdk's retries, for lookups


# Renders a row from the current state; None means "no longer warranted, skip it". It only
# reads: a change the row stands for is its kind's `apply`.
KindRenderer = Callable[[OutboxMessage, OutboxDeps], Awaitable[Delivery | None]]
# Makes the change a row stands for (expire, escalate, re-post, ask a check-in), once: one
# conditional update that records the row as applied in the same transaction (the store's
# `effects=Effects(row_id=row.id, …)`), with the rows for its other effects. True means the
# row's message is still wanted; False that the subject moved on and the row is skipped. The
# dispatcher calls it until one call has recorded the row as applied, never after.
KindApply = Callable[[OutboxMessage, OutboxDeps], Awaitable[bool]]
# Told when a row of this kind failed for good, with Slack's error name if Slack refused.
KindFailed = Callable[[OutboxMessage, str | None, OutboxDeps], Awaitable[None]]


@dataclass(frozen=True)
class Kind:
    """One kind of timed message."""

    render: KindRenderer
    apply: KindApply | None = None  # the change this row stands for, made once
    quiet: bool = True  # waits for the recipient's working hours (session reminders don't)
    nudge: bool = False  # snooze and "Stop these" apply; the message carries those buttons
    on_failed: KindFailed | None = None  # who to tell when it can never be sent
