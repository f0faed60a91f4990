-- 006: a claim names its worker. A restarted worker takes back the leases its previous run
-- held at once, instead of waiting them out, and a row whose earlier claim ended with no
-- recorded outcome is looked up in Slack (by the row tag its message carries) before it is
-- posted again.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;  -- MENTORBOT_WORKER_ID of the latest claim
ALTER TABLE outbox ADD COLUMN claimed_at TEXT;  -- when the latest claim was taken
-- Set when a claim ends with no outcome (its worker crashed, its lease ran out, the post's
-- answer was lost): from this moment a post for the row may be in Slack already.
ALTER TABLE outbox ADD COLUMN maybe_posted_since TEXT;
-- Rows held by a worker during the upgrade: their claim began one lease (5 min) before its end.
UPDATE outbox
SET claimed_at = strftime('%Y-%m-%dT%H:%M:%S', lease_until, '-5 minutes') || substr(lease_until, 20)
WHERE status = 'sending';
