-- +goose Up
-- Private iCalendar feed URLs (/calendar/{secret}.ics). Only a hash of the
-- secret is kept: the URL is shown once, when made; making a new one or
-- revoking it makes the old one stop working.
CREATE TABLE calendar_feeds (
    user_id      uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_hash  bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE calendar_feeds;
