"""Messages about an introduction: the expert's ask, the group DM, notices and the follow-up."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.delivery import is_user
from bot.requests import TOPIC_LABELS
from handlers import ids
from handlers.blocks.nudges import nudge_controls
from handlers.blocks.text import actions, blockquote, button, context, section, slack_date
from handlers.blocks.text import user_mention as who
from storage.models import Intro, IntroFollowup, IntroStatus, Request

# Typed text is at most 1000 characters, but escaping can grow it: clip() makes the final cut.
_QUOTE_MAX = 2800
_DETAILS_MAX = 2000


def topic_line(request: Request | None) -> str | None:
    """The passed-on request's topic as people read it, if the intro came from a request."""
    if request is None:
        return None
    return TOPIC_LABELS.get(request.topic, request.topic.value)


# Named by a workflow: its builder's words, not necessarily the introducer's own.
_BY_WORKFLOW = "A Workflow Builder workflow, on behalf of {who},"
WORKFLOW_NOTE = (
    "Sent by a Workflow Builder workflow: it named {who} as the introducer and filled in the "
    "reason, which they may not have written."
)


def _workflow_for(intro: Intro) -> str:
    return _BY_WORKFLOW.format(who=who(intro.introducer_id))


def _ask_lead(intro: Intro) -> str:
    if intro.via_workflow:
        return f"{_ask_text(intro)[:-1]} because:"
    if intro.introducer_id == intro.mentee_id:
        return f"{who(intro.mentee_id)} would like to be introduced to you because:"
    return (
        f"{who(intro.introducer_id)} would like to introduce you to {who(intro.mentee_id)} because:"
    )


def _ask_blocks(intro: Intro, topic: str | None) -> list[dict[str, Any]]:
    blocks = [section(f"{_ask_lead(intro)}\n{blockquote(intro.why, _QUOTE_MAX)}")]
    if intro.via_workflow:
        blocks.append(context(WORKFLOW_NOTE.format(who=who(intro.introducer_id))))
    if topic:
        blocks.append(context(f"Their request is about *{topic}*."))
    if intro.note:
        blocks.append(section(f"They added:\n{blockquote(intro.note, _QUOTE_MAX)}"))
    return blocks


def _answer_buttons(intro: Intro) -> dict[str, Any]:
    return actions(
        button("Happy to help", ids.INTRO_ACCEPT, intro.id, "primary"),
        button("Not right now", ids.INTRO_DECLINE, intro.id),
    )


def _ask_text(intro: Intro) -> str:
    if intro.via_workflow and intro.introducer_id == intro.mentee_id:
        return f"{_workflow_for(intro)} would like to introduce {who(intro.mentee_id)} to you."
    if intro.via_workflow:
        return f"{_workflow_for(intro)} would like to introduce you to {who(intro.mentee_id)}."
    if intro.introducer_id == intro.mentee_id:
        return f"{who(intro.mentee_id)} would like to be introduced to you."
    return f"{who(intro.introducer_id)} would like to introduce you to {who(intro.mentee_id)}."


def build_expert_ask(intro: Intro, topic: str | None) -> dict[str, Any]:
    """The expert's DM: who, why, the topic, and Happy to help / Not right now."""
    blocks = [*_ask_blocks(intro, topic), _answer_buttons(intro)]
    blocks.append(context("Nobody else hears about this unless you say yes."))
    return {"text": _ask_text(intro), "blocks": blocks}


def build_expert_nudge(intro: Intro, topic: str | None, outbox_id: int) -> dict[str, Any]:
    """One reminder to the expert, with the same two buttons and the snooze controls."""
    lead = ":wave: A reminder about this introduction. A quick yes or no helps either way."
    blocks = [section(lead), *_ask_blocks(intro, topic), _answer_buttons(intro)]
    blocks.append(nudge_controls(outbox_id))
    return {"text": f"{lead} {_ask_text(intro)}", "blocks": blocks}


def _answered_line(intro: Intro, at: datetime) -> str:
    when = slack_date(at)
    if intro.status is IntroStatus.ACCEPTED:
        return f"✅ You said yes {when}. I started a group DM so you can find a time."
    if intro.status is IntroStatus.DECLINED:
        line = f"You said not right now {when}. Thanks for answering; only "
        line += f"{who(intro.introducer_id)} is told."
        if intro.introducer_id != intro.mentee_id:
            line += f" {who(intro.mentee_id)} won't be."
        return line
    return f"⌛ This introduction expired {when} without an answer."


def build_expert_answered(intro: Intro, topic: str | None, at: datetime) -> dict[str, Any]:
    """What the expert's DM becomes once they answered, or once it expired."""
    line = _answered_line(intro, at)
    return {"text": line, "blocks": [*_ask_blocks(intro, topic), section(line)]}


def _named(intro: Intro) -> str:
    if intro.via_workflow:
        return "A Workflow Builder workflow named you as the introducer here. "
    return ""


def build_intro_sent(intro: Intro) -> dict[str, Any]:
    """To the introducer once the expert has the ask."""
    named = _named(intro)
    if intro.introducer_id == intro.mentee_id:
        text = f"{named}I asked {who(intro.expert_id)} whether they're happy to meet you. "
    else:
        text = (
            f"{named}I asked {who(intro.expert_id)} whether they're happy to meet "
            f"{who(intro.mentee_id)}, who hears nothing unless they say yes. "
        )
    return {"text": text + "I'll tell you when they answer."}


def build_intro_unsure(intro: Intro) -> dict[str, Any]:
    """To the introducer when Slack never answered the ask's post: it may not have arrived."""
    text = (
        f"{_named(intro)}I sent {who(intro.expert_id)} your introduction, but Slack didn't "
        "confirm that it arrived. If it did, they can answer it as usual; either way my "
        "reminder in 3 days asks them again, with the same buttons. I'll tell you when they "
        "answer."
    )
    return {"text": text}


def _suggest_again(intro: Intro) -> dict[str, Any]:
    return actions(button("Suggest someone else", ids.INTRO_SUGGEST, intro.id, "primary"))


def build_declined_for_introducer(intro: Intro) -> dict[str, Any]:
    """Only the introducer hears of a decline, privately, with a way to pick someone else."""
    if intro.introducer_id == intro.mentee_id:
        lead = f"{who(intro.expert_id)} can't meet right now — that's about their time, not you."
    else:
        lead = (
            f"{who(intro.expert_id)} can't help {who(intro.mentee_id)} right now. I haven't told "
            f"{who(intro.mentee_id)}, and won't."
        )
    return {"text": lead, "blocks": [section(lead), _suggest_again(intro)]}


def build_expired_for_introducer(intro: Intro) -> dict[str, Any]:
    """The expert never answered: the introduction is closed, and the introducer may retry."""
    lead = (
        f"{who(intro.expert_id)} didn't answer within a week, so I closed your introduction "
        f"to {who(intro.mentee_id)}."
    )
    if intro.introducer_id != intro.mentee_id:
        lead += f" {who(intro.mentee_id)} was never told about it."
    return {"text": lead, "blocks": [section(lead), _suggest_again(intro)]}


def build_ask_withdrawn(gone: str) -> dict[str, Any]:
    """The expert's ask once forget withdrew it: no buttons, and no name of who left."""
    if gone == "expert":
        line = "This introduction was withdrawn when you removed your data from mentorbot."
    else:
        line = (
            "This introduction was withdrawn: the person it was for removed their data from "
            "mentorbot, so there's nothing to answer."
        )
    return {"text": line, "blocks": [section(line)]}


def build_withdrawn_for_introducer(intro: Intro, gone: str) -> dict[str, Any]:
    """To the introducer once forget withdrew their pending intro, naming only who is still
    here; with Suggest someone else when the one who left was the expert."""
    if gone == "mentee":
        lead = (
            f"Your introduction to {who(intro.expert_id)} was withdrawn: the person it was for "
            "removed their data from mentorbot. Nothing else is needed from you."
        )
        return {"text": lead, "blocks": [section(lead)]}
    if intro.introducer_id == intro.mentee_id:
        lead = (
            "Your introduction was withdrawn: the person you asked to meet removed their data "
            "from mentorbot. You can ask someone else."
        )
    else:
        lead = (
            f"Your introduction of {who(intro.mentee_id)} was withdrawn: the person you asked "
            f"removed their data from mentorbot. {who(intro.mentee_id)} was never told of it."
        )
    return {"text": lead, "blocks": [section(lead), _suggest_again(intro)]}


def _introducer(intro: Intro) -> str:
    """The introducer as the introduction names them; one who ran /mentor forget since is
    nobody's to name."""
    if is_user(intro.introducer_id):
        return who(intro.introducer_id)
    return "Someone who has since left mentorbot"


def build_group_intro(intro: Intro, request: Request | None) -> dict[str, Any]:
    """The group DM's first post: who, why, the note, the request's details, and Book time."""
    if intro.via_workflow:
        lead = (
            f":wave: {who(intro.mentee_id)}, meet {who(intro.expert_id)}, who's happy to help. "
            f"{_workflow_for(intro)} suggested you two talk, because:"
        )
    elif intro.introducer_id == intro.mentee_id:
        lead = (
            f":wave: {who(intro.mentee_id)}, meet {who(intro.expert_id)}, who's happy to help. "
            "You asked to meet because:"
        )
    else:
        lead = (
            f":wave: {who(intro.mentee_id)}, meet {who(intro.expert_id)}. "
            f"{_introducer(intro)} thought you two should talk, because:"
        )
    blocks = [section(f"{lead}\n{blockquote(intro.why, _QUOTE_MAX)}")]
    if intro.note:
        blocks.append(section(f"{_introducer(intro)} added:\n{blockquote(intro.note, _QUOTE_MAX)}"))
    if request is not None:
        blocks.append(
            section(
                f"What {who(intro.mentee_id)} asked about (*{topic_line(request)}*):\n"
                f"{blockquote(request.details, _DETAILS_MAX)}"
            )
        )
    blocks.append(
        context(f"{who(intro.expert_id)} said yes. Book time to find a slot that suits you both.")
    )
    blocks.append(actions(button("Book time", ids.INTRO_BOOK, intro.id, "primary")))
    text = f"{who(intro.mentee_id)}, meet {who(intro.expert_id)}."
    return {"text": text, "blocks": blocks}


def build_followup(intro: Intro) -> dict[str, Any]:
    """To the mentee, a few days after an accepted intro with nothing booked."""
    lead = f"Did you connect with {who(intro.expert_id)}?"
    blocks = [
        section(lead),
        actions(
            button("Yes", ids.INTRO_FOLLOWUP_YES, intro.id, "primary"),
            button("Not yet — remind me in a week", ids.INTRO_FOLLOWUP_LATER, intro.id),
            button("Didn't work out", ids.INTRO_FOLLOWUP_NO, intro.id),
        ),
    ]
    return {"text": lead, "blocks": blocks}


def build_followup_answered(intro: Intro, answer: IntroFollowup, again: bool) -> dict[str, Any]:
    """What the follow-up becomes once answered; `again`: a reminder was planned."""
    lead = f"Did you connect with {who(intro.expert_id)}?"
    if answer is IntroFollowup.YES:
        line = "Great, glad you two connected. Thanks for letting me know."
    elif answer is IntroFollowup.NOT_YET:
        line = "OK, I'll ask again in a week." if again else "OK. No more reminders from me."
    else:
        line = (
            "Sorry it didn't work out. `/mentor find <topic>` or `/mentor ask` can help you "
            "find someone else."
        )
    return {"text": line, "blocks": [section(lead), section(line)]}
