"""The request flow's Block Kit builders and parsers, as pure functions: no mocks, no I/O."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from handlers import ids
from handlers.blocks.intro_modal import IntroPrefill, build_intro_modal
from handlers.blocks.notes import build_end_modal
from handlers.blocks.prompt import (
    PromptContext,
    build_ask_prompt,
    build_opted_out_notice,
    build_prompt_dismissed,
    parse_prompt_value,
)
from handlers.blocks.request_messages import (
    build_already_taken,
    build_declined_for_mentee,
    build_mentee_confirmation,
    build_mentor_dm,
    build_not_yours,
    build_pool_post,
    build_request_update,
)
from handlers.blocks.request_modal import (
    RequestForm,
    RequestPrefill,
    build_decline_modal,
    build_request_modal,
    parse_decline_submission,
    parse_request_submission,
)
from handlers.blocks.text import (
    BUTTON_TEXT_MAX,
    HEADER_TEXT_MAX,
    MESSAGE_BLOCKS_MAX,
    MODAL_TITLE_MAX,
    PRIVATE_METADATA_MAX,
    SECTION_TEXT_MAX,
    VIEW_BLOCKS_MAX,
    clip,
    safe_link,
    slack_date,
)
from playground.fakeslack.blockkit import check_message, check_view
from storage.models import Request, RequestSource, RequestStatus, Topic, Urgency

NOW = datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
PERMALINK = "https://acme.slack.com/archives/C0ORIGIN/p1700000000000100"
INJECTIONS = ("<!channel>", "<@U123|x>", "<http://evil|trusted>")
# The only <…> tokens a builder may emit: mentions, dates and links it made itself.
_OUR_TOKEN = re.compile(
    r"@[A-Z0-9]+|#[A-Z0-9]+|!date\^\d+\^[^|<>]+\|[^<>]+|https://[^|<> ]+\|[^<>]+"
)


def make_request(**changes: Any) -> Request:
    fields: dict[str, Any] = {
        "id": 42,
        "team_id": "T1",
        "mentee_id": "UMENTEE",
        "mentor_id": "UMENTOR",
        "topic": Topic.CAREER_PATH,
        "details": "Could we talk about moving from engineering into management?",
        "source": RequestSource.COMMAND,
        "origin_channel_id": "C0ORIGIN",
        "origin_ts": "1700000000.000100",
        "origin_permalink": PERMALINK,
        "created_at": NOW,
        "updated_at": NOW,
    }
    fields.update(changes)
    return Request.from_row(fields)


def strings(obj: Any) -> Iterator[str]:
    """Every string anywhere inside a payload."""
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from strings(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from strings(value)


def elements(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [el for block in blocks if block["type"] == "actions" for el in block["elements"]]


def action_ids(message: dict[str, Any]) -> list[str]:
    return [el["action_id"] for el in elements(message["blocks"])]


def assert_blocks_within_limits(blocks: list[dict[str, Any]], max_blocks: int) -> None:
    assert 0 < len(blocks) <= max_blocks
    for block in blocks:
        if block["type"] == "section":
            assert 0 < len(block["text"]["text"]) <= SECTION_TEXT_MAX
        elif block["type"] == "header":
            assert len(block["text"]["text"]) <= HEADER_TEXT_MAX
        elif block["type"] == "context":
            assert all(len(el["text"]) <= SECTION_TEXT_MAX for el in block["elements"])
    for el in elements(blocks):
        assert len(el["text"]["text"]) <= BUTTON_TEXT_MAX
        assert len(el.get("value", "")) <= 2000
    block_ids = [block["block_id"] for block in blocks if "block_id" in block]
    assert len(block_ids) == len(set(block_ids))


def assert_message_ok(message: dict[str, Any]) -> None:
    """Within Block Kit's limits, with a fallback text and unique action ids."""
    assert isinstance(message["text"], str)
    assert 0 < len(message["text"]) <= SECTION_TEXT_MAX
    assert_blocks_within_limits(message["blocks"], MESSAGE_BLOCKS_MAX)
    found = action_ids(message)
    assert len(found) == len(set(found))
    assert check_message(message["text"], message["blocks"]) is None


def assert_view_ok(view: dict[str, Any]) -> None:
    assert view["type"] == "modal"
    for name in ("title", "submit", "close"):
        assert len(view[name]["text"]) <= MODAL_TITLE_MAX
    assert len(view["private_metadata"]) <= PRIVATE_METADATA_MAX
    assert_blocks_within_limits(view["blocks"], VIEW_BLOCKS_MAX)
    assert check_view(view) is None


def assert_no_injection(message: dict[str, Any]) -> None:
    """No user-typed markup survives: every <…> token is one the builder made itself."""
    for text in strings(message):
        for attack in INJECTIONS:
            assert attack not in text
        for token in re.findall(r"<([^>]*)>", text):
            assert _OUR_TOKEN.fullmatch(token), token


def submitted(view: dict[str, Any], **overrides: dict[str, Any]) -> dict[str, Any]:
    """The view as Slack sends it back on submit: state.values filled from the initial values."""
    values: dict[str, dict[str, Any]] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        el = block["element"]
        if el["type"] == "users_select":
            state = {"type": "users_select", "selected_user": el.get("initial_user")}
        elif el["type"] == "static_select":
            state = {"type": "static_select", "selected_option": el.get("initial_option")}
        elif el["type"] == "checkboxes":
            state = {"type": "checkboxes", "selected_options": el.get("initial_options", [])}
        else:
            state = {"type": "plain_text_input", "value": el.get("initial_value")}
        values[block["block_id"]] = {el["action_id"]: state | overrides.get(block["block_id"], {})}
    return {**view, "id": "V1", "state": {"values": values}}


def all_messages() -> list[dict[str, Any]]:
    request = make_request()
    pool = make_request(mentor_id=None, pool_channel_id="CPOOL")
    messages = [
        build_mentor_dm(request, mentee_id="UMENTEE"),
        build_pool_post(pool),
        build_mentee_confirmation(request),
        build_mentee_confirmation(pool),
        build_declined_for_mentee(request, reason="I'm out next week."),
        build_declined_for_mentee(request, reason=None),
    ]
    for status in RequestStatus:
        for audience in ("mentor", "pool", "mentee"):
            changed = make_request(status=status, claimed_by="UHELPER")
            messages.append(
                build_request_update(changed, audience=audience, actor_id="UHELPER", at=NOW)
            )
    return messages


def test_every_message_is_within_block_kit_limits() -> None:
    for message in all_messages():
        assert_message_ok(message)


def test_every_modal_is_within_block_kit_limits() -> None:
    assert_view_ok(build_request_modal(RequestPrefill()))
    assert_view_ok(build_request_modal(RequestPrefill(mentor_id="UMENTOR", details="x" * 5000)))
    assert_view_ok(build_decline_modal(42, mentee_id="UMENTEE"))


def test_prompt_names_the_target_and_carries_only_ids() -> None:
    prompt = build_ask_prompt(
        target_id="UMENTOR", channel_id="C1", message_ts="1700000000.000100", thread_ts="1.2"
    )
    assert_message_ok(prompt)
    assert "book time with <@UMENTOR>" in prompt["blocks"][0]["text"]["text"]
    assert action_ids(prompt) == [ids.PROMPT_CREATE, ids.PROMPT_DISMISS, ids.PROMPT_OPT_OUT]
    create = elements(prompt["blocks"])[0]
    assert create["style"] == "primary"
    assert len(create["value"]) < 100
    assert parse_prompt_value(create["value"]) == PromptContext(
        "C1", "1700000000.000100", "1.2", "UMENTOR"
    )

    open_ask = build_ask_prompt(
        target_id=None, channel_id="C1", message_ts="1.1", thread_ts=None, asked_text="my case"
    )
    assert "with the right person" in open_ask["text"]
    # Only Create request reads the message (to prefill the form); the others carry no text.
    assert ["my case" in button["value"] for button in elements(open_ask["blocks"])] == [
        True,
        False,
        False,
    ]
    value = elements(open_ask["blocks"])[0]["value"]
    assert parse_prompt_value(value) == PromptContext("C1", "1.1", None, None, "my case")


@pytest.mark.parametrize("value", [None, "", "nope", "[1]", '{"c": 5, "m": "1.1"}', '{"c": "C1"}'])
def test_garbage_prompt_values_read_as_none(value: str | None) -> None:
    assert parse_prompt_value(value) is None


def test_prompt_replacements() -> None:
    for reply in (build_prompt_dismissed(), build_opted_out_notice()):
        assert reply["replace_original"] is True
        assert_message_ok(reply)
    assert "/mentor optin" in build_opted_out_notice()["text"]


def test_injected_markup_reaches_everyone_as_plain_text() -> None:
    details = "Please read " + " and ".join(INJECTIONS) + " & tell me > what you think"
    request = make_request(details=details)
    pool = make_request(details=details, mentor_id=None)
    for message in (
        build_mentor_dm(request, mentee_id="UMENTEE"),
        build_pool_post(pool),
        build_mentee_confirmation(request),
        build_request_update(request, audience="mentor", actor_id="UMENTOR", at=NOW),
    ):
        assert_no_injection(message)
        shown = " ".join(strings(message["blocks"]))
        assert "&lt;!channel&gt;" in shown
        assert "&lt;@U123|x&gt;" in shown
        assert "&lt;http://evil|trusted&gt;" in shown
        assert "&amp; tell me &gt; what" in shown
    assert "&lt;!channel&gt;" in build_mentor_dm(request)["text"]


def test_a_shared_decline_reason_is_escaped_too() -> None:
    reply = build_declined_for_mentee(make_request(), reason="see <!here> <http://x|y>")
    assert_no_injection(reply)
    assert "&lt;!here&gt;" in " ".join(strings(reply["blocks"]))


def test_long_details_are_truncated_everywhere() -> None:
    request = make_request(details="word " * 1000)
    for message in (build_mentor_dm(request), build_pool_post(request)):
        assert_message_ok(message)
        quoted = message["blocks"][1]["text"]["text"]
        assert quoted.startswith("> word")
        assert quoted.endswith("…")
    modal = build_request_modal(RequestPrefill(details="y" * 5000))
    details = next(b for b in modal["blocks"] if b["block_id"] == ids.REQUEST_DETAILS_BLOCK)
    assert len(details["element"]["initial_value"]) == 2000


def test_escaped_text_is_never_cut_inside_an_entity() -> None:
    request = make_request(details="&" * 2000)
    quoted = build_mentor_dm(request)["blocks"][1]["text"]["text"]
    assert len(quoted) <= SECTION_TEXT_MAX
    assert re.search(r"&[a-z]*…$", quoted) is None
    assert clip("ab&amp;cd", 5) == "ab…"
    assert clip("ab&lt;cd", 7) == "ab&lt;…"
    assert clip("ab&lt;cd", 6) == "ab…"
    assert clip("ab&lt;cd", 8) == "ab&lt;cd"


def test_unsafe_permalinks_are_left_out() -> None:
    assert safe_link(PERMALINK, "original message") == f"<{PERMALINK}|original message>"
    for bad in ("http://x.slack.com/a", "https://evil|trusted", "https://a>b", "javascript:x", ""):
        assert safe_link(bad, "original message") is None
    dm = build_mentor_dm(make_request(origin_permalink="https://x.com/a|<!channel>"))
    assert_no_injection(dm)
    assert "original message" not in " ".join(strings(dm))
    assert f"<{PERMALINK}|original message>" in " ".join(strings(build_mentor_dm(make_request())))


def test_the_pool_post_links_no_private_origin() -> None:
    post = build_pool_post(make_request(mentor_id=None))
    assert PERMALINK not in " ".join(strings(post))
    assert "<@UMENTEE> is looking for someone to talk to about *Career path*" in post["text"]


def test_mentor_dm_content_and_buttons() -> None:
    dm = build_mentor_dm(make_request(duration_minutes=45, urgency=Urgency.TODAY))
    shown = " ".join(strings(dm["blocks"]))
    assert "<@UMENTEE>" in shown
    assert "*Career path*" in shown
    assert "45 minutes" in shown
    assert "Today if possible" in shown
    assert action_ids(dm) == [ids.REQUEST_ACCEPT, ids.REQUEST_SUGGEST, ids.REQUEST_DECLINE]
    styles = [el.get("style") for el in elements(dm["blocks"])]
    assert styles == ["primary", None, None]


def test_every_button_carries_only_the_request_id() -> None:
    for message in all_messages():
        for el in elements(message["blocks"]):
            assert el["value"] == "42"


def test_mentee_confirmation_says_what_happens_next() -> None:
    named = build_mentee_confirmation(make_request())
    assert named["text"] == "I sent your request to <@UMENTOR>. I'll tell you when they answer."
    assert action_ids(named) == [ids.REQUEST_CANCEL]
    pooled = build_mentee_confirmation(make_request(mentor_id=None, pool_channel_id="CPOOL"))
    assert "I posted your request in <#CPOOL>" in pooled["text"]


def test_request_modal_fields_and_defaults() -> None:
    modal = build_request_modal(RequestPrefill())
    assert modal["callback_id"] == ids.REQUEST_MODAL
    assert modal["title"]["text"] == "Ask for mentoring"
    assert modal["submit"]["text"] == "Send request"
    inputs = {b["block_id"]: b for b in modal["blocks"] if b["type"] == "input"}
    mentor = inputs[ids.REQUEST_MENTOR_BLOCK]
    assert mentor["optional"] is True
    assert mentor["hint"]["text"] == "Leave empty to ask the mentor pool"
    assert "initial_user" not in mentor["element"]
    assert "initial_option" not in inputs[ids.REQUEST_TOPIC_BLOCK]["element"]
    details = inputs[ids.REQUEST_DETAILS_BLOCK]["element"]
    assert (details["min_length"], details["max_length"], details["multiline"]) == (10, 2000, True)
    assert inputs[ids.REQUEST_DURATION_BLOCK]["element"]["initial_option"]["value"] == "30"
    assert inputs[ids.REQUEST_URGENCY_BLOCK]["element"]["initial_option"]["value"] == "this_week"
    assert json.loads(modal["private_metadata"]) == {"s": "command"}
    odd = build_request_modal(RequestPrefill(duration_minutes=90))
    duration = next(b for b in odd["blocks"] if b["block_id"] == ids.REQUEST_DURATION_BLOCK)
    assert duration["element"]["initial_option"]["value"] == "30"


def test_request_modal_round_trip() -> None:
    prefill = RequestPrefill(
        mentor_id="UMENTOR",
        details="  Can I run my promotion packet by you?  ",
        topic=Topic.PROMOTION,
        duration_minutes=45,
        urgency=Urgency.TODAY,
        origin_channel_id="C0ORIGIN",
        origin_ts="1700000000.000100",
        origin_permalink=PERMALINK,
        source=RequestSource.DETECTED,
    )
    form, errors = parse_request_submission(submitted(build_request_modal(prefill)))
    assert errors == {}
    assert form == RequestForm(
        mentor_id="UMENTOR",
        topic=Topic.PROMOTION,
        details="Can I run my promotion packet by you?",
        duration_minutes=45,
        urgency=Urgency.TODAY,
        source=RequestSource.DETECTED,
        origin_channel_id="C0ORIGIN",
        origin_ts="1700000000.000100",
        origin_permalink=PERMALINK,
    )


def test_an_empty_mentor_means_the_pool() -> None:
    view = submitted(
        build_request_modal(RequestPrefill(details="Anyone around to talk career paths?")),
        **{
            ids.REQUEST_TOPIC_BLOCK: {"selected_option": {"value": "career_path"}},
            ids.REQUEST_MENTOR_BLOCK: {"selected_user": None},
        },
    )
    form, errors = parse_request_submission(view)
    assert errors == {}
    assert form is not None
    assert form.mentor_id is None
    assert form.source is RequestSource.COMMAND
    assert form.origin_channel_id is None


def test_parse_errors_land_on_the_right_blocks() -> None:
    view = submitted(
        build_request_modal(RequestPrefill(mentor_id="UME", details="hi")),
        **{ids.REQUEST_DETAILS_BLOCK: {"value": "  too short "}},
    )
    form, errors = parse_request_submission(view, submitter_id="UME")
    assert form is None
    assert set(errors) == {
        ids.REQUEST_MENTOR_BLOCK,
        ids.REQUEST_TOPIC_BLOCK,
        ids.REQUEST_DETAILS_BLOCK,
    }
    assert "at least 10 characters" in errors[ids.REQUEST_DETAILS_BLOCK]


def test_too_long_details_and_broken_selects_are_errors_not_exceptions() -> None:
    view = submitted(
        build_request_modal(RequestPrefill(topic=Topic.SKILLS)),
        **{
            ids.REQUEST_DETAILS_BLOCK: {"value": "z" * 2001},
            ids.REQUEST_DURATION_BLOCK: {"selected_option": {"value": "999"}},
            ids.REQUEST_URGENCY_BLOCK: {"selected_option": "garbage"},
        },
    )
    form, errors = parse_request_submission(view)
    assert form is None
    assert set(errors) == {
        ids.REQUEST_DETAILS_BLOCK,
        ids.REQUEST_DURATION_BLOCK,
        ids.REQUEST_URGENCY_BLOCK,
    }
    for broken in ({}, {"state": None}, {"state": {"values": []}}, {"state": {"values": {"x": 1}}}):
        form, errors = parse_request_submission(broken)
        assert form is None
        assert ids.REQUEST_DETAILS_BLOCK in errors


@pytest.mark.parametrize(
    "metadata",
    [None, "", "not json", "[1, 2]", '{"c": 5, "m": "1.1"}', '{"s": "weird", "c": "C1"}'],
)
def test_garbage_private_metadata_means_no_origin(metadata: str | None) -> None:
    view = submitted(build_request_modal(RequestPrefill(topic=Topic.OTHER, details="x" * 20)))
    view["private_metadata"] = metadata
    form, errors = parse_request_submission(view)
    assert errors == {}
    assert form is not None
    assert (form.origin_channel_id, form.origin_ts, form.origin_permalink) == (None, None, None)
    assert form.source is RequestSource.COMMAND


def test_private_metadata_keeps_ids_and_drops_an_oversized_permalink() -> None:
    prefill = RequestPrefill(
        origin_channel_id="C1", origin_ts="1.2", origin_permalink="https://x/" + "a" * 4000
    )
    modal = build_request_modal(prefill)
    assert_view_ok(modal)
    assert json.loads(modal["private_metadata"]) == {"s": "command", "c": "C1", "m": "1.2"}


def test_updates_remove_buttons_in_final_states() -> None:
    final = (
        RequestStatus.CANCELLED,
        RequestStatus.DECLINED,
        RequestStatus.EXPIRED,
        RequestStatus.COMPLETED,
    )
    for status in final:
        for audience in ("mentor", "pool", "mentee"):
            update = build_request_update(
                make_request(status=status), audience=audience, actor_id="UMENTOR", at=NOW
            )
            assert action_ids(update) == [], (status, audience)


def test_release_is_offered_only_on_a_claimed_pool_post() -> None:
    for status in RequestStatus:
        for audience in ("mentor", "pool", "mentee"):
            update = build_request_update(
                make_request(status=status), audience=audience, actor_id="UHELPER", at=NOW
            )
            has_release = ids.REQUEST_RELEASE in action_ids(update)
            assert has_release == (audience == "pool" and status is RequestStatus.CLAIMED)


def test_update_wording() -> None:
    when = "<!date^1700000000^{date_short_pretty} at {time}|2023-11-14 22:13 UTC>"
    assert slack_date(NOW) == when

    def line(status: RequestStatus, audience: Any, actor: str | None = "UX") -> str:
        request = make_request(status=status, mentor_id=None if audience == "pool" else "UMENTOR")
        return build_request_update(request, audience=audience, actor_id=actor, at=NOW)["text"]

    assert line(RequestStatus.ACCEPTED, "mentor") == f"✅ Accepted by <@UX> {when}"
    assert line(RequestStatus.CLAIMED, "pool") == f"🙋 Taken by <@UX> {when}"
    assert (
        line(RequestStatus.CANCELLED, "mentor", "UMENTEE") == f"🚫 Cancelled by <@UMENTEE> {when}"
    )
    assert line(RequestStatus.DECLINED, "mentor").startswith("You declined this")
    assert "can't take this one" in line(RequestStatus.DECLINED, "mentee")
    assert line(RequestStatus.OPEN, "pool") == f"↩️ Released by <@UX> {when}; open again."
    reopened = build_request_update(
        make_request(mentor_id=None), audience="pool", actor_id="UX", at=NOW
    )
    assert action_ids(reopened) == [ids.REQUEST_CLAIM]
    passed = build_request_update(
        make_request(), audience="mentor", actor_id="UMENTOR", at=NOW, passed_to="UOTHER"
    )
    assert passed["text"] == f"➡️ Passed to <@UOTHER> {when}"
    assert action_ids(passed) == []


def test_declined_for_mentee_is_kind_and_offers_the_pool() -> None:
    reply = build_declined_for_mentee(make_request(), reason=None)
    assert reply["text"] == (
        "<@UMENTOR> can't take this one right now — that's about their time, not your question."
    )
    assert "They added" not in " ".join(strings(reply))
    assert action_ids(reply) == [ids.REQUEST_SEND_TO_POOL, ids.REQUEST_CANCEL]
    with_reason = build_declined_for_mentee(make_request(), reason="Travelling all week")
    assert "> Travelling all week" in " ".join(strings(with_reason))


def test_decline_modal_keeps_the_reason_private_by_default() -> None:
    modal = build_decline_modal(42, mentee_id="UMENTEE")
    assert modal["callback_id"] == ids.DECLINE_MODAL
    assert modal["private_metadata"] == "42"
    share = next(b for b in modal["blocks"] if b.get("block_id") == ids.DECLINE_SHARE_BLOCK)
    assert "initial_options" not in share["element"]
    assert "<@UMENTEE>" in share["element"]["options"][0]["text"]["text"]

    assert parse_decline_submission(submitted(modal)) == (42, None, False)
    option = share["element"]["options"][0]
    view = submitted(
        modal,
        **{
            ids.DECLINE_REASON_BLOCK: {"value": "  Busy with a launch  "},
            ids.DECLINE_SHARE_BLOCK: {"selected_options": [option]},
        },
    )
    assert parse_decline_submission(view) == (42, "Busy with a launch", True)
    no_reason = submitted(modal, **{ids.DECLINE_SHARE_BLOCK: {"selected_options": [option]}})
    assert parse_decline_submission(no_reason) == (42, None, False)
    with pytest.raises(ValueError, match="request id"):
        parse_decline_submission({**view, "private_metadata": "nope"})


def test_short_replies() -> None:
    assert build_not_yours() == "This isn't yours, so I didn't change anything."
    assert build_already_taken("UX", RequestStatus.CLAIMED) == "Already taken by <@UX>."
    assert "cancelled" in build_already_taken(None, RequestStatus.CANCELLED)
    assert "<" not in build_already_taken("<!channel>", RequestStatus.ACCEPTED).replace("&lt;", "")


def test_optional_inputs_leave_saying_so_to_slack() -> None:
    # Slack writes "(optional)" after an optional input's label itself; a label that says it
    # too reads "(optional) (optional)" (seen in the playground's browser tour).
    modals = [
        build_intro_modal(IntroPrefill()),
        build_decline_modal(1, mentee_id="U1"),
        build_end_modal(1, "U1"),
    ]
    labels = [
        block["label"]["text"]
        for modal in modals
        for block in modal["blocks"]
        if block["type"] == "input" and block.get("optional")
    ]
    assert labels == ["A note for them both", "Reason", "Privacy", "A closing note"]
