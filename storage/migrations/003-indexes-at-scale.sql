-- 003: indexes the benchmarks at scale asked for (docs/benchmarks.md shows the plans).
-- Deleting a note (retention, /mentor forget) sets checkins.note_id to NULL: without this,
-- each deleted note reads the whole checkins table.
CREATE INDEX checkins_by_note ON checkins (note_id);
-- /mentor stats counts action items and intros by when they were created.
CREATE INDEX action_items_by_created ON action_items (team_id, created_at);
CREATE INDEX intros_by_created ON intros (team_id, created_at);
-- The retention job deletes done action items older than the cutoff.
CREATE INDEX action_items_by_done ON action_items (done_at) WHERE done_at IS NOT NULL;
