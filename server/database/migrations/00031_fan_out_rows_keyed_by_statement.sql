-- +goose Up
-- A notice's recipient rows and a fan-out's delivery rows are written by
-- the thousand (an urgent announcement: a row per guardian, then one per
-- device), and PostgreSQL checks a foreign key row by row. The two keys
-- to notifications cost about half of writing those rows (4,000
-- recipients: 75 ms with both keys, 35 without this one, 15 with neither),
-- and checked nothing the statements do not: recipients are written in the
-- statement that writes their notification, and a fan-out's plan locks
-- the notification once (FOR KEY SHARE, the lock the key's check took row
-- by row) before it claims recipients and writes deliveries. The users'
-- keys stay: rows of a family being erased must wait for, or fail
-- against, the erasure.
--
-- Deleting notifications still deletes their rows, once per statement
-- (notifications_cascade), whatever deletes them: the privacy erasure or
-- a school's deletion cascading to its notifications. A deletion waits
-- for a plan holding the notification, then sees what it wrote; a plan
-- after it finds no notification and claims nothing.
ALTER TABLE notification_recipients DROP CONSTRAINT notification_recipients_notification_id_fkey;
ALTER TABLE notification_deliveries DROP CONSTRAINT notification_deliveries_notification_id_fkey;

-- +goose StatementBegin
-- Rows are locked in key order, as the fan-out's outcome writes lock
-- theirs: two writers of many rows in different orders deadlock.
CREATE FUNCTION notifications_cascade() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM notification_recipients r USING (
        SELECT notification_id, user_id FROM notification_recipients
        WHERE notification_id IN (SELECT id FROM gone) ORDER BY notification_id, user_id FOR UPDATE) k
    WHERE r.notification_id = k.notification_id AND r.user_id = k.user_id;
    DELETE FROM notification_deliveries d USING (
        SELECT notification_id, device_id FROM notification_deliveries
        WHERE notification_id IN (SELECT id FROM gone) ORDER BY notification_id, device_id FOR UPDATE) k
    WHERE d.notification_id = k.notification_id AND d.device_id = k.device_id;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER notifications_cascade AFTER DELETE ON notifications
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION notifications_cascade();

-- +goose Down
DROP TRIGGER notifications_cascade ON notifications;
DROP FUNCTION notifications_cascade();
DELETE FROM notification_recipients r WHERE NOT EXISTS (SELECT 1 FROM notifications n WHERE n.id = r.notification_id);
DELETE FROM notification_deliveries d WHERE NOT EXISTS (SELECT 1 FROM notifications n WHERE n.id = d.notification_id);
ALTER TABLE notification_recipients ADD CONSTRAINT notification_recipients_notification_id_fkey
    FOREIGN KEY (notification_id) REFERENCES notifications (id) ON DELETE CASCADE;
ALTER TABLE notification_deliveries ADD CONSTRAINT notification_deliveries_notification_id_fkey
    FOREIGN KEY (notification_id) REFERENCES notifications (id) ON DELETE CASCADE;
