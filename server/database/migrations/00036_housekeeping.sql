-- +goose Up
-- Two tables grew with every write and nothing ever emptied them; daily
-- chores now do.
--
-- A clientMutationId is remembered for 30 days (domain.RetryWindow): the
-- chore deletes older claims through this index, one entry a mutation at
-- the index's right edge.
CREATE INDEX client_mutations_created_at_idx ON client_mutations (created_at);

-- Final push deliveries are kept a week (push.DeliveryRetention); the chore
-- finds them through their primary key, whose notification ids are
-- time-ordered from now on. The rows of earlier, random ids that are final
-- and a day old go now: nothing reads a final delivery once its fan-out
-- has ended.
DELETE FROM notification_deliveries WHERE status IN ('SENT', 'FAILED') AND updated_at < now() - interval '1 day';

-- +goose Down
DROP INDEX client_mutations_created_at_idx;
