"""The mentee's answers to "How was it?": a rating, and Say thanks with its modal.

Only the session's mentee may press these; anyone else is told "This isn't yours". A second
rating replaces the first (a misclick is easy to fix). Thanks go once per session: the note
to the mentor by DM, and to the kudos channel only if the mentee ticked the box, both through
the outbox (handlers/feedback/thanks.py).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.workspace import workspace_settings
from handlers import ids
from handlers.blocks.feedback import (
    RATING_ACTIONS,
    build_feedback_ask,
    build_thanks_modal,
    build_thanks_sent,
    read_thanks,
    read_thanks_metadata,
)
from handlers.feedback.schedule import feedback_key
from handlers.feedback.thanks import thanks_rows
from handlers.kit import NOT_YOURS, Click, Submission, on_click, on_submit, try_update
from storage.feedback import Feedback
from storage.store import Store

log = logging.getLogger(__name__)

TURNED_OFF = "Session feedback is turned off in this workspace, so I didn't record that."
ALREADY_THANKED = "You've already thanked them for this session. Thank you!"
NOT_SENT = "I couldn't find that session of yours, so nothing was sent."


async def _own_feedback(click: Click) -> Feedback | None:
    """The pressed session's feedback if the presser is its mentee and the feature is on;
    tells them otherwise."""
    pressed = click.pressed
    feedback = await click.store.get_feedback(pressed.team_id, pressed.target_id)
    if feedback is None or feedback.mentee_id != pressed.user_id:
        await click.tell(NOT_YOURS)
        return None
    workspace = await workspace_settings(click.store, click.settings, pressed.team_id)
    if not workspace.feedback_enabled:
        await click.tell(TURNED_OFF)
        return None
    return feedback


@on_click("feedback")
async def rating_clicked(click: Click) -> None:
    """Really helpful, Somewhat or Not really: stored, and the message shows which counts."""
    rating = RATING_ACTIONS.get(click.action_id)
    feedback = await _own_feedback(click)
    if feedback is None or rating is None:
        return
    store, team_id = click.store, feedback.team_id
    rated = await store.rate_session(
        team_id, feedback.session_id, feedback.mentee_id, rating, click.clock.now()
    )
    if rated is None:  # pragma: no cover - the row was read just above and is never deleted
        await click.tell(NOT_YOURS)
        return
    thanked = await store.get_thanks(team_id, rated.session_id, rated.mentee_id)
    message = build_feedback_ask(rated, None, thanked=thanked is not None)
    await click.respond(replace_original=True, **message)
    # Ids only: the rating itself stays out of the logs.
    log.info("session rated session=%d", rated.session_id)


@on_click("feedback")
async def thanks_clicked(click: Click) -> None:
    """Say thanks: the note modal, with the share box if a kudos channel is set."""
    feedback = await _own_feedback(click)
    if feedback is None:
        return
    store, team_id = click.store, feedback.team_id
    if await store.get_thanks(team_id, feedback.session_id, feedback.mentee_id) is not None:
        await click.tell(ALREADY_THANKED)
        return
    workspace = await workspace_settings(store, click.settings, team_id)
    modal = build_thanks_modal(feedback, workspace.kudos_channel_id, _prompt_of(click.body))
    await click.open_form(modal)


def _prompt_of(body: dict[str, Any]) -> tuple[str, str] | None:
    """Where the pressed prompt is (channel, ts), so Send can take Say thanks off it."""
    container = body.get("container")
    if not isinstance(container, dict) or container.get("type") != "message":
        return None
    channel, ts = container.get("channel_id"), container.get("message_ts")
    return (channel, ts) if isinstance(channel, str) and isinstance(ts, str) else None


@on_submit
async def thanks_submitted(sub: Submission) -> None:
    """Store the note once with the rows that deliver it, and close with what will happen."""
    session_id, prompt = read_thanks_metadata(sub.view.get("private_metadata"))
    note, share, errors = read_thanks(sub.view)
    if errors:
        await sub.ack(response_action="errors", errors=errors)
        return
    store, team_id, now = sub.store, sub.team_id, sub.clock.now()
    feedback = await store.get_feedback(team_id, session_id) if session_id else None
    workspace = await workspace_settings(store, sub.settings, team_id)
    if feedback is None or feedback.mentee_id != sub.user_id or not workspace.feedback_enabled:
        why = NOT_SENT if workspace.feedback_enabled else TURNED_OFF
        await sub.ack(response_action="errors", errors={ids.THANKS_NOTE_BLOCK: why})
        return
    # The box shows only with a channel set; a channel removed since then posts nowhere.
    channel = workspace.kudos_channel_id if share else None
    people = (feedback.mentee_id, feedback.mentor_id)
    rows = thanks_rows(team_id, feedback.session_id, people, channel, now)
    thanks = await store.add_thanks(team_id, feedback.session_id, sub.user_id, note, now, rows)
    if thanks is None:
        await sub.ack(response_action="errors", errors={ids.THANKS_NOTE_BLOCK: ALREADY_THANKED})
        return
    await sub.ack(response_action="update", view=build_thanks_sent(thanks, channel))
    if prompt is not None:
        work = _thanked_prompt(sub.client, store, feedback, prompt)
        sub.background.spawn(work, name=f"thanked-{thanks.session_id}")


async def _thanked_prompt(
    client: AsyncWebClient, store: Store, feedback: Feedback, prompt: tuple[str, str]
) -> None:
    """Take Say thanks off the prompt. Best effort: an old copy's button answers "already
    thanked", so a lost rewrite costs nothing."""
    asked = await store.get_outbox_by_key(feedback.team_id, feedback_key(feedback.session_id))
    # Snooze and Stop these stay while the question is unanswered, as the prompt had them.
    outbox_id = asked.id if asked is not None else None
    message = build_feedback_ask(feedback, outbox_id, thanked=True)
    channel, ts = prompt
    await try_update(
        client, channel, ts, message, log, "prompt rewrite failed session=%d", feedback.session_id
    )
