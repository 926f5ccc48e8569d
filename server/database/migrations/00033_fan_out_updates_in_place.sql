-- +goose Up
-- A fan-out changes each of its rows once or twice after writing it: a
-- recipient's state when its plan is made (PENDING to PLANNED), a
-- delivery's status when FCM answers (SENDING to SENT). Both were written
-- as new row versions with new entries in every index, because an index
-- named the changed column in its condition (the owed deliveries' index
-- its status, the unread recipients' index their state), and because the
-- rows, written together, filled their pages. Now no index names a column
-- the fan-out changes, and the pages keep room, so PostgreSQL updates
-- them in place (HOT): for an announcement to 2,000 families (2,119
-- recipients, 4,000 deliveries), 20 % of PostgreSQL's time per publish.
-- The pages keep room for a new version of each of their rows, since
-- the old ones cannot always be reclaimed first: a plan or an outcome
-- write changes up to hundreds of rows in one transaction, and another
-- transaction may still see the old versions. A delivery's new version is
-- larger than the old (FCM's message id): at 60 % full, 419 of 600
-- outcomes were written in place; at 50 %, 598 on a quiet machine and 530
-- beside other tests; at 40 %, 600. A recipient's is the same size: at 70
-- %, 180 of 300 plans in place beside other tests; at 50 %, 300.
--
-- The owed deliveries are found through the primary key (a notification's
-- deliveries, their status checked row by row): only a fan-out's retries
-- and resumed runs look for them. Unread notices are found by user, their
-- state checked row by row (a skipped recipient is rare: a category off).
DROP INDEX notification_deliveries_owed_idx;
DROP INDEX notification_recipients_unread_idx;
CREATE INDEX notification_recipients_unread_idx ON notification_recipients (user_id) WHERE read_at IS NULL;
ALTER TABLE notification_deliveries SET (fillfactor = 40);
ALTER TABLE notification_recipients SET (fillfactor = 50);

-- +goose Down
ALTER TABLE notification_recipients RESET (fillfactor);
ALTER TABLE notification_deliveries RESET (fillfactor);
DROP INDEX notification_recipients_unread_idx;
CREATE INDEX notification_recipients_unread_idx ON notification_recipients (user_id) WHERE read_at IS NULL AND state <> 'SKIPPED';
CREATE INDEX notification_deliveries_owed_idx ON notification_deliveries (notification_id, next_attempt_at) WHERE status IN ('PENDING', 'SENDING');
