"""Ways into the intro modal: `/mentor intro`, App Home, the decline notice's "Suggest someone
else", and the expert select that redraws the modal with that person's tags."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from handlers.blocks.intro_modal import build_intro_modal, intro_choices, read_intro_metadata
from handlers.intros.modal_open import intro_prefill, open_intro_modal
from handlers.kit import (
    NOT_YOURS,
    Click,
    HomeClick,
    SubcommandCall,
    leading_mention,
    on_click,
    on_home_click,
    submitter,
    tell,
)
from handlers.kit.org import form_home
from storage.store import Store

log = logging.getLogger(__name__)


async def intro_command(call: SubcommandCall) -> None:
    """`/mentor intro [@mentee] [@expert] [why]`: the intro modal, prefilled."""
    await call.ack()
    mentee_id, rest = leading_mention(call.args)
    expert_id, why = leading_mention(rest)
    prefill = await intro_prefill(
        call.store, call.team_id, call.user_id, mentee_id=mentee_id, expert_id=expert_id, why=why
    )
    problem = await open_intro_modal(call.client, str(call.command.get("trigger_id")), prefill)
    if problem:
        await tell(call.respond, problem)


@on_home_click
async def home_intro(click: HomeClick) -> str | None:
    """Introduce people on App Home: the intro modal, empty."""
    prefill = await intro_prefill(click.store, click.team_id, click.user_id)
    return await open_intro_modal(click.client, click.trigger_id, prefill)


@on_click()
async def suggest_again_clicked(click: Click) -> None:
    """After a decline or an expiry: the modal again, same mentee, reason and context."""
    pressed, store = click.pressed, click.store
    intro = await store.get_intro(pressed.team_id, pressed.target_id)
    if intro is None or intro.introducer_id != pressed.user_id:
        await click.tell(NOT_YOURS)
        return
    prefill = await intro_prefill(
        store,
        pressed.team_id,
        pressed.user_id,
        mentee_id=intro.mentee_id,
        why=intro.why,
        note=intro.note or "",
        from_request_id=intro.from_request_id,
    )
    problem = await open_intro_modal(click.client, pressed.trigger_id, prefill)
    if problem:
        await click.tell(problem)


async def expert_chosen(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, store: Store
) -> None:
    """The expert select changed: redraw the modal with their directory tags."""
    await ack()
    view = body.get("view") or {}
    user_id, team_id = submitter(body)
    # A modal passing on a request of a peer workspace is drawn from that workspace's rows.
    team_id = await form_home(store, body, user_id, team_id)
    mentee_id, expert_id, why, note = intro_choices(view)
    request_id, warned = read_intro_metadata(view.get("private_metadata"))
    prefill = await intro_prefill(
        store,
        team_id,
        user_id,
        mentee_id=mentee_id,
        expert_id=expert_id,
        why=why,
        note=note,
        from_request_id=request_id,
        warned_pair=warned,
    )
    try:
        # The hash refuses the update if the person changed the modal again meanwhile.
        await client.views_update(
            view_id=str(view.get("id") or ""),
            hash=str(view["hash"]) if view.get("hash") else None,
            view=build_intro_modal(prefill),
        )
    except SlackApiError as error:
        # Cosmetic: the tags are a hint, and the submission checks everything again.
        log.info("could not show the expert's tags error=%s", error.response.get("error"))
