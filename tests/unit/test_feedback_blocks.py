"""The feedback builders: escaping, the 500-character limit, the share box, no ratings for
mentors, and the stats threshold line."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from handlers import ids
from handlers.blocks.feedback import (
    build_feedback_ask,
    build_kudos_post,
    build_thanks_dm,
    build_thanks_modal,
    read_thanks,
    read_thanks_metadata,
)
from handlers.blocks.recognition import build_recognition
from handlers.blocks.settings import build_settings_modal, parse_settings_submission
from handlers.blocks.stats import build_stats
from storage.admin import WindowStats
from storage.feedback import Feedback, Rating, Recognition, Thanks
from storage.models import RequestSource, WorkspaceSettings

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
NASTY = "<!channel> & <http://x|y>"
NASTY_SHOWN = "&lt;!channel&gt; &amp; &lt;http://x|y&gt;"
FEEDBACK = Feedback(team_id="T1", session_id=7, mentee_id="U1", mentor_id="U2", prompted_at=NOW)
THANKS = Thanks(team_id="T1", session_id=7, from_id="U1", to_id="U2", note=NASTY, created_at=NOW)


def labels(message: dict[str, Any]) -> list[str]:
    return [
        element["text"]["text"]
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def submitted(note: str | None, share: bool = False) -> dict[str, Any]:
    values: dict[str, Any] = {
        ids.THANKS_NOTE_BLOCK: {ids.THANKS_NOTE_ACTION: {"type": "plain_text_input", "value": note}}
    }
    chosen = [{"value": "share"}] if share else []
    values[ids.THANKS_SHARE_BLOCK] = {ids.THANKS_SHARE_ACTION: {"selected_options": chosen}}
    return {"state": {"values": values}}


def test_the_prompt_has_three_answers_say_thanks_and_the_nudge_controls() -> None:
    message = build_feedback_ask(FEEDBACK, 42)
    assert labels(message) == [
        "Really helpful",
        "Somewhat",
        "Not really",
        "Say thanks",
        "Snooze 1 day",
        "Snooze 1 week",
        "Stop these",
    ]
    assert "<@U2> never sees it" in str(message)
    answered = build_feedback_ask(replace(FEEDBACK, rating=Rating.SOMEWHAT), None)
    assert "You said *Somewhat*" in str(answered)
    assert labels(answered) == ["Really helpful", "Somewhat", "Not really", "Say thanks"]
    thanked = build_feedback_ask(FEEDBACK, None, thanked=True)
    assert "Say thanks" not in labels(thanked)


def test_the_thanks_modal_shows_the_share_box_only_with_a_kudos_channel() -> None:
    without = build_thanks_modal(FEEDBACK, None)
    assert [b.get("block_id") for b in without["blocks"]][1:] == [ids.THANKS_NOTE_BLOCK]
    assert without["blocks"][1]["element"]["max_length"] == 500
    assert without["private_metadata"] == "7"
    shared = build_thanks_modal(FEEDBACK, "C0KUDOS")
    box = shared["blocks"][-1]
    assert box["block_id"] == ids.THANKS_SHARE_BLOCK
    assert box["element"]["type"] == "checkboxes"
    assert "initial_options" not in box["element"]  # off by default
    assert "<#C0KUDOS>" in str(box)
    # Pressed on the prompt, the form carries where it is, so Send can take Say thanks off.
    from_prompt = build_thanks_modal(FEEDBACK, None, ("D01", "1.5"))
    assert read_thanks_metadata(from_prompt["private_metadata"]) == (7, ("D01", "1.5"))
    assert read_thanks_metadata("7") == (7, None)
    for garbage in (None, "", "{", '{"s": true}', '{"s": -1}', "[7]"):
        assert read_thanks_metadata(garbage) == (None, None)


def test_a_note_is_required_and_at_most_500_characters_inline() -> None:
    assert read_thanks(submitted("  Thanks!  ", share=True)) == ("Thanks!", True, {})
    assert read_thanks(submitted("x" * 500)) == ("x" * 500, False, {})
    _, _, errors = read_thanks(submitted("x" * 501))
    assert "500 characters" in errors[ids.THANKS_NOTE_BLOCK]
    assert "501" in errors[ids.THANKS_NOTE_BLOCK]
    assert read_thanks(submitted("   "))[2] == {ids.THANKS_NOTE_BLOCK: "Write a few words first."}
    assert read_thanks({})[2]


def test_the_note_is_escaped_in_the_dm_the_kudos_post_and_home() -> None:
    for message in (build_thanks_dm(THANKS), build_kudos_post(THANKS)):
        assert NASTY_SHOWN in str(message)
        assert NASTY not in str(message)
    home = build_recognition(Recognition(2, 3, 1, [THANKS]))
    assert NASTY_SHOWN in str(home)
    assert NASTY not in str(home)
    assert "*2* people" in str(home)
    assert "*3* sessions" in str(home)
    assert "*1* thank-you note." in str(home)


def test_recognition_is_empty_for_someone_who_has_not_mentored() -> None:
    assert build_recognition(Recognition(0, 0, 0, [])) == []


def test_nothing_the_mentor_gets_has_a_rating_in_it() -> None:
    for message in (build_thanks_dm(THANKS), build_recognition(Recognition(1, 1, 1, [THANKS]))):
        for words in ("Really helpful", "Not really", "not_really", "helpful", "Somewhat"):
            assert words not in str(message)


def window(ratings: int, helpful: int) -> WindowStats:
    counts = (
        dict.fromkeys(
            ("requests", "asked", "accepted", "expired", "answered_within_day", "sessions_held"),
            0,
        )
        | dict.fromkeys(
            ("sessions_with_notes", "checkins_asked", "checkins_answered", "action_items"), 0
        )
        | {"action_items_done": 0, "intros": 0, "intros_accepted": 0}
    )
    return WindowStats(
        days=30,
        by_source=dict.fromkeys(RequestSource, 0),
        median_first_response_seconds=None,
        rated=ratings,
        rated_helpful=helpful,
        **counts,
    )


def test_stats_show_the_helpful_share_only_with_five_ratings() -> None:
    text = build_stats([window(4, 4), window(5, 4)])["text"]
    assert "last 30 days: not enough ratings yet" in text
    assert "last 30 days: 80% of 5 ratings" in text


def test_settings_modal_has_the_feedback_switch_and_kudos_channel() -> None:
    current = WorkspaceSettings(team_id="T1", kudos_channel_id="C0KUDOS")
    modal = build_settings_modal(current)
    blocks = {b.get("block_id"): b for b in modal["blocks"]}
    assert blocks[ids.SETTINGS_KUDOS_BLOCK]["element"]["initial_conversation"] == "C0KUDOS"
    switch = blocks[ids.SETTINGS_FEEDBACK_BLOCK]["element"]
    assert switch["initial_option"]["value"] == "on"
    values = {
        ids.SETTINGS_FEEDBACK_BLOCK: {
            ids.SETTINGS_FEEDBACK_ACTION: {"selected_option": {"value": "off"}}
        },
        ids.SETTINGS_KUDOS_BLOCK: {ids.SETTINGS_KUDOS_ACTION: {"selected_conversation": None}},
        ids.SETTINGS_DAYS_BLOCK: {ids.SETTINGS_DAYS_ACTION: {"selected_options": [{"value": "1"}]}},
        ids.SETTINGS_START_BLOCK: {ids.SETTINGS_START_ACTION: {"selected_time": "09:00"}},
        ids.SETTINGS_END_BLOCK: {ids.SETTINGS_END_ACTION: {"selected_time": "17:00"}},
    }
    for block in modal["blocks"]:
        element = block.get("element", {})
        if element.get("type") == "number_input":
            values[block["block_id"]] = {element["action_id"]: {"value": element["initial_value"]}}
    chosen, errors = parse_settings_submission({"state": {"values": values}}, current)
    assert errors == {}
    assert chosen is not None
    assert (chosen.feedback_enabled, chosen.kudos_channel_id) == (False, None)
