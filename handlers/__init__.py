"""Slack-facing listeners. `register(app)` is the one place that knows every surface."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers import (
    admin,
    booking,
    commands,
    directory,
    events,
    fallback,
    home,
    intros,
    notes,
    privacy,
    requests,
    snooze,
)


def register(app: AsyncApp) -> None:
    """Attach every listener; the catch-alls go last because Bolt runs the first match."""
    # Bolt tries listeners in order, building every matcher's arguments reflectively: channel
    # messages, by far the most frequent request, go first, then `/mentor`, then the rest.
    requests.register_messages(app)
    commands.register(app)
    events.register(app)
    requests.register(app)
    directory.register(app)
    snooze.register(app)
    booking.register(app)
    home.register(app)
    intros.register(app)
    notes.register(app)
    admin.register(app)
    privacy.register(app)
    fallback.register(app)
