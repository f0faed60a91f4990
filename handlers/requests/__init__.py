"""Requests: catching asks, the request modal, routing, and the lifecycle buttons."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.requests import actions, ask, detect, submit


def register_messages(app: AsyncApp) -> None:
    """The channel-message listener: the hot path, so handlers.register() puts it first."""
    detect.register(app)


def register(app: AsyncApp) -> None:
    """Attach every other request listener."""
    ask.register(app)
    submit.register(app)
    actions.register(app)
