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

-- The daily digest: one email (or text) a day at the school's local time
-- (minutes after midnight), listing the day's notes, messages and
-- announcements, instead of separate emails and texts, for those who chose
-- it; digest_sent_on is the school's local date it last went out.
ALTER TABLE schools ADD COLUMN digest_time smallint NOT NULL DEFAULT 1080 CHECK (digest_time BETWEEN 0 AND 1439);
ALTER TABLE schools ADD COLUMN digest_sent_on date;
CREATE TABLE digest_subscribers (
    user_id     uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE digest_subscribers;
ALTER TABLE schools DROP COLUMN digest_sent_on, DROP COLUMN digest_time;
ALTER TABLE roster_imports DROP COLUMN invite;
DROP INDEX notification_recipients_fallback_idx;
ALTER TABLE notification_preferences DROP COLUMN sms, DROP COLUMN email;
