"""Forget: the statements that delete a person's own data and anonymize what others also
hold, run in order inside one transaction (Store.forget_person, storage/privacy.py).

Records another person keeps stay, with the person replaced by a tombstone (people.forgotten_at
set); what they wrote into them becomes "(removed)".
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from storage.engine import ByEngine, Connection, Sql
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


@dataclass(frozen=True)
class Forgotten:
    """What forget did: counts by kind, and who must hear of it."""

    removed: dict[str, int]
    cancelled: list[tuple[str, datetime]]  # (the other person, start) of each session cancelled
    counterparts: list[str]  # people whose Home tab showed something of the forgotten person
    messages: list[tuple[str, str]]  # (channel, ts) of the bot's messages showing their requests
    kudos_posts: list[tuple[str, str]] = field(default_factory=list)  # (channel, ts) to blank


def tombstone_id() -> str:
    """A fresh id for a forgotten person: never a Slack id, so it is never rendered as a mention."""
    return f"forgotten-{secrets.token_hex(6)}"


async def forget_in(conn: Connection, team_id: str, user_id: str, now: datetime) -> Forgotten:
    """Delete the person's own data and anonymize what others hold, inside the caller's
    transaction; counts by kind, the sessions cancelled, the people concerned and the messages
    showing their requests (read first, before anything changes)."""
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
    cancelled = [
        (str(row[0]), parse_time(row[1]))
        for row in await conn.execute_fetchall(_SESSIONS_TO_CANCEL, params)
    ]
    concerned = await conn.execute_fetchall(_COUNTERPARTS, params)
    shown = await conn.execute_fetchall(_REQUEST_MESSAGES, params)
    kudos = await conn.execute_fetchall(_KUDOS_POSTS, params)
    opted = await conn.execute_fetchall(_OPTED_OUT, params)
    params["opted_out"] = int(any(row[0] for row in opted))
    removed: dict[str, int] = {}
    removed["pending introductions withdrawn"] = await _withdraw_intros(
        conn, team_id, user_id, now, params
    )
    for name, sql in _FORGET_STEPS:
        count = await conn.execute(sql, params)
        if name is not None:
            removed[name] = removed.get(name, 0) + max(count, 0)
    others = [other for other, _ in cancelled] + [str(r[0]) for r in concerned if r[0]]
    people = [person for person in dict.fromkeys(others) if person != user_id]
    messages = [(str(row[0]), str(row[1])) for row in shown if row[0] and row[1]]
    posts = [(str(row[0]), str(row[1])) for row in kudos if row[0] and row[1]]
    return Forgotten(removed, cancelled, people, messages, posts)


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
