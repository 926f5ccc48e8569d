-- +goose Up
-- Each category's email and SMS, beside its push: off unless the person
-- turns them on (families without the app get notes and messages by the
-- fallback instead, see server/outbound).
ALTER TABLE notification_preferences
    ADD COLUMN email boolean NOT NULL DEFAULT false,
    ADD COLUMN sms   boolean NOT NULL DEFAULT false;

-- "Opened": when the recipient opened what the notification is about (the
-- note, the conversation); a fallback goes only to who has not.
CREATE INDEX notification_recipients_fallback_idx ON notification_recipients (notification_id) WHERE read_at IS NULL;

-- +goose Down
DROP INDEX notification_recipients_fallback_idx;
ALTER TABLE notification_preferences DROP COLUMN sms, DROP COLUMN email;
