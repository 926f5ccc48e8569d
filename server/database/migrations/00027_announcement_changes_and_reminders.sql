-- +goose Up
-- Announcements can be edited or cancelled until they go out, and carry
-- attachments; teachers get a weekly reminder of the students still
-- waiting for a positive note (opt-out: the WEEKLY_REMINDER category).

ALTER TABLE announcements
    ADD COLUMN edited_at        timestamptz,
    ADD COLUMN cancelled_at     timestamptz,
    ADD COLUMN cancelled_by_id  uuid REFERENCES users (id) ON DELETE SET NULL;

ALTER TABLE uploads DROP CONSTRAINT uploads_item_type_check;
ALTER TABLE uploads ADD CONSTRAINT uploads_item_type_check
    CHECK (item_type IN ('OBSERVATION_GROUP', 'HOME_INSIGHT', 'MESSAGE', 'ANNOUNCEMENT'));

ALTER TABLE notification_preferences DROP CONSTRAINT notification_preferences_category_check;
ALTER TABLE notification_preferences ADD CONSTRAINT notification_preferences_category_check
    CHECK (category IN ('NEW_MESSAGE', 'POSITIVE_NOTE', 'OBSERVATION', 'CONFERENCE', 'ANNOUNCEMENT', 'EVENT', 'COACHING', 'WEEKLY_REMINDER'));

-- The local date (a Monday) the school's weekly reminder last went.
ALTER TABLE schools ADD COLUMN reminder_sent_on date;

-- +goose Down
ALTER TABLE schools DROP COLUMN reminder_sent_on;
DELETE FROM notification_preferences WHERE category = 'WEEKLY_REMINDER';
ALTER TABLE notification_preferences DROP CONSTRAINT notification_preferences_category_check;
ALTER TABLE notification_preferences ADD CONSTRAINT notification_preferences_category_check
    CHECK (category IN ('NEW_MESSAGE', 'POSITIVE_NOTE', 'OBSERVATION', 'CONFERENCE', 'ANNOUNCEMENT', 'EVENT', 'COACHING'));
UPDATE uploads SET item_type = NULL, item_id = NULL, attached_at = NULL WHERE item_type = 'ANNOUNCEMENT';
ALTER TABLE uploads DROP CONSTRAINT uploads_item_type_check;
ALTER TABLE uploads ADD CONSTRAINT uploads_item_type_check CHECK (item_type IN ('OBSERVATION_GROUP', 'HOME_INSIGHT', 'MESSAGE'));
ALTER TABLE announcements DROP COLUMN cancelled_by_id, DROP COLUMN cancelled_at, DROP COLUMN edited_at;
