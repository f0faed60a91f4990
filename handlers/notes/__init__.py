"""Notes, action plans, check-ins and ongoing relationships (issue 7)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers import ids
from handlers.notes import checkins, history, items, pick, relationships, save, share


def register(app: AsyncApp) -> None:
    """The notes modal, the plan's buttons, check-in answers and the 1:1 controls
    (`/mentor notes` is in the command table; Log notes from booking calls entry.py)."""
    app.view(ids.NOTES_MODAL)(save.notes_submitted)
    app.action(ids.ITEM_DONE)(items.item_done_clicked)
    app.action(ids.ITEM_SNOOZE_WEEK)(items.item_snooze_clicked)
    app.action(ids.HOME_ITEM_DONE)(items.home_item_done)
    app.action(ids.CHECKIN_ALL_DONE)(checkins.all_done_clicked)
    app.action(ids.CHECKIN_STILL_WORKING)(checkins.still_working_clicked)
    app.action(ids.CHECKIN_ANOTHER_CHAT)(checkins.another_chat_clicked)
    app.action(ids.RELATIONSHIP_BOOK)(relationships.book_clicked)
    app.action(ids.RELATIONSHIP_PAUSE)(relationships.pause_clicked)
    app.action(ids.RELATIONSHIP_RESUME)(relationships.resume_clicked)
    app.action(ids.RELATIONSHIP_END)(relationships.end_clicked)
    app.view(ids.RELATIONSHIP_END_MODAL)(relationships.end_submitted)
    app.action(ids.NOTES_PAGE)(history.notes_page_clicked)
    app.action(ids.NOTES_LOG)(history.notes_log_clicked)
    app.action(ids.NOTES_EDIT)(history.notes_edit_clicked)
    app.action(ids.PLAN_RESEND)(share.plan_resend_clicked)
    app.action(ids.HOME_LOG_NOTES)(pick.home_log_notes)
    app.view(ids.NOTES_PICK_MODAL)(pick.pick_submitted)
