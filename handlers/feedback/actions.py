"""The mentee's answers to "How was it?": a rating, and Say thanks with its modal.

Only the session's mentee may press these; anyone else is told "This isn't yours". A second
rating replaces the first (a misclick is easy to fix). Thanks go once per session: the note
to the mentor by DM, and to the kudos channel only if the mentee ticked the box.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.workspace import workspace_settings
from handlers import ids
from handlers.blocks.feedback import (
    RATING_ACTIONS,
    build_feedback_ask,
    build_kudos_post,
    build_thanks_dm,
    build_thanks_modal,
    build_thanks_sent,
    read_thanks,
)
from handlers.kit import NOT_YOURS, Click, Submission, metadata_id, on_click, on_submit, try_dm
from storage.feedback import Feedback, Thanks
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
    modal = build_thanks_modal(feedback, workspace.kudos_channel_id)
    await click.open_form(modal)


@on_submit
async def thanks_submitted(sub: Submission) -> None:
    """Store the note once, close with what happened, then DM the mentor (and post it)."""
    session_id = metadata_id(sub.body)
    note, share, errors = read_thanks(sub.view)
    if errors:
        await sub.ack(response_action="errors", errors=errors)
        return
    store, team_id = sub.store, sub.team_id
    feedback = await store.get_feedback(team_id, session_id) if session_id else None
    workspace = await workspace_settings(store, sub.settings, team_id)
    if feedback is None or feedback.mentee_id != sub.user_id or not workspace.feedback_enabled:
        why = NOT_SENT if workspace.feedback_enabled else TURNED_OFF
        await sub.ack(response_action="errors", errors={ids.THANKS_NOTE_BLOCK: why})
        return
    thanks = await store.add_thanks(
        team_id, feedback.session_id, sub.user_id, note, sub.clock.now()
    )
    if thanks is None:
        await sub.ack(response_action="errors", errors={ids.THANKS_NOTE_BLOCK: ALREADY_THANKED})
        return
    # The box shows only with a channel set; a channel removed since then posts nowhere.
    channel = workspace.kudos_channel_id if share else None
    await sub.ack(response_action="update", view=build_thanks_sent(thanks, channel))
    work = _deliver_thanks(sub.client, store, thanks, channel)
    sub.background.spawn(work, name=f"thanks-{thanks.session_id}")


async def _deliver_thanks(
    client: AsyncWebClient, store: Store, thanks: Thanks, channel: str | None
) -> None:
    await try_dm(client, thanks.to_id, build_thanks_dm(thanks))
    if channel is None:
        return
    try:
        posted = await client.chat_postMessage(channel=channel, **build_kudos_post(thanks))
    except SlackApiError as error:
        log.warning(
            "kudos post failed session=%d error=%s", thanks.session_id, error.response.get("error")
        )
        return
    ts = str(posted["ts"])
    await store.record_kudos_post(thanks.team_id, thanks.session_id, thanks.from_id, channel, ts)
    log.info("thanks shared session=%d channel=%s", thanks.session_id, channel)
