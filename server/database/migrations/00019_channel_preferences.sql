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

-- A roster import may invite the people it creates (by email and text).
ALTER TABLE roster_imports ADD COLUMN invite boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE roster_imports DROP COLUMN invite;
DROP INDEX notification_recipients_fallback_idx;
ALTER TABLE notification_preferences DROP COLUMN sms, DROP COLUMN email;
