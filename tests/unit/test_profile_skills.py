"""Skills from Slack profile fields: free text into tags, field lists, matching and the settings
block (pure functions, no I/O)."""

from __future__ import annotations

from typing import Any

from bot.profile_skills import (
    FIELDS_MAX,
    ProfileField,
    match_profile_skills,
    profile_fields,
    skills_from_profile,
    split_skills,
)
from handlers import ids
from handlers.blocks.settings_skills import parse_skill_fields, skill_field_blocks
from playground.fakeslack import check_view
from storage.directory import TAG_MAX_LENGTH, TAGS_MAX


def test_free_text_splits_on_commas_semicolons_lines_bullets_and_the_word_and() -> None:
    assert split_skills("Python; Public Speaking and negotiation.\n• Brand & Marketing") == (
        "python",
        "public speaking",
        "negotiation",
        "brand & marketing",
    )
    # "and" inside a word stays: Andes, brand, sandbox.
    assert split_skills("Sandbox testing, Andes trekking") == ("sandbox testing", "andes trekking")
    assert split_skills("  ,;  and  ") == ()
    assert split_skills("SQL, sql , S Q L") == ("sql", "s q l")


def test_free_text_is_capped_like_directory_tags() -> None:
    sentence = "I have spent many years helping people with their careers at work"
    assert len(sentence) > TAG_MAX_LENGTH
    assert split_skills(f"{sentence}, python") == ("python",)
    many = ", ".join(f"topic {n}" for n in range(50))
    assert len(split_skills(many)) == TAGS_MAX
    # Past 1000 characters nothing more is read.
    assert split_skills("go, " + "x" * 991 + ", python") == ("go",)


def test_skills_come_from_the_chosen_fields_only() -> None:
    profile = {
        "fields": {
            "Xf0SKILLS01": {"value": "Python, Go", "alt": ""},
            "Xf0OTHER001": {"value": "Cooking", "alt": ""},
            "Xf0BROKEN01": {"value": 42},
        }
    }
    assert skills_from_profile(profile, ["Xf0SKILLS01"]) == ("python", "go")
    assert skills_from_profile(profile, ["Xf0OTHER001", "Xf0SKILLS01"]) == (
        "cooking",
        "python",
        "go",
    )
    assert skills_from_profile(profile, ["Xf0BROKEN01", "Xf0MISSING1"]) == ()
    # Slack sends [] (or null) when nothing is filled in.
    assert skills_from_profile({"fields": []}, ["Xf0SKILLS01"]) == ()
    assert skills_from_profile({"fields": None}, ["Xf0SKILLS01"]) == ()
    assert skills_from_profile({}, ["Xf0SKILLS01"]) == ()


def test_only_text_and_option_fields_are_offered_in_slacks_order() -> None:
    answer: dict[str, Any] = {
        "ok": True,
        "profile": {
            "fields": [
                {"id": "Xf0ASKME001", "label": "Ask me about", "type": "text", "ordering": 2},
                {"id": "Xf0SKILLS01", "label": "Skills", "type": "text", "ordering": 0},
                {"id": "Xf0BIRTHDAY", "label": "Birthday", "type": "date", "ordering": 1},
                {"id": "Xf0TEAM0001", "label": "Team", "type": "options_list", "ordering": 3},
                {"id": "not-an-id", "label": "Odd", "type": "text", "ordering": 4},
            ]
        },
    }
    assert profile_fields(answer) == [
        ProfileField("Xf0SKILLS01", "Skills"),
        ProfileField("Xf0ASKME001", "Ask me about"),
        ProfileField("Xf0TEAM0001", "Team"),
    ]
    assert profile_fields({"ok": True, "profile": {"fields": None}}) == []


def test_matching_uses_the_directory_vocabulary_and_leaves_out_the_asker() -> None:
    people = [
        ("U1", ("negotiation",)),
        ("U2", ("negotiations", "sales")),
        ("U3", ("salary negotiation",)),
        ("U4", ("cooking",)),
        ("U5", ()),
    ]
    found = match_profile_skills("salary negotiation", people, asker_id="U1")
    assert [(m.user_id, m.match) for m in found] == [
        ("U3", "salary negotiation"),  # exact
        ("U2", "negotiations"),  # near ("negotiations" ~ "negotiation")
    ]
    found = match_profile_skills("help with negotiation", people, asker_id="U9", limit=2)
    assert [m.user_id for m in found] == ["U1", "U2"]
    assert match_profile_skills("   ", people, asker_id="U9") == []


def _modal(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    title = {"type": "plain_text", "text": "Settings"}
    return {"type": "modal", "title": title, "submit": title, "blocks": blocks}


def test_the_settings_block_lists_fields_or_says_why_not() -> None:
    fields = [ProfileField(f"Xf0FIELD{n:03d}", f"Field {n}") for n in range(3)]
    [block] = skill_field_blocks(fields, ("Xf0FIELD001", "Xf0GONE0001"), None)
    element = block["element"]
    assert [o["value"] for o in element["initial_options"]] == ["Xf0FIELD001"]
    assert element["max_selected_items"] == FIELDS_MAX
    assert check_view(_modal([block])) is None
    [note] = skill_field_blocks([], (), "no <scope> & no luck")
    assert "no &lt;scope&gt; &amp; no luck" in str(note)
    assert check_view(_modal([note])) is None
    [empty] = skill_field_blocks([], (), None)
    assert empty["type"] == "context"


def _state(values: list[str] | None) -> dict[str, Any]:
    if values is None:
        return {"state": {"values": {}}}
    picked = {"selected_options": [{"value": v} for v in values]}
    block = {ids.SETTINGS_SKILL_FIELDS_ACTION: {"type": "multi_static_select", **picked}}
    return {"state": {"values": {ids.SETTINGS_SKILL_FIELDS_BLOCK: block}}}


def test_the_submitted_fields_are_checked_and_a_missing_picker_keeps_the_choice() -> None:
    current = ("Xf0SKILLS01",)
    assert parse_skill_fields(_state(None), current) == current
    assert parse_skill_fields(_state([]), current) == ()
    picked = ["Xf0ASKME001", "Xf0ASKME001", "<!channel>", *(f"Xf0MORE{n:04d}" for n in range(9))]
    assert parse_skill_fields(_state(picked), current) == (
        "Xf0ASKME001",
        "Xf0MORE0000",
        "Xf0MORE0001",
        "Xf0MORE0002",
        "Xf0MORE0003",
    )
