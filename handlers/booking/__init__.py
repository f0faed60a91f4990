"""Booking time: offer slots, pick one, confirm, reschedule or cancel (issue 6)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers import ids


def register(app: AsyncApp) -> None:
    """Every booking button and modal."""
    # Imported here: the listeners use handlers.requests, which must load after
    # handlers.commands (handlers/__init__ imports this package first, alphabetically).
    from handlers.booking import manage, offer, pick

    app.action(ids.OFFER_TIMES)(offer.offer_times_clicked)
    app.action(ids.SLOTS_NONE_WORK)(offer.none_work_clicked)
    app.view(ids.OFFER_MODAL)(offer.offer_submitted)
    app.view(ids.PROPOSE_MODAL)(offer.propose_submitted)
    app.action(ids.SLOT_PICK)(pick.pick_clicked)
    app.action(ids.SESSION_RESCHEDULE)(manage.reschedule_clicked)
    app.action(ids.SESSION_CANCEL)(manage.cancel_clicked)
    app.view(ids.SESSION_CANCEL_MODAL)(manage.cancel_submitted)
    app.action(ids.SESSION_LOG_NOTES)(manage.log_notes_clicked)
    app.action(ids.SESSION_HELD)(manage.held_clicked)
    app.action(ids.SESSION_MOVED)(manage.moved_clicked)
    app.action(ids.SESSION_MISSED)(manage.missed_clicked)
