-- +goose Up
-- What people write, translated once into the languages of those who read
-- it, keyed by the text's SHA-256 and the target language (a base language:
-- es, vi, zh, ar, en). A row whose target is the text's own language holds
-- the original: it says what language the text is in. chars is what the
-- provider was paid for (0 for the original's row).
CREATE TABLE translations (
    hash        bytea NOT NULL,
    target      text NOT NULL,
    text        text NOT NULL,
    source      text NOT NULL,
    chars       integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (hash, target)
);

-- +goose Down
DROP TABLE translations;
