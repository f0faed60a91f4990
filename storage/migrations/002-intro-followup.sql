-- 002: the answer to an introduction's follow-up ("Did you connect with @expert?"), for stats.
-- NULL until the mentee answers; 'not_yet' may later become 'yes' or 'no'.
ALTER TABLE intros ADD COLUMN followup_answer TEXT
    CHECK (followup_answer IN ('yes', 'not_yet', 'no'));
ALTER TABLE intros ADD COLUMN followup_answered_at TEXT;
