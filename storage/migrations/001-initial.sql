-- 001: the whole schema of DESIGN.md.
-- Conventions:
--   * every domain table has team_id: one database can serve several workspaces;
--   * times are UTC text 'YYYY-MM-DDTHH:MM:SS.ffffffZ' (storage/timefmt.py), so they sort;
--     calendar dates are 'YYYY-MM-DD'; booleans are 0/1;
--   * enumerations are CHECKed here and mirrored by the StrEnums in storage/models.py;
--   * every user a row points at has a row in people. /mentor forget anonymizes the records
--     other people still hold by rewriting them table by table to a tombstone person
--     (storage/privacy.py), not through the ON UPDATE CASCADEs below.

CREATE TABLE people (
    team_id         TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    tz              TEXT,                -- IANA name from users.info; NULL until first read
    tz_cached_at    TEXT,
    is_admin        INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),  -- Slack admin/owner
    admin_cached_at TEXT,
    opted_out       INTEGER NOT NULL DEFAULT 0 CHECK (opted_out IN (0, 1)),  -- detection prompts
    snoozed_until   TEXT,                -- no nudges before this time
    first_seen_at   TEXT NOT NULL,
    welcomed_at     TEXT,                -- App Home welcome shown
    forgotten_at    TEXT,                -- set on the anonymized tombstone left by /mentor forget
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (team_id, user_id)
);

-- "Stop these" on a nudge: that kind of message is never sent to that person again.
CREATE TABLE muted_nudges (
    team_id  TEXT NOT NULL,
    user_id  TEXT NOT NULL,
    kind     TEXT NOT NULL,
    muted_at TEXT NOT NULL,
    PRIMARY KEY (team_id, user_id, kind),
    FOREIGN KEY (team_id, user_id) REFERENCES people (team_id, user_id)
        ON UPDATE CASCADE ON DELETE CASCADE
);

CREATE TABLE mentor_profiles (
    team_id             TEXT NOT NULL,
    user_id             TEXT NOT NULL,
    open_to_mentoring   INTEGER NOT NULL DEFAULT 1 CHECK (open_to_mentoring IN (0, 1)),
    bio                 TEXT NOT NULL DEFAULT '' CHECK (length(bio) <= 1000),
    capacity            INTEGER NOT NULL DEFAULT 3 CHECK (capacity BETWEEN 0 AND 50),
    -- Office hours in the mentor's own time zone. Days: bit 0 = Monday … bit 6 = Sunday.
    -- Start/end are minutes after local midnight; NULL means the workspace's working hours.
    office_days         INTEGER NOT NULL DEFAULT 31 CHECK (office_days BETWEEN 0 AND 127),
    office_start_minute INTEGER CHECK (office_start_minute BETWEEN 0 AND 1439),
    office_end_minute   INTEGER CHECK (office_end_minute BETWEEN 1 AND 1440),
    paused_until        TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    PRIMARY KEY (team_id, user_id),
    FOREIGN KEY (team_id, user_id) REFERENCES people (team_id, user_id)
        ON UPDATE CASCADE ON DELETE CASCADE,
    CHECK ((office_start_minute IS NULL) = (office_end_minute IS NULL)),
    CHECK (office_start_minute < office_end_minute)
);

-- One normalised (trimmed, lower-case) tag per row, so "who knows X" is an index lookup.
CREATE TABLE mentor_tags (
    team_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    tag     TEXT NOT NULL CHECK (tag <> '' AND tag = lower(trim(tag)) AND length(tag) <= 50),
    PRIMARY KEY (team_id, user_id, tag),
    FOREIGN KEY (team_id, user_id) REFERENCES mentor_profiles (team_id, user_id)
        ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX mentor_tags_by_tag ON mentor_tags (team_id, tag);

CREATE TABLE requests (
    id                     INTEGER PRIMARY KEY,
    team_id                TEXT NOT NULL,
    mentee_id              TEXT NOT NULL,
    mentor_id              TEXT,         -- NULL: sent to the mentor pool
    topic                  TEXT NOT NULL
        CHECK (topic IN ('promotion', 'problem', 'career_path', 'skills', 'other')),
    details                TEXT NOT NULL CHECK (length(details) <= 2000),
    duration_minutes       INTEGER NOT NULL DEFAULT 30
        CHECK (duration_minutes IN (15, 30, 45, 60)),
    urgency                TEXT NOT NULL DEFAULT 'this_week'
        CHECK (urgency IN ('today', 'this_week', 'no_rush')),
    source                 TEXT NOT NULL
        CHECK (source IN ('detected', 'command', 'shortcut', 'intro')),
    status                 TEXT NOT NULL DEFAULT 'open' CHECK (status IN (
        'open', 'accepted', 'claimed', 'scheduled', 'completed',
        'declined', 'cancelled', 'expired', 'referred')),
    origin_channel_id      TEXT,         -- the message the request came from, if any
    origin_ts              TEXT,
    origin_permalink       TEXT,
    decline_reason         TEXT CHECK (length(decline_reason) <= 1000),
    -- The reason stays private to the mentor unless they chose to share it.
    decline_reason_shared  INTEGER NOT NULL DEFAULT 0 CHECK (decline_reason_shared IN (0, 1)),
    claimed_by             TEXT,         -- pool requests: whoever clicked "I can help"
    claimed_at             TEXT,
    accepted_at            TEXT,         -- kept after later transitions, for "accepted %"
    first_response_at      TEXT,         -- first accept/claim/decline/referral, for stats
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL,
    -- Slack messages to update when the request changes.
    mentor_dm_channel_id   TEXT,
    mentor_dm_ts           TEXT,
    pool_channel_id        TEXT,
    pool_ts                TEXT,
    mentee_dm_channel_id   TEXT,
    mentee_dm_ts           TEXT,
    FOREIGN KEY (team_id, mentee_id) REFERENCES people (team_id, user_id) ON UPDATE CASCADE,
    FOREIGN KEY (team_id, mentor_id) REFERENCES people (team_id, user_id) ON UPDATE CASCADE,
    FOREIGN KEY (team_id, claimed_by) REFERENCES people (team_id, user_id) ON UPDATE CASCADE,
    CHECK (mentor_id IS NULL OR mentor_id <> mentee_id),
    CHECK (status <> 'claimed' OR claimed_by IS NOT NULL)
);
CREATE INDEX requests_by_mentee ON requests (team_id, mentee_id, status);
CREATE INDEX requests_by_mentor ON requests (team_id, mentor_id, status);
CREATE INDEX requests_by_claimer ON requests (team_id, claimed_by, status);
CREATE INDEX requests_by_created ON requests (team_id, created_at);  -- stats windows

-- Mentors invited to a pool request: mentioned in the pool thread, or DMed when the workspace
-- has no pool channel. Their DMs are updated once someone claims it; never invite twice.
CREATE TABLE request_invites (
    request_id    INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    team_id       TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    dm_channel_id TEXT,
    dm_ts         TEXT,
    invited_at    TEXT NOT NULL,
    PRIMARY KEY (request_id, user_id),
    FOREIGN KEY (team_id, user_id) REFERENCES people (team_id, user_id) ON UPDATE CASCADE
);
CREATE INDEX request_invites_by_user ON request_invites (team_id, user_id);

CREATE TABLE offered_slots (
    id               INTEGER PRIMARY KEY,
    team_id          TEXT NOT NULL,
    request_id       INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    starts_at        TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 5 AND 240),
    -- The mentor offers; after "None of these work" the mentee proposes and the mentor picks.
    proposed_by      TEXT NOT NULL DEFAULT 'mentor' CHECK (proposed_by IN ('mentor', 'mentee')),
    status           TEXT NOT NULL DEFAULT 'offered'
        CHECK (status IN ('offered', 'picked', 'withdrawn')),
    created_at       TEXT NOT NULL,
    UNIQUE (request_id, proposed_by, starts_at)
);

CREATE TABLE relationships (
    id         INTEGER PRIMARY KEY,
    team_id    TEXT NOT NULL,
    mentor_id  TEXT NOT NULL,
    mentee_id  TEXT NOT NULL,
    cadence    TEXT NOT NULL CHECK (cadence IN ('weekly', 'biweekly', 'monthly')),
    next_at    TEXT,                     -- next "time for your 1:1" tick; NULL once ended
    started_at TEXT NOT NULL,
    ended_at   TEXT,
    updated_at TEXT NOT NULL,
    FOREIGN KEY (team_id, mentor_id) REFERENCES people (team_id, user_id) ON UPDATE CASCADE,
    FOREIGN KEY (team_id, mentee_id) REFERENCES people (team_id, user_id) ON UPDATE CASCADE,
    CHECK (mentor_id <> mentee_id)
);
-- At most one ongoing 1:1 per pair; ended ones are history.
CREATE UNIQUE INDEX relationships_one_active
    ON relationships (team_id, mentor_id, mentee_id) WHERE ended_at IS NULL;
CREATE INDEX relationships_by_mentee ON relationships (team_id, mentee_id);

CREATE TABLE sessions (
    id                   INTEGER PRIMARY KEY,
    team_id              TEXT NOT NULL,
    -- SET NULL: when a mentee forgets their requests, the mentor keeps the session history.
    request_id           INTEGER REFERENCES requests (id) ON DELETE SET NULL,
    relationship_id      INTEGER REFERENCES relationships (id) ON DELETE SET NULL,
    mentor_id            TEXT NOT NULL,
    mentee_id            TEXT NOT NULL,
    starts_at            TEXT NOT NULL,
    duration_minutes     INTEGER NOT NULL CHECK (duration_minutes BETWEEN 5 AND 240),
    status               TEXT NOT NULL DEFAULT 'confirmed'
        CHECK (status IN ('confirmed', 'cancelled', 'completed', 'did_not_happen')),
    talk_now             INTEGER NOT NULL DEFAULT 0 CHECK (talk_now IN (0, 1)),
    cancelled_by         TEXT,
    cancel_reason        TEXT CHECK (length(cancel_reason) <= 1000),
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    -- The confirmation DMs, updated on reschedule or cancel.
    mentor_dm_channel_id TEXT,
    mentor_dm_ts         TEXT,
    mentee_dm_channel_id TEXT,
    mentee_dm_ts         TEXT,
    FOREIGN KEY (team_id, mentor_id) REFERENCES people (team_id, user_id) ON UPDATE CASCADE,
    FOREIGN KEY (team_id, mentee_id) REFERENCES people (team_id, user_id) ON UPDATE CASCADE,
    FOREIGN KEY (team_id, cancelled_by) REFERENCES people (team_id, user_id) ON UPDATE CASCADE,
    CHECK (mentor_id <> mentee_id)
);
CREATE INDEX sessions_by_start ON sessions (starts_at);  -- reminders and "did you meet?" sweeps
CREATE INDEX sessions_by_mentor ON sessions (team_id, mentor_id, starts_at);  -- overlap check
CREATE INDEX sessions_by_mentee ON sessions (team_id, mentee_id, starts_at);
CREATE INDEX sessions_by_request ON sessions (request_id);

-- Private notes: only author_id may ever read body, in the UI, exports and logs.
CREATE TABLE notes (
    id         INTEGER PRIMARY KEY,
    team_id    TEXT NOT NULL,
    author_id  TEXT NOT NULL,
    subject_id TEXT NOT NULL,            -- the person the notes are about
    session_id INTEGER REFERENCES sessions (id) ON DELETE SET NULL,
    body       TEXT NOT NULL DEFAULT '' CHECK (length(body) <= 3000),
    what_next  TEXT NOT NULL DEFAULT 'done' CHECK (what_next IN (
        'done', 'checkin_1w', 'checkin_2w', 'checkin_4w',
        'ongoing_weekly', 'ongoing_biweekly', 'ongoing_monthly')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    FOREIGN KEY (team_id, author_id) REFERENCES people (team_id, user_id) ON UPDATE CASCADE,
    FOREIGN KEY (team_id, subject_id) REFERENCES people (team_id, user_id) ON UPDATE CASCADE,
    CHECK (author_id <> subject_id)
);
CREATE INDEX notes_by_author ON notes (team_id, author_id, subject_id, created_at);
CREATE INDEX notes_by_subject ON notes (team_id, subject_id);
CREATE INDEX notes_by_session ON notes (session_id);
CREATE INDEX notes_by_created ON notes (created_at);  -- the daily retention job

-- The shared action plan. It outlives the private notes it was written with (retention and
-- /mentor forget delete notes, not the plan both people hold), hence SET NULL.
CREATE TABLE action_items (
    id            INTEGER PRIMARY KEY,
    team_id       TEXT NOT NULL,
    note_id       INTEGER REFERENCES notes (id) ON DELETE SET NULL,
    session_id    INTEGER REFERENCES sessions (id) ON DELETE SET NULL,
    mentor_id     TEXT NOT NULL,            -- who wrote the plan
    mentee_id     TEXT NOT NULL,            -- who it was written with
    owner_id      TEXT NOT NULL,
    position      INTEGER NOT NULL DEFAULT 1 CHECK (position BETWEEN 1 AND 5),
    text          TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 300),
    -- A calendar date in the owner's time zone; the scheduler turns it into an instant.
    due_date      TEXT CHECK (due_date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    done_at       TEXT,
    snoozed_until TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    FOREIGN KEY (team_id, mentor_id) REFERENCES people (team_id, user_id) ON UPDATE CASCADE,
    FOREIGN KEY (team_id, mentee_id) REFERENCES people (team_id, user_id) ON UPDATE CASCADE,
    FOREIGN KEY (team_id, owner_id) REFERENCES people (team_id, user_id) ON UPDATE CASCADE,
    CHECK (owner_id IN (mentor_id, mentee_id))
);
CREATE INDEX action_items_by_owner ON action_items (team_id, owner_id, done_at);
CREATE INDEX action_items_by_pair ON action_items (team_id, mentor_id, mentee_id);
CREATE INDEX action_items_by_note ON action_items (note_id);

-- "How is your action plan going?" One row per check-in scheduled from Log notes.
CREATE TABLE checkins (
    id                   INTEGER PRIMARY KEY,
    team_id              TEXT NOT NULL,
    note_id              INTEGER REFERENCES notes (id) ON DELETE SET NULL,
    mentor_id            TEXT NOT NULL,
    mentee_id            TEXT NOT NULL,
    sequence             INTEGER NOT NULL DEFAULT 1 CHECK (sequence >= 1),  -- nth for this pair
    due_at               TEXT NOT NULL,
    asked_at             TEXT,             -- when the DM went out
    answer               TEXT CHECK (answer IN ('all_done', 'still_working', 'another_chat')),
    answered_at          TEXT,
    -- "Could use another chat" makes a new request to the same mentor.
    follow_up_request_id INTEGER REFERENCES requests (id) ON DELETE SET NULL,
    created_at           TEXT NOT NULL,
    FOREIGN KEY (team_id, mentor_id) REFERENCES people (team_id, user_id) ON UPDATE CASCADE,
    FOREIGN KEY (team_id, mentee_id) REFERENCES people (team_id, user_id) ON UPDATE CASCADE,
    CHECK ((answer IS NULL) = (answered_at IS NULL))
);
CREATE INDEX checkins_by_pair ON checkins (team_id, mentee_id, mentor_id);
CREATE INDEX checkins_by_due ON checkins (team_id, due_at);  -- stats: answered %

CREATE TABLE intros (
    id                   INTEGER PRIMARY KEY,
    team_id              TEXT NOT NULL,
    introducer_id        TEXT NOT NULL,
    mentee_id            TEXT NOT NULL,
    expert_id            TEXT NOT NULL,
    why                  TEXT NOT NULL CHECK (length(why) BETWEEN 1 AND 2000),
    note                 TEXT CHECK (length(note) <= 2000),  -- the optional message
    -- The request a mentor passed on with "Suggest someone else", if any.
    from_request_id      INTEGER REFERENCES requests (id) ON DELETE SET NULL,
    -- The request (source 'intro', already accepted) created when the expert accepts.
    request_id           INTEGER REFERENCES requests (id) ON DELETE SET NULL,
    status               TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'accepted', 'declined', 'expired')),
    created_at           TEXT NOT NULL,
    answered_at          TEXT,
    expert_dm_channel_id TEXT,
    expert_dm_ts         TEXT,
    group_dm_channel_id  TEXT,
    FOREIGN KEY (team_id, introducer_id) REFERENCES people (team_id, user_id) ON UPDATE CASCADE,
    FOREIGN KEY (team_id, mentee_id) REFERENCES people (team_id, user_id) ON UPDATE CASCADE,
    FOREIGN KEY (team_id, expert_id) REFERENCES people (team_id, user_id) ON UPDATE CASCADE,
    CHECK (mentee_id <> expert_id)
);
CREATE INDEX intros_by_expert ON intros (team_id, expert_id, status);
CREATE INDEX intros_by_mentee ON intros (team_id, mentee_id);
CREATE INDEX intros_by_introducer ON intros (team_id, introducer_id);

-- The durable outbox: every timed message. kind is not CHECKed because handlers/ registers
-- kinds, and widening a CHECK in SQLite means rebuilding the table.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    team_id      TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind <> ''),
    recipient    TEXT NOT NULL,            -- a user id (sent as a DM) or a channel id
    due_at       TEXT NOT NULL,
    subject_type TEXT CHECK (subject_type IN (
        'request', 'session', 'note', 'action_item', 'checkin', 'relationship', 'intro')),
    subject_id   INTEGER,
    dedupe_key   TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error   TEXT,
    -- A claim is a lease: rows of a worker that crashed mid-send become claimable again.
    lease_until  TEXT,
    -- Ids and choices only: messages are rendered from the current state at send time.
    payload      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(payload)),
    created_at   TEXT NOT NULL,
    sent_at      TEXT,
    UNIQUE (team_id, dedupe_key),
    CHECK ((subject_type IS NULL) = (subject_id IS NULL)),
    CHECK (status <> 'sending' OR lease_until IS NOT NULL)
);
CREATE INDEX outbox_due ON outbox (status, due_at);  -- the dispatcher's claim
CREATE INDEX outbox_by_subject ON outbox (team_id, subject_type, subject_id);  -- cancel by subject
CREATE INDEX outbox_by_lease ON outbox (status, lease_until);  -- reclaim expired leases

-- Slack event ids already handled, so a retry never repeats an effect; purged after a TTL.
CREATE TABLE processed_events (
    team_id      TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    processed_at TEXT NOT NULL,
    PRIMARY KEY (team_id, event_id)
);
CREATE INDEX processed_events_by_time ON processed_events (processed_at);

-- One row per workspace; a missing row means the defaults in models.WorkspaceSettings.
CREATE TABLE workspace_settings (
    team_id                 TEXT PRIMARY KEY,
    pool_channel_id         TEXT,
    detection_enabled       INTEGER NOT NULL DEFAULT 1 CHECK (detection_enabled IN (0, 1)),
    detection_off_channels  TEXT NOT NULL DEFAULT '[]'   -- JSON array of channel ids
        CHECK (json_valid(detection_off_channels) AND json_type(detection_off_channels) = 'array'),
    prompt_cooldown_minutes INTEGER NOT NULL DEFAULT 10 CHECK (prompt_cooldown_minutes >= 0),
    nudge_after_hours       INTEGER NOT NULL DEFAULT 24 CHECK (nudge_after_hours >= 1),
    escalate_after_hours    INTEGER NOT NULL DEFAULT 48 CHECK (escalate_after_hours >= 1),
    pool_repost_after_hours INTEGER NOT NULL DEFAULT 24 CHECK (pool_repost_after_hours >= 1),
    expire_after_hours      INTEGER NOT NULL DEFAULT 168 CHECK (expire_after_hours >= 1),
    reminder_minutes        INTEGER NOT NULL DEFAULT 15 CHECK (reminder_minutes BETWEEN 0 AND 1440),
    work_days               INTEGER NOT NULL DEFAULT 31 CHECK (work_days BETWEEN 0 AND 127),
    work_start_minute       INTEGER NOT NULL DEFAULT 540
        CHECK (work_start_minute BETWEEN 0 AND 1439),
    work_end_minute         INTEGER NOT NULL DEFAULT 1080
        CHECK (work_end_minute BETWEEN 1 AND 1440),
    max_open_requests       INTEGER NOT NULL DEFAULT 10 CHECK (max_open_requests >= 1),
    coordinators            TEXT NOT NULL DEFAULT '[]'   -- JSON array of user ids
        CHECK (json_valid(coordinators) AND json_type(coordinators) = 'array'),
    updated_at              TEXT NOT NULL,
    CHECK (work_start_minute < work_end_minute),
    CHECK (nudge_after_hours < escalate_after_hours)
);

-- Who changed which workspace setting, when; values are JSON.
CREATE TABLE settings_audit (
    id         INTEGER PRIMARY KEY,
    team_id    TEXT NOT NULL,
    field      TEXT NOT NULL,
    old_value  TEXT NOT NULL CHECK (json_valid(old_value)),
    new_value  TEXT NOT NULL CHECK (json_valid(new_value)),
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX settings_audit_by_team ON settings_audit (team_id, changed_at);

-- Detection prompts. No foreign key to people: a prompt must cost one write, and
-- /mentor forget deletes these rows by user id.
CREATE TABLE prompt_cooldowns (
    team_id          TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    channel_id       TEXT NOT NULL,
    last_prompted_at TEXT NOT NULL,
    PRIMARY KEY (team_id, user_id, channel_id)
);

-- Never two prompts for one message, Slack retries included.
CREATE TABLE prompted_messages (
    team_id     TEXT NOT NULL,
    channel_id  TEXT NOT NULL,
    message_ts  TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    prompted_at TEXT NOT NULL,
    PRIMARY KEY (team_id, channel_id, message_ts)
);
CREATE INDEX prompted_messages_by_time ON prompted_messages (prompted_at);
CREATE INDEX prompted_messages_by_user ON prompted_messages (team_id, user_id);
