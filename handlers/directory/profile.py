"""`/mentor profile`, `/mentor pause [days]` and `/mentor resume`."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, time, timedelta

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.directory import normalise_tags
from bot.profile_reads import person_skills
from bot.slack_client import user_info
from handlers import ids
from handlers.blocks.profile import build_profile_modal, parse_profile_submission
from handlers.blocks.text import escape
from handlers.kit import BadArguments, SubcommandCall, Submission, on_submit, try_dm
from storage.directory import ProfileDraft
from storage.rows import RowError
from storage.store import Store

log = logging.getLogger(__name__)

NOT_A_MENTOR = "You're not in the mentor directory yet. `/mentor profile` adds you."
# "Until I resume" is stored as a far-away date, so paused means one thing everywhere.
UNTIL_RESUMED = datetime(9999, 1, 1, tzinfo=UTC)


async def _timezone(client: AsyncWebClient, user_id: str) -> str | None:
    try:
        user = await user_info(client, user_id)
    except SlackApiError as error:
        log.info("users.info failed user=%s error=%s", user_id, error.response.get("error"))
        return None
    tz = (user or {}).get("tz")
    return tz if isinstance(tz, str) else None


async def open_profile_modal(
    client: AsyncWebClient,
    store: Store,
    clock: Clock,
    *,
    team_id: str,
    user_id: str,
    trigger_id: str,
) -> str | None:
    """Open the profile modal, prefilled with what is stored; a problem to tell, or None."""
    fields = (await store.get_workspace_settings(team_id)).profile_skill_fields
    # Side by side: both must answer before the trigger_id's 3 s are up.
    tz, skills = await asyncio.gather(
        _timezone(client, user_id),
        person_skills(client, store, clock, team_id=team_id, user_id=user_id, field_ids=fields),
    )
    await store.upsert_person(team_id, user_id, tz=tz, now=clock.now())
    profile = await store.get_profile(team_id, user_id)
    known = await store.all_tags(team_id)
    view = build_profile_modal(
        profile, known_tags=known, tz_label=tz or "UTC", from_slack_profile=skills
    )
    try:
        await client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as error:
        return (
            f"I couldn't open your profile just now ({error.response.get('error')}). "
            "Please try again."
        )
    return None


async def profile_command(call: SubcommandCall) -> None:
    """`/mentor profile`: the profile modal."""
    await call.ack()
    problem = await open_profile_modal(
        call.client,
        call.store,
        call.clock,
        team_id=call.team_id,
        user_id=call.user_id,
        trigger_id=str(call.command.get("trigger_id")),
    )
    if problem:
        await call.respond(text=problem, response_type="ephemeral")


@on_submit
async def profile_submitted(sub: Submission) -> None:
    """Validate inline, save, and confirm privately."""
    user_id, team_id = sub.user_id, sub.team_id
    form, errors = parse_profile_submission(sub.view)
    tags: list[str] = []
    if form is not None:
        tags, problem = normalise_tags(form.tags_text)
        if problem:
            errors = {ids.PROFILE_TAGS_BLOCK: problem}
    if form is None or errors:
        await sub.ack(response_action="errors", errors=errors)
        return
    paused = None
    if form.paused_until is not None and form.paused_until > sub.clock.now().date():
        paused = datetime.combine(form.paused_until, time(), tzinfo=UTC)
    try:
        draft = ProfileDraft(
            team_id=team_id,
            user_id=user_id,
            open_to_mentoring=form.open_to_mentoring,
            tags=tuple(tags),
            bio=form.bio,
            capacity=form.capacity,
            office_days=form.office_days or (1, 2, 3, 4, 5),
            office_start_minute=form.office_start_minute,
            office_end_minute=form.office_end_minute,
            paused_until=paused,
        )
    except RowError as error:
        await sub.ack(response_action="errors", errors={ids.PROFILE_TAGS_BLOCK: str(error)})
        return
    await sub.store.save_profile(draft, sub.clock.now())
    await sub.ack()
    # Tags are user text: escaped, and no backtick may close the code span early.
    where = escape(", ".join(tags[:5]).replace("`", "'")) if tags else "anything"
    await try_dm(
        sub.client,
        user_id,
        {"text": f"Your mentor profile is saved. People can find you with `/mentor find {where}`."},
    )


async def pause_command(call: SubcommandCall) -> None:
    """`/mentor pause [days]`: out of matching, profile kept."""
    days_text = call.args.strip()
    if days_text and (not days_text.isdigit() or not 1 <= int(days_text) <= 365):
        raise BadArguments("`/mentor pause` takes a number of days from 1 to 365.")
    until = call.clock.now() + timedelta(days=int(days_text)) if days_text else UNTIL_RESUMED
    done = await call.store.set_paused_until(call.team_id, call.user_id, until, call.clock.now())
    if done is None:
        await call.ack(text=NOT_A_MENTOR)
        return
    when = f"for {days_text} days" if days_text else "until you `/mentor resume`"
    await call.ack(text=f"Paused {when}. Nobody will be matched with you meanwhile.")


async def resume_command(call: SubcommandCall) -> None:
    """`/mentor resume`: back in matching."""
    done = await call.store.set_paused_until(call.team_id, call.user_id, None, call.clock.now())
    await call.ack(text=NOT_A_MENTOR if done is None else "Welcome back: you're in matching again.")
