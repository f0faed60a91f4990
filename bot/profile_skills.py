"""Skills from Slack profile fields: reading free text into tags, and matching a topic (pure).

A field such as "Python, public speaking and negotiation" becomes the tags a mentor profile
would hold: split on commas, semicolons, line breaks, bullets and the word "and", stripped of
punctuation around each piece, cleaned like directory tags and capped like them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.directory import TopicMatcher
from storage.directory import TAG_MAX_LENGTH, TAGS_MAX, clean_tag

# What one field may hold before it is read; the profile form takes as much typed text.
VALUE_MAX = 1000
FIELDS_MAX = 5
# How many people outside the directory /mentor find adds after directory mentors.
OUTSIDE_SHOWN = 3
FIELD_ID = re.compile(r"^X[A-Za-z0-9]{5,40}$")
_SPLIT = re.compile(r"[,;\n\r\u2022\u00b7|]+|\band\b", re.IGNORECASE)
# Around a piece: spaces, sentence punctuation, list dashes (hyphen, en and em), quotes.
_EDGES = " \t.:!?*_\"'`()[]{}<>-\u2013\u2014"


@dataclass(frozen=True, slots=True)
class ProfileField:
    """A custom profile field an admin can pick: Slack's id and its label."""

    field_id: str
    label: str


@dataclass(frozen=True, slots=True)
class SkillMatch:
    """Someone outside the directory whose profile field names the topic."""

    user_id: str
    skills: tuple[str, ...]
    match: str
    score: float


def split_skills(text: str) -> tuple[str, ...]:
    """Free text as tags: split, trimmed of punctuation, cleaned, de-duplicated and capped."""
    tags: list[str] = []
    pieces = _SPLIT.split(text[:VALUE_MAX])
    if len(text) > VALUE_MAX:
        pieces.pop()  # cut mid-word: "pyt" is no skill
    for piece in pieces:
        tag = clean_tag(piece.strip(_EDGES))
        # A sentence is not a tag: anything longer than a directory tag is left out.
        if tag and len(tag) <= TAG_MAX_LENGTH and tag not in tags:
            tags.append(tag)
    return tuple(tags[:TAGS_MAX])


def skills_from_profile(profile: Mapping[str, Any], field_ids: Sequence[str]) -> tuple[str, ...]:
    """The tags in the chosen fields of a users.profile.get `profile`, in field order."""
    fields = profile.get("fields")
    # Slack sends an empty list (or null) for someone who filled in no custom field.
    values = fields if isinstance(fields, dict) else {}
    texts = []
    for field_id in field_ids:
        entry = values.get(field_id)
        value = entry.get("value") if isinstance(entry, dict) else None
        if isinstance(value, str):
            texts.append(value)
    return split_skills("\n".join(texts)) if texts else ()


def profile_fields(answer: Mapping[str, Any]) -> list[ProfileField]:
    """The fields of a team.profile.get answer that can hold skills (text or a list of
    options), in Slack's order; dates, links and people are left out."""
    fields = (answer.get("profile") or {}).get("fields") or []
    usable = [
        field
        for field in fields
        if isinstance(field, dict)
        and isinstance(field.get("id"), str)
        and FIELD_ID.match(field["id"])
        and field.get("type", "text") in ("text", "options_list")
    ]
    usable.sort(key=lambda field: float(field.get("ordering") or 0))
    return [
        ProfileField(field["id"], str(field.get("label") or field["id"])[: TAG_MAX_LENGTH * 2])
        for field in usable
    ]


def match_profile_skills(
    topic: str,
    people: Iterable[tuple[str, tuple[str, ...]]],
    *,
    asker_id: str,
    limit: int = OUTSIDE_SHOWN,
) -> list[SkillMatch]:
    """People whose field names the topic, best match first, the asker left out; the same
    vocabulary matching as directory tags (exact, named in the topic, then near)."""
    matcher = TopicMatcher(topic)
    if not matcher.topic:
        return []
    found = []
    for user_id, skills in people:
        if user_id == asker_id:
            continue
        score, tag = matcher.best(skills)
        if tag is not None and score > 0:
            found.append(SkillMatch(user_id, skills, tag, score))
    found.sort(key=lambda one: (-one.score, one.user_id))
    return found[: max(limit, 0)]
