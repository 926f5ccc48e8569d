-- +goose Up
-- A school's usage in a month and language was one row, and every
-- translation job of the school added to it: each held that row's lock
-- until its commit, so the school's translations went one at a time (make
-- bench-live: 10 ms of waiting per job at 200 messages a second, and the
-- jobs fell behind). The count is spread over 16 rows now, a text adding
-- to the one its hash picks; readers add them up.
ALTER TABLE translation_usage ADD COLUMN shard smallint NOT NULL DEFAULT 0 CHECK (shard BETWEEN 0 AND 15);
ALTER TABLE translation_usage DROP CONSTRAINT translation_usage_pkey;
ALTER TABLE translation_usage ADD PRIMARY KEY (school_id, month, target, shard);

-- +goose Down
CREATE TEMP TABLE usage_total ON COMMIT DROP AS
    SELECT school_id, month, target, sum(chars) AS chars FROM translation_usage GROUP BY school_id, month, target;
DELETE FROM translation_usage;
ALTER TABLE translation_usage DROP CONSTRAINT translation_usage_pkey;
ALTER TABLE translation_usage DROP COLUMN shard;
INSERT INTO translation_usage (school_id, month, target, chars) SELECT school_id, month, target, chars FROM usage_total;
ALTER TABLE translation_usage ADD PRIMARY KEY (school_id, month, target);
