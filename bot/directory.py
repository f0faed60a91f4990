"""Mentor directory rules: tag normalisation, fuzzy expertise matching and mentor ranking.

Pure functions, no I/O: the caller loads the candidates (storage.directory) and passes the clock.
Ranking order: expertise match (exact tag, a tag named in the topic, then a near match), then
room for another mentee, not paused, lower load, and more working-hours overlap with the asker.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.working_hours import DEFAULT_WORKING_HOURS, WorkingHours, known_zone, resolve_hours
from storage.directory import TAG_MAX_LENGTH, TAGS_MAX, clean_tag
from storage.models import MentorProfile

EXACT = 1.0
# The topic names the tag among other words: "help with salary negotiation" ~ "negotiation".
NAMED_IN_TOPIC = 0.95
NEAR_MIN, NEAR_MAX = 0.8, 0.94
# The tag names the topic among other words: "career" ~ "career growth". A narrower tag than
# asked for, so at the top of the near matches, not among the named ones.
TOPIC_IN_TAG = NEAR_MAX
# A topic this short is too vague to find inside longer tags ("ai" in "ai ethics" still is).
TOPIC_IN_TAG_MIN_CHARS = 2
# rapidfuzz scores (0 to 100) below this are no match; "sales" ~ "scales" (91) still passes.
NEAR_THRESHOLD = 85.0
# Long topics are cut, so one request can't make matching slow.
TOPIC_MAX_WORDS = 30
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Candidate:
    """A mentor as ranking sees them; paused is already evaluated against the clock."""

    user_id: str
    tags: tuple[str, ...] = ()
    bio: str = ""
    capacity: int = 3
    active_mentees: int = 0
    paused: bool = False
    open_to_mentoring: bool = True
    tz: str | None = None
    office_days: tuple[int, ...] = (1, 2, 3, 4, 5)
    office_start_minute: int | None = None
    office_end_minute: int | None = None

    @classmethod
    def from_profile(
        cls, profile: MentorProfile, active_mentees: int, tz: str | None, now: datetime
    ) -> Candidate:
        """A candidate from a stored profile, as storage list_candidates returns them."""
        return cls(
            user_id=profile.user_id,
            tags=profile.tags,
            bio=profile.bio,
            capacity=profile.capacity,
            active_mentees=active_mentees,
            paused=profile.paused_until is not None and profile.paused_until > now,
            open_to_mentoring=profile.open_to_mentoring,
            tz=tz,
            office_days=profile.office_days,
            office_start_minute=profile.office_start_minute,
            office_end_minute=profile.office_end_minute,
        )

    @property
    def has_capacity(self) -> bool:
        """Whether the mentor can take on another mentee."""
        return self.active_mentees < self.capacity

    @property
    def load(self) -> float:
        """Share of capacity in use; a capacity of 0 counts as full."""
        return self.active_mentees / self.capacity if self.capacity > 0 else 1.0


@dataclass(frozen=True)
class Ranked:
    """A ranked mentor: tag-match score in [0, 1], the best tag, and why they rank there."""

    candidate: Candidate
    score: float
    match: str | None
    overlap_hours: float
    reasons: tuple[str, ...] = field(default=())


def normalise_tags(raw: str | Iterable[str]) -> tuple[list[str], str | None]:
    """Comma-separated tags, cleaned and de-duplicated; ([], message) if they can't be kept."""
    pieces = [raw] if isinstance(raw, str) else list(raw)
    tags = list(
        dict.fromkeys(
            tag for piece in pieces for part in piece.split(",") if (tag := clean_tag(part))
        )
    )
    too_long = next((tag for tag in tags if len(tag) > TAG_MAX_LENGTH), None)
    if too_long is not None:
        shown = f"{too_long[:TAG_MAX_LENGTH]}…"
        return [], f'"{shown}" is too long: a tag has at most {TAG_MAX_LENGTH} characters.'
    if len(tags) > TAGS_MAX:
        return [], f"At most {TAGS_MAX} tags, please (you gave {len(tags)})."
    return tags, None


class TopicMatcher:
    """Scores tags against one topic, remembering each tag's score (many mentors share tags)."""

    def __init__(self, topic: str) -> None:
        self.topic = " ".join(clean_tag(topic).split()[:TOPIC_MAX_WORDS])
        self._words = self.topic.split()
        self._scores: dict[str, float] = {}

    def best(self, tags: Iterable[str]) -> tuple[float, str | None]:
        """The best-matching tag and its score; (0.0, None) if none match."""
        best: tuple[float, str | None] = (0.0, None)
        for tag in tags:
            score = self.score(tag)
            # Ties go to the alphabetically first tag, so results don't depend on tag order.
            if score > best[0] or (score == best[0] > 0 and best[1] is not None and tag < best[1]):
                best = (score, tag)
        return best

    def score(self, tag: str) -> float:
        """How well one tag matches the topic, in [0, 1]."""
        if tag not in self._scores:
            self._scores[tag] = self._compute(clean_tag(tag))
        return self._scores[tag]

    def _compute(self, tag: str) -> float:
        if not self.topic or not tag:
            return 0.0
        if tag == self.topic:
            return EXACT
        size = len(tag.split())
        phrases = {
            " ".join(self._words[i : i + n])
            for n in (size, size + 1)
            for i in range(len(self._words) - n + 1)
        }
        if tag in phrases:
            return NAMED_IN_TOPIC
        tag_words = tag.split()
        count = len(self._words)
        if count < len(tag_words) and len(self.topic) >= TOPIC_IN_TAG_MIN_CHARS:
            spans = (tag_words[i : i + count] for i in range(len(tag_words) - count + 1))
            if self._words in spans:
                return TOPIC_IN_TAG
        from rapidfuzz import fuzz  # here, not at the top: 2.3 MB only a directory search needs

        similarity = max(
            fuzz.token_sort_ratio(self.topic, tag),
            max((fuzz.token_sort_ratio(phrase, tag) for phrase in phrases), default=0.0),
        )
        if similarity < NEAR_THRESHOLD:
            return 0.0
        # Map the passing range onto [NEAR_MIN, NEAR_MAX], below any exact or named match.
        fraction = (similarity - NEAR_THRESHOLD) / (100.0 - NEAR_THRESHOLD)
        return round(NEAR_MIN + fraction * (NEAR_MAX - NEAR_MIN), 4)


def _match_tier(score: float) -> int:
    if score >= EXACT:
        return 3
    if score >= NAMED_IN_TOPIC:
        return 2
    return 1 if score > 0 else 0


def _week_intervals(
    zone: ZoneInfo, hours: WorkingHours, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The working intervals between start and end, in UTC."""
    today = start.astimezone(zone).date()
    intervals = []
    # One day either side, so a shift that started yesterday in this zone is counted.
    for offset in range(-1, WEEK.days + 2):
        day: date = today + timedelta(days=offset)
        if day.isoweekday() not in hours.days:
            continue
        midnight = datetime.combine(day, time())
        begins = (midnight + timedelta(minutes=hours.start_minute)).replace(tzinfo=zone)
        ends = (midnight + timedelta(minutes=hours.end_minute)).replace(tzinfo=zone)
        begins, ends = max(begins.astimezone(UTC), start), min(ends.astimezone(UTC), end)
        if begins < ends:
            intervals.append((begins, ends))
    return intervals


def overlap_hours(
    mentor_tz: str | None,
    mentor_hours: WorkingHours,
    asker_tz: str | None,
    asker_hours: WorkingHours,
    now: datetime,
) -> float:
    """Hours in the coming week when both are working; an unknown zone borrows the other's."""
    mentor_zone = known_zone(mentor_tz) or known_zone(asker_tz) or ZoneInfo("UTC")
    asker_zone = known_zone(asker_tz) or mentor_zone
    end = now + WEEK
    mentor = _week_intervals(mentor_zone, mentor_hours, now, end)
    asker = _week_intervals(asker_zone, asker_hours, now, end)
    seconds = sum(
        max(0.0, (min(e1, e2) - max(s1, s2)).total_seconds())
        for s1, e1 in mentor
        for s2, e2 in asker
    )
    return round(seconds / 3600, 2)


def _office_hours(candidate: Candidate, workspace: WorkingHours) -> WorkingHours:
    return resolve_hours(
        candidate.office_days,
        candidate.office_start_minute,
        candidate.office_end_minute,
        workspace,
    )


def _reasons(
    candidate: Candidate, score: float, tag: str | None, overlap: float
) -> tuple[str, ...]:
    reasons = []
    if tag is not None:
        reasons.append(f"{'knows' if score >= NAMED_IN_TOPIC else 'near match'}: {tag}")
    if candidate.paused:
        reasons.append("paused")
    room = f"{candidate.active_mentees} of {candidate.capacity} mentees"
    reasons.append(f"has room ({room})" if candidate.has_capacity else f"at capacity ({room})")
    reasons.append(f"{overlap:g}h of shared working hours this week")
    return tuple(reasons)


def rank_mentors(
    topic: str,
    candidates: Sequence[Candidate],
    *,
    asker_id: str,
    asker_tz: str | None,
    now: datetime,
    limit: int = 5,
    require_available: bool = False,
    working_hours: WorkingHours = DEFAULT_WORKING_HOURS,
    asker_hours: WorkingHours | None = None,
) -> list[Ranked]:
    """The best mentors for topic, best first; a blank topic ranks everyone on the rest.

    require_available (pool suggestions) drops paused and at-capacity mentors; working_hours
    is the workspace's, used for mentors without usable office hours; asker_hours (by the same
    rule, bot.working_hours) defaults to it.
    """
    asker_week = asker_hours or working_hours
    matcher = TopicMatcher(topic)
    keyed = []
    for candidate in candidates:
        if candidate.user_id == asker_id or not candidate.open_to_mentoring:
            continue
        available = candidate.has_capacity and not candidate.paused
        if require_available and not available:
            continue
        score, tag = matcher.best(candidate.tags)
        if matcher.topic and score == 0.0:
            continue
        overlap = overlap_hours(
            candidate.tz, _office_hours(candidate, working_hours), asker_tz, asker_week, now
        )
        key = (
            -_match_tier(score),
            not candidate.has_capacity,
            candidate.paused,
            candidate.load,
            -overlap,
            -score,
            candidate.user_id,
        )
        ranked = Ranked(candidate, score, tag, overlap, _reasons(candidate, score, tag, overlap))
        keyed.append((key, ranked))
    keyed.sort(key=lambda pair: pair[0])
    return [ranked for _, ranked in keyed[: max(limit, 0)]]
