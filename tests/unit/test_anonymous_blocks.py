"""Anonymous pool asks as pure builders and parsers: no name, no link, where it mustn't be."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from handlers import ids
from handlers.blocks.anonymous import (
    build_lapsed_for_mentor,
    build_offer_for_mentee,
    build_offer_withdrawn_for_mentor,
    build_revealed_for_mentor,
    build_turned_down_for_mentor,
    offer_block_id,
    offer_mentor,
)
from handlers.blocks.nudges import build_coordinator_note, build_repost
from handlers.blocks.request_messages import build_pool_post, build_request_update
from handlers.blocks.request_modal import (
    ANONYMOUS_LABEL,
    ANONYMOUS_NAMED,
    RequestPrefill,
    build_request_modal,
    parse_request_submission,
)
from handlers.blocks.text import BUTTON_TEXT_MAX
from playground.fakeslack.blockkit import check_message, check_view
from playground.fakeslack.state import state_values
from storage.models import Request, RequestSource, RequestStatus, Topic

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
MENTEE = "UMENTEE"


def anonymous_request(**changes: Any) -> Request:
    fields: dict[str, Any] = {
        "id": 7,
        "team_id": "T1",
        "mentee_id": MENTEE,
        "mentor_id": None,
        "topic": Topic.PROBLEM,
        "details": "My manager and I disagree about my next step.",
        "source": RequestSource.DETECTED,
        "origin_channel_id": "C0ORIGIN",
        "origin_ts": "1700000000.000100",
        "origin_permalink": "https://example.slack.com/archives/C0ORIGIN/p1700000000000100",
        "anonymous": True,
        "created_at": NOW,
        "updated_at": NOW,
    }
    return Request.from_row(fields | changes)


def shown(message: dict[str, Any]) -> str:
    return json.dumps(message)


def test_what_others_see_has_neither_name_nor_link() -> None:
    request = anonymous_request()
    offered = anonymous_request(offered_by="UBOB")
    cancelled = anonymous_request(status=RequestStatus.CANCELLED)
    for message in (
        build_pool_post(request),
        build_repost(request),
        build_coordinator_note(request, "unclaimed", NOW - NOW, 5, None),
        build_request_update(offered, audience="pool", actor_id=None, at=NOW),
        build_request_update(cancelled, audience="pool", actor_id=MENTEE, at=NOW),
        build_turned_down_for_mentor(request),
        build_lapsed_for_mentor(request),
        build_lapsed_for_mentor(request, closed=True),
        build_offer_withdrawn_for_mentor(request),
    ):
        assert MENTEE not in shown(message)
        assert "example.slack.com" not in shown(message)
        assert check_message(message["text"], message["blocks"]) is None
    assert "Someone asks about *Handling a problem*" in shown(build_pool_post(request))
    assert "asked without a name" in shown(build_coordinator_note(request, "x", NOW - NOW, 5, None))
    assert "Cancelled by the person who asked" in shown(
        build_request_update(cancelled, audience="pool", actor_id=MENTEE, at=NOW)
    )


def test_while_an_offer_waits_the_pool_post_has_no_button() -> None:
    offered = anonymous_request(offered_by="UBOB")
    update = build_request_update(offered, audience="pool", actor_id=None, at=NOW)
    assert "A mentor offered to help" in shown(update)
    assert "UBOB" not in shown(update)  # a "not them" is nobody's business
    assert ids.REQUEST_CLAIM not in shown(update)
    back = build_request_update(anonymous_request(), audience="pool", actor_id=None, at=NOW)
    assert ids.REQUEST_CLAIM in shown(back)


def test_the_offer_names_both_and_its_buttons_name_the_offer() -> None:
    message = build_offer_for_mentee(anonymous_request(), "UBOB", "Bob " + "x" * 200)
    assert check_message(message["text"], message["blocks"]) is None
    [buttons] = [block for block in message["blocks"] if block["type"] == "actions"]
    assert offer_mentor(buttons["block_id"]) == "UBOB"
    labels = [element["text"]["text"] for element in buttons["elements"]]
    assert labels[0].startswith("Reveal myself to Bob")
    assert all(len(label) <= BUTTON_TEXT_MAX for label in labels)
    nameless = build_offer_for_mentee(anonymous_request(), "UBOB", "  ")
    assert "Not them, keep waiting" in shown(nameless)


def test_an_offer_block_id_reads_back_only_when_it_is_ours() -> None:
    assert offer_mentor(offer_block_id("U123")) == "U123"
    for garbled in (None, 5, "", "request_offer", "other:U123", "request_offer:" + "U" * 99):
        assert offer_mentor(garbled) is None


def test_the_revealed_mentor_gets_the_name_and_the_buttons_to_go_on() -> None:
    message = build_revealed_for_mentor(anonymous_request(status=RequestStatus.CLAIMED))
    assert f"<@{MENTEE}>" in shown(message)
    assert ids.OFFER_TIMES in shown(message)
    assert check_message(message["text"], message["blocks"]) is None


def test_the_box_is_shown_only_where_allowed_and_refused_next_to_a_mentor() -> None:
    assert ANONYMOUS_LABEL not in shown(build_request_modal(RequestPrefill()))
    view = build_request_modal(RequestPrefill(anonymous_allowed=True))
    assert check_view(view) is None
    answers = {"What is it about?": "Career path", "What's on your mind?": "A hard question here."}
    ticked = {**answers, "Your name": ANONYMOUS_LABEL}
    form, errors = parse_request_submission(
        {**view, "state": {"values": state_values(view, ticked)}}
    )
    assert errors == {}
    assert form is not None
    assert form.anonymous
    named = {**ticked, "Who would you like to talk to?": "UBOB"}
    form, errors = parse_request_submission(
        {**view, "state": {"values": state_values(view, named)}}, submitter_id=MENTEE
    )
    assert form is None
    assert errors == {ids.REQUEST_ANONYMOUS_BLOCK: ANONYMOUS_NAMED}
    plain = parse_request_submission({**view, "state": {"values": state_values(view, answers)}})
    assert plain[0] is not None
    assert not plain[0].anonymous
