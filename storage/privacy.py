"""Your data: export it, forget it, and the retention sweep that forgets old notes for everyone.

The rule throughout: private notes belong to their author alone. An export carries only the
caller's own notes; forget deletes them; records another person also holds stay, with the
caller replaced by a tombstone person (people.forgotten_at set).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol

from storage.engine import ByEngine, Connection, Record, Sql
from storage.models import Intro, SubjectType
from storage.outbox import CANCEL_OUTBOX, Planned, enqueue_on
from storage.timefmt import format_time, parse_time

# What replaces free text the forgotten person wrote into records others keep.
REMOVED = "(removed)"
# The payload key of the offer lapse forget plans for each offer it withdraws: the moment it
# did (handlers/requests/anonymous.py's apply_lapse then rewrites the messages and re-posts).
WITHDRAWN_AT = "withdrawn_at"
# The outbox kinds forget plans for each pending intro it withdraws (handlers/intros renders
# them): the word to the introducer, and the expert's ask rewritten without its buttons.
INTRO_WITHDRAWN = "intro.withdrawn"
INTRO_UPDATE = "intro.update"
# Their payload key: who in the intro was forgotten, "mentee" or "expert".
GONE = "gone"
# Retention deletes in batches, so the daily sweep never holds the write lock for long.
RETENTION_BATCH = 5000

_EXPORT_QUERIES: dict[str, str] = {
    "people": "SELECT * FROM people WHERE team_id = ?1 AND user_id = ?2",
    "mentor_profile": "SELECT * FROM mentor_profiles WHERE team_id = ?1 AND user_id = ?2",
    "mentor_tags": "SELECT tag FROM mentor_tags WHERE team_id = ?1 AND user_id = ?2 ORDER BY tag",
    "muted_nudges": "SELECT kind, muted_at FROM muted_nudges WHERE team_id = ?1 AND user_id = ?2",
    "requests": """
        SELECT * FROM requests
        WHERE team_id = ?1 AND (mentee_id = ?2 OR mentor_id = ?2 OR claimed_by = ?2)
        ORDER BY id""",
    "sessions": """
        SELECT * FROM sessions WHERE team_id = ?1 AND (mentor_id = ?2 OR mentee_id = ?2)
        ORDER BY id""",
    # Only notes the caller wrote: notes others wrote about them are private to those others.
    "notes": "SELECT * FROM notes WHERE team_id = ?1 AND author_id = ?2 ORDER BY id",
    "action_items": """
        SELECT * FROM action_items WHERE team_id = ?1 AND (mentor_id = ?2 OR mentee_id = ?2)
        ORDER BY id""",
    "checkins": """
        SELECT * FROM checkins WHERE team_id = ?1 AND (mentor_id = ?2 OR mentee_id = ?2)
        ORDER BY id""",
    "relationships": """
        SELECT * FROM relationships WHERE team_id = ?1 AND (mentor_id = ?2 OR mentee_id = ?2)
        ORDER BY id""",
    # Session feedback: only the ratings the person gave (a mentor never sees ratings about
    # them), and thank-you notes both ways.
    "feedback": """
        SELECT session_id, mentor_id, rating, prompted_at, rated_at FROM feedback
        WHERE team_id = ?1 AND mentee_id = ?2 ORDER BY session_id""",
    "thanks_given": """
        SELECT session_id, to_id, note, kudos_channel_id, created_at FROM thanks
        WHERE team_id = ?1 AND from_id = ?2 ORDER BY session_id""",
    "thanks_received": """
        SELECT session_id, from_id, note, created_at FROM thanks
        WHERE team_id = ?1 AND to_id = ?2 ORDER BY session_id""",
    # The mentee never learns of an intro the expert declined (or hasn't answered).
    "intros": """
        SELECT * FROM intros WHERE team_id = ?1
            AND (introducer_id = ?2 OR expert_id = ?2 OR (mentee_id = ?2 AND status = 'accepted'))
        ORDER BY id""",
}

# Slack message pointers: bookkeeping of the bot, nothing a person wrote or chose.
_POINTER_SUFFIXES = ("_dm_channel_id", "_dm_ts", "pool_ts", "pool_channel_id")

# Before anything changes: the other person of each upcoming session forget cancels, to tell.
_SESSIONS_TO_CANCEL = """
SELECT CASE WHEN mentor_id = :user THEN mentee_id ELSE mentor_id END, starts_at FROM sessions
WHERE team_id = :team AND (mentor_id = :user OR mentee_id = :user)
    AND status = 'confirmed' AND starts_at > :now
"""

# Before anything changes: every message of the bot that shows one of the person's requests
# (to the named mentor, in the pool channel, pool invites, their own copy), to blank after.
_REQUEST_MESSAGES = """
SELECT mentor_dm_channel_id, mentor_dm_ts FROM requests WHERE team_id = :team AND mentee_id = :user
UNION SELECT pool_channel_id, pool_ts FROM requests WHERE team_id = :team AND mentee_id = :user
UNION SELECT mentee_dm_channel_id, mentee_dm_ts FROM requests
    WHERE team_id = :team AND mentee_id = :user
UNION SELECT offer_dm_channel_id, offer_dm_ts FROM requests
    WHERE team_id = :team AND mentee_id = :user
UNION SELECT i.dm_channel_id, i.dm_ts FROM request_invites i JOIN requests r ON r.id = i.request_id
    WHERE r.team_id = :team AND r.mentee_id = :user
"""

# A pending intro of (or to) someone who left has nobody to meet: it ends, as if it expired,
# before anyone is renamed (a yes would introduce a tombstone).
_WITHDRAW_INTROS = """
UPDATE intros SET status = 'expired'
WHERE team_id = :team AND status = 'pending' AND :user IN (mentee_id, expert_id)
RETURNING *
"""

# Before anything changes: kudos posts of thanks the person gave or received, to blank after.
_KUDOS_POSTS = """
SELECT kudos_channel_id, kudos_ts FROM thanks
WHERE team_id = :team AND :user IN (from_id, to_id) AND kudos_ts IS NOT NULL
"""

# People whose App Home shows something of the person: requests still in play between them,
# active 1:1s and open shared steps (their Home tab is re-published after forget).
_COUNTERPARTS = """
SELECT coalesce(claimed_by, mentor_id, offered_by) FROM requests
    WHERE team_id = :team AND mentee_id = :user
    AND status IN ('open', 'accepted', 'claimed', 'scheduled')
UNION SELECT mentee_id FROM requests
    WHERE team_id = :team AND :user IN (mentor_id, claimed_by, offered_by)
    AND status IN ('open', 'accepted', 'claimed', 'scheduled')
UNION SELECT mentee_id FROM relationships
    WHERE team_id = :team AND mentor_id = :user AND ended_at IS NULL
UNION SELECT mentor_id FROM relationships
    WHERE team_id = :team AND mentee_id = :user AND ended_at IS NULL
UNION SELECT CASE WHEN mentor_id = :user THEN mentee_id ELSE mentor_id END FROM action_items
    WHERE team_id = :team AND (mentor_id = :user OR mentee_id = :user) AND done_at IS NULL
"""


def _rename(table: str, *columns: str) -> str:
    """Rewrite the person's id to the tombstone in each of `columns` (constants, never input)."""
    sets = ",\n".join(f"{c} = CASE WHEN {c} = :user THEN :tombstone ELSE {c} END" for c in columns)
    return (
        f"UPDATE {table} SET {sets} "  # noqa: S608 - table and columns are constants
        f"WHERE team_id = :team AND :user IN ({', '.join(columns)})"
    )


# Forget, in order; each statement's count is reported under its name (None: not reported).
_FORGET_STEPS: tuple[tuple[str | None, Sql], ...] = (
    ("private notes", "DELETE FROM notes WHERE team_id = :team AND author_id = :user"),
    ("mentor profile", "DELETE FROM mentor_profiles WHERE team_id = :team AND user_id = :user"),
    ("session ratings", "DELETE FROM feedback WHERE team_id = :team AND mentee_id = :user"),
    (
        "thank-you notes",
        "DELETE FROM thanks WHERE team_id = :team AND :user IN (from_id, to_id)",
    ),
    ("stopped nudges", "DELETE FROM muted_nudges WHERE team_id = :team AND user_id = :user"),
    # A copy of their Slack profile's skills field; Slack keeps the original.
    (None, "DELETE FROM profile_skills WHERE team_id = :team AND user_id = :user"),
    (
        "weekly digest subscription",
        "DELETE FROM digest_subscribers WHERE team_id = :team AND user_id = :user",
    ),
    (
        "detection prompt records",
        "DELETE FROM prompted_messages WHERE team_id = :team AND user_id = :user",
    ),
    (
        "pending messages to you",
        "DELETE FROM outbox WHERE team_id = :team AND recipient = :user AND status <> 'sending'",
    ),
    # Nobody else ever held these: pool requests no one took (and no one was invited to).
    (
        "requests only you held",
        """DELETE FROM requests WHERE team_id = :team AND mentee_id = :user AND mentor_id IS NULL
            AND claimed_by IS NULL
            AND NOT EXISTS (SELECT 1 FROM request_invites WHERE request_id = requests.id)""",
    ),
    # Nobody should accept or book a request from someone who left.
    (
        "open requests withdrawn",
        """UPDATE requests SET status = 'cancelled', updated_at = :now
            WHERE team_id = :team AND mentee_id = :user
                AND status IN ('open', 'accepted', 'claimed')""",
    ),
    (
        "upcoming sessions cancelled",
        """UPDATE sessions SET status = 'cancelled', cancelled_by = :user, updated_at = :now
            WHERE team_id = :team AND (mentor_id = :user OR mentee_id = :user)
                AND status = 'confirmed' AND starts_at > :now""",
    ),
    # A 1:1 with someone who left has nobody to meet: no more ticks, to either person.
    (
        "ongoing 1:1s ended",
        """UPDATE relationships SET ended_at = :now, next_at = NULL, updated_at = :now
            WHERE team_id = :team AND :user IN (mentor_id, mentee_id) AND ended_at IS NULL""",
    ),
    # Reminders and nudges to the other person about what was just withdrawn or ended.
    (
        None,
        """UPDATE outbox SET status = 'cancelled', last_error = 'forgotten'
            WHERE team_id = :team AND status = 'pending' AND (
                (subject_type = 'request' AND subject_id IN (SELECT id FROM requests
                    WHERE team_id = :team AND mentee_id = :user AND status = 'cancelled'))
                OR (subject_type = 'session' AND subject_id IN (SELECT id FROM sessions
                    WHERE team_id = :team AND cancelled_by = :user))
                OR (subject_type = 'relationship' AND subject_id IN (SELECT id FROM relationships
                    WHERE team_id = :team AND :user IN (mentor_id, mentee_id)))
                OR (subject_type = 'checkin' AND subject_id IN (SELECT id FROM checkins
                    WHERE team_id = :team AND :user IN (mentor_id, mentee_id))))""",
    ),
    # Free text the person wrote into records the other person keeps.
    (
        None,
        "UPDATE requests SET details = :removed WHERE team_id = :team AND mentee_id = :user",
    ),
    (
        None,
        "UPDATE requests SET decline_reason = NULL WHERE team_id = :team AND mentor_id = :user",
    ),
    (
        None,
        "UPDATE sessions SET cancel_reason = NULL WHERE team_id = :team AND cancelled_by = :user",
    ),
    (
        None,
        "UPDATE intros SET why = :removed, note = NULL "
        "WHERE team_id = :team AND introducer_id = :user",
    ),
    (
        None,
        "UPDATE settings_audit SET changed_by = :tombstone "
        "WHERE team_id = :team AND changed_by = :user",
    ),
    (
        None,
        ByEngine(
            sqlite="""UPDATE workspace_settings SET coordinators = (
                SELECT json_group_array(value) FROM json_each(coordinators) WHERE value <> :user)
            WHERE team_id = :team
                AND EXISTS (SELECT 1 FROM json_each(coordinators) WHERE value = :user)""",
            postgresql="""UPDATE workspace_settings SET coordinators = (
                SELECT coalesce(json_agg(c.value), '[]'::json)::text
                FROM json_array_elements_text(coordinators::json) AS c (value)
                WHERE c.value <> :user)
            WHERE team_id = :team AND EXISTS (
                SELECT 1 FROM json_array_elements_text(coordinators::json) AS c (value)
                WHERE c.value = :user)""",
        ),
    ),
    # An offer still waiting for an anonymous mentee's answer is withdrawn: the request is
    # back in the pool for others rather than held for a tombstone. Its lapse (the kind
    # OFFER_LAPSE of handlers/requests/followups.py, keyed request:<id>:offer-lapse:<mentor>:…)
    # would tell the person about it later: it goes. In its place a lapse due now, naming
    # nobody, puts "I can help" back and plans the re-post.
    (
        None,
        """DELETE FROM outbox WHERE team_id = :team AND kind = 'request.offer_lapse'
            AND status = 'pending' AND dedupe_key LIKE :lapse_keys""",
    ),
    (
        None,
        """INSERT INTO outbox (team_id, kind, recipient, due_at, subject_type, subject_id,
                dedupe_key, payload, created_at)
            SELECT team_id, 'request.offer_lapse', 'pool', :now, 'request', id,
                'request:' || id || :withdrawn_key, :withdrawn, :now
            FROM requests WHERE team_id = :team AND offered_by = :user AND status = 'open'
            ON CONFLICT (team_id, dedupe_key) DO NOTHING""",
    ),
    (
        None,
        """UPDATE requests SET offered_by = NULL, updated_at = :now
            WHERE team_id = :team AND offered_by = :user""",
    ),
    # The tombstone every shared record will name instead of the person.
    (
        None,
        """INSERT INTO people (team_id, user_id, first_seen_at, forgotten_at, updated_at)
            SELECT team_id, :tombstone, first_seen_at, :now, :now FROM people
            WHERE team_id = :team AND user_id = :user""",
    ),
    # Each table in one statement per row, not by ON UPDATE CASCADE: a cascade rewrites one
    # column at a time, and action_items' CHECK (owner_id IN (mentor_id, mentee_id)) fails
    # halfway through.
    (None, _rename("requests", "mentee_id", "mentor_id", "claimed_by")),
    (None, _rename("request_invites", "user_id")),
    (None, _rename("relationships", "mentor_id", "mentee_id")),
    (None, _rename("sessions", "mentor_id", "mentee_id", "cancelled_by")),
    (None, _rename("notes", "subject_id")),
    (None, _rename("action_items", "mentor_id", "mentee_id", "owner_id")),
    (None, _rename("checkins", "mentor_id", "mentee_id")),
    (None, _rename("intros", "introducer_id", "mentee_id", "expert_id")),
    # Ratings others gave of the person's sessions stay in the program's counts.
    (None, _rename("feedback", "mentor_id")),
    # Last: nothing names the person now (a leftover reference would fail this delete).
    (None, "DELETE FROM people WHERE team_id = :team AND user_id = :user"),
    # What stays is the fact alone, so the bot doesn't read them back in from their Slack
    # profile (profile skills); it goes when the bot next deals with them (upsert_person).
    # So does "Don't ask again": a request to be left alone outlives the data.
    (
        None,
        """INSERT INTO people (team_id, user_id, opted_out, first_seen_at, forgotten_at,
                updated_at)
            VALUES (:team, :user, :opted_out, :now, :now, :now)""",
    ),
)


_OPTED_OUT = "SELECT opted_out FROM people WHERE team_id = :team AND user_id = :user"


class _StoreCore(Protocol):
    async def _fetch(self, sql: Sql, params: Sequence[Any] = ...) -> list[Record]: ...
    async def _write(self, sql: Sql, params: Sequence[Any] = ...) -> int: ...
    def _transaction(self) -> AbstractAsyncContextManager[Connection]: ...
    def forget_settings(self, team_id: str) -> None: ...


@dataclass(frozen=True)
class Forgotten:
    """What forget did: counts by kind, and who must hear of it."""

    removed: dict[str, int]
    cancelled: list[tuple[str, datetime]]  # (the other person, start) of each session cancelled
    counterparts: list[str]  # people whose Home tab showed something of the forgotten person
    messages: list[tuple[str, str]]  # (channel, ts) of the bot's messages showing their requests
    kudos_posts: list[tuple[str, str]] = field(default_factory=list)  # (channel, ts) to blank


@dataclass(frozen=True)
class RetentionReport:
    """How many rows one retention sweep deleted."""

    notes: int
    action_items: int
    outbox: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def tombstone_id() -> str:
    """A fresh id for a forgotten person: never a Slack id, so it is never rendered as a mention."""
    return f"forgotten-{secrets.token_hex(6)}"


def _exported(row: Record) -> dict[str, Any]:
    return {k: row[k] for k in row.keys() if not k.endswith(_POINTER_SUFFIXES)}  # noqa: SIM118 - a Row


class PrivacyQueries:
    """Store methods behind /mentor export, /mentor forget and the retention job."""

    async def export_person(self: _StoreCore, team_id: str, user_id: str) -> dict[str, Any]:
        """Everything stored about this person that is theirs to see, as JSON-ready data."""
        data: dict[str, Any] = {}
        for name, sql in _EXPORT_QUERIES.items():
            data[name] = [_exported(row) for row in await self._fetch(sql, (team_id, user_id))]
        people = data.pop("people")
        data["person"] = people[0] if people else None
        profiles = data.pop("mentor_profile")
        tags = [row["tag"] for row in data.pop("mentor_tags")]
        data["mentor_profile"] = {**profiles[0], "tags": tags} if profiles else None
        # A decline reason is the mentor's; others see it only if the mentor shared it.
        for request in data["requests"]:
            shared = request.pop("decline_reason_shared")
            if request["mentor_id"] != user_id and not shared:
                request["decline_reason"] = None
        return {"team_id": team_id, "user_id": user_id, **data}

    async def forget_person(
        self: _StoreCore, team_id: str, user_id: str, now: datetime
    ) -> Forgotten:
        """Delete the person's own data and anonymize what others hold; counts by kind, the
        sessions cancelled, the people concerned and the messages showing their requests (read
        in the same transaction, before).

        Idempotent: a second call finds nothing and returns zeros.
        """
        params: dict[str, str | int] = {
            "team": team_id,
            "user": user_id,
            "tombstone": tombstone_id(),
            "now": format_time(now),
            "removed": REMOVED,
            # The parameters of the withdrawn offer's lapse (see _FORGET_STEPS).
            "lapse_keys": f"request:%:offer-lapse:{user_id}:%",
            "withdrawn_key": f":offer-lapse:withdrawn:{format_time(now)}",
            "withdrawn": json.dumps({WITHDRAWN_AT: format_time(now)}),
        }
        removed: dict[str, int] = {}
        try:
            async with self._transaction() as conn:
                cancelled = [
                    (str(row[0]), parse_time(row[1]))
                    for row in await conn.execute_fetchall(_SESSIONS_TO_CANCEL, params)
                ]
                concerned = await conn.execute_fetchall(_COUNTERPARTS, params)
                shown = await conn.execute_fetchall(_REQUEST_MESSAGES, params)
                kudos = await conn.execute_fetchall(_KUDOS_POSTS, params)
                opted = await conn.execute_fetchall(_OPTED_OUT, params)
                params["opted_out"] = int(any(row[0] for row in opted))
                intros = await _withdraw_intros(conn, team_id, user_id, now, params)
                removed["pending introductions withdrawn"] = intros
                for name, sql in _FORGET_STEPS:
                    count = await conn.execute(sql, params)
                    if name is not None:
                        removed[name] = removed.get(name, 0) + max(count, 0)
        finally:
            self.forget_settings(team_id)  # the person may have been a coordinator
        others = [other for other, _ in cancelled] + [str(r[0]) for r in concerned if r[0]]
        people = [person for person in dict.fromkeys(others) if person != user_id]
        messages = [(str(row[0]), str(row[1])) for row in shown if row[0] and row[1]]
        posts = [(str(row[0]), str(row[1])) for row in kudos if row[0] and row[1]]
        return Forgotten(removed, cancelled, people, messages, posts)

    async def purge_retention(self: _StoreCore, cutoff: datetime) -> RetentionReport:
        """Delete notes written, action items done and outbox rows finished before cutoff."""
        stamp = format_time(cutoff)
        notes = await _in_batches(
            self,
            "DELETE FROM notes WHERE id IN (SELECT id FROM notes WHERE created_at < ? LIMIT ?)",
            stamp,
        )
        items = await _in_batches(
            self,
            "DELETE FROM action_items WHERE id IN "
            "(SELECT id FROM action_items WHERE done_at < ? LIMIT ?)",
            stamp,
        )
        outbox = await _in_batches(
            self,
            "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox "
            "WHERE status IN ('sent', 'cancelled') AND coalesce(sent_at, created_at) < ? LIMIT ?)",
            stamp,
        )
        return RetentionReport(notes=notes, action_items=items, outbox=outbox)


def _withdrawn_rows(intro: Intro, user_id: str, now: datetime) -> list[Planned]:
    """The introducer told (unless it was the person who left), and the expert's ask rewritten,
    both naming only people still here."""
    gone = "mentee" if intro.mentee_id == user_id else "expert"
    key = f"intro:{intro.id}:withdrawn"
    rows: list[Planned] = []
    if intro.introducer_id != user_id:
        payload = {GONE: gone}
        rows.append(
            Planned(
                intro.team_id,
                INTRO_WITHDRAWN,
                intro.introducer_id,
                now,
                key,
                SubjectType.INTRO,
                intro.id,
                payload,
            )
        )
    if intro.expert_dm_channel_id and intro.expert_dm_ts:
        payload = {"ts": intro.expert_dm_ts, "at": format_time(now), GONE: gone}
        rows.append(
            Planned(
                intro.team_id,
                INTRO_UPDATE,
                intro.expert_dm_channel_id,
                now,
                f"{key}:update",
                SubjectType.INTRO,
                intro.id,
                payload,
            )
        )
    return rows


async def _withdraw_intros(
    conn: Connection, team_id: str, user_id: str, now: datetime, params: dict[str, str | int]
) -> int:
    """End the person's pending intros (as mentee or expert) inside forget's transaction: their
    reminder and expiry go, the withdrawal's words are planned; how many ended."""
    withdrawn = [
        Intro.from_row(row) for row in await conn.execute_fetchall(_WITHDRAW_INTROS, params)
    ]
    for intro in withdrawn:
        await conn.execute(CANCEL_OUTBOX, (team_id, str(SubjectType.INTRO), intro.id))
        for row in _withdrawn_rows(intro, user_id, now):
            await enqueue_on(conn, row, now)
    return len(withdrawn)


async def _in_batches(store: _StoreCore, sql: Sql, stamp: str) -> int:
    total = 0
    while True:
        changed = await store._write(sql, (stamp, RETENTION_BATCH))
        total += changed
        if changed < RETENTION_BATCH:
            return total


def export_json(data: dict[str, Any], exported_at: datetime) -> str:
    """The export file's text: pretty JSON, the export time first."""
    return json.dumps({"exported_at": format_time(exported_at), **data}, indent=2, default=str)
