-- +goose Up
-- Characters each school had translated, per month and target language:
-- what the provider bills, for the school's engagement figures (/metrics
-- has the same counted for the whole server).
CREATE TABLE translation_usage (
    school_id   uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    month       date NOT NULL,
    target      text NOT NULL,
    chars       bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (school_id, month, target)
);

-- +goose Down
DROP TABLE translation_usage;
