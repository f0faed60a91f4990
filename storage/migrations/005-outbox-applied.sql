-- 005: a timed message that stands for a state change (expire, escalate, re-post, ask a
-- check-in) records here when its change was made, in the same transaction as the change, so
-- a retried, deferred or re-claimed row still sends its message and never repeats the change.
ALTER TABLE outbox ADD COLUMN applied_at TEXT;
