-- +goose Up
-- The fallback's one query of unread recipients (a notification's, for a
-- list of users: notification_id = ? AND user_id IN ?) is served by the
-- primary key (notification_id, user_id); the partial index on
-- notification_id alone (00019) was one more entry to write for every
-- recipient of every notice, 2,119 of them in an announcement's call to
-- 2,000 families. TestNoRedundantIndexes keeps such overlaps out.
DROP INDEX notification_recipients_fallback_idx;

-- +goose Down
CREATE INDEX notification_recipients_fallback_idx ON notification_recipients (notification_id) WHERE read_at IS NULL;
