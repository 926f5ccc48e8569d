-- +goose Up
-- An upload is attached to one item: the observations posted together (one
-- group), a home insight, or a message. Whoever may see the item may get
-- signed URLs for its attachments.
ALTER TABLE uploads ADD COLUMN item_type text CHECK (item_type IN ('OBSERVATION_GROUP', 'HOME_INSIGHT', 'MESSAGE'));
ALTER TABLE uploads ADD COLUMN item_id uuid;
ALTER TABLE uploads ADD COLUMN position smallint;
ALTER TABLE uploads ADD CONSTRAINT uploads_attached_check CHECK ((attached_at IS NULL) = (item_id IS NULL) AND (item_id IS NULL) = (item_type IS NULL));
CREATE INDEX uploads_item_idx ON uploads (item_type, item_id, position) WHERE item_id IS NOT NULL;

-- +goose Down
DROP INDEX uploads_item_idx;
ALTER TABLE uploads DROP CONSTRAINT uploads_attached_check;
ALTER TABLE uploads DROP COLUMN position;
ALTER TABLE uploads DROP COLUMN item_id;
ALTER TABLE uploads DROP COLUMN item_type;
