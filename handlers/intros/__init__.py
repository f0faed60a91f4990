"""Warm introductions (issue 8): the intro modal, the expert's double opt-in, the group DM,
Book time and the follow-up."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers import ids


def register(app: AsyncApp) -> None:
    """Every intro button and the intro modal, App Home's Introduce people included."""
    # Imported here: handlers/requests/actions.py imports handlers.intros.modal_open, so this
    # package must not pull in handlers.requests (or handlers.home) while it loads.
    from handlers.intros import answer, connected, entry, submit

    app.view(ids.INTRO_MODAL)(submit.intro_submitted)
    app.action(ids.INTRO_EXPERT_ACTION)(entry.expert_chosen)
    app.action(ids.HOME_INTRO)(entry.home_intro)
    app.action(ids.INTRO_SUGGEST)(entry.suggest_again_clicked)
    app.action(ids.INTRO_ACCEPT)(answer.accept)
    app.action(ids.INTRO_DECLINE)(answer.decline)
    app.action(ids.INTRO_BOOK)(answer.book)
    for action_id in connected.ANSWERS:
        app.action(action_id)(connected.followup_answered)
