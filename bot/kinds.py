"""What a kind of timed message is: how it renders, and which outbox rules apply to it.

Each feature in handlers/ declares its kinds in a `KINDS` dict; handlers/__init__.py merges
them, and the functions below bind them to the bot's dependencies for the dispatcher.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.delivery import Apply, Delivery, OnFailed, Renderer, Renderers
from bot.installs import Workspaces
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
    workspaces: Workspaces | None = None  # with OAuth installs, each workspace's token

    async def slack(self, team_id: str) -> AsyncWebClient:
        """The client for lookups in this workspace (its own token with OAuth installs);
        WorkspaceGone if it uninstalled mentorbot."""
        if self.workspaces is None or self.workspaces.single:
            return self.client
        return await self.workspaces.client(team_id)


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
# A chain of timed messages (each row sent plans the next), planned again for a workspace that
# installed mentorbot again: the uninstall cancelled its waiting link. Returns the rows planned.
PlanAgain = Callable[[str, OutboxDeps], Awaitable[int]]


@dataclass(frozen=True)
class Kind:
    """One kind of timed message."""

    render: KindRenderer
    apply: KindApply | None = None  # the change this row stands for, made once
    quiet: bool = True  # waits for the recipient's working hours (session reminders don't)
    nudge: bool = False  # snooze and "Stop these" apply; the message carries those buttons
    on_failed: KindFailed | None = None  # who to tell when it can never be sent


def _bind(render: KindRenderer, deps: OutboxDeps) -> Renderer:
    async def renderer(row: OutboxMessage) -> Delivery | None:
        return await render(row, deps)

    return renderer


def renderers(kinds: Mapping[str, Kind], deps: OutboxDeps) -> Renderers:
    """The registry the dispatcher uses, each renderer bound to the bot's dependencies."""
    return {name: _bind(kind.render, deps) for name, kind in kinds.items()}


def _bind_apply(apply: KindApply, deps: OutboxDeps) -> Apply:
    async def applier(row: OutboxMessage) -> bool:
        return await apply(row, deps)

    return applier


def appliers(kinds: Mapping[str, Kind], deps: OutboxDeps) -> dict[str, Apply]:
    """The kinds that stand for a change (made once, before their message), bound likewise."""
    return {
        name: _bind_apply(kind.apply, deps)
        for name, kind in kinds.items()
        if kind.apply is not None
    }


def _bind_failed(hook: KindFailed, deps: OutboxDeps) -> OnFailed:
    async def on_failed(row: OutboxMessage, slack_error: str | None) -> None:
        await hook(row, slack_error, deps)

    return on_failed


def failure_hooks(kinds: Mapping[str, Kind], deps: OutboxDeps) -> dict[str, OnFailed]:
    """The kinds that tell someone when a row fails for good, bound like the renderers."""
    return {
        name: _bind_failed(kind.on_failed, deps)
        for name, kind in kinds.items()
        if kind.on_failed is not None
    }


def quiet_kinds(kinds: Mapping[str, Kind]) -> frozenset[str]:
    """Kinds that wait for the recipient's working hours."""
    return frozenset(name for name, kind in kinds.items() if kind.quiet)


def nudge_kinds(kinds: Mapping[str, Kind]) -> frozenset[str]:
    """Kinds that snooze and "Stop these" apply to."""
    return frozenset(name for name, kind in kinds.items() if kind.nudge)
