-- 004: an ask's prompt is claimed with one statement (one hop to the database thread, on
-- every ask): the claim inserts the message row, and this trigger starts the cooldown in the
-- same statement, so the two can never disagree.
CREATE TRIGGER prompted_message_starts_cooldown AFTER INSERT ON prompted_messages
BEGIN
    INSERT INTO prompt_cooldowns (team_id, user_id, channel_id, last_prompted_at)
    VALUES (NEW.team_id, NEW.user_id, NEW.channel_id, NEW.prompted_at)
    ON CONFLICT (team_id, user_id, channel_id) DO UPDATE
        SET last_prompted_at = excluded.last_prompted_at;
END;
