-- +goose Up
-- Where a person's language (users.locale) came from. The person's own
-- choice in their profile wins over their phone's language, which wins
-- over the roster's; DEFAULT is en-US until one of them says.
ALTER TABLE users ADD COLUMN locale_source text NOT NULL DEFAULT 'DEFAULT'
    CHECK (locale_source IN ('DEFAULT', 'ROSTER', 'DEVICE', 'PROFILE'));

-- +goose Down
ALTER TABLE users DROP COLUMN locale_source;
