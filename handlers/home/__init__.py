"""App Home: the Home tab and its buttons."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers import ids
from handlers.home import actions


def register(app: AsyncApp) -> None:
    """The Home tab's buttons (app_home_opened is in handlers/events)."""
    app.action(ids.HOME_ACCEPT)(actions.home_accept)
    app.action(ids.HOME_OFFER_TIMES)(actions.home_offer_times)
    app.action(ids.HOME_CANCEL_REQUEST)(actions.home_cancel)
    app.action(ids.HOME_ASK)(actions.home_ask)
    app.action(ids.HOME_PROFILE)(actions.home_profile)
