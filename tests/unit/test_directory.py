"""Tag normalisation, fuzzy tag matching and mentor ranking, as pure functions."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.directory import (
    Candidate,
    TopicMatcher,
    normalise_tags,
    overlap_hours,
    rank_mentors,
)
from bot.working_hours import WorkingHours
from storage.models import MentorProfile

# A Monday afternoon in New York, so everyone's working week lies ahead.
NOW = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)
ASKER = "UASKER"
NY = "America/New_York"
ZONES = (NY, "Europe/London", "Europe/Berlin", "Asia/Kolkata", "America/Los_Angeles", None)
TOPICS = (
    "negotiation",
    "kubernetes",
    "public speaking",
    "python",
    "career growth",
    "hiring",
    "design systems",
    "product management",
    "sql",
    "leadership",
)


def directory(size: int = 60, seed: int = 4) -> list[Candidate]:
    """A seeded random directory; nobody in it knows "negotiation" (tests add those)."""
    rng = random.Random(seed)
    people = []
    for index in range(size):
        capacity = rng.randint(1, 5)
        people.append(
            Candidate(
                user_id=f"U{index:03d}",
                tags=tuple(rng.sample([t for t in TOPICS if t != "negotiation"], 3)),
                bio=f"Mentor {index}",
                capacity=capacity,
                active_mentees=rng.randint(0, capacity),
                paused=rng.random() < 0.1,
                open_to_mentoring=rng.random() < 0.9,
                tz=rng.choice(ZONES),
            )
        )
    return people


def mentor(user_id: str, *tags: str, **changes: object) -> Candidate:
    """An available, idle, same-zone mentor, changed as the test needs."""
    base = Candidate(user_id=user_id, tags=tags, capacity=3, active_mentees=0, tz=NY)
    return replace(base, **changes)  # type: ignore[arg-type]


def rank(topic: str, people: list[Candidate], **options: object) -> list[str]:
    found = rank_mentors(topic, people, asker_id=ASKER, asker_tz=NY, now=NOW, **options)  # type: ignore[arg-type]
    return [ranked.candidate.user_id for ranked in found]


# -- tags -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Negotiation", ["negotiation"]),
        ("  public   speaking , SQL,", ["public speaking", "sql"]),
        ("Python, python, PYTHON ,sql", ["python", "sql"]),
        (",, ,", []),
        (["Kubernetes", "k8s, Go"], ["kubernetes", "k8s", "go"]),
        ("Straße", ["strasse"]),
    ],
)
def test_normalise_tags_cleans_and_deduplicates(raw: str | list[str], expected: list[str]) -> None:
    assert normalise_tags(raw) == (expected, None)


def test_a_tag_of_40_characters_is_kept_and_41_is_refused() -> None:
    assert normalise_tags("x" * 40) == (["x" * 40], None)
    tags, error = normalise_tags("ok, " + "y" * 41)
    assert tags == []
    assert error is not None
    assert f'"{"y" * 40}…"' in error
    assert "40" in error


def test_at_most_20_tags() -> None:
    assert normalise_tags(",".join(f"tag{i}" for i in range(20)))[1] is None
    tags, error = normalise_tags(",".join(f"tag{i}" for i in range(21)))
    assert tags == []
    assert error is not None
    assert error.startswith("At most 20 tags")


def test_duplicates_do_not_count_towards_the_limit() -> None:
    tags, error = normalise_tags(",".join(["same"] * 30))
    assert (tags, error) == (["same"], None)


# -- matching -------------------------------------------------------------------------


def tag_match(topic: str, tags: list[str]) -> float:
    return TopicMatcher(topic).best(tags)[0]


@pytest.mark.parametrize(
    ("topic", "tag"),
    [
        ("negotiation", "negotiations"),
        ("negotiations", "negotiation"),
        ("kubernets", "kubernetes"),
        ("speaking in public", "public speaking"),
        ("help with salary negotiations", "salary negotiation"),
        # The topic as whole words inside a longer tag.
        ("career", "career growth"),
        ("public", "public speaking"),
        ("ai", "ai ethics"),
    ],
)
def test_near_matches_score_high_but_below_exact(topic: str, tag: str) -> None:
    assert 0.8 <= tag_match(topic, [tag]) < 0.95


@pytest.mark.parametrize(
    ("topic", "tag", "expected"),
    [
        ("Negotiation", "negotiation", 1.0),
        ("  public   SPEAKING ", "public speaking", 1.0),
        ("help with salary negotiation", "negotiation", 0.95),
        ("python", "pytorch", 0.0),
        ("java", "javascript", 0.0),
        ("management", "engagement", 0.0),
        ("care", "career growth", 0.0),  # whole words only
        ("growth career", "career growth", 0.94),  # word order, as a near match
        ("", "python", 0.0),
    ],
)
def test_exact_named_and_unrelated(topic: str, tag: str, expected: float) -> None:
    assert tag_match(topic, [tag]) == expected


def test_best_tag_wins() -> None:
    assert tag_match("kubernetes", ["sql", "kubernets", "kubernetes"]) == 1.0
    assert tag_match("kubernetes", []) == 0.0


# -- ranking --------------------------------------------------------------------------


def test_exact_beats_near_beats_none_in_a_big_directory() -> None:
    people = directory()
    people += [
        mentor("UNEAR1", "negotiations"),
        mentor("UEXACT", "negotiation", active_mentees=2),
        mentor("UNEAR2", "negotiatoin"),
    ]
    found = rank_mentors("Negotiation", people, asker_id=ASKER, asker_tz=NY, now=NOW)
    assert [r.candidate.user_id for r in found] == ["UEXACT", "UNEAR1", "UNEAR2"]
    assert [r.match for r in found] == ["negotiation", "negotiations", "negotiatoin"]
    assert found[0].score == 1.0
    assert all(0.8 <= r.score < 0.95 for r in found[1:])


def test_topic_words_find_a_tag() -> None:
    people = [*directory(), mentor("UNEG", "negotiation")]
    assert rank("help with salary negotiation", people) == ["UNEG"]


def test_word_order_and_typos_are_found_in_the_directory() -> None:
    people = directory()
    speakers = {p.user_id for p in people if "public speaking" in p.tags and p.open_to_mentoring}
    kube = {p.user_id for p in people if "kubernetes" in p.tags and p.open_to_mentoring}
    assert len(speakers) > 5
    assert set(rank("speaking in public", people, limit=100)) == speakers
    assert set(rank("kubernets", people, limit=100)) == kube


def test_the_asker_is_never_returned() -> None:
    people = [*directory(), mentor(ASKER, "negotiation"), mentor("UOTHER", "negotiation")]
    assert rank("negotiation", people) == ["UOTHER"]
    assert ASKER not in rank("", people, limit=100)


def test_mentors_not_open_to_mentoring_are_excluded() -> None:
    people = directory()
    closed = {p.user_id for p in people if not p.open_to_mentoring}
    assert closed
    assert not closed & set(rank("", people, limit=100))
    assert not closed & set(rank("python", people, limit=100))


def test_full_and_paused_rank_below_available_and_are_dropped_for_the_pool() -> None:
    people = [
        mentor("UFULL", "negotiation", capacity=2, active_mentees=2),
        mentor("UPAUSED", "negotiation", paused=True),
        mentor("UFREE", "negotiation", active_mentees=2),
        mentor("UZERO", "negotiation", capacity=0),
    ]
    assert rank("negotiation", people) == ["UFREE", "UPAUSED", "UFULL", "UZERO"]
    assert rank("negotiation", people, require_available=True) == ["UFREE"]


def test_capacity_and_pause_come_after_the_quality_of_the_match() -> None:
    people = [mentor("UNEAR", "negotiations"), mentor("UFULL", "negotiation", active_mentees=3)]
    assert rank("negotiation", people) == ["UFULL", "UNEAR"]


def test_lower_load_first_among_equals() -> None:
    people = [
        mentor("UA", "sql", capacity=4, active_mentees=2),
        mentor("UB", "sql", capacity=4, active_mentees=1),
        mentor("UC", "sql", capacity=2, active_mentees=0),
        mentor("UD", "sql", capacity=10, active_mentees=3),
    ]
    assert rank("sql", people) == ["UC", "UB", "UD", "UA"]


def test_working_hours_overlap_breaks_ties() -> None:
    people = [mentor("UA", "sql", tz="Asia/Kolkata"), mentor("UB", "sql", tz=NY)]
    found = rank_mentors("sql", people, asker_id=ASKER, asker_tz=NY, now=NOW)
    assert [r.candidate.user_id for r in found] == ["UB", "UA"]
    assert found[0].overlap_hours > found[1].overlap_hours


def test_office_hours_shift_the_overlap() -> None:
    # Kolkata evenings (18:30 to 23:30) are New York mornings.
    evenings = mentor("UEVE", "sql", tz="Asia/Kolkata", office_start_minute=1110)
    evenings = replace(evenings, office_end_minute=1410)
    people = [mentor("ULDN", "sql", tz="Europe/London"), evenings]
    assert rank("sql", people) == ["UEVE", "ULDN"]


def test_overlap_hours_in_the_coming_week() -> None:
    day = WorkingHours()
    # Monday 14:00 to next Monday 14:00 in New York: 4h + 4 full days + 5h.
    assert overlap_hours(NY, day, NY, day, NOW) == pytest.approx(45.0)
    assert overlap_hours("Asia/Kolkata", day, NY, day, NOW) == 0.0
    # Unknown zones borrow the other side's, so they are neither rewarded nor punished.
    assert overlap_hours(None, day, NY, day, NOW) == overlap_hours(NY, day, NY, day, NOW)
    assert overlap_hours(NY, day, "Not/AZone", day, NOW) == overlap_hours(NY, day, NY, day, NOW)


def test_ties_break_by_user_id_and_limit_is_respected() -> None:
    people = [mentor(f"U{i:02d}", "sql") for i in reversed(range(12))]
    assert rank("sql", people) == ["U00", "U01", "U02", "U03", "U04"]
    assert rank("sql", people, limit=2) == ["U00", "U01"]
    assert len(rank("", directory(), limit=7)) == 7
    assert rank("sql", people, limit=0) == []


def test_ranking_is_deterministic_and_ordered_on_a_big_directory() -> None:
    people = directory(80)
    first = rank_mentors("python", people, asker_id=ASKER, asker_tz=NY, now=NOW, limit=80)
    again = rank_mentors(
        "python", list(reversed(people)), asker_id=ASKER, asker_tz=NY, now=NOW, limit=80
    )
    assert first == again
    assert all(r.match == "python" for r in first)
    available = [r.candidate.has_capacity and not r.candidate.paused for r in first]
    # Everyone with room comes before everyone without.
    assert available == sorted(available, reverse=True)
    pool = rank_mentors(
        "python", people, asker_id=ASKER, asker_tz=NY, now=NOW, limit=80, require_available=True
    )
    assert [r.candidate.user_id for r in pool] == [
        r.candidate.user_id for r, ok in zip(first, available, strict=True) if ok
    ]


def test_no_match_is_an_empty_list() -> None:
    assert rank("underwater basket weaving", directory()) == []


def test_reasons_say_why() -> None:
    people = [mentor("UA", "negotiations", paused=True, active_mentees=3)]
    (found,) = rank_mentors("negotiation", people, asker_id=ASKER, asker_tz=NY, now=NOW)
    assert found.reasons[0] == "near match: negotiations"
    assert "paused" in found.reasons
    assert "at capacity (3 of 3 mentees)" in found.reasons


def test_candidate_from_profile_evaluates_the_pause_against_now() -> None:
    profile = MentorProfile(
        team_id="T1",
        user_id="UM",
        tags=("sql",),
        capacity=4,
        office_days=(1, 3),
        office_start_minute=600,
        office_end_minute=720,
        paused_until=NOW.replace(hour=20),
        created_at=NOW,
        updated_at=NOW,
    )
    paused = Candidate.from_profile(profile, 2, NY, NOW)
    assert paused.paused
    assert (paused.active_mentees, paused.tz, paused.office_days) == (2, NY, (1, 3))
    assert not Candidate.from_profile(profile, 2, NY, NOW.replace(hour=21)).paused
