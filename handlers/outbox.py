"""The outbox's registry: every feature's kinds of timed message, merged in one place.

Each feature declares `KINDS: dict[str, Kind]` next to its handlers; the dispatcher in
bot/outbox.py looks kinds up here and never knows Block Kit.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.delivery import Apply, Delivery, OnFailed, Renderer, Renderers
from bot.kinds import Kind, KindApply, KindFailed, KindRenderer, OutboxDeps
from handlers.booking.reminders import KINDS as BOOKING_KINDS
from handlers.intros.followups import KINDS as INTRO_KINDS
from handlers.notes.kinds import KINDS as NOTES_KINDS
from handlers.requests.nudges import KINDS as REQUEST_KINDS
from storage.models import OutboxMessage

# One line per feature.
FEATURE_KINDS: tuple[Mapping[str, Kind], ...] = (
    REQUEST_KINDS,
    BOOKING_KINDS,
    INTRO_KINDS,
    NOTES_KINDS,
)


def kinds() -> dict[str, Kind]:
    """Every kind, by name; two features claiming one name is a programming error."""
    merged: dict[str, Kind] = {}
    for feature in FEATURE_KINDS:
        clash = merged.keys() & feature.keys()
        if clash:
            raise ValueError(f"outbox kinds declared twice: {sorted(clash)}")
        merged.update(feature)
    return merged


def _bind(render: KindRenderer, deps: OutboxDeps) -> Renderer:
    async def renderer(row: OutboxMessage) -> Delivery | None:
        return await render(row, deps)

    return renderer


def renderers(deps: OutboxDeps) -> Renderers:
    """The registry the dispatcher uses, each renderer bound to the bot's dependencies."""
    return {name: _bind(kind.render, deps) for name, kind in kinds().items()}


def _bind_apply(apply: KindApply, deps: OutboxDeps) -> Apply:
    async def applier(row: OutboxMessage) -> bool:
        return await apply(row, deps)

    return applier


def appliers(deps: OutboxDeps) -> dict[str, Apply]:
    """The kinds that stand for a change (made once, before their message), bound likewise."""
    return {
        name: _bind_apply(kind.apply, deps)
        for name, kind in kinds().items()
        if kind.apply is not None
    }


def _bind_failed(hook: KindFailed, deps: OutboxDeps) -> OnFailed:
    async def on_failed(row: OutboxMessage, slack_error: str | None) -> None:
        await hook(row, slack_error, deps)

    return on_failed


def failure_hooks(deps: OutboxDeps) -> dict[str, OnFailed]:
    """The kinds that tell someone when a row fails for good, bound like the renderers."""
    return {
        name: _bind_failed(kind.on_failed, deps)
        for name, kind in kinds().items()
        if kind.on_failed is not None
    }


def quiet_kinds() -> frozenset[str]:
    """Kinds that wait for the recipient's working hours."""
    return frozenset(name for name, kind in kinds().items() if kind.quiet)


def nudge_kinds() -> frozenset[str]:
    """Kinds that snooze and "Stop these" apply to."""
    return frozenset(name for name, kind in kinds().items() if kind.nudge)
