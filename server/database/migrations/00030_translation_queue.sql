-- +goose Up
-- What is waiting to be translated. A River job a written item cost each
-- message a job row (its insert, its fetch, its completion) and a
-- transaction of its own: at 200 messages a second (make bench-live) the
-- translation jobs alone kept the machine busy. Now the write adds a row
-- here in its own transaction, and a drain (a River job, one at a time per
-- process's wake-up) takes what is due in batches: one statement claims and
-- reads many items, one call a language translates their texts, one
-- statement writes the results and removes the rows.
--
-- An item may be here more than once (written, then edited while a drain
-- held its first row): a drain removes only the rows it claimed, so an
-- edit made meanwhile is translated by the next one. attempts and
-- not_before are a failed item's backoff.
CREATE TABLE translation_queue (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text NOT NULL CHECK (length(kind) BETWEEN 1 AND 32),
    item_id     text NOT NULL CHECK (length(item_id) BETWEEN 1 AND 160),
    attempts    integer NOT NULL DEFAULT 0,
    not_before  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX translation_queue_due ON translation_queue (not_before, id);

-- +goose Down
DROP TABLE translation_queue;
