"""Booking rules and builders as pure functions: slot checks, office hours, calendar text,
and every booking message and modal within Block Kit's limits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

from bot.booking import (
    PAST,
    TOO_FAR,
    TWICE,
    check_slots,
    google_calendar_url,
    ics_event,
    outside_office_hours,
)
from bot.working_hours import WorkingHours, working_hours
from handlers.blocks.booking import (
    SESSIONS_SHOWN_MAX,
    build_cancel_modal,
    build_cancelled_notice,
    build_confirmation,
    build_did_you_meet,
    build_offer_modal,
    build_propose_modal,
    build_reminder,
    build_sessions_list,
    build_slots_dm,
    read_slot_times,
    ticked,
)
from playground.fakeslack import check_message, check_view
from storage.models import OfferedSlot, Session, WorkspaceSettings

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def session(minutes_from_now: int = 60, **changes: object) -> Session:
    fields: dict[str, object] = {
        "id": 7,
        "team_id": "T1",
        "request_id": 3,
        "mentor_id": "UMENTOR",
        "mentee_id": "UMENTEE",
        "starts_at": NOW + timedelta(minutes=minutes_from_now),
        "duration_minutes": 30,
        "created_at": NOW,
        "updated_at": NOW,
    }
    fields.update(changes)
    return Session.from_row(fields)


def test_slots_must_be_future_near_distinct_and_free() -> None:
    busy = [session(24 * 60)]  # tomorrow 15:00-15:30 UTC
    slots = {
        0: NOW - timedelta(minutes=1),
        1: NOW + timedelta(days=61),
        2: NOW + timedelta(days=1, minutes=-20),  # 14:40-15:10 overlaps
    }
    problems = check_slots(slots, now=NOW, duration_minutes=30, busy=busy, tz="Europe/Berlin")
    assert problems[0] == PAST
    assert problems[1] == TOO_FAR
    assert problems[2].startswith("This overlaps a session you already booked (Wed 11 Mar, 16:00")
    twice = {0: NOW + timedelta(hours=2), 1: NOW + timedelta(hours=2)}
    assert check_slots(twice, now=NOW, duration_minutes=30) == {1: TWICE}
    back_to_back = {0: NOW + timedelta(days=1, minutes=30), 1: NOW + timedelta(days=1, minutes=-30)}
    assert check_slots(back_to_back, now=NOW, duration_minutes=30, busy=busy) == {}


def test_office_hours_are_read_in_the_mentors_zone() -> None:
    hours, tz = working_hours(None, WorkspaceSettings(team_id="T1")), "Europe/Berlin"
    assert hours.describe(tz) == "Mon-Fri 09:00-18:00 (Europe/Berlin)"
    wednesday_9_berlin = datetime(2026, 3, 11, 8, 0, tzinfo=UTC)
    assert not outside_office_hours(wednesday_9_berlin, 30, hours, tz)
    assert outside_office_hours(wednesday_9_berlin - timedelta(minutes=1), 30, hours, tz)
    ends_18_15 = datetime(2026, 3, 11, 16, 45, tzinfo=UTC)
    assert outside_office_hours(ends_18_15, 30, hours, tz)
    assert outside_office_hours(datetime(2026, 3, 14, 10, 0, tzinfo=UTC), 30, hours, tz)  # Sat
    # After Europe's clocks change (29 March) 09:00 in Berlin is 07:00 UTC.
    assert not outside_office_hours(datetime(2026, 3, 30, 7, 0, tzinfo=UTC), 30, hours, tz)
    weekend = WorkingHours((6, 7), 600, 720)
    assert weekend.describe(None) == "Sat, Sun 10:00-12:00 (UTC)"


def test_google_calendar_link_carries_title_times_and_details() -> None:
    url = google_calendar_url("Mentoring chat: Career path", NOW, 45, "Details & more")
    query = parse_qs(urlparse(url).query)
    assert url.startswith("https://calendar.google.com/calendar/render?")
    assert query["action"] == ["TEMPLATE"]
    assert query["text"] == ["Mentoring chat: Career path"]
    assert query["dates"] == ["20260310T150000Z/20260310T154500Z"]
    assert query["details"] == ["Details & more"]
    assert not any(ch in url for ch in "|<> ")


def test_ics_is_rfc5545_text() -> None:
    text = ics_event(
        uid="session-7@mentorbot",
        start=NOW,
        duration_minutes=30,
        summary="Mentoring; chat, about\nthings",
        description="ü" * 80,
        now=NOW,
    )
    lines = text.split("\r\n")
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert lines[0] == "BEGIN:VCALENDAR"
    assert "END:VCALENDAR" in lines
    assert "DTSTART:20260310T150000Z" in lines
    assert "DTEND:20260310T153000Z" in lines
    assert "DTSTAMP:20260310T150000Z" in lines
    assert "UID:session-7@mentorbot" in lines
    assert "SUMMARY:Mentoring\\; chat\\, about\\nthings" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
    assert any(line.startswith(" ") for line in lines)  # the long description was folded
    unfolded = text.replace("\r\n ", "")
    assert "DESCRIPTION:" + "ü" * 80 in unfolded


def test_every_booking_surface_is_within_block_kit_limits() -> None:
    slots = [
        OfferedSlot(
            id=i,
            team_id="T1",
            request_id=3,
            starts_at=NOW + timedelta(days=i),
            duration_minutes=30,
            created_at=NOW,
        )
        for i in range(1, 4)
    ]
    booked = session()
    messages = [
        build_slots_dm(
            slots,
            request_id=3,
            from_id="UMENTOR",
            to_role="mentee",
            topic="Skills",
            duration_minutes=30,
            moving_from=None,
        ),
        build_slots_dm(
            slots,
            request_id=3,
            from_id="UMENTEE",
            to_role="mentor",
            topic="Skills",
            duration_minutes=30,
            moving_from=NOW,
        ),
        build_confirmation(booked, role="mentor", topic="Skills", calendar_url="https://x.test/a"),
        build_confirmation(
            replace(booked, talk_now=True),
            role="mentee",
            topic="Skills",
            calendar_url="https://x.test/a",
            moved_from=NOW,
        ),
        build_cancelled_notice(
            booked,
            by_id="UMENTEE",
            to_role="mentor",
            topic="Skills",
            reason="<!here> " + "x" * 3000,
        ),
        build_reminder(booked, role="mentee", topic="Skills", minutes=15),
        build_did_you_meet(booked, topic="Skills"),
        build_sessions_list([session(i * 60) for i in range(1, 40)], user_id="UMENTOR", topics={}),
    ]
    for message in messages:
        assert check_message(message["text"], message.get("blocks")) is None, message
    for view in (
        build_offer_modal(3, mentee_id="UMENTEE", topic="Skills", duration_minutes=30, moving=True),
        build_propose_modal(3, mentor_id="UMENTOR", topic="Skills"),
        build_cancel_modal(7, other_id="UMENTEE"),
    ):
        assert check_view(view) is None, view
    listed = messages[-1]
    assert len(listed["blocks"]) == 2 * SESSIONS_SHOWN_MAX + 2
    assert "and 29 more" in listed["blocks"][-1]["elements"][0]["text"]
    assert "&lt;!here&gt;" in str(messages[4])


def test_submitted_modal_values_are_read_defensively() -> None:
    view = {
        "state": {
            "values": {
                "booking_slot_1": {"booking_slot_time": {"selected_date_time": 1773241200}},
                "booking_slot_2": {"booking_slot_time": {"selected_date_time": "nope"}},
                "booking_slot_3": {"booking_slot_time": {"selected_date_time": True}},
                "booking_talk_now": {
                    "booking_talk_now_choice": {"selected_options": [{"value": "talk_now"}]}
                },
            }
        }
    }
    assert read_slot_times(view) == {0: datetime.fromtimestamp(1773241200, UTC)}
    assert ticked(view, "booking_talk_now", "booking_talk_now_choice", "talk_now")
    assert not ticked(view, "booking_outside_hours", "x", "offer_anyway")
    assert read_slot_times({"state": None}) == {}
