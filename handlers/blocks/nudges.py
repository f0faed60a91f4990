"""Timed messages about requests, and the Snooze / Stop these controls every nudge carries."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.requests import TOPIC_LABELS
from handlers import ids
from handlers.blocks.booking import offer_times_button
from handlers.blocks.request_messages import (
    build_mentor_dm,
    build_pool_post,
    cancel_request_button,
)
from handlers.blocks.text import (
    actions,
    button,
    channel_mention,
    confirm_dialog,
    context,
    escape,
    section,
    slack_date,
    user_mention,
)
from storage.models import Request

STOP_CONFIRM = (
    "You won't get this kind of reminder again. `/mentor snooze off` turns reminders back on."
)


def nudge_controls(outbox_id: int) -> dict[str, Any]:
    """Snooze 1 day, Snooze 1 week and Stop these; the value is the outbox row, nothing else."""
    value = str(outbox_id)
    stop = button("Stop these", ids.NUDGE_STOP, value)
    stop["confirm"] = confirm_dialog(
        "Stop these reminders?",
        "You won't get this kind of reminder again.",
        "Stop them",
        "Keep them",
    )
    return {
        "type": "actions",
        "block_id": f"{ids.NUDGE_CONTROLS_BLOCK}:{value}",
        "elements": [
            button("Snooze 1 day", ids.NUDGE_SNOOZE_DAY, value),
            button("Snooze 1 week", ids.NUDGE_SNOOZE_WEEK, value),
            stop,
        ],
    }


def _topic(request: Request) -> str:
    return TOPIC_LABELS.get(request.topic, request.topic.value)


def _ago(span: timedelta) -> str:
    hours = max(1, round(span.total_seconds() / 3600))
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{round(hours / 24)} days"


def build_unanswered_nudge(request: Request, outbox_id: int, now: datetime) -> dict[str, Any]:
    """To the named mentor: a gentle reminder, with the request's own buttons again."""
    waited = _ago(now - request.created_at)
    asked = f"{user_mention(request.mentee_id)} asked you {waited} ago and"
    if request.via_workflow:
        asked = (
            f"a Workflow Builder workflow asked you {waited} ago for "
            f"{user_mention(request.mentee_id)}, who"
        )
    lead = f":wave: A reminder: {asked} is still waiting. A quick yes or no helps them either way."
    original = build_mentor_dm(request)
    blocks = [section(lead), *original["blocks"], nudge_controls(outbox_id)]
    return {"text": lead, "blocks": blocks}


def build_book_nudge(request: Request, outbox_id: int, now: datetime) -> dict[str, Any]:
    """To whoever took the request: no time is offered or booked yet, with Offer times."""
    took = request.claimed_at or request.accepted_at or request.created_at
    lead = (
        f":wave: You took {user_mention(request.mentee_id)}'s request about "
        f"*{escape(_topic(request))}* {_ago(now - took)} ago, and no time is booked yet. "
        "Offer a few times and I'll book the one they pick."
    )
    blocks = [section(lead), actions(offer_times_button(request.id)), nudge_controls(outbox_id)]
    return {"text": lead, "blocks": blocks}


def _where(channel: str | None, invited: list[str]) -> str:
    if channel:
        return f"with the mentor pool in {channel_mention(channel)}"
    if invited:
        names = ", ".join(user_mention(user_id) for user_id in invited)
        return f"with a few mentors who know this topic ({names})"
    return "with the mentor pool"


def build_escalated_for_mentee(
    request: Request,
    mentor_id: str,
    invited: list[str] | None,
    waited: timedelta,
    channel: str | None = None,
) -> dict[str, Any]:
    """To the mentee: the named mentor hasn't answered, so the request went wider (or, with
    nowhere else to go, what they can do). `channel`: the pool channel it went to, if known
    before the post is."""
    lead = (
        f"{user_mention(mentor_id)} hasn't answered your request about *{_topic(request)}* "
        f"in {_ago(waited)}. People get busy; it's not about your question."
    )
    if invited is None:
        lead += (
            " There's no mentor pool here yet and nobody else lists this topic, so it's still "
            "with them. You could also ask someone by name with `/mentor ask @someone`."
        )
        after = f"{user_mention(mentor_id)} can still answer."
    else:
        lead += (
            f" So I've also shared it {_where(channel or request.pool_channel_id, invited)}, "
            "and I'll tell you when "
            "someone offers to help."
        )
        after = f"{user_mention(mentor_id)} can still pick it up there."
    blocks = [
        section(lead),
        context(after),
        {
            "type": "actions",
            "elements": [button("Cancel request", ids.REQUEST_CANCEL, str(request.id))],
        },
    ]
    return {"text": lead, "blocks": blocks}


def build_escalated_for_mentor(request: Request, waited: timedelta) -> dict[str, Any]:
    """The named mentor's DM, rewritten: it went to the pool, and they can still take it."""
    post = build_pool_post(request)
    line = (
        f"No answer after {_ago(waited)}, so this request is now open to other mentors too. "
        "You can still take it:"
    )
    return {"text": line, "blocks": [section(line), *post["blocks"]]}


def build_repost(request: Request) -> dict[str, Any]:
    """The pool post again, at the bottom of the channel, saying it is still waiting."""
    post = build_pool_post(request)
    line = f"Still looking for someone: first asked {slack_date(request.created_at)}."
    return {"text": f"{line} {post['text']}", "blocks": [*post["blocks"], context(line)]}


def build_coordinator_note(
    request: Request, reason: str, waited: timedelta, outbox_id: int, link: str | None
) -> dict[str, Any]:
    """To a coordinator: a request that nobody has taken yet (no details, just where it is)."""
    why = "has had no answer" if reason == "escalated" else "hasn't been picked up in the pool"
    # An anonymous ask stays anonymous to coordinators too.
    whose = (
        "A request asked without a name"
        if request.anonymous
        else (f"{user_mention(request.mentee_id)}'s request")
    )
    lead = (
        f":eyes: {whose} about *{_topic(request)}* {why} "
        f"after {_ago(waited)}. Could you help find someone?"
    )
    blocks = [section(lead)]
    if link:
        blocks.append(context(link))
    blocks.append(nudge_controls(outbox_id))
    return {"text": lead, "blocks": blocks}


def build_expired_for_mentee(request: Request) -> dict[str, Any]:
    """To the mentee, kindly: nobody took it in time, and what they can do now."""
    lead = (
        f"Your request about *{_topic(request)}* didn't find a mentor in time, so I've closed "
        "it. That's about people's calendars, not about your question."
    )
    tips = (
        "You could ask someone by name with `/mentor ask @someone`, look for people who know "
        "the topic with `/mentor find <topic>`, or ask again in a little while."
    )
    return {"text": lead, "blocks": [section(lead), section(tips)]}


def build_snoozed(until: datetime) -> str:
    """The answer to a Snooze click or `/mentor snooze N`."""
    return (
        f":zzz: Snoozed: no reminders until {slack_date(until)}. Session reminders still come. "
        "`/mentor snooze off` ends it early."
    )


def build_pool_unreachable_for_mentee(
    request: Request, channel_id: str | None, admins_told: bool
) -> dict[str, Any]:
    """To the mentee: the request never reached the pool (and never will by itself), and what
    they can do instead; it corrects the earlier "I'll keep trying"."""
    where = (
        f"the mentor pool channel {channel_mention(channel_id)}"
        if channel_id
        else "any mentor for it"
    )
    lead = (
        f":warning: I couldn't reach {where}, so your request about *{_topic(request)}* "
        "isn't in front of a mentor. Ask someone by name with `/mentor ask @name`, or cancel "
        "it below."
    )
    blocks = [section(lead)]
    if admins_told:
        blocks.append(context("I've told the workspace's coordinators so they can fix it."))
    blocks.append(actions(cancel_request_button(request.id)))
    return {"text": lead, "blocks": blocks}


def build_mentor_unreachable_for_mentee(
    request: Request, mentor_id: str, pool: bool
) -> dict[str, Any]:
    """To the mentee: their named mentor can't get the request (deactivated, say), and what
    they can do instead; Send to the mentor pool only where there is a pool channel."""
    instead = "ask someone else with `/mentor ask @name`"
    instead += (
        ", send it to the mentor pool, or cancel it below." if pool else " or cancel it below."
    )
    lead = (
        f":warning: I couldn't reach {user_mention(mentor_id)}, so they haven't seen your "
        f"request about *{_topic(request)}*. You could {instead}"
    )
    buttons = [cancel_request_button(request.id)]
    if pool:
        to_pool = button("Send to the mentor pool", ids.REQUEST_SEND_TO_POOL, request.id, "primary")
        buttons.insert(0, to_pool)
    return {"text": lead, "blocks": [section(lead), actions(*buttons)]}


# Why Slack refused the pool channel, and what an admin can do about it.
_CHANNEL_FIXES = {
    "is_archived": ("it's archived", "unarchive it"),
    "not_in_channel": ("I'm not a member of it", "invite me there with `/invite @mentorbot`"),
    "channel_not_found": (
        "Slack can't find it (deleted, or a private channel I'm not in)",
        "invite me there with `/invite @mentorbot` if it still exists",
    ),
}


def build_pool_unreachable_for_admin(channel_id: str, slack_error: str) -> dict[str, Any]:
    """To a coordinator or admin: the pool channel can't be posted in, why, and the fix."""
    why, fix = _CHANNEL_FIXES.get(slack_error, ("Slack refuses my posts there", "check it"))
    lead = (
        f":rotating_light: I can't post in the mentor pool channel {channel_mention(channel_id)}: "
        f"{why}. Requests for the pool aren't reaching mentors; the people asking have been "
        f"told. To fix it, {fix}, or choose another channel in `/mentor settings`."
    )
    return {"text": lead, "blocks": [section(lead)]}
