"""The outbox's renderers: one function per timed-message kind, rendering from current state.

Each later feature (nudges, reminders, check-ins) adds its kind here; the dispatcher in
bot/outbox.py looks kinds up in this registry and never knows Block Kit.
"""

from __future__ import annotations

from bot.delivery import Renderer, Renderers

RENDERERS: dict[str, Renderer] = {}

# Kinds that wait for the recipient's working hours (session reminders are not among them).
QUIET_KINDS: frozenset[str] = frozenset()


def renderers() -> Renderers:
    """The registry the dispatcher uses (a copy, so nothing mutates it behind its back)."""
    return dict(RENDERERS)
