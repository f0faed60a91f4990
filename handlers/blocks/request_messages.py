"""Messages about a request: the mentor's DM, the pool post, the mentee's DMs, and updates."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from bot.requests import TOPIC_LABELS, URGENCY_LABELS
from handlers import ids
from handlers.blocks.text import (
    actions,
    blockquote,
    button,
    channel_mention,
    confirm_dialog,
    context,
    escape_clip,
    safe_link,
    section,
    slack_date,
    user_mention,
)
from storage.models import Request, RequestStatus

Audience = Literal["mentor", "pool", "mentee"]

# Quoted details get most of a section; escaping can grow text, so clip() does the final cut.
_DETAILS_MAX = 2900
_REASON_MAX = 1500
# The notification fallback only needs a glimpse of the details.
_FALLBACK_DETAILS_MAX = 300

# States in which each audience still has something to click.
_MENTEE_CAN_CANCEL = {
    RequestStatus.OPEN,
    RequestStatus.ACCEPTED,
    RequestStatus.CLAIMED,
}


def cancel_request_button(
    request_id: int, *, action_id: str = ids.REQUEST_CANCEL, label: str = "Cancel request"
) -> dict[str, Any]:
    """Cancel request, with an "are you sure?" first (the mentee's only button)."""
    confirm = confirm_dialog(
        "Cancel this request?",
        "I'll let whoever has it know that you no longer need it.",
        "Cancel request",
        "Keep it",
    )
    return button(label, action_id, request_id, confirm=confirm)


def _topic(request: Request) -> str:
    return TOPIC_LABELS.get(request.topic, request.topic.value)


def _facts(request: Request, *, with_link: bool) -> str:
    parts = [f"{request.duration_minutes} minutes", URGENCY_LABELS.get(request.urgency, "")]
    link = safe_link(request.origin_permalink, "original message") if with_link else None
    if link:
        parts.append(link)
    return " · ".join(part for part in parts if part)


def _fallback(lead: str, request: Request) -> str:
    glimpse = " ".join(request.details.split())
    return f"{lead} {escape_clip(glimpse, _FALLBACK_DETAILS_MAX)}"


def _mentor_intro(request: Request, mentee_id: str) -> str:
    if request.via_workflow:
        return (
            "A Workflow Builder workflow asks for some of your time for "
            f"{user_mention(mentee_id)}, to talk about *{_topic(request)}*."
        )
    return (
        f"{user_mention(mentee_id)} would like some of your time to talk about *{_topic(request)}*."
    )


def _workflow_line(audience: Audience, mentee_id: str) -> str:
    """Whose words these are, on every message about a request a workflow step made."""
    if audience == "mentee":
        return (
            "A Workflow Builder workflow asked for this on your behalf, with these details. "
            "If you don't need it, Cancel request."
        )
    return (
        f"Sent by a Workflow Builder workflow for {user_mention(mentee_id)}: the details "
        "were filled in by the workflow, not necessarily written by them."
    )


# Who asked, as anyone but the mentee reads an anonymous request (never a name or a link).
SOMEONE = "the person who asked"


def _pool_intro(request: Request) -> str:
    if request.anonymous:
        return f"Someone asks about *{_topic(request)}*."
    if request.via_workflow:
        return (
            f"A Workflow Builder workflow is looking for someone to talk to "
            f"{user_mention(request.mentee_id)} about *{_topic(request)}*."
        )
    return (
        f"{user_mention(request.mentee_id)} is looking for someone to talk to about "
        f"*{_topic(request)}*."
    )


def _mentee_intro(request: Request) -> str:
    sent = _mentee_sent(request)
    if request.via_workflow:
        return f"A Workflow Builder workflow asked for mentoring on your behalf. {sent}"
    return sent


def _mentee_sent(request: Request) -> str:
    if request.mentor_id:
        return (
            f"I sent your request to {user_mention(request.mentor_id)}. "
            "I'll tell you when they answer."
        )
    if request.anonymous:
        where = channel_mention(request.pool_channel_id) if request.pool_channel_id else "the pool"
        return (
            f"I posted your request in {where} without your name. When someone offers to help, "
            "I'll ask you whether to reveal yourself to them."
        )
    if request.pool_channel_id:
        where = channel_mention(request.pool_channel_id)
        return f"I posted your request in {where}. I'll tell you when someone offers to help."
    # No pool channel: the request went by DM to the best-matched mentors.
    return "I sent your request to a few mentors who could help. I'll tell you when one offers to."


def _summary(request: Request, audience: Audience, mentee_id: str) -> list[dict[str, Any]]:
    """The request as each audience sees it, without buttons or status."""
    if audience == "mentor":
        intro = _mentor_intro(request, mentee_id)
    elif audience == "pool":
        intro = _pool_intro(request)
    else:
        intro = _mentee_intro(request)
    # The pool may be a public channel: no link back to a message that might be private.
    facts = _facts(request, with_link=audience != "pool")
    if audience == "mentee":
        facts = f"*{_topic(request)}* · {facts}"
    if request.anonymous:
        facts += " · asked without a name"
    blocks = [
        section(intro),
        section(blockquote(request.details, _DETAILS_MAX)),
        context(facts),
    ]
    if request.via_workflow:
        blocks.append(context(_workflow_line(audience, mentee_id)))
    return blocks


def build_mentor_dm(request: Request, *, mentee_id: str | None = None) -> dict[str, Any]:
    """The named mentor's DM: who asks, about what, the escaped details and the three choices."""
    asker = mentee_id or request.mentee_id
    blocks = _summary(request, "mentor", asker)
    blocks.append(
        actions(
            button("Accept", ids.REQUEST_ACCEPT, request.id, "primary"),
            button("Suggest someone else", ids.REQUEST_SUGGEST, request.id),
            button("Decline", ids.REQUEST_DECLINE, request.id),
        )
    )
    return {"text": _fallback(_mentor_intro(request, asker), request), "blocks": blocks}


def build_pool_post(request: Request) -> dict[str, Any]:
    """The mentor-pool post, with "I can help" for whoever claims it first."""
    blocks = _summary(request, "pool", request.mentee_id)
    blocks.append(actions(button("I can help", ids.REQUEST_CLAIM, request.id, "primary")))
    return {"text": _fallback(_pool_intro(request), request), "blocks": blocks}


NOT_DELIVERED = (
    ":warning: I saved your request, but Slack wouldn't let me deliver it just now. Nothing "
    "is lost: I'll keep trying in the background, and the usual reminders still run. Cancel it "
    "below if you'd rather reach out directly."
)


def build_mentee_confirmation(request: Request, *, pending: bool = False) -> dict[str, Any]:
    """The mentee's DM: what happens next, with Cancel request. `pending`: the delivery is
    still being retried, and the DM says so first."""
    blocks = _summary(request, "mentee", request.mentee_id)
    blocks.append(actions(cancel_request_button(request.id)))
    if pending:
        return {"text": NOT_DELIVERED, "blocks": [section(NOT_DELIVERED), *blocks]}
    return {"text": _mentee_intro(request), "blocks": blocks}


def _status_line(
    request: Request,
    audience: Audience,
    actor_id: str | None,
    at: datetime,
    passed_to: str | None,
) -> str | None:
    """One line that says what just happened, with a time in each reader's own time zone."""
    when = slack_date(at)
    actor = user_mention(actor_id) if actor_id else "someone"
    status = request.status
    if passed_to and audience == "mentor":
        return f"➡️ Passed to {user_mention(passed_to)} {when}"
    if status is RequestStatus.OPEN and request.offered_by:
        # An anonymous ask with an offer waiting: the pool doesn't learn who offered.
        if audience == "mentee":
            return (
                f"🙋 {user_mention(request.offered_by)} offered to help. Reveal yourself to "
                "them, or keep waiting: see my message about it."
            )
        return "🙋 A mentor offered to help; waiting for the asker's answer."
    if status is RequestStatus.OPEN:
        # Open again means a claimer released it; a named mentor's DM has nothing to add.
        if actor_id is None or audience == "mentor":
            return None
        if audience == "mentee":
            return f"↩️ {actor} had to let this go {when}; it's open for others again."
        return f"↩️ Released by {actor} {when}; open again."
    if status is RequestStatus.ACCEPTED:
        if audience == "mentee":
            return f"✅ {actor} accepted your request {when}. They'll offer some times."
        return f"✅ Accepted by {actor} {when}"
    if status is RequestStatus.CLAIMED:
        if audience == "mentee":
            return f"🙋 {actor} offered to help {when}. They'll offer some times."
        return f"🙋 Taken by {actor} {when}"
    if status is RequestStatus.SCHEDULED:
        return f"📅 Time booked {when}"
    if status is RequestStatus.COMPLETED:
        return f"✔️ Done {when}"
    if status is RequestStatus.DECLINED:
        if audience == "mentor":
            return f"You declined this {when}. Thanks for answering; I'll let them know kindly."
        if audience == "mentee":
            who = user_mention(request.mentor_id) if request.mentor_id else "They"
            return f"{who} can't take this one right now. I sent you what you can do next."
        return f"Declined {when}"
    if status is RequestStatus.CANCELLED:
        if audience == "mentee" and actor_id in (None, request.mentee_id):
            return f"🚫 You cancelled this request {when}."
        if request.anonymous and actor_id in (None, request.mentee_id):
            return f"🚫 Cancelled by {SOMEONE} {when}"
        return f"🚫 Cancelled by {user_mention(actor_id or request.mentee_id)} {when}"
    if status is RequestStatus.EXPIRED:
        if audience == "mentee":
            return f"⌛ This request expired {when}. You can always ask again with `/mentor ask`."
        return f"⌛ Expired {when} without an answer"
    # REFERRED: the mentor introduced the mentee to someone else, who said yes.
    if audience == "mentee" and passed_to:
        return (
            f"➡️ {actor} introduced you to {user_mention(passed_to)} {when}, who's happy to "
            "help. You'll find them both in a group DM."
        )
    target = passed_to or request.mentor_id
    to = f" to {user_mention(target)}" if target else ""
    return f"➡️ Passed{to} {when}"


def _live_buttons(request: Request, audience: Audience, passed_to: str | None) -> list[Any]:
    """The buttons an audience keeps in this state; final states keep none."""
    status = request.status
    if audience == "mentor" and status is RequestStatus.OPEN and not passed_to:
        return [
            button("Accept", ids.REQUEST_ACCEPT, request.id, "primary"),
            button("Suggest someone else", ids.REQUEST_SUGGEST, request.id),
            button("Decline", ids.REQUEST_DECLINE, request.id),
        ]
    if audience == "pool" and status is RequestStatus.OPEN and not request.offered_by:
        return [button("I can help", ids.REQUEST_CLAIM, request.id, "primary")]
    if audience == "mentor" and status is RequestStatus.ACCEPTED and not passed_to:
        return [button("Offer times", ids.OFFER_TIMES, request.id, "primary")]
    if audience == "pool" and status is RequestStatus.CLAIMED:
        # Everyone sees these buttons; the handlers let only the claimer use them.
        return [
            button("Offer times", ids.OFFER_TIMES, request.id, "primary"),
            button("Release", ids.REQUEST_RELEASE, request.id),
        ]
    if audience == "mentee" and status in _MENTEE_CAN_CANCEL:
        return [cancel_request_button(request.id)]
    return []


def build_request_update(
    request: Request,
    *,
    audience: Audience,
    actor_id: str | None,
    at: datetime,
    passed_to: str | None = None,
) -> dict[str, Any]:
    """What an earlier message becomes after a transition (for chat.update)."""
    blocks = _summary(request, audience, request.mentee_id)
    line = _status_line(request, audience, actor_id, at, passed_to)
    if line:
        blocks.append(section(line))
    buttons = _live_buttons(request, audience, passed_to)
    if buttons:
        blocks.append(actions(*buttons))
    intro = blocks[0]["text"]["text"]
    return {"text": line or intro, "blocks": blocks}


def build_declined_for_mentee(request: Request, *, reason: str | None) -> dict[str, Any]:
    """The kind DM to the mentee after a decline, offering the pool; the reason only if shared."""
    who = user_mention(request.mentor_id) if request.mentor_id else "The mentor you asked"
    lead = f"{who} can't take this one right now — that's about their time, not your question."
    blocks = [section(lead)]
    if reason and reason.strip():
        blocks.append(section(f"They added:\n{blockquote(reason.strip(), _REASON_MAX)}"))
    blocks += [
        section(
            "Would you like me to send it to the mentor pool? Someone there may be glad to help."
        ),
        context(f"Your request: *{_topic(request)}* · {_facts(request, with_link=False)}"),
        actions(
            button("Send to the mentor pool", ids.REQUEST_SEND_TO_POOL, request.id, "primary"),
            cancel_request_button(request.id),
        ),
    ]
    return {"text": lead, "blocks": blocks}


def build_not_yours() -> str:
    """The ephemeral answer to a click on someone else's request."""
    return "This isn't yours, so I didn't change anything."


def build_already_taken(actor_id: str | None, status: RequestStatus) -> str:
    """The ephemeral answer to the loser of a race, or a click on a request that moved on."""
    if status is RequestStatus.CANCELLED:
        return "This request was cancelled, so I didn't change anything."
    if status is RequestStatus.EXPIRED:
        return "This request expired, so I didn't change anything."
    if status is RequestStatus.DECLINED:
        return "This request was already declined, so I didn't change anything."
    if status is RequestStatus.OPEN:
        return "This request is open again, so I didn't change anything."
    if actor_id:
        return f"Already taken by {user_mention(actor_id)}."
    return "Someone already answered this request, so I didn't change anything."
